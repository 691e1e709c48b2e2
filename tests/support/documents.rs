//! What the document tests share: the bundled roadmaps, a scripted season of reports on the Lazo
//! roadmap in a fresh store, `karta render` against both, and the parts of a DOCX.

use std::path::{Path, PathBuf};

use super::{Run, Test};

/// The instant the documents are made at.
pub const NOW: &str = "2024-03-01T12:00:00+10:00";
pub const LAZO: &str = "lazo-2023-2024";
pub const MODEL: &str = "khabarovsk-model-2023-2024";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn roadmaps() -> String {
    repo().join("roadmaps").display().to_string()
}

/// A season of reports on the Lazo roadmap, recorded in a fresh store in `dir`: one activity done
/// on time, one late, one not done with a reason, one deadline moved, one indicator value.
pub fn season(dir: &Path) {
    let db = dir.join("karta.db").display().to_string();
    let run = |args: &[&str], now: &str| {
        Test::new()
            .env("KARTA_ROADMAPS", &roadmaps())
            .env("KARTA_DB", &db)
            .args(args.iter().copied())
            .args(["--now", now])
            .run()
            .succeeds();
    };
    run(
        &["done", &format!("{LAZO}/org-1"), "--on", "2023-10-16", "--by", "Черепанов Д.Г."],
        "2023-10-16T15:00:00+10:00",
    );
    run(
        &["done", &format!("{LAZO}/org-2"), "--on", "2023-10-20", "--by", "Черепанов Д.Г."],
        "2023-10-20T15:00:00+10:00",
    );
    run(
        &["not-done", &format!("{LAZO}/org-4@2023-11-15"), "--reason", "нет кандидатов на 0,25 ставки"],
        "2023-11-16T10:00:00+10:00",
    );
    run(
        &[
            "move",
            &format!("{LAZO}/org-3@2023-10-17"),
            "--to",
            "2023-11-30",
            "--reason",
            "кадровые изменения",
            "--approved-by",
            "А.Г. Виноградова",
        ],
        "2023-10-16T10:00:00+10:00",
    );
    run(&["value", "ege-below-min-math-base", "--period", "2024", "4,1"], "2024-02-20T10:00:00+10:00");
}

/// `karta render …` against the repository's roadmaps and the store in `db_dir`.
pub fn render(db_dir: &Path, args: &[&str]) -> Run {
    Test::new()
        .env("KARTA_ROADMAPS", &roadmaps())
        .env("KARTA_DB", &db_dir.join("karta.db").display().to_string())
        .args(["render"])
        .args(args.iter().copied())
        .run()
}

pub use super::docx_parts;

pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The text of every paragraph of `word/document.xml`, in order, with the non-breaking spaces
/// and hyphens typography puts in read as plain ones.
pub fn paragraphs(docx: &[u8]) -> Vec<String> {
    let xml = super::docx_parts(docx).remove("word/document.xml").expect("document.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(|p| {
            plain(&p.descendants().filter(|n| n.has_tag_name((W, "t"))).filter_map(|n| n.text()).collect::<String>())
        })
        .collect()
}

/// Every table's rows as cell texts.
pub fn tables(docx: &[u8]) -> Vec<Vec<Vec<String>>> {
    let xml = super::docx_parts(docx).remove("word/document.xml").expect("document.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .map(|t| {
            t.children()
                .filter(|r| r.has_tag_name((W, "tr")))
                .map(|r| {
                    r.children()
                        .filter(|c| c.has_tag_name((W, "tc")))
                        .map(|c| {
                            plain(
                                &c.descendants()
                                    .filter(|n| n.has_tag_name((W, "t")))
                                    .filter_map(|n| n.text())
                                    .collect::<String>(),
                            )
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

pub fn plain(text: &str) -> String {
    text.replace('\u{a0}', " ").replace('\u{2011}', "-")
}
