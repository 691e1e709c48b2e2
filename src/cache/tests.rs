//! The cache's own tests: a second run, a kept plan, cut and damaged files, aged entries.

use super::*;
use chrono::NaiveDate;

/// A roadmap with a relative deadline (two counts from one), one nothing counts from
/// (three) and a warning (the executor has no e-mail); shared with the service's tests.
pub(crate) const ROADMAP: &str = "kind: roadmap
id: r
title: Дорожная карта
period: {from: 2024-01-01, to: 2024-12-31}
timezone: Asia/Vladivostok
executors:
  a: {name: Отдел}
sections:
  - title: Раздел
    activities:
      - id: one
        title: Первое
        executors: [a]
        due: до 1 марта 2024 г.
      - id: two
        title: Второе
        executors: [a]
        due: в течение 10 дней после one
        after: [one]
      - id: three
        title: Третье
        executors: [a]
        due: до 1 апреля 2024 г.
";

fn run(cache: &Cache, file: &Path) -> (Vec<String>, Plan) {
    let calendar = Calendar::russia();
    let checked = crate::check::check_with(&[file.to_path_buf()], calendar, cache);
    let workspace = checked.into_workspace().expect("the roadmap checks");
    let plan = cache.compile(&workspace, calendar, &crate::compile::Planned).expect("it compiles");
    (workspace.warnings.iter().map(|d| format!("{d:?}")).collect(), plan)
}

/// The roadmap in a folder of its own, and where its cache goes.
fn roadmap() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    std::fs::write(&file, ROADMAP).unwrap();
    let at = dir.path().join("karta.cache");
    (dir, file, at)
}

/// A first run: everything loaded from the text, then the cache written.
fn first_run(file: &Path, at: &Path) -> (Vec<String>, Plan) {
    let first = Cache::open(at);
    let result = run(&first, file);
    assert_eq!(first.counts(), Counts { known: 0, loaded: 1 });
    first.save().unwrap();
    result
}

#[test]
fn a_second_run_takes_files_and_plan_from_the_cache_and_gets_the_same() {
    let (_dir, file, at) = roadmap();
    let (warnings, plan) = first_run(&file, &at);
    assert!(plan_path(&at).is_file(), "the plan is kept");

    let second = Cache::open(&at);
    assert_eq!(second.rejected, None);
    let (again, cached) = run(&second, &file);
    assert_eq!(second.counts(), Counts { known: 1, loaded: 0 });
    assert_eq!((again, cached.occurrences.clone()), (warnings, plan.occurrences.clone()));
    assert_eq!(cached.position(&plan.occurrences[1].id), Some(1));

    // One changed byte: loaded again, compiled again.
    std::fs::write(&file, ROADMAP.replace("до 1 марта", "до 2 марта")).unwrap();
    let third = Cache::open(&at);
    let (_, changed) = run(&third, &file);
    assert_eq!(third.counts(), Counts { known: 0, loaded: 1 });
    assert_eq!(changed.occurrences[0].due_date, NaiveDate::from_ymd_opt(2024, 3, 2).unwrap());
}

#[test]
fn an_edit_of_text_compiling_never_reads_keeps_the_plan_and_its_warnings_move_with_the_text() {
    use std::os::unix::fs::MetadataExt;
    let (_dir, file, at) = roadmap();
    let (_, plan) = first_run(&file, &at);
    assert!(!plan.warnings.is_empty(), "a warning to move: the executor has no e-mail");
    // The kept plan is written to a new file renamed over the old: another inode.
    let kept = || std::fs::metadata(plan_path(&at)).unwrap().ino();
    let before = kept();
    let cold = || {
        let calendar = Calendar::russia();
        let workspace = crate::check::check_files(std::slice::from_ref(&file), calendar).into_workspace().unwrap();
        compile::compile(&workspace, calendar).unwrap()
    };

    // A comment line on top and a retitled activity: the same plan, every position a line lower.
    std::fs::write(&file, format!("# правка\n{}", ROADMAP.replace("Первое", "Первое мероприятие"))).unwrap();
    let cache = Cache::open(&at);
    let (_, edited) = run(&cache, &file);
    cache.save().unwrap();
    assert_eq!(kept(), before, "the kept plan served");
    let cold = cold();
    assert_eq!(edited.occurrences, cold.occurrences);
    assert_eq!(format!("{:?}", edited.warnings), format!("{:?}", cold.warnings));
    assert_eq!(edited.warnings[0].span.line, plan.warnings[0].span.line + 1);

    // A deadline edited: compiled again.
    std::fs::write(&file, ROADMAP.replace("до 1 марта", "до 4 марта")).unwrap();
    run(&Cache::open(&at), &file);
    assert_ne!(kept(), before, "compiled again, and kept");
}

#[test]
fn the_plan_is_kept_over_reports_it_does_not_count_from() {
    let (_dir, file, at) = roadmap();
    let calendar = Calendar::russia();
    let compiled = |done: &[(&str, NaiveDate)]| {
        let done: FxHashMap<&str, NaiveDate> = done.iter().copied().collect();
        let cache = Cache::open(&at);
        let checked = crate::check::check_with(std::slice::from_ref(&file), calendar, &cache);
        let workspace = checked.into_workspace().expect("the roadmap checks");
        let plan = cache.compile(&workspace, calendar, &done).expect("it compiles");
        cache.save().unwrap();
        let cold = compile::compile_with(&workspace, calendar, &done).expect("it compiles");
        assert_eq!(plan.occurrences, cold.occurrences, "the cache's plan is the compiler's");
        (plan.occurrences[1].due_date, std::fs::read(plan_path(&at)).unwrap())
    };
    let day = |d| NaiveDate::from_ymd_opt(2024, 2, d).unwrap();
    let (planned, kept) = compiled(&[]);
    // A report on an occurrence nothing counts from: the kept plan serves.
    let (same, again) = compiled(&[("r/elsewhere@2024-02-01", day(1))]);
    assert_eq!((same, &again), (planned, &kept));
    // «в течение 10 дней после one»: one's completion moves two.
    let (moved, rewritten) = compiled(&[("r/one@2024-03-01", day(20))]);
    assert_ne!(moved, planned);
    assert_ne!(rewritten, kept);
}

