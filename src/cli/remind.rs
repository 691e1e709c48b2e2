//! `karta remind`: plans and sends the notices due at `--now` once, and exits (for cron or a
//! systemd timer); `--dry-run` prints who would get what and changes nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;

use karta::notify::{self, Config, Notifier};
use karta::store::Notice;

use super::track::{Tracking, Where};
use karta::{msg, say};

use super::{Failure, Format, Global, err_line, out_line};

/// Where the notification settings come from.
#[derive(Debug, Clone, clap::Args)]
pub struct Setup {
    /// Workspace configuration (`[notify]`: rules, sender, SMTP, sending hours).
    #[arg(long, env = "KARTA_CONFIG", default_value = "karta.toml")]
    pub config: PathBuf,
    /// Your own templates (`mail/message.txt.hbs`, `mail/message.html.hbs`).
    #[arg(long, value_name = "DIR", env = "KARTA_TEMPLATES")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// Print who would get what; send and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub setup: Setup,
    #[command(flatten)]
    pub at: Where,
}

/// The notifier of karta.toml's `[notify]`: with the web app configured, messages link to its
/// pages.
pub fn notifier(setup: &Setup) -> Result<Notifier, Failure> {
    let file = super::config_file(&setup.config)?;
    let links = file.web.map(|w| w.base_url);
    let replies = replies(&file.inbox)?;
    notifier_with(Config { links, replies, ..file.notify }, setup)
}

/// Where replies go (`KARTA_INBOX_ADDRESS`, else `[inbox] address`) and the tokens' key when
/// configured (`KARTA_INBOX_KEY`, else `[inbox] key`); none without an address.
pub fn replies(inbox: &karta::intake::Config) -> Result<Option<notify::Replies>, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(address) = env("KARTA_INBOX_ADDRESS").or_else(|| inbox.address.clone()) else { return Ok(None) };
    if karta::inbox::token::reply_address(&address, "x").is_none() {
        return Err(Failure::input(msg!(
            "адрес для ответов «{}» должен иметь вид имя@домен", address;
            "the reply address «{}» must look like name@domain", address)));
    }
    let key = match env("KARTA_INBOX_KEY").or_else(|| inbox.key.clone()) {
        Some(hex) => Some(karta::inbox::Key::from_hex(&hex).map_err(|_| {
            Failure::input(msg!(
                "ключ меток ответа ([inbox] key, KARTA_INBOX_KEY) — не меньше 32 шестнадцатеричных цифр";
                "the reply token key ([inbox] key, KARTA_INBOX_KEY) is at least 32 hexadecimal digits"))
        })?),
        None => None,
    };
    Ok(Some(notify::Replies { address: address.trim().to_string(), key }))
}

/// The notifier of an already read `[notify]`; the environment overrides its ways out:
/// `KARTA_SMTP_URL`, `KARTA_TELEGRAM_TOKEN` and `KARTA_TELEGRAM_API`, `KARTA_MAX_TOKEN` and
/// `KARTA_MAX_API`.
pub fn notifier_with(config: Config, setup: &Setup) -> Result<Notifier, Failure> {
    let ways = ways(&config);
    Notifier::new(config, setup.templates.as_deref(), &ways).map_err(|e| setup_failure(&e))
}

/// A notifier that only delivers what the outbox holds (`karta inbox`, the replies' side of
/// `serve`): the same ways out, no template compiled.
pub fn deliverer_with(config: Config) -> Result<Notifier, Failure> {
    let ways = ways(&config);
    Notifier::deliverer(config, &ways).map_err(|e| setup_failure(&e))
}

/// The ways out: SMTP and the bots, from the environment, else `config`.
fn ways(config: &Config) -> notify::Ways {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let bot = |token: &str, api: &str, own: (&Option<notify::Secret>, &Option<String>)| {
        let token = env(token).map(notify::Secret).or_else(|| own.0.clone())?;
        Some((token, env(api).or_else(|| own.1.clone())))
    };
    notify::Ways {
        smtp: env("KARTA_SMTP_URL").or_else(|| config.smtp_url.clone()),
        telegram: bot("KARTA_TELEGRAM_TOKEN", "KARTA_TELEGRAM_API", (&config.telegram_token, &config.telegram_api)),
        max: bot("KARTA_MAX_TOKEN", "KARTA_MAX_API", (&config.max_token, &config.max_api)),
    }
}

fn setup_failure(e: &notify::SetupError) -> Failure {
    match e {
        notify::SetupError::Templates(_) => Failure::bad(e),
        notify::SetupError::Transport(_) => Failure::env(e),
    }
}

