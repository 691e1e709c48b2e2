//! Reminders and overdue alerts. One pass at an instant `now`:
//!
//! 1. [`rules::plan`]: the notices due at `now` from the status of every occurrence;
//! 2. the outbox plans them (a key already planned is a no-op) and cancels those a report made
//!    pointless or whose day has passed;
//! 3. [`mail::compose`]: the planned notices of each recipient inside sending hours become one
//!    message, written to the store before it is sent; a chat's become one message in parts
//!    ([`chat::compose`]);
//! 4. [`transport`]: messages go out (SMTP, the Telegram and MAX bots of [`bots`], or files) and
//!    are marked sent, or retried with exponential backoff (or when a busy API says), or given
//!    up after `give_up_after` (`karta outbox` and `karta status` show the failure).
//!
//! A crash at any point loses nothing: on the next pass, planned notices are composed and
//! written messages are sent. The one window for a duplicate is a message the SMTP server
//! accepted just before the crash and before it was marked sent: it goes again, once, with the
//! same Message-ID.

pub mod bots;
pub mod chat;
mod digest;
pub mod mail;
pub mod requests;
pub mod rules;
pub mod transport;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::check::Workspace;
use crate::compile::Plan;
use crate::render::Templates;
use crate::store::{Delivery, Notice, Store, StoreError, Stored};
use crate::track::{Report, State};

pub use bots::{Batch, ChatMessage};
pub use rules::Rules;
pub use transport::Transport;

/// `[notify]` in karta.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    #[serde(flatten)]
    pub rules: Rules,
    /// The sender: "karta <karta@minobr.example>".
    pub from: String,
    /// SMTP server URL; `KARTA_SMTP_URL` overrides it. None: `.eml` files in `outbox_dir`.
    pub smtp_url: Option<String>,
    /// The Telegram bot's token; `KARTA_TELEGRAM_TOKEN` overrides it. None: messages to Telegram
    /// chats are written to files in `outbox_dir`.
    pub telegram_token: Option<Secret>,
    /// The Telegram Bot API's address (`KARTA_TELEGRAM_API`): a local Bot API server, a proxy.
    pub telegram_api: Option<String>,
    /// The MAX bot's token; `KARTA_MAX_TOKEN` overrides it. None: messages to MAX chats are
    /// written to files in `outbox_dir`.
    pub max_token: Option<Secret>,
    /// The MAX Bot API's address (`KARTA_MAX_API`).
    pub max_api: Option<String>,
    /// Seconds a bot API may take to answer before the message is retried.
    pub bot_timeout_seconds: u64,
    /// SMTP connections kept open at once.
    pub pool: u32,
    /// Hours after which a message that keeps failing is given up.
    pub give_up_after_hours: i64,
    pub outbox_dir: String,
    /// The web app's address (`[web] base_url`), when it runs: each occurrence in a message links
    /// to its page there.
    #[serde(skip)]
    pub links: Option<String>,
    /// Attach to an executor's message their report form for the week (`karta form`), to fill
    /// and send back.
    pub attach_form: bool,
    /// Replies (`[inbox]`, `KARTA_INBOX_ADDRESS`): with an address set, every message carries a
    /// reply token in its Reply-To.
    #[serde(skip)]
    pub replies: Option<Replies>,
}

/// Where replies to notices go, and the key of their tokens when the configuration gives one
/// (else the store's, generated on first use).
#[derive(Debug, Clone)]
pub struct Replies {
    pub address: String,
    pub key: Option<crate::inbox::Key>,
}

/// The secret under which the store keeps the reply tokens' key.
pub const REPLY_KEY: &str = "reply-token-key";

/// The reply tokens' key: the configured one, else the store's (generated and kept on first use).
pub fn reply_key(
    store: &mut dyn Store,
    configured: Option<&crate::inbox::Key>,
) -> Result<crate::inbox::Key, NotifyError> {
    if let Some(key) = configured {
        return Ok(key.clone());
    }
    let fresh = crate::inbox::Key::generate()?;
    let kept = store.secret(REPLY_KEY, &fresh.to_hex())?;
    Ok(crate::inbox::Key::from_hex(&kept)?)
}

impl Default for Config {
    fn default() -> Config {
        Config {
            rules: Rules::default(),
            from: "karta <karta@localhost>".into(),
            smtp_url: None,
            telegram_token: None,
            telegram_api: None,
            max_token: None,
            max_api: None,
            bot_timeout_seconds: 30,
            pool: 4,
            give_up_after_hours: 24,
            outbox_dir: "outbox".into(),
            attach_form: false,
            links: None,
            replies: None,
        }
    }
}

