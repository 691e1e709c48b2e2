//! One incoming e-mail (RFC 5322 bytes, as a mailbox or a mail server's pipe hands it over)
//! read into an [`Incoming`]: who sent it, what it answers, the reply's own text whatever the
//! client's charset, transfer encoding or HTML, and the files it carries, checked against
//! [`Limits`] and a short list of document types. Bad mail ends in an [`Unreadable`], never in a
//! panic. This module decides nothing about what the reply says (`reply`), whether it is a robot
//! (`robot`) or whom it concerns (the caller, with `token`).

use chrono::{DateTime, FixedOffset, NaiveDate};
use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders, PartType};

use super::robot::{self, Robot};
use super::{html, token};

/// How much mail karta takes. A message larger than `message` bytes is refused before any part
/// of it is decoded, so no decoded part can ever exceed it (base64 and quoted-printable only
/// shrink); a file over `attachment` bytes, or past the `files`-th, is dropped, never copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub message: usize,
    pub attachment: usize,
    pub files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A 10 MiB file is 13.7 MiB in base64; the rest is text and headers.
        Limits { message: 20 << 20, attachment: 10 << 20, files: 10 }
    }
}

/// What the reader needs to know about karta's own mail.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The mailbox replies come to (`karta@region.ru`); a reply's token is its plus-address.
    pub inbox: String,
    /// Other addresses karta sends from (the notices' `From`): mail from them is karta's own.
    pub ours: Vec<String>,
    /// The receiving server's `authserv-id`: only its `Authentication-Results` are believed.
    /// Without it, only the topmost one (added last, by the receiving server) is.
    pub authserv_id: Option<String>,
    pub limits: Limits,
}

/// An incoming message, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The sender's address, lowercase.
    pub from: String,
    pub date: Option<DateTime<FixedOffset>>,
    pub subject: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The token of the first `inbox+TOKEN@…` address in To, Cc, Delivered-To or X-Original-To.
    pub reply_to_token: Option<String>,
    /// The reply's own text (quotes and signatures still in it: `reply` strips them).
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// Files not kept, and why.
    pub dropped: Vec<Dropped>,
    /// Messages attached whole (message/rfc822): a reply forwarded as an attachment.
    pub forwarded: Vec<Forwarded>,
    pub auth: Dmarc,
    /// Why this message must not be answered, when it must not.
    pub robot: Option<Robot>,
}

/// A file kept from a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// A bare file name, safe to store (no folders, no control characters).
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A file not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub name: String,
    pub content_type: String,
    pub size: usize,
    pub why: Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drop {
    /// Over the size limit.
    TooLarge { limit: usize },
    /// Not one of [`ALLOWED`].
    Type,
    /// Named as an allowed type, but its bytes are something else.
    Mismatch,
    /// Past the number of files taken.
    TooMany { limit: usize },
}

/// A message attached to the incoming one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    pub from: Option<String>,
    pub subject: String,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub text: String,
}

/// The DMARC verdict the receiving server recorded in `Authentication-Results`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dmarc {
    Pass,
    Fail,
    /// No verdict: no header, no DMARC check, or a result other than pass or fail.
    None,
}

/// A message that cannot be read as a reply, with what could be learnt of it for an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub flaw: Flaw,
    pub from: Option<String>,
    pub message_id: Option<String>,
    pub robot: Option<Robot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Larger than [`Limits::message`]; nothing of its body was decoded.
    TooLarge { size: usize, limit: usize },
    /// No header could be found: not an e-mail.
    NotMail,
    /// No `From` address.
    NoSender,
    /// Several `From` addresses: whose reply it is cannot be told.
    SeveralSenders,
}

