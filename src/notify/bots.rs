//! The messenger bots: a message posted to a Telegram chat through the Bot API's `sendMessage`
//! and to a MAX chat through the MAX Bot API's `POST /messages`, over HTTPS (ureq, rustls). Both
//! in HTML mode: the text comes escaped from the template (`templates/mail/message.chat.hbs`).
//! The id the messenger gives a posted message is kept: a reply in the chat names it. What people
//! write back comes by polling: Telegram's `getUpdates`, MAX's `GET /updates`, each from where
//! the last read stopped (the update offset, the marker).
//!
//! An answer is sorted the way the SMTP transport sorts its own: a refusal of this message or
//! chat (400, 403: the chat is gone, the bot was removed) is permanent; a server that is down,
//! slow or busy is worth retrying, and a 429 says when (`parameters.retry_after` in Telegram's
//! answer, the `Retry-After` header in either). The token is never shown: not in errors, not
//! in logs (Telegram puts it in the request's path, so every error text is cleaned of it).

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::chat::Messenger;
use super::transport::SendError;

/// One bot: where its API is and its token.
pub struct Bot {
    messenger: Messenger,
    api: String,
    token: String,
    /// How long an answer may take (a long poll: this on top of its wait).
    timeout: Duration,
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
        let api = api.unwrap_or(Bot::default_api(messenger)).trim_end_matches('/').to_string();
        Bot { messenger, api, token: token.to_string(), timeout, agent: agent(timeout) }
    }

    pub fn messenger(&self) -> Messenger {
        self.messenger
    }

    /// How it is shown: the API's address, never the token.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.messenger.name(), self.api)
    }

    /// Posts `html` to chat `chat`, as a reply to its message `answers` when given; returns the
    /// id the messenger gave the message.
    pub fn send(&self, chat: &str, html: &str, answers: Option<&str>) -> Result<Option<String>, SendError> {
        let answer = match self.messenger {
            Messenger::Telegram => {
                // A numeric id goes as a number, a channel's `@name` as text.
                let chat_id = chat.parse::<i64>().map_or_else(|_| json!(chat), |n| json!(n));
                let mut body = json!({
                    "chat_id": chat_id,
                    "text": html,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": true},
                });
                if let Some(id) = answers.and_then(|a| a.parse::<i64>().ok()) {
                    body["reply_parameters"] = json!({"message_id": id, "allow_sending_without_reply": true});
                }
                self.agent.post(format!("{}/bot{}/sendMessage", self.api, self.token)).send_json(&body)
            }
            Messenger::Max => {
                let Ok(chat_id) = chat.parse::<i64>() else {
                    return Err(SendError::permanent(format!("неверный идентификатор чата MAX: {chat}")));
                };
                let link = answers.map(|mid| json!({"type": "reply", "mid": mid}));
                let body = json!({
                    "text": html,
                    "format": "html",
                    "notify": true,
                    "attachments": null,
                    "link": link,
                });
                self.agent
                    .post(format!("{}/messages", self.api))
                    .query("chat_id", chat_id.to_string())
                    .header("Authorization", &self.token)
                    .send_json(&body)
            }
        };
        let body = self.answered(answer)?;
        let post = match self.messenger {
            Messenger::Telegram => body["result"]["message_id"].as_i64().map(|id| id.to_string()),
            Messenger::Max => body["message"]["body"]["mid"].as_str().map(str::to_string),
        };
        Ok(post)
    }

    /// What people wrote in the bot's chats since `cursor` (from the start of what the messenger
    /// keeps when `None`), waiting up to `wait` for the first of it; and the cursor after it.
    pub fn updates(&self, cursor: Option<&str>, wait: Duration) -> Result<Batch, SendError> {
        let seconds = wait.as_secs().min(90);
        let answer = match self.messenger {
            Messenger::Telegram => {
                let mut body = json!({"timeout": seconds, "allowed_updates": ["message"]});
                if let Some(offset) = cursor.and_then(|c| c.parse::<i64>().ok()) {
                    body["offset"] = json!(offset);
                }
                self.long_agent(wait).post(format!("{}/bot{}/getUpdates", self.api, self.token)).send_json(&body)
            }
            Messenger::Max => {
                let mut request = self
                    .long_agent(wait)
                    .get(format!("{}/updates", self.api))
                    .query("timeout", seconds.to_string())
                    .query("types", "message_created,bot_started")
                    .header("Authorization", &self.token);
                if let Some(marker) = cursor {
                    request = request.query("marker", marker);
                }
                request.call()
            }
        };
        let body = self.answered(answer)?;
        Ok(match self.messenger {
            Messenger::Telegram => telegram_updates(&body, cursor),
            Messenger::Max => max_updates(&body, cursor),
        })
    }

    /// An agent whose timeout leaves room for a long poll of `wait`.
    fn long_agent(&self, wait: Duration) -> ureq::Agent {
        if wait.is_zero() { self.agent.clone() } else { agent(self.timeout + wait) }
    }

    /// The body of a successful answer, or the error it makes.
    fn answered(&self, answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Value, SendError> {
        let mut response = answer.map_err(|e| SendError::retry(self.clean(&format!("{e}")), None))?;
        let status = response.status().as_u16();
        let header_wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if (200..300).contains(&status) && body["ok"] != json!(false) {
            return Ok(body);
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

/// An HTTP agent that gives up after `timeout` and hands every status to the caller.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into()
}

fn said_text(said: &str) -> String {
    if said.is_empty() { String::new() } else { format!(": {said}") }
}

/// Messages written in a bot's chats, and where the next read starts.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub messages: Vec<ChatMessage>,
    pub cursor: Option<String>,
}

/// A message someone wrote in a chat the bot is in (or a start of the bot with a payload, which
/// MAX reports apart).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub messenger: Messenger,
    /// What it is known by among the messages handled: `telegram:CHAT:ID`, `max:MID`.
    pub key: String,
    pub chat: String,
    /// The messenger's id of this message: what an answer replies to.
    pub post: Option<String>,
    /// The writer: the messenger's user id and the name it shows.
    pub user: String,
    pub name: String,
    pub text: String,
    /// The messenger's id of the message this one replies to.
    pub replies_to: Option<String>,
    pub at: Option<DateTime<FixedOffset>>,
    /// A one-to-one chat with the bot.
    pub private: bool,
}

