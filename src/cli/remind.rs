//! `karta remind`: plans and sends the notices due at `--now` once, and exits (for cron or a
//! systemd timer); `--dry-run` prints who would get what and changes nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;

use karta::notify::{self, Config, Notifier};
use karta::store::Notice;

use super::track::{Tracking, Where};
use super::{Format, Global, err_line, out_line};

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
pub fn notifier(setup: &Setup) -> Result<Notifier, u8> {
    let file = super::config_file(&setup.config)?;
    let links = file.web.map(|w| w.base_url);
    notifier_with(Config { links, ..file.notify }, setup)
}

/// The notifier of an already read `[notify]`; `KARTA_SMTP_URL` overrides its SMTP server.
pub fn notifier_with(config: Config, setup: &Setup) -> Result<Notifier, u8> {
    let url = std::env::var("KARTA_SMTP_URL").ok().filter(|u| !u.is_empty()).or_else(|| config.smtp_url.clone());
    Notifier::new(config, setup.templates.as_deref(), url.as_deref()).map_err(|e| {
        err_line!("ошибка: {e}");
        match e {
            notify::SetupError::Templates(_) => 1,
            notify::SetupError::Transport(_) => 2,
        }
    })
}

/// One pass at the tracking's `now`.
pub fn pass(notifier: &Notifier, tracking: &mut Tracking) -> Result<notify::Summary, notify::NotifyError> {
    let Tracking { workspace, plan, store, events, calendar, now, .. } = tracking;
    notifier.pass(workspace, plan, events, store.as_mut(), calendar, *now)
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let notifier = notifier(&args.setup)?;
    super::calendar_from(global, &args.setup.config, &args.at.roadmaps)?;
    let mut tracking = Tracking::open(global, &args.at)?;
    if let Some(w) = tracking.calendar.coverage_warning(tracking.workspace.local_date(tracking.now)) {
        err_line!(
            "{}: {}",
            if tracking.lang == karta::diag::Lang::Ru { "предупреждение" } else { "warning" },
            w.get(tracking.lang)
        );
    }
    if args.dry_run {
        return dry_run(global, &tracking, &notifier);
    }
    // Over a shared database, `karta serve` may be leading: then this run leaves it to it.
    let leading = tracking.store.lead().map_err(|e| {
        err_line!("karta: {e}");
        2u8
    })?;
    if !leading {
        out_line!("уведомления рассылает другой экземпляр karta (karta serve); этот запуск ничего не отправил");
        return Ok(());
    }
    let summary = pass(&notifier, &mut tracking);
    let summary = summary.map_err(|e| {
        err_line!("ошибка: {e}");
        1u8
    })?;
    match global.format {
        Format::Json => out_line!("{}", json!(summary)),
        _ => {
            out_line!(
                "уведомлений запланировано: {}, отменено: {}, писем отправлено: {} ({}), ждут часов отправки: {}",
                summary.planned,
                summary.cancelled,
                summary.sent.len(),
                notifier.transport.describe(),
                summary.waiting
            );
            if !summary.unreachable.is_empty() {
                let n = summary.unreachable.len();
                let shown: Vec<&str> = summary.unreachable.iter().take(10).map(String::as_str).collect();
                out_line!(
                    "без адреса e-mail, уведомления им не отправлены: {} {} — {}{}",
                    n,
                    karta::diag::plural(n as u64, ["исполнитель", "исполнителя", "исполнителей"]),
                    shown.join(", "),
                    if n > shown.len() { format!(" и ещё {}", n - shown.len()) } else { String::new() }
                );
            }
            for (id, e) in &summary.retrying {
                err_line!("не отправлено, будет повтор: {id}: {e}");
            }
            for (id, e) in &summary.failed {
                err_line!("не доставлено (отказ): {id}: {e}");
            }
        }
    }
    if summary.failed.is_empty() { Ok(()) } else { Err(1) }
}

/// Who would get what at `--now`: the notices not yet planned and those waiting.
fn dry_run(global: &Global, tracking: &Tracking, notifier: &Notifier) -> super::Exit {
    let report = tracking.report();
    let known: std::collections::HashSet<String> = tracking
        .store
        .notices()
        .map_err(|e| {
            err_line!("ошибка: {e}");
            2u8
        })?
        .into_iter()
        .filter(|n| n.state != "planned")
        .map(|n| n.notice.key)
        .collect();
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
        out_line!("на {} уведомлений нет", karta::ru::date_digits(tracking.local_today()));
        return Ok(());
    }
    for (recipient, list) in &by_recipient {
        let name = list.first().map(|n| n.name.as_str()).unwrap_or_default();
        out_line!(
            "{name} <{recipient}> — {}:",
            karta::ru::counted(list.len() as u64, ["уведомление", "уведомления", "уведомлений"])
        );
        for n in list {
            let p: serde_json::Value = serde_json::from_str(n.payload.get()).unwrap_or_default();
            let what = match n.rule.as_str() {
                "due-day" => "сегодня срок".to_string(),
                "overdue" => format!(
                    "просрочено на {}",
                    karta::ru::counted(p["days"].as_u64().unwrap_or(0), ["день", "дня", "дней"])
                ),
                "escalation-1" | "escalation-2" => format!(
                    "эскалация: просрочено на {}",
                    karta::ru::counted(p["days"].as_u64().unwrap_or(0), ["день", "дня", "дней"])
                ),
                "digest" => format!(
                    "еженедельная сводка: просрочено {}, под угрозой {}",
                    p["overdue"].as_u64().unwrap_or(0),
                    p["at_risk"].as_u64().unwrap_or(0)
                ),
                _ => format!(
                    "напоминание: до срока {}",
                    karta::ru::counted(p["days_left"].as_u64().unwrap_or(0), ["день", "дня", "дней"])
                ),
            };
            let about = p["activity"].as_str().or(p["roadmap"].as_str()).unwrap_or_default();
            let due = p["due"].as_str().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let due = due.map(|d| format!(", срок {}", karta::ru::date_digits(d))).unwrap_or_default();
            out_line!("  – {what}: «{about}»{due}");
        }
    }
    Ok(())
}