/// The file types kept, by extension, with the bytes each must start with.
pub const ALLOWED: &[(&str, &[&[u8]])] = &[
    ("pdf", &[b"%PDF-"]),
    ("docx", &[ZIP]),
    ("xlsx", &[ZIP]),
    ("odt", &[ZIP]),
    ("zip", &[ZIP, b"PK\x05\x06"]),
    ("doc", &[OLE]),
    ("xls", &[OLE]),
    ("jpg", &[b"\xFF\xD8\xFF"]),
    ("png", &[b"\x89PNG\r\n\x1A\n"]),
];
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads one message.
pub fn read(raw: &[u8], settings: &Settings) -> Result<Incoming, Unreadable> {
    let parser = MessageParser::default();
    if raw.len() > settings.limits.message {
        // The headers alone, so that the sender can be told.
        let headers = parser.parse_headers(raw);
        return Err(Unreadable {
            flaw: Flaw::TooLarge { size: raw.len(), limit: settings.limits.message },
            from: headers.as_ref().and_then(|m| sender(m).ok()),
            message_id: headers.as_ref().and_then(|m| m.message_id()).map(String::from),
            robot: headers.as_ref().and_then(|m| robot::detect(m, settings)),
        });
    }
    let Some(message) = parser.parse(raw).filter(|m| !m.headers().is_empty()) else {
        return Err(Unreadable { flaw: Flaw::NotMail, from: None, message_id: None, robot: None });
    };
    let message_id = message.message_id().map(String::from);
    let robot = robot::detect(&message, settings);
    let from =
        sender(&message).map_err(|flaw| Unreadable { flaw, from: None, message_id: message_id.clone(), robot })?;
    let (attachments, dropped, forwarded) = files(&message, &settings.limits);
    Ok(Incoming {
        message_id,
        from,
        date: message.date().and_then(date),
        subject: message.subject().unwrap_or_default().trim().to_string(),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        reply_to_token: reply_token(&message, &settings.inbox),
        text: text(&message),
        attachments,
        dropped,
        forwarded,
        auth: dmarc(&message, settings.authserv_id.as_deref()),
        robot,
    })
}

/// The one `From` address, lowercase.
pub(super) fn sender(message: &mail_parser::Message<'_>) -> Result<String, Flaw> {
    let addresses: Vec<String> = message
        .from()
        .map(|a| a.iter().filter_map(|a| a.address()).map(|a| a.trim().to_lowercase()).collect())
        .unwrap_or_default();
    match addresses.as_slice() {
        [one] if is_address(one) => Ok(one.clone()),
        [] | [_] => Err(Flaw::NoSender),
        _ => Err(Flaw::SeveralSenders),
    }
}

/// Whether `text` is a plain `local@domain` address.
fn is_address(text: &str) -> bool {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c);
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !text.contains(bad)
        }
        None => false,
    }
}

/// The raw values of every header called `name` (any case), unfolded.
pub(super) fn raw_headers(message: &mail_parser::Message<'_>, name: &str) -> Vec<String> {
    message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
        .filter_map(|h| message.raw_message.get(h.offset_start() as usize..h.offset_end() as usize))
        .map(|bytes| String::from_utf8_lossy(bytes).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
        mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn date(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let seconds = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
    let offset = FixedOffset::east_opt(if d.tz_before_gmt { -seconds } else { seconds })?;
    let day = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?;
    let local = day.and_hms_opt(u32::from(d.hour), u32::from(d.minute), u32::from(d.second))?;
    local.and_local_timezone(offset).single()
}

/// The token of the first address that is `inbox` plus a tag.
fn reply_token(message: &mail_parser::Message<'_>, inbox: &str) -> Option<String> {
    let listed = |a: Option<&Address<'_>>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|a| a.address()).map(String::from).collect()).unwrap_or_default()
    };
    let delivered =
        ["Delivered-To", "X-Original-To"].iter().flat_map(|name| raw_headers(message, name)).flat_map(|v| {
            v.split(',').map(|a| a.trim().trim_start_matches('<').trim_end_matches('>').to_string()).collect::<Vec<_>>()
        });
    listed(message.to())
        .into_iter()
        .chain(listed(message.cc()))
        .chain(delivered)
        .find_map(|address| token::token_in(&address, inbox))
}

/// The text of the message's own body parts: plain text as written, HTML made plain.
fn text(message: &mail_parser::Message<'_>) -> String {
    let of = |ids: &[u32]| -> String {
        let texts: Vec<String> = ids
            .iter()
            .filter_map(|&i| message.parts.get(i as usize))
            .filter_map(|part| match &part.body {
                PartType::Text(text) => Some(text.replace("\r\n", "\n")),
                PartType::Html(markup) => Some(html::to_text(markup)),
                _ => None,
            })
            .collect();
        texts.join("\n").trim().to_string()
    };
    let plain = of(&message.text_body);
    if plain.is_empty() { of(&message.html_body) } else { plain }
}

/// The files a message carries: kept, dropped, and messages attached whole.
fn files(message: &mail_parser::Message<'_>, limits: &Limits) -> (Vec<Attachment>, Vec<Dropped>, Vec<Forwarded>) {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let mut forwarded = Vec::new();
    for (n, part) in message.attachments().enumerate() {
        if let PartType::Message(inner) = &part.body {
            forwarded.push(Forwarded {
                from: sender(inner).ok(),
                subject: inner.subject().unwrap_or_default().trim().to_string(),
                message_id: inner.message_id().map(String::from),
                in_reply_to: ids(inner.in_reply_to()),
                text: text(inner),
            });
            continue;
        }
        if is_picture_in_body(part) {
            continue;
        }
        let content_type = content_type(part);
        let name = file_name(part.attachment_name(), &content_type, n + 1);
        let bytes = part.contents();
        let drop = |why| Dropped { name: name.clone(), content_type: content_type.clone(), size: bytes.len(), why };
        let why = match kind(&name) {
            _ if bytes.len() > limits.attachment => Some(Drop::TooLarge { limit: limits.attachment }),
            None => Some(Drop::Type),
            Some((_, magic)) if !magic.iter().any(|m| bytes.starts_with(m)) => Some(Drop::Mismatch),
            Some(_) if kept.len() >= limits.files => Some(Drop::TooMany { limit: limits.files }),
            Some(_) => None,
        };
        match why {
            Some(why) => dropped.push(drop(why)),
            None => kept.push(Attachment { name, content_type, bytes: bytes.to_vec() }),
        }
    }
    (kept, dropped, forwarded)
}

/// A picture the HTML body shows (a signature's logo), not a file sent.
fn is_picture_in_body(part: &MessagePart<'_>) -> bool {
    part.content_id().is_some() && !part.content_disposition().is_some_and(|d| d.is_attachment())
}

fn content_type(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|t| match t.subtype() {
            Some(sub) => format!("{}/{}", t.ctype(), sub),
            None => t.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_lowercase()
}

/// The allowed type a file name says, with the bytes it must start with.
fn kind(name: &str) -> Option<&'static (&'static str, &'static [&'static [u8]])> {
    let extension = name.rsplit_once('.')?.1.to_lowercase();
    let extension = if extension == "jpeg" { "jpg".to_string() } else { extension };
    ALLOWED.iter().find(|(e, _)| *e == extension)
}

