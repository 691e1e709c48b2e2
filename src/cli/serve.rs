//! `karta serve`: the long-running service — the web app (pages, forms, JSON API) and the
//! scheduler (the same pass as `karta remind` on a tokio interval) on one store. Roadmap files
//! are watched and reloaded when they change (a broken edit keeps the last good plan and shows
//! its diagnostics to admins). SIGTERM or SIGINT stops both cleanly: requests in flight and the
//! pass in flight finish first. Logs go to standard error with `tracing` (`KARTA_LOG`).
//!
//! Settings come from the command line, else `KARTA_*` variables, else karta.toml
//! (`[store]`, `[web]`, `[notify]`), else the defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use karta::notify;
use karta::render::Templates;
use karta::store::{self, Store};
use karta::web::state::{Pool, Roadmaps};
use karta::web::{self, App};

use super::remind::{Setup, notifier_with, pass};
use super::track::{Tracking, Where};
use karta::msg;

use super::{Failure, Global, err_line, out_line};
use karta::intake::mailbox::Address;
use karta::notify::Notifier;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds between scheduler passes.
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
    /// Address to listen on (default 127.0.0.1:8080; `127.0.0.1:0` picks a free port).
    #[arg(long, env = "KARTA_LISTEN")]
    pub listen: Option<String>,
    /// The address users open, for links and calendar feeds.
    #[arg(long, env = "KARTA_BASE_URL")]
    pub base_url: Option<String>,
    /// Where uploaded evidence files go.
    #[arg(long, env = "KARTA_UPLOADS")]
    pub uploads: Option<PathBuf>,
    /// Roadmap files or directories (default: `[store] roadmaps` of karta.toml, KARTA_ROADMAPS, roadmaps/).
    #[command(flatten)]
    pub inputs: super::Inputs,
    /// The progress database (default: karta.db).
    #[arg(long, env = "KARTA_DB")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub setup: Setup,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KARTA_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        // Colours only on a terminal: the journal and log files get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        let why = karta::diag::os_error(&e);
        Failure::usage(msg!("не удалось запустить сервис: {}", why.ru; "cannot start the service: {}", why.en))
    })?;
    runtime.block_on(serve(global, args))
}

/// Flags and variables first, then the file, then the defaults.
fn settings(args: &Args, file: karta::config::File) -> Result<(web::Config, Where, notify::Config), Failure> {
    let mut config = file.web.unwrap_or_default();
    if let Some(l) = &args.listen {
        config.listen = l.clone();
    }
    if let Some(b) = &args.base_url {
        config.base_url = b.clone();
    }
    if let Some(u) = &args.uploads {
        config.uploads = u.clone();
    }
    let given: Vec<PathBuf> = args.inputs.paths.iter().chain(&args.inputs.roadmaps).cloned().collect();
    let roadmaps =
        [given, file.store.roadmaps].into_iter().find(|r| !r.is_empty()).unwrap_or_else(|| args.inputs.list());
    let db = args.db.clone().or(file.store.path).unwrap_or_else(|| PathBuf::from("karta.db"));
    let notify = notify::Config { replies: super::remind::replies(&file.inbox)?, ..file.notify };
    Ok((config, Where { inputs: super::Inputs { paths: roadmaps, roadmaps: Vec::new() }, db }, notify))
}

async fn serve(global: &Global, args: Args) -> super::Exit {
    let (config, at, notify) = settings(&args, super::config_file(&args.setup.config)?)?;
    let notifier =
        Arc::new(notifier_with(karta::notify::Config { links: Some(config.base_url.clone()), ..notify }, &args.setup)?);
    let inbox = inbox_of(&args.setup)?;
    let now = karta::clock::now(global.now);
    let calendar = super::calendar_from(global, &args.setup.config, &at.inputs.list())?;
    let cache = (!global.no_cache).then(|| global.cache.clone());
    let roadmaps = Roadmaps::load_cached(&at.inputs.list(), now, calendar, cache).map_err(|errors| {
        for e in errors {
            err_line!("{e}");
        }
        Failure::reported()
    })?;
    let pool = Pool::open(at.db.clone())?;
    let templates =
        Templates::load(args.setup.templates.as_deref()).map_err(|e| Failure::input(msg!("{}", e; "{}", e)))?;
    let listen = config.listen.clone();
    let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| {
        let why = karta::diag::os_error(&e);
        Failure::usage(
            msg!("не удалось открыть адрес {}: {}", listen, why.ru; "cannot listen on {}: {}", listen, why.en),
        )
    })?;
    let address = listener.local_addr().map_err(|e| Failure::env(&e))?;
    let app = Arc::new(App {
        config,
        templates,
        roadmaps,
        pool,
        fixed_now: global.now,
        cache: Default::default(),
        pages: Default::default(),
    });

    let (stop, stopped) = watch::channel(false);
    let signals = tokio::spawn(wait_for_signal(stop));
    let scheduler = tokio::spawn(schedule(global.clone(), at, notifier.clone(), inbox, args.interval, stopped.clone()));
    let watcher = tokio::spawn(watch_roadmaps(app.clone(), stopped.clone()));

    tracing::info!(%address, transport = %notifier.transport.describe(global.lang()), interval = args.interval, "karta serve started");
    out_line!("karta serve: http://{address}/");
    let mut until = stopped.clone();
    let served = axum::serve(listener, web::router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            let _ = until.wait_for(|s| *s).await;
        })
        .await;
    signals.abort();
    // The pass in flight finishes before the process ends.
    let _ = scheduler.await;
    let _ = watcher.await;
    tracing::info!("karta serve stopped");
    served.map_err(|e| Failure::env(&e))
}

