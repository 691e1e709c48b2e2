//! The command line's conventions, command by command, against the table of docs/cli.md: how
//! each command takes its roadmaps, the formats its `--format` offers and accepts (a format it
//! does not write is a usage error, exit 2), its errors in both languages and its exit codes.

mod support;

use std::path::Path;
use std::process::Command;

fn karta(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(args)
        .env_remove("KARTA_NOW")
        .env_remove("KARTA_ROADMAPS")
        .env_remove("KARTA_LANG")
        .env_remove("KARTA_DB")
        .output()
        .expect("run karta")
}

fn help(command: &[&str]) -> String {
    let mut args = command.to_vec();
    args.push("-h");
    String::from_utf8_lossy(&karta(&args).stdout).into_owned()
}

/// The values `--help` lists for `--format`, or none when there is no such option.
fn formats(help: &str) -> Option<Vec<String>> {
    let line = help.lines().find(|l| l.trim_start().starts_with("--format"))?;
    let values = line.split("[possible values: ").nth(1)?.trim_end_matches(']');
    Some(values.split(", ").map(String::from).collect())
}

/// The rows of docs/cli.md, section 5: command, roadmaps, formats.
fn documented() -> Vec<(String, String, Option<Vec<String>>)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).expect("docs/cli.md");
    let table = doc.split("## 5. Every subcommand").nth(1).expect("section 5");
    let rows: Vec<_> = table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| command"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let formats =
                (cells[2] != "—").then(|| cells[2].split(", ").map(|f| f.trim_matches('`').to_string()).collect());
            (cells[0].to_string(), cells[1].to_string(), formats)
        })
        .collect();
    assert!(rows.len() >= 29, "the table lists every subcommand: {}", rows.len());
    rows
}

