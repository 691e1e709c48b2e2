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

/// A number with a decimal comma and at most two decimals, groups of thousands split by a
/// non-breaking space from five digits on: "0,25", "5,74", "1250", "12 500".
pub fn decimal(x: f64) -> String {
    let fixed = format!("{:.2}", (x * 100.0).round() / 100.0);
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let grouped = if digits.len() > 4 {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push('\u{a0}');
            }
            out.push(c);
        }
        out
    } else {
        digits.to_string()
    };
    let sign = if grouped.chars().all(|c| c == '0') && frac.is_empty() { "" } else { sign };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
}

/// A share (0..1) as a percentage: "55 %" (non-breaking space), one decimal when not whole.
pub fn percent(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    format!("{}\u{a0}%", decimal(p))
}

/// A count with its noun agreeing: "1 мероприятие", "2 мероприятия", "5 мероприятий".
pub fn counted(n: u64, forms: [&str; 3]) -> String {
    format!("{n}\u{a0}{}", crate::diag::plural(n, forms))
}

/// "№ 380" with a non-breaking space.
pub fn number_sign(number: &str) -> String {
    format!("№\u{a0}{number}")
}

/// The school year starting in `year`: "2023/2024 учебный год".
pub fn school_year(year: i32) -> String {
    format!("{}/{} учебный год", year, year + 1)
}

/// A month range: "октябрь – ноябрь 2023 г.", "октябрь 2023 г. – март 2024 г.".
/// A month's name in the nominative: «январь» for 1.
pub fn month_name(month: u32) -> &'static str {
    NOMINATIVE[(month as usize).clamp(1, 12) - 1]
}

pub fn month_range(from: NaiveDate, to: NaiveDate) -> String {
    let name = |d: NaiveDate| NOMINATIVE[d.month0() as usize];
    if (from.year(), from.month()) == (to.year(), to.month()) {
        format!("{}\u{a0}{}\u{a0}г.", name(from), from.year())
    } else if from.year() == to.year() {
        format!("{} – {}\u{a0}{}\u{a0}г.", name(from), name(to), to.year())
    } else {
        format!("{}\u{a0}{}\u{a0}г. – {}\u{a0}{}\u{a0}г.", name(from), from.year(), name(to), to.year())
    }
}

const NOMINATIVE: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

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

    #[test]
    fn numbers() {
        let plain = |s: String| s.replace('\u{a0}', " ");
        assert_eq!(decimal(0.25), "0,25");
        assert_eq!(decimal(5.74), "5,74");
        assert_eq!(decimal(3.0), "3");
        assert_eq!(decimal(2.5), "2,5");
        assert_eq!(decimal(1250.0), "1250");
        assert_eq!(plain(decimal(12500.0)), "12 500");
        assert_eq!(plain(decimal(-1234567.891)), "-1 234 567,89");
        assert_eq!(decimal(-0.001), "0");
        assert_eq!(plain(percent(0.55)), "55 %");
        assert_eq!(plain(percent(2.0 / 3.0)), "66,7 %");
        for (n, want) in [
            (1, "1 мероприятие"),
            (2, "2 мероприятия"),
            (5, "5 мероприятий"),
            (11, "11 мероприятий"),
            (21, "21 мероприятие"),
            (112, "112 мероприятий"),
        ] {
            assert_eq!(plain(counted(n, ["мероприятие", "мероприятия", "мероприятий"])), want);
        }
        for (n, want) in [(21, "21 день"), (22, "22 дня"), (25, "25 дней")] {
            assert_eq!(plain(counted(n, ["день", "дня", "дней"])), want);
        }
        assert_eq!(plain(number_sign("380")), "№ 380");
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("date");
        assert_eq!(plain(month_range(d(2023, 10), d(2023, 11))), "октябрь – ноябрь 2023 г.");
        assert_eq!(plain(month_range(d(2023, 10), d(2024, 3))), "октябрь 2023 г. – март 2024 г.");
        assert_eq!(plain(month_range(d(2023, 10), d(2023, 10))), "октябрь 2023 г.");
        assert_eq!(school_year(2023), "2023/2024 учебный год");
    }
}
