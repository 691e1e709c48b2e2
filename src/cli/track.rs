//! What the tracking commands share: the options naming the roadmaps, the database and the
//! reporting person, and opening them together.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate};

use karta::cache::FoldKeeping;
use karta::calendar::Calendar;
use karta::check::Workspace;
use karta::compile::Plan;
use karta::diag::{Lang, Message};
use karta::store::{self, Store, StoreError};
use karta::track::{self, Event, KeptFold};

use super::{Failure, Global};

/// Where the roadmaps and the progress database are.
#[derive(Debug, Clone, clap::Args)]
pub struct Where {
    #[command(flatten)]
    pub inputs: super::Inputs,
    /// The progress database: an SQLite file (created on first use) or a PostgreSQL URL
    /// (`postgres://user@host/db`).
    #[arg(long, env = "KARTA_DB", default_value = "karta.db")]
    pub db: PathBuf,
}

/// The roadmaps compiled as of now, the store and its events.
pub struct Tracking {
    pub workspace: Workspace,
    pub plan: Plan,
    pub store: Box<dyn Store>,
    /// The log as the approved versions carry it (docs/amendments.md). Empty when opened only
    /// for [`Tracking::report`] and nothing was recorded since the log's fold was kept.
    pub events: Vec<Event>,
    pub carries: track::Carries,
    pub now: DateTime<FixedOffset>,
    pub lang: Lang,
    /// The calendar of the roadmaps' region.
    pub calendar: &'static Calendar,
    /// The fold of the log into the plan an earlier run kept, when it holds: found while
    /// opening, or looked for at the first report.
    kept: OnceLock<Option<KeptFold>>,
    /// Where the fold made here is kept for the next run.
    keeping: Option<FoldKeeping>,
}

impl Tracking {
    pub fn open(global: &Global, at: &Where) -> Result<Tracking, Failure> {
        Tracking::opened(global, at, None, false)
    }

    /// [`Tracking::open`] over a store the caller opened already (`None`: opened here).
    pub fn open_with(global: &Global, at: &Where, opened: Option<Box<dyn Store>>) -> Result<Tracking, Failure> {
        Tracking::opened(global, at, opened, false)
    }

    /// [`Tracking::open`] for a command that reads the log only through [`Tracking::report`]:
    /// when nothing was recorded since a run kept the fold of the log into the same plan, the
    /// log is not read.
    pub fn open_to_report(global: &Global, at: &Where) -> Result<Tracking, Failure> {
        Tracking::opened(global, at, None, true)
    }

    fn opened(
        global: &Global,
        at: &Where,
        opened: Option<Box<dyn Store>>,
        to_report: bool,
    ) -> Result<Tracking, Failure> {
        let lang = global.lang();
        let roadmaps = at.inputs.list();
        let cache = global.cache();
        let now = karta::clock::now(global.now);
        // The roadmaps and the log are independent: the log is read while the roadmaps are checked.
        let (workspace, store) = std::thread::scope(|scope| {
            let log = scope.spawn(|| {
                let store = match opened {
                    Some(store) => store,
                    None => store::open(&at.db)?,
                };
                let files =
                    if to_report { karta::check::collect_files(&roadmaps).unwrap_or_default() } else { Vec::new() };
                let (events, carries) = if to_report && cache.log_unchanged(&*store, &files, now) {
                    (None, track::Carries::read(&*store)?)
                } else {
                    let (events, carries) = track::Carries::log_with(&*store, &cache)?;
                    (Some(events), carries)
                };
                Ok::<_, StoreError>((store, events, carries))
            });
            let workspace = super::workspace_with(global, &roadmaps, None, &cache);
            (workspace, log.join())
        });
        let workspace = workspace?;
        let (store, events, carries) = match store {
            Ok(opened) => opened?,
            Err(_) => {
                let db = at.db.display();
                return Err(Failure::usage(
                    karta::msg!("не удалось прочитать базу {}", db; "cannot read the database {}", db),
                ));
            }
        };
        let calendar = super::calendar(global, &roadmaps)?.for_region(workspace.region());
        let carried = carries.digest();
        let kept = events.is_none().then(|| cache.kept_with_fold(&workspace, calendar, &carried, now)).flatten();
        let (events, plan, kept, keeping) = match (events, kept) {
            (None, Some((plan, kept))) => (Vec::new(), plan, OnceLock::from(Some(kept)), None),
            (events, _) => {
                let events = match events {
                    Some(events) => events,
                    None => {
                        let mut events = cache.events(&*store)?;
                        carries.apply(&mut events);
                        events
                    }
                };
                // Made only if the kept plan is to be checked against them.
                let done = track::Completions::new(&events, now);
                let plan = cache.compile(&workspace, calendar, &done).unwrap_or_else(|_| Plan::empty());
                // Kept for a status: a command that records an event would keep a fold the
                // next command cannot use.
                let keeping = cache.fold_keeping(&carried, &events, now).filter(|_| to_report);
                (events, plan, OnceLock::new(), keeping)
            }
        };
        // A cache that cannot be written costs the next run its speed, nothing else.
        let _ = cache.save();
        Ok(Tracking { workspace, plan, store, events, carries, now, lang, calendar, kept, keeping })
    }

