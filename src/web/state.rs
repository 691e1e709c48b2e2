//! What every request reads: the last good check of the roadmaps (reloaded when a file changes
//! on disk; a broken edit keeps the last good plan and leaves its diagnostics for admins), a
//! small pool of store connections, and the view of the plan and the log at an instant.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::cache::{Cache, Stat};
use crate::calendar::Calendar;
use crate::check::{self, Workspace};
use crate::compile::{self, Consulted, Plan};
use crate::diag::{Lang, Renderer, Summary};
use crate::store::{self, Store, StoreError};
use crate::track::{self, Event, Report};

/// The roadmaps as last checked without errors.
pub struct Snapshot {
    pub workspace: Workspace,
    /// The calendar of the roadmaps' region (layers in force).
    pub calendar: &'static Calendar,
    /// Every file the check read, with its metadata just before.
    seen: Vec<(PathBuf, Option<Stat>)>,
    /// Bumped at every successful reload.
    pub version: u64,
    /// What its plan is compiled from besides completions (the cache's key: the documents as
    /// compiling reads them), when the files were read through the cache.
    plan_key: Option<crate::cache::Digest>,
    pub loaded_at: DateTime<FixedOffset>,
}

/// The outcome of the last reload that failed, shown to admins until a good one.
#[derive(Clone, Default)]
pub struct Problems {
    pub at: Option<DateTime<FixedOffset>>,
    pub text: Vec<String>,
}

/// The roadmaps a service watches.
pub struct Roadmaps {
    paths: Vec<PathBuf>,
    calendar: &'static Calendar,
    /// The cache of loaded files ([`crate::cache`]): a reload loads only the files that changed.
    cache: Option<PathBuf>,
    /// What the last check found file by file: a reload checks again only what an edit touched.
    memo: Mutex<check::Memo>,
    current: RwLock<Arc<Snapshot>>,
    problems: RwLock<Problems>,
}

/// Why the roadmaps could not be loaded at start.
pub type LoadError = Vec<String>;

impl Roadmaps {
    /// Checks the roadmaps under `paths` with the shipped calendar; errors are rendered in Russian.
    pub fn load(paths: &[PathBuf], now: DateTime<FixedOffset>) -> Result<Roadmaps, LoadError> {
        Roadmaps::load_with(paths, now, Calendar::russia())
    }

    /// Checks the roadmaps under `paths` with the calendar in force (see [`crate::calendar::load`]).
    pub fn load_with(
        paths: &[PathBuf],
        now: DateTime<FixedOffset>,
        calendar: &'static Calendar,
    ) -> Result<Roadmaps, LoadError> {
        Roadmaps::load_cached(paths, now, calendar, None)
    }

    /// [`Roadmaps::load_with`], loading files through the cache at `cache` at start and at
    /// every reload.
    pub fn load_cached(
        paths: &[PathBuf],
        now: DateTime<FixedOffset>,
        calendar: &'static Calendar,
        cache: Option<PathBuf>,
    ) -> Result<Roadmaps, LoadError> {
        let mut memo = check::Memo::default();
        let snapshot = check_now(survey(paths)?, 1, now, calendar, cache.as_deref(), &mut memo)?;
        Ok(Roadmaps {
            paths: paths.to_vec(),
            calendar,
            cache,
            memo: Mutex::new(memo),
            current: RwLock::new(Arc::new(snapshot)),
            problems: RwLock::new(Problems::default()),
        })
    }

    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().map(|s| s.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }

    pub fn problems(&self) -> Problems {
        self.problems.read().map(|p| p.clone()).unwrap_or_default()
    }

    /// Reloads when a file changed, appeared or disappeared. Returns whether the plan changed.
    pub fn refresh(&self, now: DateTime<FixedOffset>) -> bool {
        let current = self.current();
        let seen = survey(&self.paths);
        if seen.as_ref().is_ok_and(|seen| *seen == current.seen) {
            return false;
        }
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        let checked = seen.and_then(|seen| {
            check_now(seen, current.version + 1, now, self.calendar, self.cache.as_deref(), &mut memo)
        });
        match checked {
            Ok(snapshot) => {
                tracing::info!(
                    files = snapshot.seen.len(),
                    read = memo.read(),
                    version = snapshot.version,
                    "roadmaps reloaded"
                );
                if let Ok(mut c) = self.current.write() {
                    let old = std::mem::replace(&mut *c, Arc::new(snapshot));
                    // Freeing a large workspace takes a while; the reload does not wait for it.
                    std::thread::spawn(move || drop(old));
                }
                if let Ok(mut p) = self.problems.write() {
                    *p = Problems::default();
                }
                true
            }
            Err(text) => {
                // Keep the last good plan; remember what is wrong (once per change).
                let mut problems = self.problems.write().unwrap_or_else(|e| e.into_inner());
                if problems.text != text {
                    tracing::warn!(errors = text.len(), "roadmaps have errors; the last good plan stays");
                    *problems = Problems { at: Some(now), text };
                }
                false
            }
        }
    }
}

