//! Delivery: SMTP (lettre, STARTTLS/TLS and authentication from the URL, pooled connections)
//! when `KARTA_SMTP_URL` (or `[notify] smtp_url`) is set, else `.eml` files in `outbox/` — each
//! named by its Message-ID, so writing one twice leaves one file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use lettre::Transport as _;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::{PoolConfig, SmtpTransport};

use crate::store::Outgoing;

pub enum Transport {
    Smtp { transport: SmtpTransport, from: Address, shown: String },
    Files(PathBuf),
}

/// A send that did not go through: permanent (the server refused this message or recipient) or
/// worth retrying (the server is down, busy, timed out).
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct SendError {
    pub permanent: bool,
    pub text: String,
}

impl Transport {
    /// SMTP from a URL (`smtp://user:pass@host:587?tls=required`, `smtps://…`), with a pool of
    /// `pool` connections; the password never appears in what is shown or logged.
    pub fn smtp(url: &str, from: &str, pool: u32) -> Result<Transport, crate::diag::Message> {
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
        Ok(Transport::Smtp { transport, from: from_address, shown: redact(url) })
    }

    pub fn describe(&self, lang: crate::diag::Lang) -> String {
        match self {
            Transport::Smtp { shown, .. } => format!("SMTP {shown}"),
            Transport::Files(dir) => {
                crate::say!(lang, "файлы .eml в {}", dir.display(); ".eml files in {}", dir.display())
            }
        }
    }

    pub fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        match self {
            Transport::Smtp { transport, from, .. } => {
                let to: Address = message.recipient.parse().map_err(|e| SendError {
                    permanent: true,
                    text: format!("неверный адрес {}: {e}", message.recipient),
                })?;
                let envelope = Envelope::new(Some(from.clone()), vec![to])
                    .map_err(|e| SendError { permanent: true, text: e.to_string() })?;
                transport
                    .send_raw(&envelope, &message.eml)
                    .map(|_| ())
                    .map_err(|e| SendError { permanent: e.is_permanent(), text: e.to_string() })
            }
            Transport::Files(dir) => {
                let name: String = message
                    .message_id
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
                    .collect();
                // The file stays private (0600, as the temporary file is made): it is mail to
                // one person, with their address and, when the web app is configured, links
                // to their work, like a mailbox that other local users must not read.
                let write = || -> std::io::Result<()> {
                    std::fs::create_dir_all(dir)?;
                    let mut file = tempfile::NamedTempFile::new_in(dir)?;
                    file.write_all(&message.eml)?;
                    file.as_file().sync_all()?;
                    file.persist(dir.join(format!("{name}.eml"))).map_err(|e| e.error)?;
                    Ok(())
                };
                write().map_err(|e| SendError { permanent: false, text: e.to_string() })
            }
        }
    }
}

/// The URL with its password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("smtps://user:secret@mail.example:465"), "smtps://user:***@mail.example:465");
        assert_eq!(super::redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }
}
