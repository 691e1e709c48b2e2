//! «Мессенджеры» (`/me/chats`): the chat users linked to the signed-in account, a one-time code
//! to link another, and a way to undo a link. The code is shown once, on the page the button
//! returns; the store keeps only its digest, good for [`CODE_MINUTES`] minutes. Sent to the bot
//! (or opened as the bot's start link), it links the messenger's user who sent it to this
//! account: from then on their replies to karta's messages in chats are reports of this account
//! (docs/notifications.md, "Replies from chats").

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pages::{Page, back, csrf, page, run};
use super::{App, Fail, Session};
use crate::intake::chat::{CODE_MINUTES, new_code};

type Shared = State<Arc<App>>;

pub async fn chats(State(app): Shared, s: Session) -> Page {
    run(move || {
        let data = links(&app, &s)?;
        page(&app, &s, "chats", data)
    })
    .await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// A new code for the account, shown on the page this answers with.
pub async fn code(State(app): Shared, s: Session, Form(form): Form<CodeForm>) -> Page {
    csrf(&s, &form.csrf)?;
    run(move || {
        let (shown, digest) =
            new_code().map_err(|e| Fail::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        let until = app.now() + chrono::Duration::minutes(CODE_MINUTES);
        app.store(|st| st.issue_link_code(s.user.id, &digest, until))?;
        let mut data = links(&app, &s)?;
        data["code"] = json!({"shown": shown, "until": until.format("%H:%M").to_string()});
        page(&app, &s, "chats", data)
    })
    .await
}

#[derive(Deserialize)]
pub struct UnlinkForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    messenger: String,
    chat_user: String,
}

pub async fn unlink(State(app): Shared, s: Session, Form(form): Form<UnlinkForm>) -> Page {
    csrf(&s, &form.csrf)?;
    run(move || {
        let gone = app.store(|st| st.unlink_chat(s.user.id, &form.messenger, &form.chat_user))?;
        let said =
            if gone { "Мессенджер отвязан" } else { "Такой привязки уже нет" };
        Ok(back(&app, &s, "/me/chats", said))
    })
    .await
}

/// The page's data: the account's links.
fn links(app: &App, s: &Session) -> Result<Value, Fail> {
    let links = app.store(|st| st.chat_links(s.user.id))?;
    let shown: Vec<Value> = links
        .iter()
        .map(|l| {
            let messenger = match l.messenger.as_str() {
                "telegram" => "Telegram",
                "max" => "MAX",
                other => other,
            };
            let since = chrono::DateTime::parse_from_rfc3339(&l.linked_at)
                .map(|t| t.format("%d.%m.%Y").to_string())
                .unwrap_or_default();
            json!({"messenger": l.messenger, "messenger_ru": messenger, "chat_user": l.chat_user, "name": l.name, "since": since})
        })
        .collect();
    Ok(json!({"title": "Мессенджеры", "links": shown, "minutes": CODE_MINUTES}))
}