/// A token or password: read from the configuration, never shown (`Debug` prints `***`).
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where messages leave: the SMTP server's URL and each messenger's bot token and API address
/// (the configuration's, or the environment's that override them).
#[derive(Debug, Default, Clone)]
pub struct Ways {
    pub smtp: Option<String>,
    pub telegram: Option<(Secret, Option<String>)>,
    pub max: Option<(Secret, Option<String>)>,
}

/// What notification commands work with: the settings, the message templates and the way out.
pub struct Notifier {
    pub config: Config,
    pub templates: Templates,
    pub transport: Transport,
}

/// Why the notifier cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The templates do not load (the input's fault).
    #[error("{}", .0.ru)]
    Templates(crate::diag::Message),
    /// The SMTP address is wrong (the environment's).
    #[error("{}", .0.ru)]
    Transport(crate::diag::Message),
}

impl crate::diag::Explain for SetupError {
    fn explain(&self) -> crate::diag::Message {
        match self {
            SetupError::Templates(m) | SetupError::Transport(m) => m.clone(),
        }
    }
}

impl Notifier {
    /// The notifier of `config`, with the templates of `templates` (the built-in ones when none)
    /// and the ways out of `ways` (files in `outbox_dir` for any it lacks).
    pub fn new(config: Config, templates: Option<&std::path::Path>, ways: &Ways) -> Result<Notifier, SetupError> {
        let templates =
            Templates::load_mail(templates).map_err(|e| SetupError::Templates(crate::msg!("{}", e; "{}", e)))?;
        Notifier::with(config, templates, ways)
    }

    /// A notifier that only delivers what the outbox holds (answers to replies, and whatever else
    /// is due): no template is compiled, and it must not [`Notifier::pass`].
    pub fn deliverer(config: Config, ways: &Ways) -> Result<Notifier, SetupError> {
        Notifier::with(config, Templates::none(), ways)
    }

    fn with(config: Config, templates: Templates, ways: &Ways) -> Result<Notifier, SetupError> {
        let files = std::path::PathBuf::from(&config.outbox_dir);
        let mail = match &ways.smtp {
            Some(url) => transport::Mail::smtp(url, &config.from, config.pool).map_err(SetupError::Transport)?,
            None => transport::Mail::Files(files.clone()),
        };
        let timeout = std::time::Duration::from_secs(config.bot_timeout_seconds.max(1));
        let bot = |messenger, way: &Option<(Secret, Option<String>)>| {
            way.as_ref().map(|(token, api)| bots::Bot::new(messenger, api.as_deref(), &token.0, timeout))
        };
        let transport = Transport {
            mail,
            telegram: bot(chat::Messenger::Telegram, &ways.telegram),
            max: bot(chat::Messenger::Max, &ways.max),
            files,
        };
        Ok(Notifier { config, templates, transport })
    }

    /// One whole pass at `now` over the roadmaps and the log: plan, compose, deliver.
    pub fn pass(
        &self,
        ws: &Workspace,
        compiled: &Plan,
        events: &[crate::track::Event],
        store: &mut dyn Store,
        calendar: &Calendar,
        now: DateTime<FixedOffset>,
    ) -> Result<Summary, NotifyError> {
        let report = crate::track::status(ws, compiled, events, now, calendar);
        pass(ws, compiled, &report, store, &self.templates, &self.transport, &self.config, calendar, now)
    }
}