async fn wait_for_signal(stop: watch::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::error!("signals cannot be listened to");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("stopping");
    let _ = stop.send(true);
}

/// What the scheduler reads replies from: the mailbox, when `[inbox]` names an address and a
/// mailbox, and the bots' chats, when a bot's token is set.
type Inbox = Option<Arc<(super::inbox::Desk, Option<Address>)>>;

fn inbox_of(setup: &super::remind::Setup) -> Result<Inbox, Failure> {
    let file = super::config_file(&setup.config)?;
    let desk = super::inbox::desk(&file)?;
    let mailbox = super::inbox::mailbox(&file)?;
    let reads_mail = desk.reads_mail() && mailbox.is_some();
    Ok((reads_mail || desk.hears_chats()).then(|| Arc::new((desk, mailbox))))
}

/// The scheduler: an `inbox` pass (when a mailbox is configured) and a `remind` pass every
/// `interval` seconds until stopped, on the instance that leads. Over a shared database only one instance leads at a time; the others try again at
/// every tick and one takes over within an interval of the leader's end.
async fn schedule(
    global: Global,
    at: Where,
    notifier: Arc<Notifier>,
    inbox: Inbox,
    interval: u64,
    mut stopped: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(Duration::from_secs(interval.max(1)));
    let mut leader = Leader::default();
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let (global, at, notifier, inbox) = (global.clone(), at.clone(), notifier.clone(), inbox.clone());
                let mut held = std::mem::take(&mut leader);
                // Blocking work (the store, SMTP) off the async threads, awaited whole.
                match tokio::task::spawn_blocking(move || {
                    let passed = held.try_lead(&at).then(|| once(&global, &at, &notifier, inbox.as_deref()));
                    (held, passed)
                })
                .await
                {
                    Ok((held, passed)) => {
                        leader = held;
                        if let Some(Err(failure)) = passed {
                            tracing::warn!(code = failure.code(), "pass failed");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "pass panicked"),
                }
            }
            _ = stopped.changed() => break,
        }
    }
}

/// The connection through which this instance claims to lead (see `Store::lead`).
#[derive(Default)]
struct Leader {
    store: Option<Box<dyn Store>>,
    /// Whether it led at the last tick (none before the first).
    leading: Option<bool>,
}

impl Leader {
    /// Whether this instance leads now; a lost connection is dropped and opened again next time.
    fn try_lead(&mut self, at: &Where) -> bool {
        let store = match self.store.take() {
            Some(store) => store,
            None => match store::open(&at.db) {
                Ok(store) => store,
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the store to lead");
                    return false;
                }
            },
        };
        let mut store = store;
        let leading = match store.lead() {
            Ok(leading) => leading,
            Err(e) => {
                tracing::error!(error = %e, "lost the store connection; the lead is given up");
                self.leading = None;
                return false;
            }
        };
        if Some(leading) != self.leading {
            match leading {
                true => tracing::info!("this instance leads: it plans and sends notices"),
                false => tracing::info!("another instance leads; this one serves pages only"),
            }
        }
        self.leading = Some(leading);
        self.store = Some(store);
        leading
    }
}

/// Reloads the roadmaps when their files change.
async fn watch_roadmaps(app: Arc<App>, mut stopped: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(Duration::from_secs(2));
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let app = app.clone();
                let _ = tokio::task::spawn_blocking(move || app.roadmaps.refresh(app.now())).await;
            }
            _ = stopped.changed() => break,
        }
    }
}

fn once(
    global: &Global,
    at: &Where,
    notifier: &Notifier,
    inbox: Option<&(super::inbox::Desk, Option<Address>)>,
) -> super::Exit {
    let mut tracking = Tracking::open(global, at)?;
    coverage_once_a_day(&tracking);
    // Replies first: a report taken now cancels the reminders it makes pointless, and the
    // remind pass below sends the answers with everything else due.
    if let Some((desk, mailbox)) = inbox {
        super::inbox::serve_pass(desk, &mut tracking, mailbox.as_ref());
    }
    match pass(notifier, &mut tracking) {
        Ok(s) => {
            tracing::info!(
                planned = s.planned,
                cancelled = s.cancelled,
                sent = s.sent.len(),
                retrying = s.retrying.len(),
                failed = s.failed.len(),
                waiting = s.waiting,
                "pass"
            );
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "pass failed");
            Err(Failure::bad(&e))
        }
    }
}

/// Logs the calendar's coverage warning (a missing decree: this year's, or from 1 October next
/// year's) at most once per local day; the admin page shows it all the time.
fn coverage_once_a_day(tracking: &Tracking) {
    static WARNED: std::sync::Mutex<Option<chrono::NaiveDate>> = std::sync::Mutex::new(None);
    let today = tracking.workspace.local_date(tracking.now);
    let Some(warning) = tracking.calendar.coverage_warning(today) else { return };
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if *warned != Some(today) {
        *warned = Some(today);
        tracing::warn!(year = tracking.calendar.missing_year(today), "{}", warning.ru);
    }
}