#[test]
fn every_command_takes_roadmaps_and_formats_as_documented() {
    let top = help(&[]);
    let listed: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .expect("commands")
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .take_while(|w| *w != "Options:")
        .filter(|w| *w != "help")
        .collect();
    let rows = documented();
    for command in &listed {
        assert!(rows.iter().any(|(c, ..)| c == command), "docs/cli.md lists `{command}`");
    }
    for (command, roadmaps, expected) in &rows {
        assert!(listed.contains(&command.as_str()), "`{command}` in docs/cli.md is a command");
        let text = help(&[command]);
        assert_eq!(formats(&text), *expected, "karta {command}: --format");
        // A command with subcommands documents its roadmaps on the one that reads them.
        let reader = if command == "calendar" { help(&["calendar", "show"]) } else { text.clone() };
        let usage = reader.lines().find(|l| l.starts_with("Usage:")).unwrap_or_default();
        match roadmaps.as_str() {
            r if r.starts_with("PATH…") => {
                assert!(usage.contains("[PATH]..."), "karta {command}: positional paths: {usage}");
                assert!(reader.contains("--roadmaps <PATH>"), "karta {command}: --roadmaps");
            }
            "`--roadmaps`" => {
                assert!(!usage.contains("[PATH]..."), "karta {command}: {usage}");
                assert!(reader.contains("--roadmaps <PATH>"), "karta {command}: --roadmaps");
            }
            "—" => assert!(!reader.contains("--roadmaps"), "karta {command} reads no roadmaps"),
            other => panic!("unknown convention {other}"),
        }
    }
    // A format the command does not write is a usage error, not silently another output.
    for (args, value) in
        [(["status", "--format"], "docx"), (["check", "--format"], "csv"), (["graph", "--format"], "text")]
    {
        let out = karta(&[args[0], args[1], value]);
        assert_eq!(out.status.code(), Some(2), "karta {} {} {value}", args[0], args[1]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("possible values"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The paths work after the arguments, with `--roadmaps`, and both, with the same result.
#[test]
fn roadmaps_are_given_the_same_way_everywhere() {
    let lazo = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps/lazo-2023-2024.yaml");
    let roadmaps = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("karta.db");
    let db = db.to_str().expect("utf-8");
    let now = "2023-10-20T10:00:00+10:00";
    for command in [&["status", "--db", db, "--now", now][..], &["plan"], &["check", "--db", db]] {
        let run = |paths: &[&str]| {
            let mut args = command.to_vec();
            args.extend_from_slice(paths);
            let out = karta(&args);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            (out.stdout, out.stderr)
        };
        let positional = run(&[lazo]);
        assert_eq!(positional, run(&["--roadmaps", lazo]), "{command:?}");
        let all = run(&[roadmaps]);
        assert_ne!(positional, all, "{command:?}: one file is not the directory");
    }
}

/// Whether `line` says anything in Cyrillic outside quotes (`…`, «…») — what the user typed
/// and the roadmaps' own words are quoted.
fn cyrillic_outside_quotes(line: &str) -> bool {
    let mut quoted = false;
    let mut guillemets = 0;
    line.chars().any(|c| {
        match c {
            '`' => quoted = !quoted,
            '«' => guillemets += 1,
            '»' => guillemets -= 1,
            _ => {}
        }
        !quoted && guillemets == 0 && ('\u{400}'..='\u{4ff}').contains(&c)
    })
}

/// Every command fails through one printer: `ошибка: …` in Russian, `error: …` in English with
/// nothing Russian but what is quoted, and the exit code of docs/cli.md §4.
#[test]
fn failures_are_told_in_the_chosen_language_with_the_documented_code() {
    let dir = tempfile::tempdir().expect("dir");
    let d = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let (db, bad_toml, missing) = (d("karta.db"), d("karta.toml"), d("missing.csv"));
    std::fs::write(&bad_toml, "[notfy]\nfrom = \"x\"\n").expect("toml");
    let roadmaps = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
    let now = "2023-10-20T10:00:00+10:00";
    let with = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        if !["deadline", "convert", "store", "calendar", "user", "serve"].contains(&args[0]) {
            v.extend(["--roadmaps".into(), roadmaps.into()]);
        }
        v.extend(["--now".into(), now.into()]);
        v
    };
    let cases: Vec<(Vec<String>, i32)> = vec![
        (with(&["check", "nothing/"]), 2),
        (with(&["deadline", "до 17 октября 2023 г.", "--tz", "Mars/Base"]), 2),
        (with(&["plan", "--roadmap", "lazo-2023-2025"]), 1),
        (with(&["plan", "--section", "космос"]), 1),
        (with(&["agenda", "--executor", "uo-lazoo"]), 1),
        (with(&["graph", "nothing/"]), 2),
        (with(&["ics", "--executor", "nobody"]), 1),
        (with(&["done", "nosuch", "--db", &db]), 1),
        (with(&["partial", "nosuch", "--db", &db]), 1),
        (with(&["not-done", "nosuch", "--reason", "x", "--db", &db]), 1),
        (with(&["move", "nosuch", "--to", "2024-01-01", "--reason", "x", "--approved-by", "y", "--db", &db]), 1),
        (with(&["cancel", "nosuch", "--document", "x", "--db", &db]), 1),
        (with(&["accept", "nosuch", "--db", &db]), 1),
        (with(&["reject", "nosuch", "--reason", "x", "--db", &db]), 1),
        (with(&["undo", "99", "--reason", "x", "--db", &db]), 1),
        (with(&["value", "nosuch", "1", "--period", "2024", "--db", &db]), 1),
        (with(&["status", "--roadmap", "lazo", "--db", &db]), 1),
        (with(&["history", "nosuch", "--db", &db]), 1),
        (with(&["import", &missing, "--db", &db]), 2),
        (with(&["form", "--executor", "nobody", "--db", &db]), 1),
        (with(&["render", "roadmap", "--roadmap", "lazo-2023-2042", "--db", &db]), 1),
        (with(&["convert", "missing.docx"]), 2),
        (with(&["remind", "--config", &bad_toml, "--db", &db]), 1),
        (with(&["outbox", "--state", "lost", "--db", &db]), 2),
        (with(&["calendar", "show", "3000"]), 2),
        (with(&["user", "add", "ivanova", "--name", "Иванова", "--role", "author", "--db", &db]), 2),
        (with(&["export", "--db", "/nonexistent/dir/karta.db"]), 2),
        (with(&["store", "copy", "--from", "/nonexistent.db", "--to", &db]), 2),
        (with(&["serve", "--listen", "256.0.0.1:1", "--db", &db, "--roadmaps", roadmaps]), 2),
    ];
    for (args, code) in &cases {
        for (lang, prefix) in [("ru", "ошибка: "), ("en", "error: ")] {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend(["--lang", lang]);
            let out = karta(&all);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(*code), "karta {}: {err}", all.join(" "));
            let said = err.lines().find(|l| l.starts_with(prefix));
            said.unwrap_or_else(|| panic!("karta {}: no `{prefix}` line in\n{err}", all.join(" ")));
            if lang == "en" {
                let tail: Vec<&str> = err.lines().skip_while(|l| !l.starts_with(prefix)).collect();
                for line in tail {
                    assert!(!cyrillic_outside_quotes(line), "karta {}: Russian in English: {line}", all.join(" "));
                }
            }
        }
    }
}

/// `--lang en` is honoured by the commands' own output, not only by their errors.
#[test]
fn outputs_are_in_the_chosen_language() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("karta.db");
    let db = db.to_str().expect("utf-8");
    let roadmaps = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
    let now = "2023-10-16T10:00:00+10:00";
    let cases: &[(&[&str], &str, &str)] = &[
        (&["status", "--roadmap", "lazo-2023-2024", "--db", db], "State on 16 October 2023", "Состояние на"),
        (&["agenda", "--executor", "uo-lazo", "--days", "3"], "Agenda for 3 days from 16 October 2023", "Повестка"),
        (&["plan", "--roadmap", "lazo-2023-2024"], "total: ", "итого"),
        (&["remind", "--dry-run", "--db", db], "reminder: due in", "напоминание"),
        (
            &["done", "lazo-2023-2024/org-1", "--on", "2023-10-16", "--by", "I", "--db", db],
            "recorded: event 1 — done",
            "записано",
        ),
        (&["history", "lazo-2023-2024/org-1", "--db", db], "done lazo-2023-2024/org-1", "выполнено"),
        (&["outbox", "--db", db], "no notices", "уведомлений нет"),
    ];
    for (args, english, russian) in cases {
        let mut all = args.to_vec();
        all.extend(["--roadmaps", roadmaps, "--now", now, "--lang", "en"]);
        let out = karta(&all);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{all:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains(english), "{all:?}: `{english}` in\n{text}");
        assert!(!text.contains(russian), "{all:?}: `{russian}` in\n{text}");
    }
    let calendar = karta(&["calendar", "show", "2026", "--lang", "en"]);
    let text = String::from_utf8_lossy(&calendar.stdout);
    assert!(text.starts_with("Production calendar for 2026"), "{text}");
    assert!(text.contains("January") && !text.contains("январь"), "{text}");
    let deadline =
        karta(&["deadline", "до 17 октября 2023 г.", "--from", "2023-09-01", "--to", "2024-08-31", "--lang", "en"]);
    let text = String::from_utf8_lossy(&deadline.stdout);
    assert!(text.contains("kind: once — a single deadline"), "{text}");
}

/// An unknown `--roadmap` or `--executor` is refused with the nearest id, never an empty answer.
#[test]
fn unknown_ids_are_refused_with_the_nearest_one() {
    let roadmaps = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("karta.db");
    let db = db.to_str().expect("utf-8");
    for args in [
        vec!["plan", roadmaps, "--roadmap", "lazo-2023-2025"],
        vec!["status", "--roadmaps", roadmaps, "--db", db, "--roadmap", "lazo-2023-2025"],
    ] {
        let out = karta(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("неизвестная дорожная карта `lazo-2023-2025` — возможно, `lazo-2023-2024`"), "{err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing printed as if it were an answer");
    }
    let out = karta(&["plan", roadmaps, "--executor", "mo-amursk"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("возможно, `mo-amursky`"));
}
