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

/// A month's name in the nominative: «январь» for 1.
pub fn month_name(month: u32) -> &'static str {
    NOMINATIVE[(month as usize).clamp(1, 12) - 1]
}

/// A month's name as a date writes it, in the genitive: «января» for 1.
pub fn month_genitive(month: u32) -> &'static str {
    GENITIVE[(month as usize).clamp(1, 12) - 1]
}

/// A month range: "октябрь – ноябрь 2023 г.", "октябрь 2023 г. – март 2024 г.".
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

/// Russian typography for official documents (docs/official-format.md): quotes as «ёлочки»
/// with „лапки“ inside, a dash between spaced words, and non-breaking spaces where a line
/// must not break — "№ 380", "А.Г. Виноградова", "Виноградова А.Г.", "2023 г.", "г. Хабаровск",
/// "55 %".
pub fn typeset(text: &str) -> String {
    const NBSP: char = '\u{a0}';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut depth = 0usize;
    let at_word_start = |i: usize| {
        i == 0 || matches!(chars[i - 1], ' ' | NBSP | '(' | '[' | '\n' | '\t' | '«' | '„' | '"' | '“' | '/' | '–' | '—')
    };
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '«' | '„' => {
                depth += 1;
                out.push(if depth > 1 { '„' } else { '«' });
            }
            '»' => {
                out.push(if depth > 1 { '“' } else { '»' });
                depth = depth.saturating_sub(1);
            }
            '"' | '“' | '”' => {
                let next_is_word = chars
                    .get(i + 1)
                    .is_some_and(|n| !n.is_whitespace() && !matches!(n, '.' | ',' | ';' | ':' | ')' | '!' | '?'));
                if at_word_start(i) && next_is_word {
                    depth += 1;
                    out.push(if depth > 1 { '„' } else { '«' });
                } else if depth > 0 {
                    out.push(if depth > 1 { '“' } else { '»' });
                    depth -= 1;
                } else {
                    out.push(c);
                }
            }
            // "10-32/419", "2023-2024": a hyphen that does not break the number.
            '-' if i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                out.push('\u{2011}')
            }
            '-' if i > 0 && chars[i - 1] == ' ' && chars.get(i + 1) == Some(&' ') => {
                // "слово - слово": a dash, bound to the word before it.
                out.pop();
                out.push(NBSP);
                out.push('–');
            }
            ' ' => {
                let prev = out.trim_end_matches(' ');
                let next: String = chars[i + 1..].iter().take_while(|c| !c.is_whitespace()).collect();
                let last: String = prev
                    .chars()
                    .rev()
                    .take_while(|c| !c.is_whitespace() && *c != NBSP)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let bind = last == "№"
                    || is_initials(&last) && next.chars().next().is_some_and(char::is_uppercase)
                    || is_initials(next.trim_end_matches([',', ';', ')']))
                        && last.chars().next().is_some_and(char::is_uppercase)
                        && last.chars().count() > 2
                        && !followed_by_name(&chars[i + 1..])
                    || last.ends_with(|c: char| c.is_ascii_digit())
                        && matches!(next.as_str(), "г." | "гг." | "г.," | "г.;" | "г.)" | "%" | "л." | "экз." | "чел.")
                    || matches!(last.as_str(), "г." | "ул." | "д." | "с." | "п." | "им." | "№№")
                        && next.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
                out.push(if bind { NBSP } else { ' ' });
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether the initials that open `rest` are followed by a surname ("А.Г. Виноградовой").
fn followed_by_name(rest: &[char]) -> bool {
    let rest: String = rest.iter().collect();
    let mut words = rest.split_whitespace();
    words.next();
    words.next().and_then(|w| w.chars().next()).is_some_and(char::is_uppercase)
}

/// "А.Г.", "А.": initials.
fn is_initials(word: &str) -> bool {
    let parts: Vec<&str> = word.split_inclusive('.').collect();
    !parts.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|p| {
            let mut cs = p.chars();
            matches!((cs.next(), cs.next(), cs.next()), (Some(l), Some('.'), None) if l.is_uppercase())
        })
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

    #[test]
    fn typesetting() {
        let nb = |s: &str| s.replace('~', "\u{a0}");
        assert_eq!(typeset(r#"проект "Школа Минпросвещения России""#), "проект «Школа Минпросвещения России»");
        assert_eq!(
            typeset("по теме: «Достижение качества: проект «Школа Минпросвещения России»»"),
            "по теме: «Достижение качества: проект „Школа Минпросвещения России“»"
        );
        assert_eq!(typeset(r#"МБУ "ИМЦ" и "Школа "Успех"""#), "МБУ «ИМЦ» и «Школа „Успех“»");
        assert_eq!(typeset("приказ от 02.10.2023 № 380"), nb("приказ от 02.10.2023 №~380"));
        assert_eq!(typeset("Начальнику А.Г. Виноградовой"), nb("Начальнику А.Г.~Виноградовой"));
        assert_eq!(typeset("Черепанова Д.Г., заместителя"), nb("Черепанова~Д.Г., заместителя"));
        assert_eq!(typeset("до 15 июня 2021 г. в г. Хабаровск"), nb("до 15 июня 2021~г. в г.~Хабаровск"));
        assert_eq!(typeset("модель - эффективна"), nb("модель~– эффективна"));
        assert_eq!(typeset("2023-2024 уч. г."), "2023\u{2011}2024 уч. г.");
        // Inches and stray marks stay as they are.
        assert_eq!(typeset(r#"экран 15" и 17""#), r#"экран 15" и 17""#);
    }
}