    /// Reads the log again (after something was recorded): what was kept of it no longer holds.
    pub fn reread(&mut self) -> Result<(), Failure> {
        (self.events, self.carries) = track::Carries::log(&*self.store)?;
        (self.kept, self.keeping) = (OnceLock::from(None), None);
        Ok(())
    }

    /// Ends a one-shot command: closes the store and leaves the workspace, the plan and the log to
    /// the operating system, which takes the memory back at exit at once (freeing a million
    /// occurrences one by one would cost the user a second). Not for the service's loop.
    pub fn leave(self) {
        let Tracking { workspace, plan, store, events, .. } = self;
        drop(store);
        std::mem::forget((workspace, plan, events));
    }

    /// The state of everything at `now`.
    pub fn report(&self) -> track::Report<'_> {
        self.states().counted(&self.workspace, &self.plan)
    }

    /// The state of each occurrence at `now`, without the counts [`Tracking::report`] adds.
    pub fn states(&self) -> track::States<'_> {
        self.reading(&self.folded()).states().with_versions(&self.carries)
    }

    /// The states of the occurrences `keep` chooses, and of no others ([`track::Reading::chosen`]).
    pub fn chosen<'t>(
        &'t self,
        keep: &(dyn Fn(&track::OccurrenceStatus<'t>) -> bool + Sync),
    ) -> Vec<track::OccurrenceStatus<'t>> {
        let mut chosen = self.reading(&self.folded()).chosen(keep);
        track::amended(&mut chosen, &self.carries);
        chosen
    }

    /// The fold of the log read at `now`.
    fn reading<'t, 'r>(&'t self, folded: &'r track::Folded<'t>) -> track::Reading<'t, 'r> {
        track::Reading::new(&self.workspace, &self.plan, folded, self.now, self.calendar)
    }

    /// The log folded into the plan: the fold an earlier run kept when it holds, else folded
    /// here (and kept for the next run).
    fn folded(&self) -> track::Folded<'_> {
        let kept = self.kept.get_or_init(|| self.keeping.as_ref()?.kept(self.plan.occurrences.len()));
        kept.as_ref().map(KeptFold::folded).unwrap_or_else(|| {
            let folded = track::fold(&self.plan, &self.events, self.now);
            if let Some(keeping) = &self.keeping {
                keeping.keep(&folded);
            }
            folded
        })
    }

    /// A refusal: the input's fault (exit 1), with what to do about it.
    pub fn refuse(&self, message: Message, hint: Option<Message>) -> super::Exit {
        Err(Failure::input(message).hint(hint))
    }

    /// Today in the roadmaps' local time (the first roadmap's zone when no occurrence is named).
    pub fn local_today(&self) -> NaiveDate {
        self.workspace.local_date(self.now)
    }

    /// Today in the roadmaps' local time.
    pub fn today(&self, occurrence: &str) -> NaiveDate {
        match self.plan.position(occurrence) {
            Some(i) => self.plan.occurrences[i].local_date(self.now),
            None => self.local_today(),
        }
    }

    /// The occurrence a command is about: an occurrence id, or an activity (`roadmap/activity`
    /// or a unique activity id) narrowed by `--occurrence DATE` and `--executor`, or its only
    /// occurrence still open.
    pub fn target(
        &self,
        target: &str,
        date: Option<NaiveDate>,
        executor: Option<&str>,
    ) -> Result<String, (Message, Option<Message>)> {
        if self.plan.position(target).is_some() {
            return Ok(target.to_string());
        }
        let matches_activity = |key: &str| key == target || key.rsplit('/').next() == Some(target);
        let keys: std::collections::BTreeSet<&str> =
            self.plan.occurrences.iter().map(|o| o.key()).filter(|k| matches_activity(k)).collect();
        if keys.is_empty() {
            return Err((
                karta::msg!("нет ни срока, ни мероприятия `{}`", target; "no occurrence or activity `{}`", target),
                Some(karta::msg!("посмотрите идентификаторы в `karta plan`"; "see the ids in `karta plan`")),
            ));
        }
        if keys.len() > 1 {
            let list = keys.iter().copied().collect::<Vec<_>>().join(", ");
            return Err((
                karta::msg!("`{}` есть в нескольких дорожных картах: {}", target, list; "`{}` is in several roadmaps: {}", target, list),
                None,
            ));
        }
        let live = track::effective(&self.events, self.now);
        let done = track::completions(&live);
        let moved = track::moves(&live);
        let open: Vec<&str> = self
            .plan
            .occurrences
            .iter()
            .filter(|o| matches_activity(o.key()))
            .filter(|o| date.is_none_or(|d| o.due_date == d || moved.get(&o.id) == Some(&d)))
            .filter(|o| executor.is_none_or(|e| o.executor() == Some(e) || o.executors.iter().any(|x| x == e)))
            .filter(|o| date.is_some() || !done.contains_key(o.id.as_str()))
            .map(|o| o.id.as_str())
            .collect();
        let all_matching = || {
            self.plan
                .occurrences
                .iter()
                .filter(|o| matches_activity(o.key()))
                .filter(|o| executor.is_none_or(|e| o.executor() == Some(e) || o.executors.iter().any(|x| x == e)))
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
        };
        match open.as_slice() {
            [one] => Ok(one.to_string()),
            // An activity with a single occurrence, already reported: let the caller say so.
            [] if all_matching().len() == 1 => Ok(all_matching()[0].to_string()),
            [] => Err((
                karta::msg!("у `{}` нет подходящего открытого срока", target; "`{}` has no matching open occurrence", target),
                None,
            )),
            many => {
                let shown = many.iter().take(8).copied().collect::<Vec<_>>().join("\n    ");
                Err((
                    karta::msg!("у `{}` {} открытых сроков — какой из них?\n    {}", target, many.len(), shown;
                        "`{}` has {} open occurrences — which one?\n    {}", target, many.len(), shown),
                    Some(
                        karta::msg!("укажите `--occurrence ДАТА` (срок, ГГГГ-ММ-ДД) и при необходимости `--executor`";
                        "give `--occurrence DATE` and, if needed, `--executor`"),
                    ),
                ))
            }
        }
    }
}

/// Who is reporting: `--by`, else `KARTA_USER`, else the login name.
pub fn author(by: Option<&str>) -> String {
    by.map(str::to_string)
        .or_else(|| std::env::var("KARTA_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "karta".into())
}
