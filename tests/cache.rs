//! The cache of loaded files and of the plan (docs/performance.md, "The cache") changes how
//! fast a command answers, never what it answers: over random edits of a generated region
//! (deadlines swapped, titles changed, comment lines added, a file broken, removed, restored,
//! rewritten as it was, another instant and so other completions, a report recorded or taken
//! back), `status`, `check` and `plan` print byte for byte what a run with `--no-cache` prints. A cut or damaged cache is not trusted and is rebuilt.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::NaiveDate;
use karta::calendar::Calendar;
use proptest::prelude::*;

/// Instants the commands run at: each sees other reports, so relative deadlines count from
/// other completions.
const NOWS: [&str; 3] = ["2023-12-01T12:00:00+10:00", "2024-03-01T12:00:00+10:00", "2024-05-20T09:00:00+10:00"];

const COMMANDS: [&[&str]; 3] =
    [&["status", "--format", "json"], &["check", "--format", "json"], &["plan", "--format", "csv"]];

/// A generated region of a few hundred activities with its reports imported; its files.
fn region(dir: &Path) -> Vec<PathBuf> {
    let mut rng = karta::synthetic::Rng::new(11);
    karta::synthetic::workspace(dir, 400, &mut rng).expect("the generated region");
    let files = karta::check::collect_files(&[dir.join("roadmaps")]).expect("the roadmaps");
    let workspace = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("it checks");
    let plan = karta::compile::compile(&workspace, Calendar::russia()).expect("it compiles");
    let (csv, _) = karta::synthetic::reports(&plan, NaiveDate::from_ymd_opt(2024, 5, 20).unwrap(), &mut rng);
    std::fs::write(dir.join("events.csv"), csv).expect("events");
    let (code, _, err) = karta(dir, &["import", "events.csv", "--by", "gen", "--no-cache", "--now", NOWS[2]]);
    assert_eq!(code, 0, "{err}");
    files
}

fn karta(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(args)
        .current_dir(dir)
        .env_remove("LANG")
        .env_remove("KARTA_LANG")
        .env_remove("KARTA_CACHE")
        .output()
        .expect("run karta");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Every command, with the cache and without: the same exit code, output and messages.
fn same_with_and_without(dir: &Path, now: &str) -> Result<(), TestCaseError> {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.extend(["--now", now]);
        let cold = karta(dir, &[args.as_slice(), &["--no-cache"]].concat());
        let cached = karta(dir, &args);
        prop_assert_eq!(&cached, &cold, "karta {}", args.join(" "));
    }
    Ok(())
}

