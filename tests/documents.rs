//! Official documents as a clerk reads them (issue 21), on the DOCX structure: the overdue
//! notice's form by the organisations involved (a letter between two, a докладная записка inside
//! one), the requisites each kind carries from the directory, the visible blank and the located
//! warning where the directory lacks one, typography, the справка's rows adding up, and the
//! appendix's sheet count against LibreOffice's pagination. Expectations come from the roadmap
//! files (read here as YAML), not from karta's own output.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::documents::{W, docx_parts, paragraphs, plain, tables};
use support::{Test, copy_roadmaps};

const NOW: &str = "2024-03-01T12:00:00+10:00";

/// A workspace of its own: the bundled roadmaps copied (so a test may edit them), a store with
/// a few reports.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_roadmaps(dir.path());
        let ws = Workspace { dir };
        ws.karta(&["done", "lazo-2023-2024/org-1", "--on", "2023-10-16", "--now", "2023-10-16T15:00:00+10:00"])
            .succeeds();
        ws.karta(&[
            "not-done",
            "lazo-2023-2024/org-4@2023-11-15",
            "--reason",
            "нет кандидатов на 0,25 ставки",
            "--now",
            "2023-11-16T10:00:00+10:00",
        ])
        .succeeds();
        ws
    }

    fn roadmaps(&self) -> PathBuf {
        self.dir.path().join("roadmaps")
    }

    fn karta(&self, args: &[&str]) -> support::Run {
        Test::new()
            .env("KARTA_ROADMAPS", &self.roadmaps().display().to_string())
            .env("KARTA_DB", &self.dir.path().join("karta.db").display().to_string())
            .args(args.iter().copied())
            .run()
    }

    /// `karta render KIND … --format FORMAT` into a file: its bytes and the warnings printed.
    fn render(&self, kind: &str, format: &str, extra: &[&str]) -> (Vec<u8>, String) {
        let out = self.dir.path().join(format!("{kind}.{format}"));
        let out_arg = out.display().to_string();
        let mut args = vec!["render", kind, "--now", NOW, "--format", format, "-o", &out_arg];
        args.extend_from_slice(extra);
        let run = self.karta(&args);
        run.succeeds();
        (std::fs::read(&out).expect("written"), run.stderr())
    }

    /// A roadmap file as JSON, and the executors it sees (its own and its includes').
    fn roadmap(&self, file: &str) -> (Value, HashMap<String, Value>) {
        let read = |path: &Path| {
            let text = std::fs::read_to_string(path).expect("roadmap file");
            karta::load::json_of(&text).expect("valid YAML")
        };
        let doc = read(&self.roadmaps().join(file));
        let mut executors = HashMap::new();
        for inc in doc["include"].as_array().into_iter().flatten() {
            let dir = read(&self.roadmaps().join(inc.as_str().expect("include path")));
            executors.extend(dir["executors"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
        }
        executors.extend(doc["executors"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
        (doc, executors)
    }
}

/// The organisation an executor id belongs to: itself, or a person's parent.
fn org_of<'a>(executors: &'a HashMap<String, Value>, id: &'a str) -> &'a str {
    match &executors[id] {
        e if e["kind"] == "person" => e["parent"].as_str().expect("a person belongs to an organisation"),
        _ => id,
    }
}

/// The 1-based line of `  id:` in a roadmap file: where a warning must point.
fn line_of(path: &Path, id: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("file");
    text.lines().position(|l| l.trim_start() == format!("{id}:")).expect("declared") + 1
}

#[test]
fn the_overdue_notice_is_a_memo_inside_one_organisation_and_a_letter_between_two() {
    let ws = Workspace::new();
    for (file, id) in [
        ("lazo-2023-2024.yaml", "lazo-2023-2024"),
        ("khabarovsk-model-2023-2024.yaml", "khabarovsk-model-2023-2024"),
        ("amur-school-project-2024.yaml", "amur-school-project-2024"),
    ] {
        let (doc, executors) = ws.roadmap(file);
        let issuer = doc["issuer"].as_str().or(doc["approval"]["issuer"].as_str()).expect("issuer");
        let controller = doc["controller"].as_str().unwrap_or(issuer);
        let memo = org_of(&executors, controller) == org_of(&executors, issuer);
        let (docx, _) = ws.render("overdue-letter", "docx", &["--roadmap", id]);
        let text = paragraphs(&docx);
        let has = |s: &str| text.iter().any(|p| p.contains(s));
        assert_eq!(has("ДОКЛАДНАЯ ЗАПИСКА"), memo, "{id}: the kind of document");
        assert_eq!(has("На № ________ от ________"), !memo, "{id}: only a letter answers an incoming one");
        assert_eq!(has("Докладываю"), memo, "{id}: a memo reports in the first person");
        assert_eq!(has("Просим принять меры"), !memo, "{id}: a letter asks in the plural");
        assert!(
            has(if memo { "к докладной записке от" } else { "к письму от" }),
            "{id}: the appendix says what it belongs to"
        );
        // A title typed in capitals is written in sentence case in running text, the names the
        // roadmap capitalises elsewhere kept («Хабаровского края» from the ministry's name).
        let title = doc["title"].as_str().expect("title");
        if title.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
            let lower = title.to_lowercase();
            let first: String = lower.chars().next().into_iter().flat_map(char::to_uppercase).collect();
            let sentence =
                format!("{first}{}", lower.chars().skip(1).collect::<String>()).replace("хабаровского", "Хабаровского");
            assert!(has(&sentence), "{id}: «{sentence}» in the text");
            assert!(!has(title), "{id}: not in capitals");
        }
        // The addressee is the head of the issuing body, in the dative as the directory gives it
        // (its name on a line of its own), or blank lines to fill in.
        let head = &executors[org_of(&executors, issuer)]["head"];
        match head["addressee"].as_str() {
            Some(dative) => {
                let name: Vec<&str> = dative.split_whitespace().rev().take(2).collect();
                let name = format!("{} {}", name[1], name[0]);
                assert!(text.iter().any(|p| p == &name), "{id}: «{name}» on its own line");
            }
            None => assert!(has("______________________________"), "{id}: a blank addressee"),
        }
        // A letter carries the sender's reference data or blanks for it.
        if !memo {
            let sender = &executors[org_of(&executors, controller)];
            for (field, label) in [("address", ""), ("phone", "Тел. "), ("email", "E-mail: ")] {
                match sender[field].as_str() {
                    Some(value) => assert!(has(&format!("{label}{value}")), "{id}: {field}"),
                    None => assert!(
                        has(&format!("{}____", if label.is_empty() { "Адрес: " } else { label })),
                        "{id}: blank {field}"
                    ),
                }
            }
        }
    }
}

#[test]
fn signatures_use_initials_and_the_position_short_of_the_letterhead() {
    let ws = Workspace::new();
    // The Amur letter's controller is written in full ("Филонова Людмила Витальевна").
    let (doc, executors) = ws.roadmap("amur-school-project-2024.yaml");
    let controller = doc["controller"].as_str().expect("controller");
    let full = executors[controller]["name"].as_str().expect("name");
    let words: Vec<&str> = full.split_whitespace().collect();
    assert_eq!(words.len(), 3, "the fixture is a full name");
    let signed = format!(
        "{}.{}. {}",
        words[1].chars().next().expect("name"),
        words[2].chars().next().expect("patronymic"),
        words[0]
    );
    let (docx, _) = ws.render("overdue-letter", "docx", &["--roadmap", "amur-school-project-2024"]);
    let signature = tables(&docx).into_iter().flatten().find(|row| row.last().is_some_and(|c| c == &signed));
    let row = signature.unwrap_or_else(|| panic!("a signature row ending in «{signed}»"));
    let abbreviation = executors[org_of(&executors, controller)]["abbreviation"].as_str().expect("abbreviation");
    assert!(!row[0].contains(abbreviation), "the position does not repeat the blank's organisation: {}", row[0]);
    assert!(!paragraphs(&docx).iter().any(|p| p.contains(full)), "the full name is not printed");
    // Lazo: the deputy's position loses the full name of his own body.
    let (docx, _) = ws.render("overdue-letter", "docx", &["--roadmap", "lazo-2023-2024"]);
    let rows: Vec<Vec<String>> = tables(&docx).into_iter().flatten().collect();
    let row = rows.iter().find(|r| r.last().is_some_and(|c| c == "Д.Г. Черепанов")).expect("the deputy signs");
    assert_eq!(row[0], "Заместитель начальника Управления образования");
}

#[test]
fn missing_directory_data_leaves_a_blank_and_a_located_warning_until_it_is_added() {
    let ws = Workspace::new();
    let directory = ws.roadmaps().join("khabarovsk-directory.yaml");
    let (docx, warnings) = ws.render("overdue-letter", "docx", &["--roadmap", "khabarovsk-model-2023-2024"]);
    // The ministry controls the model roadmap and has no head, no contact person in the seeds.
    let at = format!("khabarovsk-directory.yaml:{}", line_of(&directory, "minobr-khv"));
    for field in ["`head` (`position`, `name`)", "`contact` (`name`, `phone`)", "`address`, `phone`, `email`"] {
        let line = warnings
            .lines()
            .find(|l| l.contains(field))
            .unwrap_or_else(|| panic!("a warning naming {field}:\n{warnings}"));
        assert!(line.contains(&at) && line.contains("`minobr-khv`"), "located at {at}: {line}");
    }
    assert!(warnings.contains("предупреждение: нет реквизита «подпись»"), "{warnings}");
    blank_mark_and_signature(&docx);

    // Adding what the warnings ask for takes the blanks and the warnings away.
    complete_the_ministry(&directory);
    let (docx, warnings) = ws.render("overdue-letter", "docx", &["--roadmap", "khabarovsk-model-2023-2024"]);
    the_ministry_marks_and_signs(&docx, &warnings);
    assert!(paragraphs(&docx).iter().any(|p| p == "ул. Карла Маркса, д. 56, г. Хабаровск, 680000"), "the address");
}

/// A document of the ministry before its head and contact are in the directory: a blank executor
/// mark and a blank signature.
fn blank_mark_and_signature(docx: &[u8]) {
    let text = paragraphs(docx);
    assert!(text.iter().any(|p| p.starts_with("______________________________,")), "a blank executor mark");
    let rows: Vec<Vec<String>> = tables(docx).into_iter().flatten().collect();
    assert!(
        rows.iter().any(|r| r.len() == 2 && r[0].starts_with("____") && r[1].starts_with("____")),
        "a blank signature"
    );
}

/// The same document once [`complete_the_ministry`] ran: no warning about the ministry, its
/// contact in the executor mark, its head signing with initials.
fn the_ministry_marks_and_signs(docx: &[u8], warnings: &str) {
    assert!(!warnings.contains("`minobr-khv`"), "no warning left about the ministry:\n{warnings}");
    let text = paragraphs(docx);
    assert!(text.iter().any(|p| p == "Петрова Мария Сергеевна, (4212) 00-00-01"), "the executor mark");
    let rows: Vec<Vec<String>> = tables(docx).into_iter().flatten().collect();
    assert!(rows.iter().any(|r| r.last().is_some_and(|c| c == "И.И. Иванов")), "signed with initials");
}

#[test]
fn the_appendix_sheet_count_matches_libreoffice() {
    let ws = Workspace::new();
    let (pdf, _) = ws.render("overdue-letter", "pdf", &[]);
    let (json, _) = ws.render("overdue-letter", "json", &[]);
    let data: Value = serde_json::from_slice(&json).expect("json");
    let claimed: Vec<u64> =
        data["letters"].as_array().expect("letters").iter().map(|l| l["sheets"].as_u64().expect("sheets")).collect();
    let path = ws.dir.path().join("overdue-letter.pdf");
    std::fs::write(&path, &pdf).expect("pdf");
    // Each notice is one page, its appendix starts on the next page and runs to the next notice.
    let pages = |from: u32, to: u32| -> String {
        let out = Command::new("pdftotext")
            .args(["-f", &from.to_string(), "-l", &to.to_string()])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let total = pages(1, 10_000).matches('\u{c}').count() as u32;
    let starts: Vec<u32> = (1..=total).filter(|p| pages(*p, *p).contains("Приложение: перечень")).collect();
    assert_eq!(starts.len(), claimed.len(), "one notice per roadmap with overdue work");
    for (i, start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(total + 1);
        let sheets = u64::from(end - start - 1);
        assert_eq!(claimed[i], sheets, "notice {} says «на {} л.», LibreOffice prints {sheets}", i + 1, claimed[i]);
        assert!(pages(*start, *start).contains(&format!("на {sheets} л. в 1 экз.")), "the attachment mark");
    }
}

#[test]
fn typography_quotes_spaces_hyphenation() {
    let ws = Workspace::new();
    let (docx, _) = ws.render("protocol", "docx", &[]);
    let settings = docx_parts(&docx).remove("word/settings.xml").expect("settings");
    assert!(settings.contains("<w:autoHyphenation/>"), "automatic hyphenation on");
    let xml = docx_parts(&docx).remove("word/document.xml").expect("document");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name((W, "t"))).filter_map(|n| n.text()).collect();
    assert!(!texts.iter().any(|t| t.contains('"')), "no straight quotes");
    assert!(texts.iter().any(|t| t.contains('«')), "«ёлочки»");
    // The protocol's deadlines are normalised: "до 15 июня 2021 г. г." reads once, with the year
    // and "г." bound.
    let (protocol, _) = ws.roadmap("council-protocol-2021-06-03.yaml");
    let typed = serde_json::to_string(&protocol["decisions"]).expect("decisions");
    assert!(typed.contains("г. г."), "the fixture has the doubled «г.»");
    let all = texts.concat();
    assert!(!plain(&all).contains("г. г."), "normalised");
    assert!(all.contains("до 15 июня 2021\u{a0}г."), "bound year");
    // The meeting's mode is part of the title, not its place.
    let mode = protocol["mode"].as_str().expect("mode");
    let text = paragraphs(&docx);
    assert!(text.iter().any(|p| p.starts_with("заседания") && p.ends_with(mode)), "the title says «{mode}»");
    // Verbatim when asked.
    let (docx, _) = ws.render("protocol", "docx", &["--deadlines", "written"]);
    assert!(paragraphs(&docx).iter().any(|p| p.contains("г. г.")), "as typed");
}

#[test]
fn the_status_report_rows_add_up_and_it_compares_with_the_previous_cut_off() {
    let ws = Workspace::new();
    let (docx, _) = ws.render("status", "docx", &["--roadmap", "lazo-2023-2024", "--since", "2023-12-01"]);
    let text = paragraphs(&docx);
    assert!(text.iter().any(|p| p.starts_with("01.03.2024") && p.ends_with("№ ________")), "date and number line");
    let all = tables(&docx);
    let figures: Vec<&Vec<Vec<String>>> = all.iter().filter(|t| t[0].iter().any(|c| c == "Нет отчёта")).collect();
    assert_eq!(figures.len(), 2, "by section and by executor");
    let head = &figures[0][0];
    let col = |name: &str| head.iter().position(|c| c.starts_with(name)).unwrap_or_else(|| panic!("column {name}"));
    let number = |cell: &str| cell.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    for table in &figures {
        for row in table.iter().skip(1) {
            let parts: u64 = ["Выполнено", "В работе", "Срок не наступил", "Нет отчёта", "Не выполнено", "Отменено"]
                .iter()
                .map(|c| number(&row[col(c)]))
                .sum();
            assert_eq!(number(&row[col("Всего")]), parts, "the row adds up: {row:?}");
        }
    }
    // The not-done report is not counted as "no report".
    let sections = figures[0];
    let total = sections.last().expect("total row");
    assert_eq!(number(&total[col("Не выполнено")]), 1, "one reported not done");
    // The previous cut-off is compared, and conclusions and a blank for proposals follow.
    let comparison =
        all.iter().find(|t| t[0].first().is_some_and(|c| c == "Показатель исполнения")).expect("comparison");
    assert_eq!(comparison[0][1], "01.12.2023");
    assert!(text.iter().any(|p| p == "Выводы:") && text.iter().any(|p| p == "Предложения:"));
    assert!(text.iter().any(|p| p.contains("С 1 декабря 2023 г.")), "what changed since the cut-off");
    let zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).expect("a zip");
    assert!(zip.file_names().any(|n| n == "word/media/discipline.png"), "the discipline chart");
}

/// Gives the ministry (`minobr-khv`) the head, contact and letterhead data the seeds lack.
fn complete_the_ministry(directory: &Path) {
    let yaml = std::fs::read_to_string(directory).expect("directory");
    let fixed = yaml.replacen(
        "  minobr-khv:\n",
        "  minobr-khv:\n    address: \"ул. Карла Маркса, д. 56, г. Хабаровск, 680000\"\n    phone: \"(4212) 00-00-00\"\n    email: test@example.ru\n    head:\n      position: \"министр образования и науки Хабаровского края\"\n      name: \"Иванов Иван Иванович\"\n    contact:\n      name: \"Петрова Мария Сергеевна\"\n      phone: \"(4212) 00-00-01\"\n",
        1,
    );
    assert_ne!(yaml, fixed, "the directory names the ministry");
    std::fs::write(directory, fixed).expect("edit");
}

#[test]
fn the_indicators_report_is_dated_numbered_signed_and_marked() {
    let ws = Workspace::new();
    let directory = ws.roadmaps().join("khabarovsk-directory.yaml");
    let args = ["--roadmap", "khabarovsk-model-2023-2024"];
    let (docx, warnings) = ws.render("indicators", "docx", &args);
    let text = paragraphs(&docx);
    assert!(text.iter().any(|p| p.starts_with("01.03.2024") && p.ends_with("№ ________")), "date and number line");
    // The ministry controls the roadmap and has neither head nor contact: blanks and warnings.
    let at = format!("khabarovsk-directory.yaml:{}", line_of(&directory, "minobr-khv"));
    for field in ["`head` (`position`, `name`)", "`contact` (`name`, `phone`)"] {
        let line = warnings.lines().find(|l| l.contains(field)).unwrap_or_else(|| panic!("{field}:\n{warnings}"));
        assert!(line.contains(&at), "located at {at}: {line}");
    }
    blank_mark_and_signature(&docx);

    complete_the_ministry(&directory);
    let (docx, warnings) = ws.render("indicators", "docx", &args);
    the_ministry_marks_and_signs(&docx, &warnings);
}