/// An instant the messengers give in Unix seconds (Telegram) or milliseconds (MAX).
fn instant(value: &Value) -> Option<DateTime<FixedOffset>> {
    let n = value.as_i64()?;
    let (seconds, millis) = if n > 100_000_000_000 { (n / 1000, n % 1000) } else { (n, 0) };
    DateTime::from_timestamp(seconds, (millis * 1_000_000) as u32).map(|t| t.fixed_offset())
}

/// A person's name from the parts both APIs give.
fn name_of(user: &Value) -> String {
    let parts = [&user["first_name"], &user["last_name"]];
    let full: Vec<&str> = parts.iter().filter_map(|v| v.as_str()).filter(|s| !s.is_empty()).collect();
    match (full.is_empty(), user["username"].as_str().or_else(|| user["name"].as_str())) {
        (false, _) => full.join(" "),
        (true, Some(handle)) => handle.to_string(),
        (true, None) => String::new(),
    }
}

/// Telegram's `getUpdates` answer: the messages of people (not bots); the next offset is one past
/// the last update seen, whatever it held.
fn telegram_updates(body: &Value, cursor: Option<&str>) -> Batch {
    let updates = body["result"].as_array().map(Vec::as_slice).unwrap_or_default();
    let next = updates.iter().filter_map(|u| u["update_id"].as_i64()).max().map(|id| (id + 1).to_string());
    let messages = updates
        .iter()
        .filter_map(|u| {
            let m = &u["message"];
            let chat = m["chat"]["id"].as_i64()?.to_string();
            let id = m["message_id"].as_i64()?;
            let from = &m["from"];
            if from["is_bot"].as_bool() == Some(true) {
                return None;
            }
            Some(ChatMessage {
                messenger: Messenger::Telegram,
                key: format!("telegram:{chat}:{id}"),
                post: Some(id.to_string()),
                user: from["id"].as_i64()?.to_string(),
                name: name_of(from),
                text: m["text"].as_str().or_else(|| m["caption"].as_str()).unwrap_or_default().to_string(),
                replies_to: m["reply_to_message"]["message_id"].as_i64().map(|r| r.to_string()),
                at: instant(&m["date"]),
                private: m["chat"]["type"] == "private",
                chat,
            })
        })
        .collect();
    Batch { messages, cursor: next.or_else(|| cursor.map(str::to_string)) }
}