#[test]
fn one_entry_serves_every_spelling_of_a_path_and_old_versions_age_out() {
    let (dir, file, at) = roadmap();
    first_run(&file, &at);
    let other = Cache::open(&at);
    run(&other, &dir.path().join(".").join("r.yaml"));
    assert_eq!(other.counts(), Counts { known: 1, loaded: 0 });
    assert_eq!(other.summary().unwrap().files, 1);
    for n in 0..MAX_AGE + 4 {
        std::fs::write(&file, ROADMAP.replace("Первое", &format!("Первое, редакция {n}"))).unwrap();
        let cache = Cache::open(&at);
        run(&cache, &file);
        cache.save().unwrap();
    }
    let files = Cache::open(&at).summary().unwrap().files;
    assert_eq!(files, MAX_AGE as usize + 1, "the last version and those read within {MAX_AGE} writes");
}

#[test]
fn the_checks_run_again_only_when_a_file_changed() {
    let (_dir, file, at) = roadmap();
    // A footnote mark in a deadline: a warning to keep.
    std::fs::write(&file, ROADMAP.replace("до 1 марта 2024", "до 1 марта* 2024")).unwrap();
    let calendar = Calendar::russia();
    // Whether the checks ran (and were given what the last run found file by file), and
    // what they found.
    let checked_by = |cache: &Cache| {
        let ran = std::cell::Cell::new(None);
        let loaded = crate::check::load_all(std::slice::from_ref(&file), |path| cache.load(path));
        let found = cache.checks(&loaded, calendar, |kept| {
            ran.set(Some(kept.is_some()));
            let across = crate::check::check_files(std::slice::from_ref(&file), calendar).diagnostics;
            checks::Found { across, ..checks::Found::default() }
        });
        (ran.get(), format!("{found:?}"), found.len())
    };
    let first = Cache::open(&at);
    let (ran, found, n) = checked_by(&first);
    first.save().unwrap();
    assert!(ran == Some(false) && checks_path(&at).is_file(), "checked, and the findings kept");
    assert!(n > 0, "the roadmap has a warning to keep: {found}");
    let kept = Cache::open(&at);
    assert_eq!(checked_by(&kept), (None, found, n), "taken from the cache");
    // Cut short: checked again, from nothing.
    let bytes = std::fs::read(checks_path(&at)).unwrap();
    std::fs::write(checks_path(&at), &bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(checked_by(&Cache::open(&at)).0, Some(false), "a cut file is not trusted");
    // One changed byte: checked again, given what was found file by file.
    std::fs::write(&file, ROADMAP).unwrap();
    assert_eq!(checked_by(&Cache::open(&at)).0, Some(true), "an edited file is checked");
    // Another calendar: checked again, from nothing.
    let cache = Cache::open(&at);
    let checked = crate::check::check_with(std::slice::from_ref(&file), calendar, &cache);
    let other = calendar.for_region(Some("RU-TA"));
    let ran = std::cell::Cell::new(None);
    cache.checks(&checked, other, |kept| {
        ran.set(Some(kept.is_some()));
        checks::Found::default()
    });
    assert_eq!(ran.get(), Some(false), "another calendar is checked in");
}

#[test]
fn a_kept_plan_cut_anywhere_or_changed_in_any_byte_is_not_read() {
    let (_dir, file, at) = roadmap();
    first_run(&file, &at);
    let cache = Cache::open(&at);
    let calendar = Calendar::russia();
    let workspace = crate::check::check_with(std::slice::from_ref(&file), calendar, &cache).into_workspace().unwrap();
    let key = cache.plan_key(&workspace, calendar).unwrap();
    let path = plan_path(&at);
    let whole = std::fs::read(&path).unwrap();
    let read =
        || plan::kept(&path, &key).and_then(|b| plan::read(&b, &key, &workspace, Some(&crate::compile::Planned)));
    assert_eq!(read().map(|p| p.occurrences.len()), Some(3), "as written, it is read");
    for n in 0..whole.len() {
        std::fs::write(&path, &whole[..n]).unwrap();
        assert!(read().is_none(), "cut at byte {n}");
        let mut changed = whole.clone();
        changed[n] ^= 0x20;
        std::fs::write(&path, &changed).unwrap();
        assert!(read().is_none(), "byte {n} changed");
    }
}

#[test]
fn a_cut_cache_is_not_trusted_and_is_written_again() {
    let (_dir, file, at) = roadmap();
    first_run(&file, &at);
    let whole = std::fs::read(&at).unwrap();
    std::fs::write(&at, &whole[..whole.len() / 2]).unwrap();
    let plan = std::fs::read(plan_path(&at)).unwrap();
    std::fs::write(plan_path(&at), &plan[..plan.len() - 1]).unwrap();

    let cut = Cache::open(&at);
    assert!(cut.rejected.is_some());
    run(&cut, &file);
    assert_eq!(cut.counts(), Counts { known: 0, loaded: 1 });
    cut.save().unwrap();
    assert_eq!(std::fs::read(&at).unwrap(), whole, "rebuilt as it was");
    assert_eq!(std::fs::read(plan_path(&at)).unwrap(), plan, "compiled again and kept");
}
