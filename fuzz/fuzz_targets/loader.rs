//! The loader: `karta::load::load_str` on arbitrary text (the input's bytes, lossily as
//! UTF-8) with the default budget. The same property as `tests/fuzz_loader.rs`, under
//! coverage guidance: nothing panics, and every diagnostic points inside the file (line
//! 1..=lines+1, column 1..=the line's length+1 in characters).
//! Lines are counted as YAML breaks them: at LF, CRLF and a lone CR (the bug of
//! `fuzz/regressions/loader/lone-cr-line-past-end`, fixed in `karta::load`).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let outcome = karta::load::load_str(Path::new("fuzz.yaml"), text.clone(), karta::load::Budget::default());
    let broken = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = broken.lines().collect();
    let count = lines.len().max(1);
    for d in &outcome.diagnostics {
        assert!(
            d.span.line >= 1 && d.span.line <= count + 1,
            "line {} of {count}: {:?}",
            d.span.line,
            d.message
        );
        assert!(d.span.col >= 1, "column {} on line {}: {:?}", d.span.col, d.span.line, d.message);
        if let Some(line) = lines.get(d.span.line - 1) {
            let width = line.chars().count();
            assert!(
                d.span.col <= width + 1,
                "column {} past the end of line {} ({width} characters): {:?}",
                d.span.col,
                d.span.line,
                d.message
            );
        }
    }
    std::hint::black_box(&outcome.loaded);
});