fn summary(dir: &Path) -> serde_json::Value {
    let (code, out, err) = karta(dir, &["cache", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

#[derive(Debug, Clone)]
enum Edit {
    /// Swaps the deadlines of two activities of a file.
    SwapDue(usize, usize, usize),
    Retitle(usize, usize),
    /// A comment line above a title: the same document, every position below it a line lower.
    Comment(usize, usize),
    /// A line no YAML parser accepts.
    Break(usize),
    Restore(usize),
    Remove(usize),
    /// The same bytes written again (a new modification time).
    Touch(usize),
    /// Another instant: other completions.
    Now(usize),
    /// A report recorded, so the log grows: the `k`-th occurrence not done or done, or a
    /// correction taking back an earlier event.
    Report(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(f, a, b)| Edit::SwapDue(f, a, b)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(f, l)| Edit::Retitle(f, l)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(f, l)| Edit::Comment(f, l)),
        1 => any::<usize>().prop_map(Edit::Break),
        2 => any::<usize>().prop_map(Edit::Restore),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => any::<usize>().prop_map(Edit::Touch),
        1 => (0..NOWS.len()).prop_map(Edit::Now),
        2 => (any::<usize>(), 0..3usize).prop_map(|(k, kind)| Edit::Report(k, kind)),
    ]
}

/// The indices of lines of `text` starting (after indentation) with `key`.
fn lines_of(text: &str, key: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with(key)).map(|(i, _)| i).collect()
}

/// The lines of `text`, and the `l`-th of its title lines (counted round), when it has one.
fn title_line(text: &str, l: usize) -> Option<(Vec<String>, usize)> {
    let titles = lines_of(text, "title:");
    let line = *titles.get(l % titles.len().max(1))?;
    Some((text.lines().map(String::from).collect(), line))
}

fn apply(edit: &Edit, files: &[PathBuf], originals: &[Vec<u8>], now: &mut usize) {
    let read = |f: &Path| std::fs::read_to_string(f).unwrap_or_default();
    let write = |f: &Path, lines: Vec<String>| std::fs::write(f, lines.join("\n") + "\n").expect("write");
    match *edit {
        Edit::SwapDue(f, a, b) => {
            let file = &files[f % files.len()];
            let text = read(file);
            let dues = lines_of(&text, "due:");
            if dues.len() < 2 {
                return;
            }
            let (a, b) = (dues[a % dues.len()], dues[b % dues.len()]);
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let value = |l: &str| l.split_once("due:").map(|(_, v)| v.to_string()).unwrap_or_default();
            let (va, vb) = (value(&lines[a]), value(&lines[b]));
            let indent = |l: &str| l.split_once("due:").map(|(i, _)| i.to_string()).unwrap_or_default();
            lines[a] = format!("{}due:{vb}", indent(&lines[a]));
            lines[b] = format!("{}due:{va}", indent(&lines[b]));
            write(file, lines);
        }
        Edit::Retitle(f, l) => {
            let file = &files[f % files.len()];
            let Some((mut lines, line)) = title_line(&read(file), l) else { return };
            lines[line] = lines[line].trim_end_matches(['"', '\'']).to_string() + " (в редакции)";
            if lines[line].contains(": \"") || lines[line].contains(": '") {
                lines[line].push('"');
            }
            write(file, lines);
        }
        Edit::Comment(f, l) => {
            let file = &files[f % files.len()];
            let Some((mut lines, line)) = title_line(&read(file), l) else { return };
            let indent = lines[line].len() - lines[line].trim_start().len();
            lines.insert(line, format!("{}# примечание автора", " ".repeat(indent)));
            write(file, lines);
        }
        Edit::Break(f) => {
            let file = &files[f % files.len()];
            let mut text = read(file);
            text.push_str("  broken: [оборвано\n");
            std::fs::write(file, text).expect("write");
        }
        Edit::Restore(f) => std::fs::write(&files[f % files.len()], &originals[f % files.len()]).expect("restore"),
        Edit::Remove(f) => {
            let _ = std::fs::remove_file(&files[f % files.len()]);
        }
        Edit::Touch(f) => {
            let file = &files[f % files.len()];
            if let Ok(bytes) = std::fs::read(file) {
                std::fs::write(file, bytes).expect("touch");
            }
        }
        Edit::Now(k) => *now = k,
        Edit::Report(k, kind) => {
            let dir = files[0].parent().and_then(Path::parent).expect("the region's folder");
            let (_, plan, _) = karta(dir, &["plan", "--format", "csv", "--no-cache"]);
            let ids: Vec<&str> = plan.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
            let Some(id) = ids.get(k % ids.len().max(1)) else { return };
            let event = (k % 500 + 1).to_string();
            let args = match kind {
                0 => vec!["not-done", id, "--reason", "нет средств"],
                1 => vec!["done", id],
                _ => vec!["undo", &event, "--reason", "ошибка ввода"],
            };
            // Recorded when the last reports were: a status at that instant counts it. A report
            // the command refuses (an occurrence already done) leaves the log as it was.
            karta(dir, &[args.as_slice(), &["--now", NOWS[2]]].concat());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn with_the_cache_every_answer_is_the_cold_answer(edits in prop::collection::vec(edit(), 1..6)) {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = region(dir.path());
        let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).expect("read")).collect();
        // At the last reports: the fold of the whole log is kept and read.
        let mut now = 2;
        same_with_and_without(dir.path(), NOWS[now])?;
        for edit in &edits {
            apply(edit, &files, &originals, &mut now);
            same_with_and_without(dir.path(), NOWS[now])?;
        }
    }
}

#[test]
fn a_cut_or_damaged_cache_is_not_trusted_and_is_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path());
    let now = NOWS[1];
    same_with_and_without(dir.path(), now).expect("same");
    let whole = summary(dir.path());
    assert_eq!(whole["files"], files.len(), "every file is in the cache: {whole}");
    assert!(whole["plan_bytes"].as_u64().is_some_and(|n| n > 0), "the plan is kept: {whole}");

    let cache = dir.path().join("karta.cache");
    let plan = dir.path().join("karta.cache.plan");
    let bytes = std::fs::read(&cache).expect("the cache");
    let plan_bytes = std::fs::read(&plan).expect("the plan");
    for cut in [0, 1, 12, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&cache, &bytes[..cut]).expect("cut");
        let seen = summary(dir.path());
        assert!(seen["rejected"].is_string(), "a cache cut at {cut} is not used: {seen}");
        // Said in the reader's language, as everything else.
        let (code, english, err) = karta(dir.path(), &["cache", "--lang", "en"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            english.contains("is not used (") && !english.chars().any(|c| matches!(c, 'а'..='я')),
            "the reason in English: {english}"
        );
        same_with_and_without(dir.path(), now).expect("same");
        let rebuilt = summary(dir.path());
        assert_eq!(
            (rebuilt["rejected"].clone(), rebuilt["files"].clone()),
            (serde_json::Value::Null, whole["files"].clone())
        );
    }
    for damage in [plan_bytes.len() / 3, plan_bytes.len() - 1] {
        let mut bad = plan_bytes.clone();
        bad[damage] ^= 0x55;
        std::fs::write(&plan, &bad).expect("damage");
        same_with_and_without(dir.path(), now).expect("same");
        assert!(std::fs::read(&plan).expect("the plan") == plan_bytes, "compiled again and kept (byte {damage})");
    }
    std::fs::write(&plan, &plan_bytes[..plan_bytes.len() / 2]).expect("cut");
    same_with_and_without(dir.path(), now).expect("same");

    // The checks' findings: cut or damaged, looked for again and kept as they were.
    let checks = dir.path().join("karta.cache.check");
    let check_bytes = std::fs::read(&checks).expect("the checks' findings are kept");
    assert!(whole["check_bytes"].as_u64() == Some(check_bytes.len() as u64), "{whole}");
    for cut in [0, 12, check_bytes.len() / 2, check_bytes.len() - 1] {
        std::fs::write(&checks, &check_bytes[..cut]).expect("cut");
        same_with_and_without(dir.path(), now).expect("same");
        assert!(std::fs::read(&checks).expect("the findings") == check_bytes, "checked again and kept (cut {cut})");
    }
    let mut bad = check_bytes.clone();
    bad[check_bytes.len() / 3] ^= 0x55;
    std::fs::write(&checks, &bad).expect("damage");
    same_with_and_without(dir.path(), now).expect("same");
    assert!(std::fs::read(&checks).expect("the findings") == check_bytes, "checked again and kept (damaged)");

    let (code, out, _) = karta(dir.path(), &["cache", "--clear"]);
    assert_eq!(code, 0);
    assert!(out.contains("удалён"), "{out}");
    assert!(!cache.exists() && !plan.exists() && !checks.exists());
}

