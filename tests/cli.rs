//! The command line's conventions, command by command: each `--format` offers and accepts only
//! what the command writes (a format it does not write is a usage error, exit 2), and the
//! commands that write nothing but text take no `--format` at all.

mod support;

use std::process::Command;

fn karta(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_karta")).args(args).env_remove("KARTA_NOW").output().expect("run karta")
}

/// The values `--help` lists for `--format`, or none when there is no such option.
fn formats(command: &[&str]) -> Option<Vec<String>> {
    let mut args = command.to_vec();
    args.push("-h");
    let help = String::from_utf8_lossy(&karta(&args).stdout).into_owned();
    let line = help.lines().find(|l| l.trim_start().starts_with("--format"))?;
    let values = line.split("[possible values: ").nth(1)?.trim_end_matches(']');
    Some(values.split(", ").map(String::from).collect())
}

#[test]
fn every_command_offers_only_the_formats_it_writes() {
    let table: &[(&[&str], Option<&[&str]>)] = &[
        (&["check"], Some(&["text", "json"])),
        (&["deadline"], Some(&["text", "json", "csv"])),
        (&["plan"], Some(&["text", "json", "csv"])),
        (&["agenda"], Some(&["text", "json"])),
        (&["graph"], Some(&["dot", "mermaid", "json"])),
        (&["status"], Some(&["text", "json", "csv", "xlsx"])),
        (&["history"], Some(&["text", "json"])),
        (&["render"], Some(&["html", "md", "docx", "pdf", "json"])),
        (&["remind"], Some(&["text", "json"])),
        (&["outbox"], Some(&["text", "json", "csv"])),
        (&["calendar"], Some(&["text", "json"])),
        (&["done"], Some(&["text", "json"])),
        (&["undo"], Some(&["text", "json"])),
        (&["value"], Some(&["text", "json"])),
        (&["export"], Some(&["json", "csv"])),
        (&["store"], Some(&["text", "json"])),
        (&["user"], Some(&["text", "json"])),
        (&["serve"], None),
        (&["ics"], None),
        (&["import"], None),
        (&["form"], None),
        (&["convert"], None),
    ];
    for (command, expected) in table {
        let got = formats(command);
        let expected: Option<Vec<String>> = expected.map(|v| v.iter().map(|s| s.to_string()).collect());
        assert_eq!(got, expected, "karta {}", command.join(" "));
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