/// Every roadmap file under `paths`, with its metadata: taken before the files are read, so that
/// an edit made while they are checked is seen next time.
fn survey(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Option<Stat>)>, LoadError> {
    let files =
        check::collect_files(paths).map_err(|missing| vec![format!("путь не найден: {}", missing.display())])?;
    Ok(files
        .into_iter()
        .map(|f| {
            let stat = Stat::of(&f);
            (f, stat)
        })
        .collect())
}

/// Checks the roadmaps `seen` (by [`survey`]): a new snapshot, or the errors that keep the last
/// one. Compiling is left to the first view: its only error, a dependency cycle, is one
/// checking finds.
fn check_now(
    seen: Vec<(PathBuf, Option<Stat>)>,
    version: u64,
    now: DateTime<FixedOffset>,
    calendar: &'static Calendar,
    cache: Option<&std::path::Path>,
    memo: &mut check::Memo,
) -> Result<Snapshot, LoadError> {
    let files: Vec<PathBuf> = seen.iter().map(|(f, _)| f.clone()).collect();
    let renderer = Renderer::new(Lang::Ru);
    let cache = cache.map_or_else(Cache::none, Cache::open);
    let workspace = memo.workspace(&files, calendar, &cache);
    let plan_key = workspace.as_ref().ok().and_then(|w| cache.plan_key(w, calendar.for_region(w.region())));
    // Written beside the reload, not in its way; a cache that cannot be written costs the next
    // reload its speed, nothing else.
    std::thread::spawn(move || cache.save());
    let workspace = workspace.map_err(|checked| {
        let mut text: Vec<String> =
            checked.diagnostics.iter().filter(|d| d.is_error()).map(|d| renderer.human(d)).collect();
        text.push(Summary::of(checked.files.len(), &checked.diagnostics).render(Lang::Ru));
        text
    })?;
    let calendar = calendar.for_region(workspace.region());
    Ok(Snapshot { workspace, calendar, seen, version, plan_key, loaded_at: now })
}

/// Store connections, reused across requests (readers do not block: SQLite runs in WAL mode).
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Box<dyn Store>>>,
}

impl Pool {
    /// Opens the store once (creating and migrating it) so errors show at start.
    pub fn open(path: PathBuf) -> Result<Pool, StoreError> {
        let first = store::open(&path)?;
        Ok(Pool { path, idle: Mutex::new(vec![first]) })
    }

    /// Runs `f` with a connection.
    pub fn with<T>(&self, f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match taken {
            Some(c) => c,
            None => store::open(&self.path)?,
        };
        let result = f(conn.as_mut());
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < 8 {
                idle.push(conn);
            }
        }
        result
    }
}

/// Where the store's log stands: its latest event and its newest approved version (approving
/// one appends no event, yet carries reports and moves dates).
pub fn log_mark(store: &dyn Store) -> Result<(i64, i64), StoreError> {
    let newest = store.versions(None)?.iter().map(|v| v.id).max().unwrap_or(0);
    Ok((store.last_event()?, newest))
}

/// The plan and the log as of `now`: what pages and the API are made from.
pub struct View {
    pub snapshot: Arc<Snapshot>,
    /// The log as the approved versions carry it (docs/amendments.md); shared with the next
    /// view while nothing is recorded or approved.
    pub events: Arc<Vec<Event>>,
    pub carries: Arc<track::Carries>,
    /// The store as it was read: its latest event and its newest approved version.
    read_at: (i64, i64),
    /// Compiled with the completions reported by `now` (shared with the next view while the
    /// roadmaps and the completions it consulted stay as they are).
    pub plan: Arc<Plan>,
    /// The completions compiling consulted, and what they were.
    consulted: Arc<[(String, Option<NaiveDate>)]>,
    pub now: DateTime<FixedOffset>,
}

