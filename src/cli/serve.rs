//! `karta serve`: the long-running service. For now the scheduler: the same pass as
//! `karta remind` on a tokio interval, reading the roadmaps and the store afresh each time (so
//! edits and reports are picked up), stopping cleanly on SIGTERM or SIGINT after the pass in
//! flight, with `tracing` logs on standard error.

use std::time::Duration;

use super::remind::{Notifier, Setup};
use super::track::{Tracking, Where};
use super::{Global, err_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds between passes.
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
    #[command(flatten)]
    pub setup: Setup,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KARTA_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        err_line!("ошибка: не удалось запустить планировщик: {e}");
        2u8
    })?;
    runtime.block_on(serve(global, args))
}

async fn serve(global: &Global, args: Args) -> super::Exit {
    let notifier = std::sync::Arc::new(Notifier::open(&args.setup)?);
    tracing::info!(transport = %notifier.transport.describe(), interval = args.interval, "karta serve started");
    let mut ticks = tokio::time::interval(Duration::from_secs(args.interval.max(1)));
    // Both listeners live across passes, so a signal during a pass is not lost: the loop stops
    // after the pass in flight.
    let listen = |kind| {
        tokio::signal::unix::signal(kind).map_err(|e| {
            err_line!("ошибка: {e}");
            2u8
        })
    };
    let mut terminate = listen(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = listen(tokio::signal::unix::SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let (global, at, notifier) = (global.clone(), args.at.clone(), notifier.clone());
                // The pass is blocking work (SQLite, SMTP): off the async threads, and awaited
                // whole, so a signal arriving now stops the loop only after it.
                let pass = tokio::task::spawn_blocking(move || once(&global, &at, &notifier));
                match pass.await {
                    Ok(Ok(())) => {}
                    Ok(Err(code)) => tracing::warn!(code, "pass failed"),
                    Err(e) => tracing::error!(error = %e, "pass panicked"),
                }
            }
            _ = interrupt.recv() => break,
            _ = terminate.recv() => break,
        }
    }
    tracing::info!("karta serve stopped");
    Ok(())
}

fn once(global: &Global, at: &Where, notifier: &Notifier) -> Result<(), u8> {
    let mut tracking = Tracking::open(global, at)?;
    match notifier.pass(&mut tracking) {
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
            Err(1)
        }
    }
}
