//! Composing messages: the planned notices of one recipient become one message (a digest of the
//! day instead of one mail per item), multipart plain text + HTML from `templates/mail/`, with a
//! Russian subject (encoded by lettre) and a Message-ID derived from the notices it carries — so
//! the same notices always make the same message.

use chrono::{DateTime, FixedOffset};
use lettre::message::{Mailbox, MultiPart};
use serde_json::{Value, json};

use crate::render::{TemplateError, Templates};
use crate::ru;
use crate::store::{Outgoing, Stored};

/// Why a message could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("неверный адрес {address}: {why}")]
    Address { address: String, why: String },
    #[error("не удалось собрать письмо: {0}")]
    Build(String),
}

impl crate::diag::Explain for ComposeError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            ComposeError::Template(e) => msg!("{}", e; "{}", e),
            ComposeError::Address { address, why } => msg!("{}", self; "invalid address {}: {}", address, why),
            ComposeError::Build(why) => msg!("{}", self; "cannot build the message: {}", why),
        }
    }
}

/// The subject of a message about `notices` (all for one recipient).
pub fn subject(notices: &[&Stored]) -> String {
    match notices {
        [one] => {
            let p = one.notice.details();
            let activity = p["activity"].as_str().unwrap_or_default();
            let short: String = activity.chars().take(80).collect();
            let short = if short.len() < activity.len() { format!("{short}…") } else { short };
            let due = p["due"].as_str().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let due = due.map(ru::date_words).unwrap_or_default();
            match one.notice.rule.as_str() {
                "due-day" => format!("Сегодня срок: «{short}»"),
                "overdue" => {
                    let days = p["days"].as_u64().unwrap_or(0);
                    format!("Просрочено на {}: «{short}»", ru::counted(days, ["день", "дня", "дней"]))
                }
                rule if rule.starts_with("escalation") => {
                    let days = p["days"].as_u64().unwrap_or(0);
                    format!("Не исполнено в срок ({}): «{short}»", ru::counted(days, ["день", "дня", "дней"]))
                }
                "digest" => format!("Еженедельная сводка: «{}»", p["roadmap"].as_str().unwrap_or_default()),
                "group-digest" => format!("Сводка на неделю: «{}»", p["group"].as_str().unwrap_or_default()),
                super::requests::RULE => format!("Запрос на перенос срока: «{short}»"),
                _ => format!("Напоминание: срок {due} — «{short}»"),
            }
        }
        many => format!(
            "Сроки по дорожным картам: {} на {}",
            ru::counted(many.len() as u64, ["уведомление", "уведомления", "уведомлений"]),
            many.first().map(|n| ru::date_digits(n.notice.day)).unwrap_or_default()
        ),
    }
}

/// A stable Message-ID for a set of notices.
pub fn message_id(notices: &[&Stored], domain: &str) -> String {
    let mut keys: Vec<&str> = notices.iter().map(|n| n.notice.key.as_str()).collect();
    keys.sort_unstable();
    let digest = crate::digest::of(&keys.join("\n"));
    format!("<{digest:032x}@{domain}>")
}

/// What the templates get: the recipient, the subject, the day and the notices' details, each
/// with its page in the web app when `links` (its address) is known.
pub fn data(notices: &[&Stored], links: Option<&str>) -> Value {
    let first = notices.first().map(|n| &n.notice);
    json!({
        "name": first.map(|n| n.name.as_str()),
        "subject": subject(notices),
        "day": first.map(|n| n.day),
        "count": notices.len(),
        "items": notices.iter().map(|n| with_link(n.notice.details(), links)).collect::<Vec<Value>>(),
    })
}

/// A notice's details with the address of its occurrence's page, when the web app runs.
fn with_link(mut details: Value, base: Option<&str>) -> Value {
    if let (Some(base), Some(id)) = (base, details["occurrence"].as_str().map(String::from)) {
        let segment = percent_encoding::utf8_percent_encode(&id, crate::render::helpers::SEGMENT);
        details["link"] = json!(format!("{}/o/{segment}", base.trim_end_matches('/')));
    }
    details
}

/// A file sent with a message: its name and bytes (a report form).
pub struct Attached {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The message carrying `notices` to their recipient, composed at `now`, with the recipient's
/// report form attached when there is one. With `reply` (the inbox's address and the tokens'
/// key), its Reply-To is the inbox tagged with a token naming its first notice: a reply comes
/// back to the notices in the order the body numbers them.
pub fn compose(
    templates: &Templates,
    config: &super::Config,
    notices: &[&Stored],
    now: DateTime<FixedOffset>,
    attached: Option<Attached>,
    reply: Option<(&str, &crate::inbox::Key)>,
) -> Result<Outgoing, ComposeError> {
    let first = notices.first().ok_or_else(|| ComposeError::Build("нет уведомлений".into()))?;
    let to_address = first.notice.recipient.clone();
    let subject = subject(notices);
    let from = config.from.as_str();
    let domain = from.rsplit_once('@').map_or("karta.local", |(_, d)| d.trim_end_matches('>'));
    let id = message_id(notices, domain);
    let reply_to = match reply {
        Some((inbox, key)) => {
            let token = crate::inbox::token::issue(key, first.id as u64, first.notice.day);
            let address = crate::inbox::token::reply_address(inbox, &token).ok_or_else(|| ComposeError::Address {
                address: inbox.to_string(),
                why: "адрес для ответов должен иметь вид имя@домен".into(),
            })?;
            Some(address)
        }
        None => None,
    };
    let mut data = data(notices, config.links.as_deref());
    data["reply"] = json!(reply_to.is_some());
    let text = templates.mail("text", &data)?;
    let html = templates.mail("html", &data)?;
    let mailbox = |address: &str, name: Option<&str>| -> Result<Mailbox, ComposeError> {
        let parsed = address
            .parse::<Mailbox>()
            .map_err(|e| ComposeError::Address { address: address.into(), why: e.to_string() })?;
        Ok(match name {
            Some(n) if parsed.name.is_none() => Mailbox::new(Some(n.to_string()), parsed.email),
            _ => parsed,
        })
    };
    let mut builder = lettre::Message::builder().from(mailbox(from, Some("karta"))?);
    if let Some(address) = &reply_to {
        builder = builder.reply_to(mailbox(address, Some("karta"))?);
    }
    let message = builder
        .to(mailbox(&to_address, Some(&first.notice.name))?)
        .subject(subject.clone())
        .message_id(Some(id.clone()))
        .date(std::time::SystemTime::from(now))
        .multipart(match attached {
            None => MultiPart::alternative_plain_html(text, html),
            Some(file) => {
                let kind = lettre::message::header::ContentType::parse(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .map_err(|e| ComposeError::Build(e.to_string()))?;
                MultiPart::mixed()
                    .multipart(MultiPart::alternative_plain_html(text, html))
                    .singlepart(lettre::message::Attachment::new(file.name).body(file.bytes, kind))
            }
        })
        .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(Outgoing {
        message_id: id,
        recipient: to_address,
        subject,
        eml: message.formatted(),
        attempts: 0,
        created: now,
        answers: None,
    })
}
