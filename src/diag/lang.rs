//! The two languages of karta's messages and the Russian plural rule for numerals.

use chrono::{Datelike, NaiveDate};

/// The language a user reads messages in. Russian unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The language a `LANG`-style locale string asks for: English for `en*`, Russian otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Ru }
    }

    /// One of two words.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// A date in words: "17 октября 2023 г.", "17 October 2023" (non-breaking spaces).
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Ru => crate::ru::date_words(d),
            Lang::En => format!("{}\u{a0}{}\u{a0}{}", d.day(), MONTHS_EN[d.month0() as usize], d.year()),
        }
    }

    /// A day with its weekday: "вт, 17 октября 2023 г.", "Tue, 17 October 2023".
    pub fn day_heading(self, d: NaiveDate) -> String {
        match self {
            Lang::Ru => crate::ru::day_heading(d),
            Lang::En => format!("{}, {}", d.format("%a"), self.date(d)),
        }
    }

    /// A month's name: «январь», "January".
    pub fn month(self, month: u32) -> &'static str {
        match self {
            Lang::Ru => crate::ru::month_name(month),
            Lang::En => MONTHS_EN[(month as usize).clamp(1, 12) - 1],
        }
    }

    /// A weekday's name: «понедельник», "Monday".
    pub fn weekday(self, d: NaiveDate) -> &'static str {
        const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        const RU: [&str; 7] = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"];
        let i = d.weekday().num_days_from_monday() as usize;
        self.pick(RU[i], EN[i])
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Formats text in the language asked for, only that one: `say!(lang, "{} дн.", n; "{} days", n)`.
#[macro_export]
macro_rules! say {
    ($lang:expr, $ru:literal $(, $rarg:expr)* ; $en:literal $(, $earg:expr)* $(,)?) => {
        match $lang {
            $crate::diag::Lang::Ru => format!($ru $(, $rarg)*),
            $crate::diag::Lang::En => format!($en $(, $earg)*),
        }
    };
}

/// The Russian form of a noun after the numeral `n`: `plural(n, ["файл", "файла", "файлов"])`
/// gives 1 файл, 2 файла, 5 файлов, 11 файлов, 21 файл, 22 файла.
pub fn plural(n: u64, forms: [&str; 3]) -> &str {
    let (tens, ones) = (n % 100, n % 10);
    if (11..=14).contains(&tens) {
        forms[2]
    } else if ones == 1 {
        forms[0]
    } else if (2..=4).contains(&ones) {
        forms[1]
    } else {
        forms[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let forms = ["день", "дня", "дней"];
        let cases = [
            (0, "дней"),
            (1, "день"),
            (2, "дня"),
            (4, "дня"),
            (5, "дней"),
            (11, "дней"),
            (12, "дней"),
            (14, "дней"),
            (21, "день"),
            (22, "дня"),
            (25, "дней"),
            (101, "день"),
            (111, "дней"),
        ];
        for (n, want) in cases {
            assert_eq!(plural(n, forms), want, "{n}");
        }
    }

    #[test]
    fn locale() {
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("ru_RU.UTF-8"), Lang::Ru);
        assert_eq!(Lang::from_locale("C"), Lang::Ru);
    }
}
