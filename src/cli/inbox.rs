//! `karta inbox`: takes replies to notices (karta::intake) and then sends what the outbox has
//! due, their answers included. `--stdin` takes one message from standard input, as a mail
//! server's pipe delivery hands it over: exit 0 when it is handled (recorded, answered or
//! ignored as a robot's), 75 (EX_TEMPFAIL) when the store cannot be reached or written, so that
//! the mail server keeps the message and tries again. Without `--stdin`, one pass over the IMAP
//! mailbox of `KARTA_IMAP_URL` (or `[inbox] imap_url`): each message not yet seen is taken and
//! marked seen only after what it made is committed; and one read of what was written to the
//! Telegram and MAX bots (when their tokens are set), each message handled once, the bot's
//! cursor kept in the store after them.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::Duration;

use karta::diag::{Explain, Lang};
use karta::intake::chat::Heard;
use karta::intake::mailbox::{Address, Mailbox};
use karta::intake::{self, Ground, Intake, Taken};
use karta::notify::Notifier;
use karta::store::Store;
use karta::{msg, say};

use super::remind::{Setup, deliverer_with};
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

/// What taking replies needs besides the roadmaps and the store: the notifier (its bots, and
/// the outbox's way out for answers) and, when a reply address is set, the mail side.
pub struct Desk {
    notifier: Notifier,
    mail: Option<MailDesk>,
}

/// What taking an e-mail reply needs.
struct MailDesk {
    settings: karta::inbox::Settings,
    replies: karta::notify::Replies,
    token_days: u32,
    evidence: PathBuf,
}

impl Desk {
    /// Whether a reply address is set (e-mail replies can be read).
    pub fn reads_mail(&self) -> bool {
        self.mail.is_some()
    }

    /// Whether a bot is there to read chats.
    pub fn hears_chats(&self) -> bool {
        self.notifier.transport.telegram.is_some() || self.notifier.transport.max.is_some()
    }
}

/// What one pass over the mailbox did.
#[derive(Debug, Default)]
pub struct Counts {
    pub recorded: usize,
    pub answered: usize,
    pub skipped: usize,
    /// Chat users linked to accounts.
    pub linked: usize,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    // Read first: a pipe left unread makes the mail server's write fail before karta can say why.
    let mut raw = Vec::new();
    if args.stdin {
        std::io::stdin().read_to_end(&mut raw).map_err(|e| Failure::file(std::path::Path::new("-"), &e))?;
    }
    let file = super::config_file(&args.setup.config)?;
    let desk = desk(&file)?;
    let no_address = || {
        Failure::usage(msg!(
            "не задан адрес для ответов: [inbox] address в karta.toml или KARTA_INBOX_ADDRESS";
            "no reply address: [inbox] address in karta.toml or KARTA_INBOX_ADDRESS"))
    };
    if args.stdin {
        // A mail server runs one pipe delivery per message, several at once: each process
        // checks on one worker thread rather than starting one per core.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(1).build_global();
        let mail = desk.mail.as_ref().ok_or_else(no_address)?;
        let mut tracking = open(global, &args.at)?;
        let outcome = take(&desk, mail, &mut tracking, &raw).map(|taken| out_line!("{}", told(tracking.lang, &taken)));
        deliver(&desk, &mut tracking);
        tracking.leave();
        return outcome;
    }
    let imap = mailbox(&file)?;
    if desk.mail.is_none() && imap.is_some() {
        return Err(no_address());
    }
    if imap.is_none() && !desk.hears_chats() {
        return Err(Failure::usage(msg!(
            "нечего читать: не задан почтовый ящик (KARTA_IMAP_URL или [inbox] imap_url, или письмо на вход с --stdin) \
             и нет ботов (KARTA_TELEGRAM_TOKEN, KARTA_MAX_TOKEN)";
            "nothing to read: no mailbox (KARTA_IMAP_URL or [inbox] imap_url, or a message on standard input with --stdin) \
             and no bots (KARTA_TELEGRAM_TOKEN, KARTA_MAX_TOKEN)")));
    }
    if let Some(seconds) = args.watch {
        return watch(global, &args.at, &desk, imap.as_ref(), Duration::from_secs(seconds.max(1)));
    }
    let mut tracking = open(global, &args.at)?;
    let outcome = once(&desk, &mut tracking, imap.as_ref(), Duration::ZERO);
    deliver(&desk, &mut tracking);
    tracking.leave();
    outcome
}

/// The store first: out of reach, nothing is read and the mail server (or the next run) tries
/// again later (exit 75).
fn open(global: &Global, at: &Where) -> Result<Tracking, Failure> {
    let store = karta::store::open(&at.db).map_err(|e| Failure::temporary(e.explain()))?;
    Tracking::open_with(global, at, Some(store))
}

