//! `karta inbox --stdin`: takes one reply to a notice from standard input, as a mail server's
//! pipe delivery hands it over, records it or queues its answer (karta::intake), then sends
//! what the outbox has due. Exit 0 when the message is handled (recorded, answered or ignored
//! as a robot's), 75 (EX_TEMPFAIL) when the store cannot be reached or written, so that the
//! mail server keeps the message and tries again.

use std::io::Read as _;
use std::path::PathBuf;

use karta::intake::{self, Intake, Taken};
use karta::{msg, say};

use super::remind::{Setup, notifier_with};
use super::track::{Tracking, Where};
use super::{Failure, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read one message (RFC 5322) from standard input.
    #[arg(long)]
    pub stdin: bool,
    #[command(flatten)]
    pub setup: Setup,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    if !args.stdin {
        return Err(Failure::usage(msg!(
            "укажите --stdin: письмо читается со стандартного ввода";
            "give --stdin: the message is read from standard input")));
    }
    let file = super::config_file(&args.setup.config)?;
    let Some(replies) = super::remind::replies(&file.inbox)? else {
        return Err(Failure::usage(msg!(
            "не задан адрес для ответов: [inbox] address в karta.toml или KARTA_INBOX_ADDRESS";
            "no reply address: [inbox] address in karta.toml or KARTA_INBOX_ADDRESS")));
    };
    let mut raw = Vec::new();
    std::io::stdin().read_to_end(&mut raw).map_err(|e| Failure::file(std::path::Path::new("-"), &e))?;
    let evidence = file.inbox.evidence.clone().or_else(|| file.web.as_ref().map(|w| w.uploads.clone()));
    let evidence = evidence.unwrap_or_else(|| PathBuf::from("uploads"));
    let notifier = notifier_with(karta::notify::Config { replies: Some(replies.clone()), ..file.notify }, &args.setup)?;
    // The store first: out of reach, the mail server tries again later.
    karta::store::open(&args.at.db).map_err(|e| Failure::temporary(karta::diag::Explain::explain(&e)))?;
    let mut tracking = Tracking::open(global, &args.at)?;
    let lang = tracking.lang;
    let Tracking { workspace, plan, store, events, carries, now, calendar, .. } = &mut tracking;
    let temporary = |e: &dyn karta::diag::Explain| Failure::temporary(e.explain());
    let key = karta::notify::reply_key(store.as_mut(), replies.key.as_ref()).map_err(|e| temporary(&e))?;
    let report = karta::track::status(workspace, plan, events, *now, calendar).with_versions(carries);
    let ours = notifier.config.from.parse::<lettre::message::Mailbox>().map(|m| m.email.to_string());
    let settings = karta::inbox::Settings {
        inbox: replies.address.clone(),
        ours: ours.into_iter().collect(),
        authserv_id: file.inbox.authserv_id.clone(),
        limits: karta::inbox::Limits::default(),
    };
    let intake = Intake {
        workspace,
        plan,
        report: &report,
        settings,
        key,
        token_days: file.inbox.token_days,
        evidence,
        from: notifier.config.from.clone(),
        now: *now,
    };
    let taken = intake::take(&intake, store.as_mut(), &raw).map_err(|e| match e {
        intake::IntakeError::Answer(_) => Failure::bad(&e),
        _ => temporary(&e),
    })?;
    out_line!("{}", told(lang, &taken));
    // Sends the answer now (and whatever else the outbox has due); a failure stays in the
    // outbox for the next pass, the message is handled all the same.
    let mut summary = karta::notify::Summary::default();
    if let Err(e) = karta::notify::deliver(store.as_mut(), &notifier.transport, &notifier.config, *now, &mut summary) {
        super::fail::warn(lang, &karta::diag::Explain::explain(&e));
    }
    for (id, e) in summary.retrying.iter().chain(&summary.failed) {
        super::fail::warn(lang, &msg!("ответ не отправлен: {}: {}", id, e; "answer not sent: {}: {}", id, e));
    }
    tracking.leave();
    Ok(())
}

/// What became of the message, in one line.
fn told(lang: karta::diag::Lang, taken: &Taken) -> String {
    match taken {
        Taken::Recorded { events, moves } => say!(lang,
            "ответ принят: записано событий: {}, запросов на перенос: {}", events.len(), moves;
            "reply taken: events recorded: {}, move requests: {}", events.len(), moves),
        Taken::Answered(refusal) => {
            let why = karta::diag::Explain::explain(refusal);
            say!(lang, "ответ не записан, отправителю объяснено почему: {}", why.ru; "reply refused, the sender is told why: {}", why.en)
        }
        Taken::Ignored(robot) => {
            say!(lang, "письмо робота ({:?}): не записано, без ответа", robot; "a robot's message ({:?}): nothing recorded, no answer", robot)
        }
        Taken::Unanswerable => lang
            .pick(
                "письмо без отправителя: не записано, без ответа",
                "a message without a sender: nothing recorded, no answer",
            )
            .to_string(),
        Taken::Repeat => lang.pick("это письмо уже обработано", "this message was handled already").to_string(),
    }
}
