//! Deadline phrases: `karta::deadline::read` on arbitrary text (the input's bytes, lossily as
//! UTF-8), inside the school year 2023-09-01..2024-08-31 and inside a second period chosen by
//! the input's first byte; then the expansion into dated occurrences with the Russian
//! production calendar, the phrase written back, and its reading again.
//!
//! Checks: nothing panics, and a refused phrase's error points inside the phrase
//! (`start <= end <= phrase.chars().count()`).
#![no_main]

use chrono::NaiveDate;
use karta::calendar::Calendar;
use karta::model::{Period, Shift};
use libfuzzer_sys::fuzz_target;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A second period from one byte: the low five bits pick the year (2010–2041), the high
/// three its shape (school year, calendar year, a month, a day, five years, February, a
/// half-year, the turn of a year).
fn period_of(b: u8) -> Period {
    let y = 2010 + i32::from(b & 0x1f);
    let (from, to) = match b >> 5 {
        0 => (date(y, 9, 1), date(y + 1, 8, 31)),
        1 => (date(y, 1, 1), date(y, 12, 31)),
        2 => (date(y, 10, 1), date(y, 10, 31)),
        3 => (date(y, 5, 9), date(y, 5, 9)),
        4 => (date(y, 1, 1), date(y + 4, 12, 31)),
        5 => (date(y, 2, 1), date(y, 3, 1).pred_opt().expect("a day before March")),
        6 => (date(y, 1, 1), date(y, 6, 30)),
        _ => (date(y, 12, 31), date(y + 1, 1, 1)),
    };
    Period { from, to }
}

fn exercise(phrase: &str, period: Period) {
    let calendar = Calendar::russia();
    match karta::deadline::read(phrase, period) {
        Ok(spec) => {
            let _ = spec.validate();
            let _ = spec.kind();
            for shift in [Shift::Next, Shift::Keep] {
                let occurrences = spec.occurrences(period, calendar, shift);
                std::hint::black_box(&occurrences);
            }
            let written = spec.phrase();
            // The phrase karta writes must itself be readable without a panic (not
            // necessarily to the same reading: that is the corpus tests' job).
            if let Err(e) = karta::deadline::read(&written, period) {
                located(&written, &e);
            }
        }
        Err(e) => located(phrase, &e),
    }
}

fn located(phrase: &str, e: &karta::deadline::DeadlineError) {
    let chars = phrase.chars().count();
    assert!(
        e.start <= e.end && e.end <= chars,
        "error span {}..{} outside the phrase of {chars} characters: {phrase:?} ({:?})",
        e.start,
        e.end,
        e.message
    );
}

fuzz_target!(|data: &[u8]| {
    let phrase = String::from_utf8_lossy(data);
    exercise(&phrase, Period { from: date(2023, 9, 1), to: date(2024, 8, 31) });
    if let Some(&first) = data.first() {
        exercise(&phrase, period_of(first));
    }
});
