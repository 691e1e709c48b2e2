//! The two languages of karta's messages and the Russian plural rule for numerals.

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