/// MAX's `GET /updates` answer: new messages (`message_created`) and starts of the bot with a
/// payload (`bot_started`, from a link `max.ru/BOT?start=CODE`); the marker it gives is where the
/// next read starts.
fn max_updates(body: &Value, cursor: Option<&str>) -> Batch {
    let updates = body["updates"].as_array().map(Vec::as_slice).unwrap_or_default();
    let messages = updates
        .iter()
        .filter_map(|u| match u["update_type"].as_str()? {
            "message_created" => {
                let m = &u["message"];
                let sender = &m["sender"];
                if sender["is_bot"].as_bool() == Some(true) {
                    return None;
                }
                let mid = m["body"]["mid"].as_str()?.to_string();
                let link = &m["link"];
                Some(ChatMessage {
                    messenger: Messenger::Max,
                    key: format!("max:{mid}"),
                    chat: m["recipient"]["chat_id"].as_i64()?.to_string(),
                    post: Some(mid),
                    user: sender["user_id"].as_i64()?.to_string(),
                    name: name_of(sender),
                    text: m["body"]["text"].as_str().unwrap_or_default().to_string(),
                    replies_to: (link["type"] == "reply")
                        .then(|| link["message"]["mid"].as_str())
                        .flatten()
                        .map(str::to_string),
                    at: instant(&m["timestamp"]),
                    private: m["recipient"]["chat_type"] == "dialog",
                })
            }
            "bot_started" => {
                let chat = u["chat_id"].as_i64()?.to_string();
                let user = &u["user"];
                Some(ChatMessage {
                    messenger: Messenger::Max,
                    key: format!("max:start:{chat}:{}", u["timestamp"].as_i64().unwrap_or_default()),
                    chat,
                    post: None,
                    user: user["user_id"].as_i64()?.to_string(),
                    name: name_of(user),
                    text: u["payload"].as_str().unwrap_or_default().to_string(),
                    replies_to: None,
                    at: instant(&u["timestamp"]),
                    private: true,
                })
            }
            _ => None,
        })
        .collect();
    let next = body["marker"].as_i64().map(|m| m.to_string()).or_else(|| cursor.map(str::to_string));
    Batch { messages, cursor: next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_updates_are_read_and_the_offset_moves_past_the_last() {
        let body = json!({"ok": true, "result": [
            {"update_id": 7, "message": {"message_id": 41, "date": 1_710_115_200,
                "from": {"id": 555, "is_bot": false, "first_name": "Анна", "last_name": "Петрова"},
                "chat": {"id": -1001, "type": "supergroup"}, "text": "исполнено",
                "reply_to_message": {"message_id": 3}}},
            {"update_id": 8, "message": {"message_id": 42, "date": 1_710_115_260,
                "from": {"id": 9, "is_bot": true, "first_name": "bot"}, "chat": {"id": -1001, "type": "supergroup"}, "text": "x"}},
            {"update_id": 9, "edited_message": {}}
        ]});
        let batch = telegram_updates(&body, Some("5"));
        assert_eq!(batch.cursor.as_deref(), Some("10"));
        assert_eq!(batch.messages.len(), 1, "a bot's message and an edit are not read");
        let m = &batch.messages[0];
        assert_eq!((m.key.as_str(), m.chat.as_str(), m.user.as_str()), ("telegram:-1001:41", "-1001", "555"));
        assert_eq!((m.name.as_str(), m.replies_to.as_deref(), m.private), ("Анна Петрова", Some("3"), false));
        assert_eq!(m.at.map(|t| t.timestamp()), Some(1_710_115_200));
        assert_eq!(telegram_updates(&json!({"ok": true, "result": []}), Some("10")).cursor.as_deref(), Some("10"));
    }

    #[test]
    fn max_updates_are_read_with_replies_and_starts() {
        let body = json!({"marker": 77, "updates": [
            {"update_type": "message_created", "timestamp": 1_710_115_200_123_i64, "message": {
                "sender": {"user_id": 31, "first_name": "Ольга", "name": "Ольга"},
                "recipient": {"chat_id": -693, "chat_type": "chat", "user_id": null},
                "timestamp": 1_710_115_200_123_i64,
                "link": {"type": "reply", "message": {"mid": "mid.5", "seq": 5, "text": "…"}},
                "body": {"mid": "mid.9", "seq": 9, "text": "1 — исполнено"}}},
            {"update_type": "bot_started", "timestamp": 1_710_115_300_000_i64, "chat_id": 12,
                "user": {"user_id": 31, "first_name": "Ольга"}, "payload": "ABCD-EFGH"},
            {"update_type": "message_removed", "timestamp": 1, "message_id": "mid.1"}
        ]});
        let batch = max_updates(&body, None);
        assert_eq!(batch.cursor.as_deref(), Some("77"));
        assert_eq!(batch.messages.len(), 2);
        let reply = &batch.messages[0];
        assert_eq!(
            (reply.key.as_str(), reply.chat.as_str(), reply.replies_to.as_deref()),
            ("max:mid.9", "-693", Some("mid.5"))
        );
        assert_eq!(reply.at.map(|t| t.timestamp()), Some(1_710_115_200));
        let start = &batch.messages[1];
        assert_eq!((start.text.as_str(), start.private, start.post.clone()), ("ABCD-EFGH", true, None));
    }
}
