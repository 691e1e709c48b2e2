//! Bounded fuzzing of the loader and checker through proptest (run in CI): arbitrary text and
//! YAML-shaped token soup never panic, and every diagnostic points inside the file.

use std::path::Path;

use proptest::prelude::*;

fn assert_located(text: &str) {
    let outcome = karta::load::load_str(Path::new("fuzz.yaml"), text.to_string(), karta::load::Budget::default());
    // Lines as the YAML parser breaks them: at LF, CRLF and a lone CR.
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").lines().count().max(1);
    for d in &outcome.diagnostics {
        assert!(d.span.line >= 1 && d.span.line <= lines + 1, "line {} of {lines}: {:?}", d.span.line, d.message);
        assert!(d.span.col >= 1, "column {}", d.span.col);
    }
}

fn token() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("kind: roadmap\n"),
        Just("id: x\n"),
        Just("title: T\n"),
        Just("period: {from: 2023-09-01, to: 2024-08-31}\n"),
        Just("timezone: Asia/Vladivostok\n"),
        Just("sections:\n"),
        Just("  - title: S\n"),
        Just("    activities:\n"),
        Just("      - id: a-1\n"),
        Just("        due: до 17 октября 2023 г.\n"),
        Just("        after: [a-1]\n"),
        Just("executors: {uo: {name: УО}}\n"),
        Just("&a [*a]\n"),
        Just("*b\n"),
        Just("- "),
        Just(": "),
        Just("\t"),
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just("'"),
        Just("\""),
        Just("#"),
        Just("---\n"),
        Just("? "),
        Just("!!str "),
        Just("|\n"),
        Just("  "),
        Just("\n"),
        Just("0,98"),
        Just("ё"),
        Just("\u{feff}"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        assert_located(&text);
    }

    #[test]
    fn yaml_shaped_soup_never_panics(tokens in proptest::collection::vec(token(), 0..40)) {
        assert_located(&tokens.concat());
    }

    #[test]
    fn checking_soup_never_panics(tokens in proptest::collection::vec(token(), 0..40)) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.yaml");
        std::fs::write(&path, tokens.concat()).expect("write");
        let _ = karta::check::check_files(&[path], karta::calendar::Calendar::russia());
    }
}

/// Found by fuzzing (fuzz/regressions/loader/lone-cr-line-past-end): a lone CR breaks a line for
/// the YAML parser, so it must for positions too.
#[test]
fn a_lone_cr_is_a_line_break_for_positions() {
    for text in ["\r\r.", "kind: roadmap\rid: x\r\ttitle: T\r", "a: 1\r\nb: [\r"] {
        assert_located(text);
        let outcome = karta::load::load_str(Path::new("cr.yaml"), text.to_string(), karta::load::Budget::default());
        assert!(!outcome.diagnostics.is_empty(), "{text:?} is not a roadmap");
    }
    // The caret stands under the text the diagnostic is about.
    let outcome = karta::load::load_str(Path::new("cr.yaml"), "\r\r.".to_string(), karta::load::Budget::default());
    let shown = karta::diag::Renderer::new(karta::diag::Lang::Ru).human(&outcome.diagnostics[0]);
    assert!(shown.contains("3 | .\n"), "{shown}");
    // A file with lone CRs reads exactly as its twin with LFs.
    let render = |text: &str| {
        let outcome = karta::load::load_str(Path::new("cr.yaml"), text.to_string(), karta::load::Budget::default());
        let renderer = karta::diag::Renderer::new(karta::diag::Lang::Ru);
        outcome.diagnostics.iter().map(|d| renderer.human(d)).collect::<Vec<_>>()
    };
    assert_eq!(render("kind: roadmap\rid: x\r\ttitle: T\r"), render("kind: roadmap\nid: x\n\ttitle: T\n"));
}