/// The region in karta.toml decides the calendar of a roadmap that names none: changing it
/// must not answer from the plan cached under the other region.
#[test]
fn the_configured_region_keys_the_cached_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("roadmaps")).expect("mkdir");
    std::fs::write(
        dir.path().join("roadmaps/r.yaml"),
        "kind: roadmap\nid: r\ntitle: \"Проверка региона\"\nperiod: {from: 2026-01-01, to: 2026-12-31}\n\
         timezone: Europe/Moscow\nexecutors:\n  uo: {name: \"Управление образования\"}\n\
         sections:\n  - title: \"Раздел\"\n    activities:\n\
         \x20     - {id: a, title: \"Сведения\", executors: [uo], due: до 19 марта 2026 г.}\n\
         \x20     - {id: b, title: \"Свод\", executors: [uo], due: в течение 1 рабочего дня после a}\n",
    )
    .expect("roadmap");
    let plan = |dir: &Path, cache: bool| {
        let mut args = vec!["plan", "--format", "csv", "--now", "2026-03-01T12:00:00+03:00"];
        if !cache {
            args.push("--no-cache");
        }
        let (code, out, err) = karta(dir, &args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let federal = plan(dir.path(), true);
    assert!(federal.contains("2026-03-20T"), "the day after 19 March is a working Friday federally: {federal}");
    // Ураза-байрам, 20 March 2026, is a day off in Tatarstan.
    std::fs::write(dir.path().join("karta.toml"), "[calendar]\nregion = \"RU-TA\"\n").expect("config");
    let tatarstan = plan(dir.path(), true);
    assert_eq!(tatarstan, plan(dir.path(), false), "the cached plan is the cold one");
    assert!(tatarstan.contains("2026-03-23T") && !tatarstan.contains("2026-03-20T"), "{tatarstan}");
}

/// Each task's title and deadline as written.
type Tasks = Vec<(String, Option<String>)>;

/// What a workspace says, in short: each unit's id and its tasks' titles and deadlines.
fn gist(workspace: &karta::check::Workspace) -> Vec<(String, Tasks)> {
    workspace
        .units
        .iter()
        .map(|u| (u.id.clone(), u.tasks.iter().map(|t| (t.title.clone(), t.phrase.clone())).collect()))
        .collect()
}

#[test]
fn the_service_reloads_an_edit_through_the_cache_as_a_cold_check_reads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path());
    let now = chrono::DateTime::parse_from_rfc3339(NOWS[1]).expect("now");
    let roadmaps = karta::web::state::Roadmaps::load_cached(
        &[dir.path().join("roadmaps")],
        now,
        Calendar::russia(),
        Some(dir.path().join("karta.cache")),
    )
    .expect("the service loads the roadmaps");
    // The cache the start wrote is written beside the reload: wait until it is there.
    let cache = dir.path().join("karta.cache");
    for _ in 0..100 {
        if cache.is_file() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).expect("read")).collect();
    let mut now_index = 1;
    for edit in [Edit::Retitle(3, 1), Edit::SwapDue(5, 0, 3), Edit::Restore(3)] {
        apply(&edit, &files, &originals, &mut now_index);
        assert!(roadmaps.refresh(now), "{edit:?} is seen");
        let cold = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("it checks");
        assert_eq!(gist(&roadmaps.current().workspace), gist(&cold), "after {edit:?}");
    }
}

