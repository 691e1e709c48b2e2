//! Russian wording of dates and numbers for what users read: "17 октября 2023 г.",
//! "вт, 17 октября 2023 г.", "17.10.2023".

use chrono::{Datelike, NaiveDate};

const GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const WEEKDAY_SHORT: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];

/// "17 октября 2023 г." (no leading zero; non-breaking spaces keep it on one line).
pub fn date_words(d: NaiveDate) -> String {
    format!("{}\u{a0}{}\u{a0}{}\u{a0}г.", d.day(), GENITIVE[d.month0() as usize], d.year())
}

/// "вт, 17 октября 2023 г."
pub fn day_heading(d: NaiveDate) -> String {
    format!("{}, {}", WEEKDAY_SHORT[d.weekday().num_days_from_monday() as usize], date_words(d))
}

/// "17.10.2023"
pub fn date_digits(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording() {
        let d = NaiveDate::from_ymd_opt(2023, 10, 17).expect("date");
        assert_eq!(day_heading(d).replace('\u{a0}', " "), "вт, 17 октября 2023 г.");
        assert_eq!(
            date_words(NaiveDate::from_ymd_opt(2024, 3, 2).expect("date")).replace('\u{a0}', " "),
            "2 марта 2024 г."
        );
        assert_eq!(date_digits(NaiveDate::from_ymd_opt(2023, 10, 2).expect("date")), "02.10.2023");
    }
}
