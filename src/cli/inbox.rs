//! `karta inbox`: takes replies to notices (karta::intake) and then sends what the outbox has
//! due, their answers included. `--stdin` takes one message from standard input, as a mail
//! server's pipe delivery hands it over: exit 0 when it is handled (recorded, answered or
//! ignored as a robot's), 75 (EX_TEMPFAIL) when the store cannot be reached or written, so that
//! the mail server keeps the message and tries again. Without `--stdin`, one pass over the IMAP
//! mailbox of `KARTA_IMAP_URL` (or `[inbox] imap_url`): each message not yet seen is taken and
//! marked seen only after what it made is committed.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::Duration;

use karta::diag::{Explain, Lang};
use karta::intake::mailbox::{Address, Mailbox};
use karta::intake::{self, Intake, Taken};
use karta::notify::Notifier;
use karta::{msg, say};

use super::remind::{Setup, notifier_with};
use super::track::{Tracking, Where};
use super::{Failure, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read one message (RFC 5322) from standard input instead of the IMAP mailbox.
    #[arg(long)]
    pub stdin: bool,
    /// Keep reading the mailbox: after each pass, wait for new mail (IMAP IDLE where the server
    /// has it, else this many seconds) and pass again, until stopped.
    #[arg(long, value_name = "SECONDS", conflicts_with = "stdin")]
    pub watch: Option<u64>,
    #[command(flatten)]
    pub setup: Setup,
    #[command(flatten)]
    pub at: Where,
}

/// What taking a message needs besides the roadmaps and the store.
pub struct Desk {
    notifier: Notifier,
    settings: karta::inbox::Settings,
    replies: karta::notify::Replies,
    token_days: u32,
    evidence: PathBuf,
}

/// What one pass over the mailbox did.
#[derive(Debug, Default)]
pub struct Counts {
    pub recorded: usize,
    pub answered: usize,
    pub skipped: usize,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    // Read first: a pipe left unread makes the mail server's write fail before karta can say why.
    let mut raw = Vec::new();
    if args.stdin {
        std::io::stdin().read_to_end(&mut raw).map_err(|e| Failure::file(std::path::Path::new("-"), &e))?;
    }
    let file = super::config_file(&args.setup.config)?;
    let Some(desk) = desk(&file, &args.setup)? else {
        return Err(Failure::usage(msg!(
            "не задан адрес для ответов: [inbox] address в karta.toml или KARTA_INBOX_ADDRESS";
            "no reply address: [inbox] address in karta.toml or KARTA_INBOX_ADDRESS")));
    };
    let mailbox = if args.stdin {
        None
    } else {
        let Some(address) = mailbox(&file)? else {
            return Err(Failure::usage(msg!(
                "не задан почтовый ящик: KARTA_IMAP_URL или [inbox] imap_url (или письмо на вход с --stdin)";
                "no mailbox: KARTA_IMAP_URL or [inbox] imap_url (or a message on standard input with --stdin)")));
        };
        Some(address)
    };
    if let (Some(seconds), Some(address)) = (args.watch, &mailbox) {
        return watch(global, &args.at, &desk, address, Duration::from_secs(seconds.max(1)));
    }
    // The store first: out of reach, the mail server (or the next run) tries again later.
    karta::store::open(&args.at.db).map_err(|e| Failure::temporary(e.explain()))?;
    let mut tracking = Tracking::open(global, &args.at)?;
    let lang = tracking.lang;
    let outcome = match &mailbox {
        None => take(&desk, &mut tracking, &raw).map(|taken| out_line!("{}", told(lang, &taken))),
        Some(address) => pass(&desk, &mut tracking, address).map(|c| out_line!("{}", summary(lang, &c, address))),
    };
    deliver(&desk, &mut tracking);
    tracking.leave();
    outcome
}

/// The settings of replies from karta.toml and the environment; none without a reply address.
pub fn desk(file: &karta::config::File, setup: &Setup) -> Result<Option<Desk>, Failure> {
    let Some(replies) = super::remind::replies(&file.inbox)? else { return Ok(None) };
    let evidence = file.inbox.evidence.clone().or_else(|| file.web.as_ref().map(|w| w.uploads.clone()));
    let config = karta::notify::Config { replies: Some(replies.clone()), ..file.notify.clone() };
    let notifier = notifier_with(config, setup)?;
    let ours = notifier.config.from.parse::<lettre::message::Mailbox>().map(|m| m.email.to_string());
    Ok(Some(Desk {
        settings: karta::inbox::Settings {
            inbox: replies.address.clone(),
            ours: ours.into_iter().collect(),
            authserv_id: file.inbox.authserv_id.clone(),
            limits: karta::inbox::Limits::default(),
        },
        notifier,
        replies,
        token_days: file.inbox.token_days,
        evidence: evidence.unwrap_or_else(|| PathBuf::from("uploads")),
    }))
}

/// The IMAP mailbox: `KARTA_IMAP_URL`, else `[inbox] imap_url`.
pub fn mailbox(file: &karta::config::File) -> Result<Option<Address>, Failure> {
    let env = std::env::var("KARTA_IMAP_URL").ok().filter(|u| !u.trim().is_empty());
    match env.or_else(|| file.inbox.imap_url.clone()) {
        Some(url) => Address::parse(&url).map(Some).map_err(|e| Failure::bad(&e)),
        None => Ok(None),
    }
}