/// Edits that change what other documents' checks consult: a reference across roadmaps, an
/// activity renamed under a reference, a wait that closes a circle, another region.
#[derive(Debug, Clone)]
enum Reach {
    /// The first activity of file `.0` waits for the first activity of file `.1`.
    Link(usize, usize),
    /// The first activity of a file renamed: references to it break.
    Rename(usize),
    /// The first activity of a file waits for itself.
    Loop(usize),
    /// A file names a region.
    Region(usize),
    /// An executor of the directory renamed (`.1` false) or struck out (true).
    Directory(usize, bool),
    /// Any edit of the other test.
    Plain(Edit),
}

/// Edits among the first few files, so that a sequence often links two of them and then
/// renames or edits one (the files are sorted: the directory, districts, then schools).
fn reach() -> impl Strategy<Value = Reach> {
    let file = || 1..6usize;
    prop_oneof![
        4 => (file(), file()).prop_map(|(f, g)| Reach::Link(f, g)),
        3 => file().prop_map(Reach::Rename),
        2 => file().prop_map(Reach::Loop),
        1 => file().prop_map(Reach::Region),
        2 => (1..8usize, any::<bool>()).prop_map(|(k, gone)| Reach::Directory(k, gone)),
        4 => edit().prop_map(Reach::Plain),
    ]
}

/// The id of the document in `text`.
fn doc_id(text: &str) -> Option<&str> {
    text.lines().find_map(|l| l.strip_prefix("id: ")).map(str::trim)
}

/// `text` with `line` inserted after the first activity's id, indented as its keys are.
fn after_first_activity(text: &str, line: &str) -> Option<String> {
    let at = text.lines().position(|l| l.trim_start().starts_with("- id: "))?;
    let indent = text.lines().nth(at)?.find('-')? + 2;
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines.insert(at + 1, format!("{}{line}", " ".repeat(indent)));
    Some(lines.join("\n") + "\n")
}

fn reach_apply(edit: &Reach, files: &[PathBuf], originals: &[Vec<u8>], now: &mut usize) {
    let read = |f: &Path| std::fs::read_to_string(f).unwrap_or_default();
    let pick = |f: usize| &files[f % files.len()];
    let first_id =
        |text: &str| text.lines().find_map(|l| l.trim_start().strip_prefix("- id: ").map(|i| i.trim().to_string()));
    let changed = match edit {
        Reach::Plain(e) => return apply(e, files, originals, now),
        Reach::Link(f, g) => {
            let target = read(pick(*g));
            let (Some(doc), Some(act)) = (doc_id(&target), first_id(&target)) else { return };
            after_first_activity(&read(pick(*f)), &format!("after: [{doc}/{act}]"))
        }
        Reach::Rename(f) => {
            let text = read(pick(*f));
            first_id(&text).map(|act| text.replacen(&format!("- id: {act}\n"), &format!("- id: {act}x\n"), 1))
        }
        Reach::Loop(f) => {
            let text = read(pick(*f));
            first_id(&text).and_then(|act| after_first_activity(&text, &format!("after: [{act}]")))
        }
        Reach::Region(f) => {
            let text = read(pick(*f));
            text.contains("\ntimezone:").then(|| text.replacen("\ntimezone:", "\nregion: RU-TA\ntimezone:", 1))
        }
        Reach::Directory(k, gone) => {
            let text = read(&files[0]);
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let Some(at) = lines.iter().position(|l| l == "executors:").map(|at| at + k) else { return };
            if at >= lines.len() || !lines[at].contains("name: ") {
                return;
            }
            if *gone {
                lines.remove(at);
            } else {
                lines[at] = lines[at].replacen("name: ", "name: Новое ", 1);
            }
            std::fs::write(&files[0], lines.join("\n") + "\n").expect("write");
            return;
        }
    };
    if let Some(text) = changed {
        std::fs::write(
            pick(match edit {
                Reach::Link(f, _) | Reach::Rename(f) | Reach::Loop(f) | Reach::Region(f) => *f,
                Reach::Plain(_) | Reach::Directory(..) => unreachable!(),
            }),
            text,
        )
        .expect("write");
    }
}