impl View {
    pub fn at(snapshot: Arc<Snapshot>, pool: &Pool, now: DateTime<FixedOffset>) -> Result<View, StoreError> {
        View::after(None, snapshot, pool, now)
    }

    /// [`View::at`], taking from the view before, `last`: its log when nothing was recorded or
    /// approved since, and its plan when it was compiled from the same roadmaps (or from
    /// roadmaps compiling reads as these, its warnings where they are in them: an edited title)
    /// and every completion compiling consulted is still what it was (a report on an occurrence
    /// no relative deadline counts from, or the next minute, compiles nothing).
    pub fn after(
        last: Option<&View>,
        snapshot: Arc<Snapshot>,
        pool: &Pool,
        now: DateTime<FixedOffset>,
    ) -> Result<View, StoreError> {
        // Asked before the log is read: an event recorded in between is read again next time.
        let read_at = pool.with(|s| log_mark(s))?;
        let (events, carries) = match last.filter(|l| l.read_at == read_at) {
            Some(last) => (Arc::clone(&last.events), Arc::clone(&last.carries)),
            None => {
                let (events, carries) = pool.with(|s| track::Carries::log(s))?;
                (Arc::new(events), Arc::new(carries))
            }
        };
        let done = track::completions(&track::effective(&events, now));
        let same = |l: &View| {
            Arc::ptr_eq(&l.snapshot, &snapshot)
                || (snapshot.plan_key.is_some()
                    && l.snapshot.plan_key == snapshot.plan_key
                    && l.plan.located_in(&snapshot.workspace))
        };
        let kept = last.filter(|l| same(l) && Consulted::still(&l.consulted, &done));
        let (plan, consulted) = match kept {
            Some(last) => (Arc::clone(&last.plan), Arc::clone(&last.consulted)),
            None => {
                let consulted = Consulted::new(&done);
                let plan = compile::compile_with(&snapshot.workspace, snapshot.calendar, &consulted)
                    .unwrap_or_else(|_| Plan::empty());
                (Arc::new(plan), consulted.asked().into())
            }
        };
        drop(done);
        Ok(View { snapshot, events, carries, read_at, plan, consulted, now })
    }

    pub fn workspace(&self) -> &Workspace {
        &self.snapshot.workspace
    }