/// Passes over the mailbox until stopped, waiting for new mail between passes. A failed pass
/// (the store, the server) is reported and tried again after the wait; stopping at any moment
/// loses nothing (each message is marked seen after its commit).
fn watch(global: &Global, at: &Where, desk: &Desk, address: &Address, wait: Duration) -> super::Exit {
    let lang = global.lang();
    loop {
        match Tracking::open(global, at).and_then(|mut tracking| {
            let passed = pass(desk, &mut tracking, address);
            deliver(desk, &mut tracking);
            passed
        }) {
            Ok(c) => out_line!("{}", summary(lang, &c, address)),
            Err(failure) => failure.print(lang),
        }
        match Mailbox::open(address) {
            Ok(mut mailbox) => {
                if let Err(e) = mailbox.wait(wait) {
                    super::fail::warn(lang, &e.explain());
                    std::thread::sleep(wait);
                }
                mailbox.close();
            }
            Err(e) => {
                super::fail::warn(lang, &e.explain());
                std::thread::sleep(wait);
            }
        }
    }
}

/// Takes one message against the log as it is now.
fn take(desk: &Desk, tracking: &mut Tracking, raw: &[u8]) -> Result<Taken, Failure> {
    let temporary = |e: &dyn Explain| Failure::temporary(e.explain());
    let Tracking { workspace, plan, store, events, carries, now, calendar, .. } = tracking;
    let key = karta::notify::reply_key(store.as_mut(), desk.replies.key.as_ref()).map_err(|e| temporary(&e))?;
    let report = karta::track::status(workspace, plan, events, *now, calendar).with_versions(carries);
    let intake = Intake {
        workspace,
        plan,
        report: &report,
        settings: desk.settings.clone(),
        key,
        token_days: desk.token_days,
        evidence: desk.evidence.clone(),
        from: desk.notifier.config.from.clone(),
        now: *now,
    };
    intake::take(&intake, store.as_mut(), raw).map_err(|e| temporary(&e))
}

/// One pass over the mailbox: every message not yet seen, oldest first, marked seen after its
/// commit. A store failure stops the pass with the message unseen (exit 75).
pub fn pass(desk: &Desk, tracking: &mut Tracking, address: &Address) -> Result<Counts, Failure> {
    let mut mailbox = Mailbox::open(address).map_err(|e| Failure::env(&e))?;
    let uids = mailbox.unseen().map_err(|e| Failure::env(&e))?;
    let mut counts = Counts::default();
    for uid in uids {
        let Some(raw) = mailbox.fetch(uid).map_err(|e| Failure::env(&e))? else { continue };
        let taken = take(desk, tracking, &raw)?;
        tracing::info!(uid, outcome = ?taken, "reply handled");
        match taken {
            Taken::Recorded { .. } => {
                counts.recorded += 1;
                // The next reply is checked against the log with this one in it.
                let (events, carries) = karta::track::Carries::log(&*tracking.store)?;
                (tracking.events, tracking.carries) = (events, carries);
            }
            Taken::Answered(_) => counts.answered += 1,
            _ => counts.skipped += 1,
        }
        mailbox.seen(uid).map_err(|e| Failure::env(&e))?;
    }
    mailbox.close();
    Ok(counts)
}

/// Sends the answers now (and whatever else the outbox has due); a failure stays in the outbox
/// for the next pass, the messages are handled all the same.
pub fn deliver(desk: &Desk, tracking: &mut Tracking) {
    let lang = tracking.lang;
    let mut summary = karta::notify::Summary::default();
    let (notifier, now) = (&desk.notifier, tracking.now);
    if let Err(e) =
        karta::notify::deliver(tracking.store.as_mut(), &notifier.transport, &notifier.config, now, &mut summary)
    {
        super::fail::warn(lang, &e.explain());
    }
    for (id, e) in summary.retrying.iter().chain(&summary.failed) {
        super::fail::warn(lang, &msg!("не отправлено: {}: {}", id, e; "not sent: {}: {}", id, e));
    }
}

/// What a pass did, in one line.
fn summary(lang: Lang, c: &Counts, address: &Address) -> String {
    say!(lang, "ответов принято: {}, отклонено с ответом: {}, пропущено: {} ({})",
        c.recorded, c.answered, c.skipped, address.shown();
        "replies taken: {}, refused with an answer: {}, skipped: {} ({})",
        c.recorded, c.answered, c.skipped, address.shown())
}

/// What became of the message, in one line.
fn told(lang: Lang, taken: &Taken) -> String {
    match taken {
        Taken::Recorded { events, moves } => say!(lang,
            "ответ принят: записано событий: {}, запросов на перенос: {}", events.len(), moves;
            "reply taken: events recorded: {}, move requests: {}", events.len(), moves),
        Taken::Answered(refusal) => {
            let why = refusal.explain();
            say!(lang, "ответ не записан, отправителю объяснено почему: {}", why.ru; "reply refused, the sender is told why: {}", why.en)
        }
        Taken::Ignored(robot) => {
            say!(lang, "письмо робота ({:?}): не записано, без ответа", robot; "a robot's message ({:?}): nothing recorded, no answer", robot)
        }
        Taken::Unanswerable => lang
            .pick(
                "письмо без адреса, на который можно ответить: не записано, без ответа",
                "a message without an address to answer: nothing recorded, no answer",
            )
            .to_string(),
        Taken::Repeat => lang.pick("это письмо уже обработано", "this message was handled already").to_string(),
    }
}
