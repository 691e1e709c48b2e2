//! Delivery: e-mail by SMTP (lettre, STARTTLS/TLS and authentication from the URL, pooled
//! connections) when `KARTA_SMTP_URL` (or `[notify] smtp_url`) is set, chat messages by the
//! Telegram and MAX bots when their tokens are set ([`super::bots`]); without a server or token,
//! files in `outbox/` (`.eml`, `.telegram.html`, `.max.html`) — each named by its Message-ID,
//! so writing one twice leaves one file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use lettre::Transport as _;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::{PoolConfig, SmtpTransport};

use super::bots::Bot;
use super::chat::Messenger;
use crate::store::Outgoing;

/// The ways out: e-mail, and a bot per messenger.
pub struct Transport {
    pub mail: Mail,
    pub telegram: Option<Bot>,
    pub max: Option<Bot>,
    /// Where messages go that no server or bot takes.
    pub files: PathBuf,
}

/// How e-mail leaves.
pub enum Mail {
    Smtp { transport: SmtpTransport, from: Address, shown: String },
    Files(PathBuf),
}

/// A send that did not go through: permanent (the server refused this message or recipient) or
/// worth retrying (the server is down, busy, timed out), after `wait` when the server said so.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct SendError {
    pub permanent: bool,
    pub text: String,
    pub wait: Option<Duration>,
}

impl SendError {
    pub fn permanent(text: String) -> SendError {
        SendError { permanent: true, text, wait: None }
    }

    pub fn retry(text: String, wait: Option<Duration>) -> SendError {
        SendError { permanent: false, text, wait }
    }
}

impl Transport {
    pub fn describe(&self, lang: crate::diag::Lang) -> String {
        let mut ways = vec![self.mail.describe(lang)];
        ways.extend([&self.telegram, &self.max].into_iter().flatten().map(Bot::describe));
        ways.join(", ")
    }

    /// The bots, as shown.
    pub fn describe_bots(&self) -> String {
        [&self.telegram, &self.max].into_iter().flatten().map(Bot::describe).collect::<Vec<_>>().join(", ")
    }

    /// Sends `message`: to its chat when its recipient is one (returning the id the messenger
    /// gave it), else by e-mail.
    pub fn send(&self, message: &Outgoing) -> Result<Option<String>, SendError> {
        let Some((messenger, chat)) = Messenger::of(&message.recipient) else {
            return self.mail.send(message).map(|()| None);
        };
        let bot = match messenger {
            Messenger::Telegram => self.telegram.as_ref(),
            Messenger::Max => self.max.as_ref(),
        };
        let text = String::from_utf8_lossy(&message.eml);
        match bot {
            Some(bot) => bot.send(chat, &text, message.answers.as_deref()),
            None => write_file(&self.files, &message.message_id, &format!("{}.html", messenger.scheme()), &message.eml)
                .map(|()| None),
        }
    }
}

impl Mail {
    /// SMTP from a URL (`smtp://user:pass@host:587?tls=required`, `smtps://…`), with a pool of
    /// `pool` connections; the password never appears in what is shown or logged.
    pub fn smtp(url: &str, from: &str, pool: u32) -> Result<Mail, crate::diag::Message> {
        let from_address: Address =
            from.rsplit_once('<').map_or(from, |(_, a)| a.trim_end_matches('>')).parse().map_err(
                |e| crate::msg!("неверный адрес отправителя {}: {}", from, e; "invalid sender address {}: {}", from, e),
            )?;
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| {
                crate::msg!("неверный адрес SMTP-сервера {}: {}", redact(url), e; "invalid SMTP server address {}: {}", redact(url), e)
            })?
            .pool_config(PoolConfig::new().max_size(pool.max(1)))
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Mail::Smtp { transport, from: from_address, shown: redact(url) })
    }

    pub fn describe(&self, lang: crate::diag::Lang) -> String {
        match self {
            Mail::Smtp { shown, .. } => format!("SMTP {shown}"),
            Mail::Files(dir) => {
                crate::say!(lang, "файлы .eml в {}", dir.display(); ".eml files in {}", dir.display())
            }
        }
    }

    pub fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        match self {
            Mail::Smtp { transport, from, .. } => {
                let to: Address = message
                    .recipient
                    .parse()
                    .map_err(|e| SendError::permanent(format!("неверный адрес {}: {e}", message.recipient)))?;
                let envelope =
                    Envelope::new(Some(from.clone()), vec![to]).map_err(|e| SendError::permanent(e.to_string()))?;
                transport.send_raw(&envelope, &message.eml).map(|_| ()).map_err(|e| SendError {
                    permanent: e.is_permanent(),
                    text: e.to_string(),
                    wait: None,
                })
            }
            Mail::Files(dir) => write_file(dir, &message.message_id, "eml", &message.eml),
        }
    }
}

/// Writes a message to `dir` as a file named by its id with `extension`. The file stays private
/// (0600, as the temporary file is made): it is a message to one person or group, with their
/// address and, when the web app is configured, links to their work, like a mailbox that other
/// local users must not read.
fn write_file(dir: &std::path::Path, message_id: &str, extension: &str, bytes: &[u8]) -> Result<(), SendError> {
    let name: String =
        message_id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(dir.join(format!("{name}.{extension}"))).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| SendError::retry(e.to_string(), None))
}

/// The URL with its password replaced; of text that is no URL but has an `@`, only what follows
/// the last one (what comes before may be a password).
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        (None, Some(at)) => url[at + 1..].to_string(),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("smtps://user:secret@mail.example:465"), "smtps://user:***@mail.example:465");
        assert_eq!(super::redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(super::redact("user:secret@mail.example"), "mail.example");
    }
}
