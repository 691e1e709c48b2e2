//! The messenger bots: a message posted to a Telegram chat through the Bot API's `sendMessage`
//! and to a MAX chat through the MAX Bot API's `POST /messages`, over HTTPS (ureq, rustls). Both
//! in HTML mode: the text comes escaped from the template (`templates/mail/message.chat.hbs`).
//!
//! An answer is sorted the way the SMTP transport sorts its own: a refusal of this message or
//! chat (400, 403: the chat is gone, the bot was removed) is permanent; a server that is down,
//! slow or busy is worth retrying, and a 429 says when (`parameters.retry_after` in Telegram's
//! answer, the `Retry-After` header in either). The token is never shown: not in errors, not
//! in logs (Telegram puts it in the request's path, so every error text is cleaned of it).

use std::time::Duration;

use serde_json::{Value, json};

use super::chat::Messenger;
use super::transport::SendError;

/// One bot: where its API is and its token.
pub struct Bot {
    messenger: Messenger,
    api: String,
    token: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").field("messenger", &self.messenger).field("api", &self.api).finish_non_exhaustive()
    }
}

impl Bot {
    /// The official address of each API.
    pub fn default_api(messenger: Messenger) -> &'static str {
        match messenger {
            Messenger::Telegram => "https://api.telegram.org",
            Messenger::Max => "https://platform-api.max.ru",
        }
    }

    /// A bot of `messenger` with `token`, at `api` (the official address when `None`).
    pub fn new(messenger: Messenger, api: Option<&str>, token: &str, timeout: Duration) -> Bot {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into();
        let api = api.unwrap_or(Bot::default_api(messenger)).trim_end_matches('/').to_string();
        Bot { messenger, api, token: token.to_string(), agent }
    }

    /// How it is shown: the API's address, never the token.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.messenger.name(), self.api)
    }

    /// Posts `html` to chat `chat`.
    pub fn send(&self, chat: &str, html: &str) -> Result<(), SendError> {
        let answer = match self.messenger {
            Messenger::Telegram => {
                // A numeric id goes as a number, a channel's `@name` as text.
                let chat_id = chat.parse::<i64>().map_or_else(|_| json!(chat), |n| json!(n));
                let body = json!({
                    "chat_id": chat_id,
                    "text": html,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": true},
                });
                self.agent.post(format!("{}/bot{}/sendMessage", self.api, self.token)).send_json(&body)
            }
            Messenger::Max => {
                let Ok(chat_id) = chat.parse::<i64>() else {
                    return Err(SendError::permanent(format!("неверный идентификатор чата MAX: {chat}")));
                };
                let body = json!({
                    "text": html,
                    "format": "html",
                    "notify": true,
                    "attachments": null,
                    "link": null,
                });
                self.agent
                    .post(format!("{}/messages", self.api))
                    .query("chat_id", chat_id.to_string())
                    .header("Authorization", &self.token)
                    .send_json(&body)
            }
        };
        let mut response = answer.map_err(|e| SendError::retry(self.clean(&format!("{e}")), None))?;
        let status = response.status().as_u16();
        let header_wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if (200..300).contains(&status) && body["ok"] != json!(false) {
            return Ok(());
        }
        let said = body["description"].as_str().or_else(|| body["message"].as_str()).unwrap_or_default();
        let text = self.clean(&format!("{} ответил {status}{}", self.messenger.name(), said_text(said)));
        let wait = body["parameters"]["retry_after"].as_u64().or(header_wait).map(Duration::from_secs);
        Err(match status {
            429 => SendError::retry(text, Some(wait.unwrap_or(Duration::from_secs(60)))),
            400 if body["parameters"]["migrate_to_chat_id"].is_i64() => SendError::permanent(format!(
                "{text}; группа стала супергруппой, её новый идентификатор: {}",
                body["parameters"]["migrate_to_chat_id"]
            )),
            // The chat or the message refused: sending the same again will not help.
            400 | 403 => SendError::permanent(text),
            // A wrong token (401, and 404 from Telegram), a server down or busy: retried until the
            // outbox gives up, so a token fixed in time still delivers.
            _ => SendError::retry(text, wait),
        })
    }

    /// `text` with the token taken out.
    fn clean(&self, text: &str) -> String {
        if self.token.is_empty() { text.to_string() } else { text.replace(&self.token, "***") }
    }
}

fn said_text(said: &str) -> String {
    if said.is_empty() { String::new() } else { format!(": {said}") }
}