/// What a pass did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub planned: usize,
    pub cancelled: usize,
    pub composed: usize,
    pub sent: Vec<String>,
    /// (message id, error) for sends that will be retried.
    pub retrying: Vec<(String, String)>,
    /// (message id, error) for sends given up.
    pub failed: Vec<(String, String)>,
    /// Notices waiting for their recipients' sending hours.
    pub waiting: usize,
    /// Executors owing something now or soon who have no e-mail address: nobody told them.
    pub unreachable: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compose(#[from] mail::ComposeError),
    #[error(transparent)]
    Token(#[from] crate::inbox::TokenError),
}

impl crate::diag::Explain for NotifyError {
    fn explain(&self) -> crate::diag::Message {
        match self {
            NotifyError::Store(e) => crate::diag::Explain::explain(e),
            NotifyError::Compose(e) => crate::diag::Explain::explain(e),
            NotifyError::Token(e) => crate::diag::Explain::explain(e),
        }
    }
}

/// Plans and cancels notices at `now` (steps 1–2).
pub fn plan(
    ws: &Workspace,
    compiled: &Plan,
    report: &Report<'_>,
    store: &mut dyn Store,
    config: &Config,
    calendar: &Calendar,
    now: DateTime<FixedOffset>,
) -> Result<(usize, usize), NotifyError> {
    let mut notices: Vec<Notice> = rules::plan(ws, compiled, report, &config.rules, calendar, now);
    let requests = store.move_requests(None)?;
    if requests.iter().any(|m| m.decision.is_none()) {
        notices.extend(requests::plan(ws, compiled, &requests, &store.users()?, now));
    }
    let planned = store.plan_notices(&notices, now)?;
    let states: rustc_hash::FxHashMap<&str, State> = report.occurrences.iter().map(|s| (s.id, s.state)).collect();
    let stale: Vec<(i64, String)> = store
        .planned()?
        .into_iter()
        .filter_map(|n| {
            let state = n.notice.occurrence.as_deref().and_then(|o| states.get(o));
            let today = local_today(&n.notice.tz, now);
            let decided = n.notice.rule == requests::RULE
                && !requests
                    .iter()
                    .any(|m| m.decision.is_none() && n.notice.details()["request"].as_i64() == Some(m.id));
            match state {
                _ if decided => Some((n.id, "запрос на перенос уже рассмотрен".to_string())),
                Some(s) if s.is_done() => Some((n.id, "выполнено до отправки".to_string())),
                Some(State::Cancelled) => Some((n.id, "мероприятие отменено".to_string())),
                _ if today > n.notice.expires => Some((n.id, "срок уведомления прошёл".to_string())),
                _ => None,
            }
        })
        .collect();
    store.cancel_notices(&stale, now)?;
    Ok((planned, stale.len()))
}

fn local_today(tz: &str, now: DateTime<FixedOffset>) -> chrono::NaiveDate {
    crate::calendar::zone(tz).map_or_else(|| now.date_naive(), |z| now.with_timezone(&z).date_naive())
}

/// Planned notices grouped per recipient, those inside sending hours only (step 3's input).
pub fn ready(
    planned: &[Stored],
    config: &Config,
    calendar: &Calendar,
    now: DateTime<FixedOffset>,
) -> (BTreeMap<String, Vec<Stored>>, usize) {
    let mut groups: BTreeMap<String, Vec<Stored>> = BTreeMap::new();
    let mut waiting = 0;
    for n in planned {
        if rules::sending_hours(&config.rules, calendar, &n.notice.tz, now) {
            groups.entry(n.notice.recipient.clone()).or_default().push(n.clone());
        } else {
            waiting += 1;
        }
    }
    (groups, waiting)
}

/// One whole pass at `now`.
#[allow(clippy::too_many_arguments)]
pub fn pass(
    ws: &Workspace,
    compiled: &Plan,
    report: &Report<'_>,
    store: &mut dyn Store,
    templates: &Templates,
    transport: &Transport,
    config: &Config,
    calendar: &Calendar,
    now: DateTime<FixedOffset>,
) -> Result<Summary, NotifyError> {
    let mut summary = Summary::default();
    (summary.planned, summary.cancelled) = plan(ws, compiled, report, store, config, calendar, now)?;
    summary.unreachable = rules::unreachable(ws, compiled, report, now);
    let (groups, waiting) = ready(&store.planned()?, config, calendar, now);
    summary.waiting = waiting;
    let reply = match &config.replies {
        Some(r) if !groups.is_empty() => Some((r.address.as_str(), reply_key(store, r.key.as_ref())?)),
        _ => None,
    };
    for notices in groups.values() {
        let refs: Vec<&Stored> = notices.iter().collect();
        let ids: Vec<i64> = notices.iter().map(|n| n.id).collect();
        let chat = chat::Messenger::of(&notices[0].notice.recipient).is_some();
        let composed = if chat {
            chat::compose(templates, config, &refs, now)
        } else {
            let attached =
                if config.attach_form { form_for(ws, compiled, report, store, &notices[0], now)? } else { None };
            let reply = reply.as_ref().map(|(a, k)| (*a, k));
            mail::compose(templates, config, &refs, now, attached, reply).map(|m| vec![m])
        };
        match composed {
            Ok(parts) => {
                store.compose_parts(&parts, &ids)?;
                summary.composed += 1;
            }
            // One recipient's bad address or a broken template must not hold back the others.
            Err(e) => {
                tracing::warn!(recipient = %notices[0].notice.recipient, error = %e, "cannot compose");
                let why = format!("не удалось составить письмо: {e}");
                store.fail_notices(&ids, &why, now)?;
                summary.failed.push((notices[0].notice.recipient.clone(), why));
            }
        }
    }
    deliver(store, transport, config, now, &mut summary)?;
    Ok(summary)
}

/// Step 4: sends the messages of the outbox due at `now` (notices, answers to replies) and
/// records each outcome in `summary`.
pub fn deliver(
    store: &mut dyn Store,
    transport: &Transport,
    config: &Config,
    now: DateTime<FixedOffset>,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    // A recipient whose message did not go waits with all its later messages (a digest's parts
    // stay in order); an API that said it is busy is not asked again in this pass.
    let mut held: BTreeMap<String, DateTime<FixedOffset>> = BTreeMap::new();
    let sent = store.send_due(now, &mut |message| {
        let api = chat::Messenger::of(&message.recipient).map(|(m, _)| m.scheme().to_string());
        let waiting = [Some(&message.recipient), api.as_ref()].into_iter().flatten().find_map(|k| held.get(k));
        if let Some(&at) = waiting {
            return Delivery::Retry {
                at, error: "ждёт отправки предыдущего сообщения".into()
            };
        }
        tracing::info!(message_id = %message.message_id, to = %message.recipient, "sending");
        match transport.send(message) {
            Ok(post) => Delivery::Sent { post },
            Err(e) => {
                let age = now - message.created;
                let wait = e.wait.and_then(|w| chrono::Duration::from_std(w).ok());
                let retry = (!e.permanent && age < chrono::Duration::hours(config.give_up_after_hours))
                    .then(|| now + wait.unwrap_or_else(|| backoff(message.attempts)));
                tracing::warn!(message_id = %message.message_id, error = %e.text, retry = ?retry, "send failed");
                if let Some(at) = retry {
                    held.insert(message.recipient.clone(), at);
                    if let (Some(api), Some(_)) = (&api, wait) {
                        held.insert(api.clone(), at);
                    }
                }
                Delivery::failed(&e.text, retry)
            }
        }
    })?;
    for (message, outcome) in sent {
        match outcome {
            Delivery::Sent { .. } => summary.sent.push(message.message_id),
            Delivery::Retry { error, .. } => summary.retrying.push((message.message_id, error)),
            Delivery::Failed { error } => summary.failed.push((message.message_id, error)),
        }
    }
    Ok(())
}

/// The report form of the executors whose address a message goes to, for the week from its day,
/// when they owe something in it.
fn form_for(
    ws: &Workspace,
    compiled: &Plan,
    report: &Report<'_>,
    store: &mut dyn Store,
    first: &Stored,
    now: DateTime<FixedOffset>,
) -> Result<Option<mail::Attached>, NotifyError> {
    let address = first.notice.recipient.trim().to_lowercase();
    let mut executors: Vec<String> = Vec::new();
    for unit in &ws.units {
        for (id, e) in unit.executors.iter() {
            if e.email.as_deref().is_some_and(|m| m.trim().to_lowercase() == address) && !executors.contains(id) {
                executors.push(id.clone());
            }
        }
    }
    let Some(asked) = executors.first().cloned() else { return Ok(None) };
    let from = first.notice.day;
    let to = from + chrono::Days::new(6);
    if crate::form::rows(compiled, report, &executors, from, to).is_empty() {
        return Ok(None);
    }
    let (events, _) = crate::track::Carries::log(store)?;
    let form = crate::form::Form { executors, asked: asked.clone(), from, to, made: now };
    match crate::form::make(ws, compiled, report, &events, &form) {
        Ok(made) => Ok(Some(mail::Attached { name: format!("форма-{asked}-{from}.xlsx"), bytes: made.bytes })),
        Err(e) => {
            tracing::warn!(error = %e, "the report form is not attached");
            Ok(None)
        }
    }
}

/// 1, 2, 4, … minutes after the n-th failed attempt, at most an hour.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::minutes(1i64 << attempts.clamp(0, 6)).min(chrono::Duration::hours(1))
}