/// One pass at the tracking's `now`.
pub fn pass(notifier: &Notifier, tracking: &mut Tracking) -> Result<notify::Summary, notify::NotifyError> {
    let Tracking { workspace, plan, store, events, calendar, now, .. } = tracking;
    notifier.pass(workspace, plan, events, store.as_mut(), calendar, *now)
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let notifier = notifier(&args.setup)?;
    super::calendar_from(global, &args.setup.config, &args.at.inputs.list())?;
    let mut tracking = Tracking::open(global, &args.at)?;
    let lang = tracking.lang;
    if let Some(w) = tracking.calendar.coverage_warning(tracking.workspace.local_date(tracking.now)) {
        super::fail::warn(lang, &w);
    }
    if args.dry_run {
        return dry_run(global, &tracking, &notifier);
    }
    // Over a shared database, `karta serve` may be leading: then this run leaves it to it.
    if !tracking.store.lead()? {
        out_line!(
            "{}",
            lang.pick(
                "уведомления рассылает другой экземпляр karta (karta serve); этот запуск ничего не отправил",
                "another karta instance (karta serve) sends the notices; this run sent nothing"
            )
        );
        return Ok(());
    }
    let summary = pass(&notifier, &mut tracking).map_err(|e| match e {
        notify::NotifyError::Store(e) => Failure::from(e),
        e => Failure::bad(&e),
    })?;
    match global.format {
        Format::Json => out_line!("{}", json!(summary)),
        _ => {
            let (planned, cancelled, sent, how, waiting) = (
                summary.planned,
                summary.cancelled,
                summary.sent.len(),
                notifier.transport.describe(lang),
                summary.waiting,
            );
            out_line!(
                "{}",
                say!(lang, "уведомлений запланировано: {}, отменено: {}, писем отправлено: {} ({}), ждут часов отправки: {}",
                    planned, cancelled, sent, how, waiting;
                    "notices planned: {}, cancelled: {}, messages sent: {} ({}), waiting for sending hours: {}",
                    planned, cancelled, sent, how, waiting)
            );
            if !summary.unreachable.is_empty() {
                let n = summary.unreachable.len();
                let shown = summary.unreachable.iter().take(10).map(String::as_str).collect::<Vec<_>>().join(", ");
                let rest = n - n.min(10);
                let more =
                    if rest > 0 { say!(lang, " и ещё {}", rest; " and {} more", rest) } else { String::new() };
                out_line!(
                    "{}",
                    say!(lang, "без адреса e-mail, уведомления им не отправлены: {} {} — {}{}",
                        n, karta::diag::plural(n as u64, ["исполнитель", "исполнителя", "исполнителей"]), shown, more;
                        "no e-mail address, no notices sent to them: {} executors — {}{}", n, shown, more)
                );
            }
            for (id, e) in &summary.retrying {
                err_line!(
                    "{}",
                    say!(lang, "не отправлено, будет повтор: {}: {}", id, e; "not sent, will retry: {}: {}", id, e)
                );
            }
        }
    }
    match summary.failed.len() {
        0 => Ok(()),
        n => {
            let list: Vec<String> = summary.failed.iter().map(|(id, e)| format!("\n  {id}: {e}")).collect();
            let list = list.concat();
            Err(Failure::input(
                msg!("не доставлено (отказ сервера): {}{}", n, list; "not delivered (refused by the server): {}{}", n, list),
            ))
        }
    }
}

/// Who would get what at `--now`: the notices not yet planned and those waiting.
fn dry_run(global: &Global, tracking: &Tracking, notifier: &Notifier) -> super::Exit {
    let report = tracking.report();
    let lang = tracking.lang;
    let known: std::collections::HashSet<String> =
        tracking.store.notices()?.into_iter().filter(|n| n.state != "planned").map(|n| n.notice.key).collect();
    let notices: Vec<Notice> = notify::rules::plan(
        &tracking.workspace,
        &tracking.plan,
        &report,
        &notifier.config.rules,
        tracking.calendar,
        tracking.now,
    )
    .into_iter()
    .filter(|n| !known.contains(&n.key))
    .collect();
    let mut by_recipient: BTreeMap<&str, Vec<&Notice>> = BTreeMap::new();
    for n in &notices {
        by_recipient.entry(&n.recipient).or_default().push(n);
    }
    if global.format == Format::Json {
        out_line!("{}", json!(notices));
        return Ok(());
    }
    if notices.is_empty() {
        let day = karta::ru::date_digits(tracking.local_today());
        out_line!("{}", say!(lang, "на {} уведомлений нет", day; "no notices on {}", day));
        return Ok(());
    }
    let days = |n: u64| say!(lang, "{}", karta::ru::counted(n, ["день", "дня", "дней"]); "{} days", n);
    for (recipient, list) in &by_recipient {
        let name = list.first().map(|n| n.name.as_str()).unwrap_or_default();
        let n = list.len() as u64;
        let count =
            say!(lang, "{}", karta::ru::counted(n, ["уведомление", "уведомления", "уведомлений"]); "{} notices", n);
        out_line!("{name} <{recipient}> — {count}:");
        for n in list {
            let p = n.details();
            let number = |key: &str| p[key].as_u64().unwrap_or(0);
            let what = match n.rule.as_str() {
                "due-day" => lang.pick("сегодня срок", "due today").to_string(),
                "overdue" => {
                    say!(lang, "просрочено на {}", days(number("days")); "overdue by {}", days(number("days")))
                }
                "escalation-1" | "escalation-2" => {
                    say!(lang, "эскалация: просрочено на {}", days(number("days")); "escalation: overdue by {}", days(number("days")))
                }
                "digest" => say!(lang,
                    "еженедельная сводка: просрочено {}, под угрозой {}", number("overdue"), number("at_risk");
                    "weekly digest: overdue {}, at risk {}", number("overdue"), number("at_risk")),
                _ => {
                    say!(lang, "напоминание: до срока {}", days(number("days_left")); "reminder: due in {}", days(number("days_left")))
                }
            };
            let about = p["activity"].as_str().or(p["roadmap"].as_str()).unwrap_or_default();
            let due = p["due"].as_str().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let due = due
                .map(|d| format!(", {} {}", lang.pick("срок", "due"), karta::ru::date_digits(d)))
                .unwrap_or_default();
            out_line!("  – {what}: «{about}»{due}");
        }
    }
    Ok(())
}