/// The service's pass (`karta serve`, on the leading instance): the mailbox, then the chats;
/// what each did is logged, a failure of one is reported and the other still read.
pub fn serve_pass(desk: &Desk, tracking: &mut Tracking, mailbox: Option<&Address>) {
    let lang = tracking.lang;
    let _ = read_all(desk, tracking, mailbox, Duration::ZERO, &mut |source, passed| {
        match passed {
            Ok(c) => tracing::info!(
                recorded = c.recorded,
                answered = c.answered,
                skipped = c.skipped,
                linked = c.linked,
                source,
                "inbox pass"
            ),
            Err(failure) => {
                tracing::warn!(code = failure.code(), source, "inbox pass failed");
                failure.print(lang);
            }
        }
        Ok(())
    });
}

/// One pass over the mailbox and the bots' chats, each line of what it did printed; a failure
/// ends it.
fn once(desk: &Desk, tracking: &mut Tracking, mailbox: Option<&Address>, wait: Duration) -> super::Exit {
    let lang = tracking.lang;
    read_all(desk, tracking, mailbox, wait, &mut |source, passed| {
        out_line!("{}", summary(lang, &passed?, source));
        Ok(())
    })
}

/// Reads each source in turn — the mailbox (with a reply address), then the bots' chats —
/// telling `each` what each did (and where it was read) as it goes.
fn read_all(
    desk: &Desk,
    tracking: &mut Tracking,
    mailbox: Option<&Address>,
    wait: Duration,
    each: &mut dyn FnMut(&str, Result<Counts, Failure>) -> super::Exit,
) -> super::Exit {
    if let (Some(mail), Some(address)) = (&desk.mail, mailbox) {
        let passed = pass(desk, mail, tracking, address);
        each(&address.shown(), passed)?;
    }
    if desk.hears_chats() {
        let heard = listen(desk, tracking, wait);
        each(&desk.notifier.transport.describe_bots(), heard)?;
    }
    Ok(())
}

/// The settings of replies from karta.toml and the environment: the mail side only with a reply
/// address.
pub fn desk(file: &karta::config::File) -> Result<Desk, Failure> {
    let replies = super::remind::replies(&file.inbox)?;
    let config = karta::notify::Config { replies: replies.clone(), ..file.notify.clone() };
    let notifier = deliverer_with(config)?;
    let mail = replies.map(|replies| {
        let evidence = file.inbox.evidence.clone().or_else(|| file.web.as_ref().map(|w| w.uploads.clone()));
        let ours = notifier.config.from.parse::<lettre::message::Mailbox>().map(|m| m.email.to_string());
        MailDesk {
            settings: karta::inbox::Settings {
                inbox: replies.address.clone(),
                ours: ours.into_iter().collect(),
                authserv_id: file.inbox.authserv_id.clone(),
                limits: karta::inbox::Limits::default(),
            },
            replies,
            token_days: file.inbox.token_days,
            evidence: evidence.unwrap_or_else(|| PathBuf::from("uploads")),
        }
    });
    Ok(Desk { notifier, mail })
}

/// The IMAP mailbox: `KARTA_IMAP_URL`, else `[inbox] imap_url`.
pub fn mailbox(file: &karta::config::File) -> Result<Option<Address>, Failure> {
    let env = std::env::var("KARTA_IMAP_URL").ok().filter(|u| !u.trim().is_empty());
    match env.or_else(|| file.inbox.imap_url.clone()) {
        Some(url) => Address::parse(&url).map(Some).map_err(|e| Failure::bad(&e)),
        None => Ok(None),
    }
}

