//! DOCX reading: `karta::convert::read::read_bytes("docx", data)` on arbitrary bytes (zip,
//! then XML). Checks: nothing panics, no runaway memory or time (libFuzzer's -rss_limit_mb
//! and -timeout), an empty paragraph is never a block, and every cell spans at least one
//! column (`gridSpan` 0 or huge is clamped).
#![no_main]

use karta::convert::read::{Block, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = read_bytes("docx", data) {
        for block in &source.blocks {
            match block {
                Block::Para(text) => assert!(!text.trim().is_empty(), "an empty paragraph is skipped"),
                Block::Table(rows) => {
                    for cell in rows.iter().flatten() {
                        assert!(cell.span >= 1, "a cell spanning {} columns", cell.span);
                    }
                }
            }
        }
    }
});
