//! XLSX reading: `karta::convert::read::read_bytes("xlsx", data)` on arbitrary bytes (zip,
//! then the workbook's XML through calamine). Checks: nothing panics, no runaway memory or
//! time (libFuzzer's -rss_limit_mb and -timeout), and every cell spans at least one column
//! (merged regions span several).
#![no_main]

use karta::convert::read::{Block, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = read_bytes("xlsx", data) {
        for block in &source.blocks {
            if let Block::Table(rows) = block {
                for cell in rows.iter().flatten() {
                    assert!(cell.span >= 1, "a cell spanning {} columns", cell.span);
                }
            }
        }
    }
});