/// A bare, safe file name: the sender's without folders or control characters, or one made from
/// the content type («вложение-2.pdf»).
fn file_name(given: Option<&str>, content_type: &str, n: usize) -> String {
    let bare = given.map(|g| g.rsplit(['/', '\\']).next().unwrap_or_default()).unwrap_or_default();
    let clean: String = bare.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if !clean.is_empty() {
        return clean;
    }
    let extension = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "application/zip" => "zip",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.oasis.opendocument.text" => "odt",
        _ => "bin",
    };
    format!("вложение-{n}.{extension}")
}

/// The DMARC verdict of the `Authentication-Results` karta believes.
fn dmarc(message: &mail_parser::Message<'_>, authserv_id: Option<&str>) -> Dmarc {
    let headers = raw_headers(message, "Authentication-Results");
    let believed: Vec<&String> = match authserv_id {
        Some(id) => headers.iter().filter(|h| server_of(h).eq_ignore_ascii_case(id)).collect(),
        None => headers.first().into_iter().collect(),
    };
    let verdicts: Vec<Dmarc> = believed.iter().flat_map(|h| verdicts(h)).collect();
    if verdicts.contains(&Dmarc::Fail) {
        Dmarc::Fail
    } else if verdicts.contains(&Dmarc::Pass) {
        Dmarc::Pass
    } else {
        Dmarc::None
    }
}

/// The authserv-id an `Authentication-Results` value starts with.
fn server_of(value: &str) -> &str {
    value.split(';').next().unwrap_or_default().split_whitespace().next().unwrap_or_default()
}

/// The `dmarc=` results of one header value (comments in parentheses left out).
fn verdicts(value: &str) -> Vec<Dmarc> {
    let mut plain = String::with_capacity(value.len());
    let mut depth = 0usize;
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain
        .split(';')
        .skip(1)
        .filter_map(|result| result.trim().to_ascii_lowercase().strip_prefix("dmarc=").map(String::from))
        .map(|r| match r.split_whitespace().next().unwrap_or_default() {
            "pass" => Dmarc::Pass,
            "fail" => Dmarc::Fail,
            _ => Dmarc::None,
        })
        .collect()
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