/// All a check found, as text: whether the workspace was made, every diagnostic as shown, and
/// every unit with every task.
fn found(result: Result<karta::check::Workspace, Box<karta::check::Checked>>) -> (bool, Vec<String>, Vec<String>) {
    let renderer = karta::diag::Renderer::new(karta::diag::Lang::Ru);
    let shown = |d: &[karta::diag::Diagnostic]| d.iter().map(|d| renderer.human(d)).collect();
    match result {
        Ok(ws) => {
            let units = ws
                .units
                .iter()
                .map(|u| {
                    format!(
                        "{} {} {} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                        u.source.path.display(),
                        u.id,
                        u.title,
                        u.period,
                        u.tz,
                        u.shift,
                        u.region,
                        u.controller,
                        u.reminders,
                        u.sections,
                        u.indicators,
                        u.executors,
                        u.groups,
                        u.tasks,
                        u.protocol,
                    )
                })
                .collect();
            (true, shown(&ws.warnings), units)
        }
        Err(checked) => (false, shown(&checked.diagnostics), Vec::new()),
    }
}

/// The bytes of every roadmap file under `roadmaps`, by path.
fn contents(roadmaps: &[PathBuf]) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let files = karta::check::collect_files(roadmaps).unwrap_or_default();
    files.into_iter().filter_map(|f| std::fs::read(&f).ok().map(|b| (f, b))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// The service's reload checks again only what an edit touched (`check::Memo`), and a
    /// command takes the findings the run before kept when no file changed; what either finds
    /// is what a cold check of the same files finds, diagnostic for diagnostic and unit for
    /// unit, after every edit of a random sequence.
    #[test]
    fn checking_again_only_what_changed_finds_what_a_cold_check_finds(edits in prop::collection::vec(reach(), 1..10)) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut rng = karta::synthetic::Rng::new(5);
        karta::synthetic::workspace(dir.path(), 300, &mut rng).expect("the generated region");
        let roadmaps = [dir.path().join("roadmaps")];
        let files = karta::check::collect_files(&roadmaps).expect("the roadmaps");
        let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).expect("read")).collect();
        let mut memo = karta::check::Memo::default();
        // A second memo whose files all count as settled (read an hour after they changed), so
        // that their metadata vouches for them: each edit gives the files it writes a
        // modification time of their own, which tells them apart.
        let (mut settled, later) = (karta::check::Memo::default(), karta::clock::files() + Duration::from_secs(3600));
        let cache = karta::cache::Cache::none();
        let calendar = Calendar::russia();
        let kept_at = dir.path().join("karta.cache");
        let mut now = 0;
        for (n, edit) in std::iter::once(None).chain(edits.iter().map(Some)).enumerate() {
            if let Some(edit) = edit {
                let before = contents(&roadmaps);
                reach_apply(edit, &files, &originals, &mut now);
                for (path, bytes) in contents(&roadmaps) {
                    if before.get(&path) != Some(&bytes) {
                        let at = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000 + n as u64);
                        std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(at)).expect("mtime");
                    }
                }
            }
            let present = karta::check::collect_files(&roadmaps).expect("the roadmaps");
            let again = found(memo.workspace(&present, calendar, &cache));
            let cold = found(karta::check::check_files(&present, calendar).into_workspace());
            let vouched = found(settled.workspace_read_at(&present, calendar, &cache, later));
            prop_assert_eq!(&vouched, &cold, "with settled files, after {:?}", edit);
            prop_assert_eq!(&found(settled.workspace_read_at(&present, calendar, &cache, later)), &cold);
            prop_assert_eq!(settled.read(), 0, "nothing changed, nothing read");
            // A command's run, as a new process makes it: the cache of files and the findings
            // the run before kept.
            let kept = karta::cache::Cache::open(&kept_at);
            let by_command = found(karta::check::check_with(&present, calendar, &kept).into_workspace());
            kept.save().expect("the cache is written");
            prop_assert_eq!(&again, &cold, "after {:?}", edit);
            prop_assert_eq!(&by_command, &cold, "a command's check with the kept findings, after {:?}", edit);
        }
    }
}