    pub fn report(&self) -> Report<'_> {
        track::status(&self.snapshot.workspace, &self.plan, &self.events, self.now, self.snapshot.calendar)
            .with_versions(&self.carries)
    }

    /// Today in the roadmaps' local time.
    pub fn today(&self) -> NaiveDate {
        self.snapshot.workspace.local_date(self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::tests::ROADMAP;
    use crate::track::{Action, NewEvent};

    fn done(pool: &Pool, occurrence: &str, on: NaiveDate, at: DateTime<FixedOffset>) {
        let event = NewEvent {
            occurrence: Some(occurrence.to_string()),
            action: Action::Done { on },
            note: None,
            evidence: Vec::new(),
            author: "Иванова".into(),
            recorded_at: at,
            batch: None,
        };
        pool.with(|s| s.append(&[event])).expect("recorded");
    }

    /// A folder with `roadmaps/r.yaml` holding [`ROADMAP`], that file, and the instant the
    /// tests run at.
    fn folder() -> (tempfile::TempDir, PathBuf, DateTime<FixedOffset>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roadmaps/r.yaml");
        std::fs::create_dir(dir.path().join("roadmaps")).unwrap();
        std::fs::write(&file, ROADMAP).unwrap();
        (dir, file, DateTime::parse_from_rfc3339("2024-02-25T12:00:00+10:00").unwrap())
    }

    #[test]
    fn the_next_view_reads_the_log_again_only_after_a_report_and_compiles_only_when_it_counts() {
        let (dir, _, now) = folder();
        let roadmaps = Roadmaps::load(&[dir.path().join("roadmaps")], now).expect("the roadmap loads");
        let pool = Pool::open(dir.path().join("karta.db")).expect("the store");
        let minute = chrono::Duration::minutes(1);
        let day = |d| NaiveDate::from_ymd_opt(2024, 2, d).unwrap();

        let first = View::at(roadmaps.current(), &pool, now).unwrap();
        // The next minute, and a report on an occurrence nothing counts from: the same plan.
        let later = View::after(Some(&first), roadmaps.current(), &pool, now + minute).unwrap();
        assert!(Arc::ptr_eq(&first.plan, &later.plan));
        assert!(Arc::ptr_eq(&first.events, &later.events), "nothing recorded: the log as read");
        done(&pool, "r/three@2024-04-01", day(20), now + minute);
        let reported = View::after(Some(&later), roadmaps.current(), &pool, now + minute * 2).unwrap();
        assert!(Arc::ptr_eq(&first.plan, &reported.plan));
        assert!(!Arc::ptr_eq(&later.events, &reported.events) && reported.events.len() == 1, "read again");

        // «в течение 10 дней после one»: one reported done moves two.
        done(&pool, "r/one@2024-03-01", day(20), now + minute * 2);
        let moved = View::after(Some(&reported), roadmaps.current(), &pool, now + minute * 3).unwrap();
        assert!(!Arc::ptr_eq(&first.plan, &moved.plan));
        let cold = View::at(roadmaps.current(), &pool, now + minute * 3).unwrap();
        assert_eq!(moved.plan.occurrences, cold.plan.occurrences);
        assert_ne!(moved.plan.occurrences, first.plan.occurrences);
        // Before it was reported (an earlier instant): the plan as it was, compiled again.
        let before = View::after(Some(&moved), roadmaps.current(), &pool, now).unwrap();
        assert_eq!(before.plan.occurrences, first.plan.occurrences);
    }

    #[test]
    fn an_edit_that_keeps_the_modification_time_is_seen_and_read() {
        let (dir, file, now) = folder();
        let roadmaps = Roadmaps::load_cached(&[dir.path().join("roadmaps")], now, Calendar::russia(), None).unwrap();
        let title = |r: &Roadmaps| r.current().workspace.units[0].tasks[0].title.clone();
        assert_eq!(title(&roadmaps), "Первое");
        // As a copy that keeps times leaves it (`cp -p`, `rsync -t`): as many bytes, the same
        // modification time; only the change time tells.
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, ROADMAP.replace("Первое", "Другое")).unwrap();
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
        assert!(roadmaps.refresh(now), "the edit is seen");
        assert_eq!(title(&roadmaps), "Другое");
        assert!(!roadmaps.refresh(now), "and once only");
    }

    #[test]
    fn a_view_after_a_reload_takes_the_plan_when_compiling_reads_the_roadmaps_as_before() {
        let (dir, file, now) = folder();
        let cache = dir.path().join("karta.cache");
        let roadmaps =
            Roadmaps::load_cached(&[dir.path().join("roadmaps")], now, Calendar::russia(), Some(cache.clone()))
                .expect("the roadmap loads");
        // The cache is written beside the check: the next reload reads what it knows from it.
        for _ in 0..200 {
            if cache.is_file() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let pool = Pool::open(dir.path().join("karta.db")).expect("the store");
        let edit = |text: String| {
            // Another modification time than the last write's, whatever the clock's grain.
            std::thread::sleep(std::time::Duration::from_millis(30));
            std::fs::write(&file, text).unwrap();
            assert!(roadmaps.refresh(now), "the edit is seen");
        };
        let first = View::at(roadmaps.current(), &pool, now).unwrap();
        assert!(!first.plan.warnings.is_empty(), "a warning to keep in place: no e-mail");

        // A retitled activity: another snapshot, the same plan.
        edit(ROADMAP.replace("Первое", "Первое мероприятие"));
        let retitled = View::after(Some(&first), roadmaps.current(), &pool, now).unwrap();
        assert!(!Arc::ptr_eq(&first.snapshot, &retitled.snapshot));
        assert!(Arc::ptr_eq(&first.plan, &retitled.plan));

        // A comment line on top moves the warning: compiled again, the warning where it is now.
        edit(format!("# правка\n{}", ROADMAP.replace("Первое", "Первое мероприятие")));
        let moved = View::after(Some(&retitled), roadmaps.current(), &pool, now).unwrap();
        assert!(!Arc::ptr_eq(&retitled.plan, &moved.plan));
        assert_eq!(moved.plan.occurrences, first.plan.occurrences);
        assert_eq!(moved.plan.warnings[0].span.line, first.plan.warnings[0].span.line + 1);

        // A deadline edited: compiled again.
        edit(ROADMAP.replace("до 1 марта", "до 4 марта"));
        let later = View::after(Some(&moved), roadmaps.current(), &pool, now).unwrap();
        assert!(!Arc::ptr_eq(&moved.plan, &later.plan));
        assert_ne!(later.plan.occurrences, first.plan.occurrences);
    }
}