/// Passes over the mailbox and the chats until stopped, waiting for new mail between passes
/// (without a mailbox: for new chat messages, by the bots' long polling). A failed pass (the
/// store, the server) is reported and tried again after the wait; stopping at any moment loses
/// nothing (each message is marked seen, each cursor moved, after its commit).
fn watch(global: &Global, at: &Where, desk: &Desk, mailbox: Option<&Address>, wait: Duration) -> super::Exit {
    let lang = global.lang();
    loop {
        let chat_wait = if mailbox.is_none() { wait } else { Duration::ZERO };
        if let Err(failure) = Tracking::open(global, at).and_then(|mut tracking| {
            let passed = once(desk, &mut tracking, mailbox, chat_wait);
            deliver(desk, &mut tracking);
            passed
        }) {
            failure.print(lang);
            if mailbox.is_none() {
                std::thread::sleep(wait);
            }
        }
        let Some(address) = mailbox else { continue };
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
fn take(desk: &Desk, mail: &MailDesk, tracking: &mut Tracking, raw: &[u8]) -> Result<Taken, Failure> {
    let temporary = |e: &dyn Explain| Failure::temporary(e.explain());
    let key =
        karta::notify::reply_key(tracking.store.as_mut(), mail.replies.key.as_ref()).map_err(|e| temporary(&e))?;
    on_ground(tracking, |ground, store| {
        let intake = Intake {
            ground,
            settings: mail.settings.clone(),
            key,
            token_days: mail.token_days,
            evidence: mail.evidence.clone(),
            from: desk.notifier.config.from.clone(),
        };
        intake::take(&intake, store, raw)
    })
    .map_err(|e| temporary(&e))
}

/// Runs `f` on the ground of the tracking's now (the log as it is) and its store.
fn on_ground<T>(tracking: &mut Tracking, f: impl FnOnce(Ground<'_>, &mut dyn Store) -> T) -> T {
    let Tracking { workspace, plan, store, events, carries, now, calendar, .. } = tracking;
    let report = karta::track::status(workspace, plan, events, *now, calendar).with_versions(carries);
    f(Ground { workspace, plan, report: &report, now: *now }, store.as_mut())
}

/// One pass over the mailbox: every message not yet seen, oldest first, marked seen after its
/// commit. A store failure stops the pass with the message unseen (exit 75).
fn pass(desk: &Desk, mail: &MailDesk, tracking: &mut Tracking, address: &Address) -> Result<Counts, Failure> {
    let mut mailbox = Mailbox::open(address).map_err(|e| Failure::env(&e))?;
    let uids = mailbox.unseen().map_err(|e| Failure::env(&e))?;
    let mut counts = Counts::default();
    for uid in uids {
        let Some(raw) = mailbox.fetch(uid).map_err(|e| Failure::env(&e))? else { continue };
        let taken = take(desk, mail, tracking, &raw)?;
        tracing::info!(uid, outcome = ?taken, "reply handled");
        match taken {
            Taken::Recorded { .. } => counts.recorded(tracking)?,
            Taken::Answered(_) => counts.answered += 1,
            _ => counts.skipped += 1,
        }
        mailbox.seen(uid).map_err(|e| Failure::env(&e))?;
    }
    mailbox.close();
    Ok(counts)
}

/// One read of each bot's chats: every message since the bot's cursor, waiting up to `wait` for
/// the first, each handled against the log as it is then; the cursor is kept after them (a
/// message read again after a crash is known by its mark and handled once).
pub fn listen(desk: &Desk, tracking: &mut Tracking, wait: Duration) -> Result<Counts, Failure> {
    let temporary = |e: &dyn Explain| Failure::temporary(e.explain());
    let transport = &desk.notifier.transport;
    let mut counts = Counts::default();
    for bot in [&transport.telegram, &transport.max].into_iter().flatten() {
        let name = bot.messenger().scheme();
        let cursor = tracking.store.cursor(name)?;
        let batch = bot.updates(cursor.as_deref(), wait).map_err(|e| {
            Failure::usage(msg!("{}: не удалось прочитать сообщения: {}", bot.describe(), e.text;
                "{}: cannot read messages: {}", bot.describe(), e.text))
        })?;
        for message in &batch.messages {
            let heard = on_ground(tracking, |ground, store| intake::chat::hear(&ground, store, message))
                .map_err(|e| temporary(&e))?;
            tracing::info!(key = %message.key, outcome = ?heard, "chat message handled");
            match heard {
                Heard::Recorded { .. } => counts.recorded(tracking)?,
                Heard::Answered(_) => counts.answered += 1,
                Heard::Linked(_) => counts.linked += 1,
                Heard::Ignored | Heard::Repeat => counts.skipped += 1,
            }
        }
        if let Some(next) = batch.cursor.filter(|c| Some(c) != cursor.as_ref()) {
            tracking.store.set_cursor(name, &next)?;
        }
    }
    Ok(counts)
}

impl Counts {
    /// A reply recorded: the next one is checked against the log with it in.
    fn recorded(&mut self, tracking: &mut Tracking) -> Result<(), Failure> {
        self.recorded += 1;
        tracking.reread()
    }
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
pub fn summary(lang: Lang, c: &Counts, source: &str) -> String {
    let linked = if c.linked > 0 {
        say!(lang, ", привязано: {}", c.linked; ", linked: {}", c.linked)
    } else {
        String::new()
    };
    say!(lang, "ответов принято: {}, отклонено с ответом: {}, пропущено: {}{} ({})",
        c.recorded, c.answered, c.skipped, linked, source;
        "replies taken: {}, refused with an answer: {}, skipped: {}{} ({})",
        c.recorded, c.answered, c.skipped, linked, source)
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
