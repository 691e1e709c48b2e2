//! The dates in a reply: the day something was done («исполнено 14.03», «5 марта 2027 г.»),
//! its year taken from the notice's day when left out, and the new deadline a move asks for,
//! read by karta's own deadline reader so that any phrase a roadmap may hold is understood.
//! A date that does not exist is refused, never moved to the nearest real one.

use chrono::{Datelike, NaiveDate};

use super::reply::Unclear;
use crate::deadline::{self, Spec};
use crate::model::Period;
use crate::track::answer::fold;

/// The new deadline after a move's verb: skips «срок исполнения», then reads the longest run of
/// words that karta's deadline reader takes as one date after «до» or «на». The date, and the
/// text after it.
pub(super) fn new_date(text: &str, period: Period) -> Option<(NaiveDate, &str)> {
    let words: Vec<(usize, usize)> = text
        .split_whitespace()
        .map(|w| {
            let start = w.as_ptr() as usize - text.as_ptr() as usize;
            (start, start + w.len())
        })
        .collect();
    let lower = |i: usize| text[words[i].0..words[i].1].chars().map(fold).collect::<String>();
    let first = (0..words.len().min(5)).find(|&i| matches!(lower(i).as_str(), "до" | "на" | "по")).map_or(0, |i| i + 1);
    for end in (first + 1..=words.len().min(first + 8)).rev() {
        let phrase = &text[words[first].0..words[end - 1].1];
        for candidate in [phrase, phrase.trim_end_matches([',', ';', ':', '.', '!', ')'])] {
            let date = match deadline::read(&format!("до {candidate}"), period) {
                Ok(Spec::Once { date, .. }) => Some(date),
                Ok(Spec::Window { to, .. }) => Some(to),
                _ => None,
            };
            if let Some(date) = date {
                return Some((date, &text[words[end - 1].1..]));
            }
        }
    }
    None
}

/// A date right at the start of `text` (after spaces and commas): «14.03», «14 марта 2027 г.».
pub(super) fn leading_date(text: &str, sent: NaiveDate) -> Result<Option<(NaiveDate, &str)>, Unclear> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    match date_at(trimmed, sent)? {
        Some((date, used)) => Ok(Some((date, &trimmed[used..]))),
        None => Ok(None),
    }
}

/// The first date anywhere in `text`.
pub(super) fn date_in(text: &str, sent: NaiveDate) -> Result<Option<NaiveDate>, Unclear> {
    let mut previous = ' ';
    for (pos, c) in text.char_indices() {
        let starts = c.is_ascii_digit() && !previous.is_ascii_digit() && previous != '.';
        previous = c;
        if starts && let Some((date, _)) = date_at(&text[pos..], sent)? {
            return Ok(Some(date));
        }
    }
    Ok(None)
}

/// A date at the very start of `text` and its bytes: «14.03», «14.03.2027», «14.03.27»,
/// «14 марта», «14 марта 2027 г.». Without a year, the year that puts it nearest to `sent`.
fn date_at(text: &str, sent: NaiveDate) -> Result<Option<(NaiveDate, usize)>, Unclear> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let d = digits(text);
    if !(1..=2).contains(&d) {
        return Ok(None);
    }
    let day: u32 = text[..d].parse().unwrap_or(0);
    let (month, mut used) = if let Some(rest) = text[d..].strip_prefix('.') {
        let m = digits(rest);
        if !(1..=2).contains(&m) {
            return Ok(None);
        }
        (rest[..m].parse().unwrap_or(0), d + 1 + m)
    } else {
        let rest = text[d..].trim_start();
        let lower: String = rest.chars().take(9).map(fold).collect();
        let Some(m) = (1..=12).find(|&m| lower.starts_with(crate::ru::month_genitive(m))) else { return Ok(None) };
        let word = crate::ru::month_genitive(m);
        let consumed = rest.char_indices().nth(word.chars().count()).map_or(rest.len(), |(i, _)| i);
        (m, text.len() - rest.len() + consumed)
    };
    let mut year = None;
    let after = &text[used..];
    if let Some(rest) = after.strip_prefix('.') {
        let y = digits(rest);
        if y == 2 || y == 4 {
            let value: i32 = rest[..y].parse().unwrap_or(0);
            year = Some(if y == 2 { 2000 + value } else { value });
            used += 1 + y;
        }
    } else if text[..used].ends_with(char::is_alphabetic) {
        let rest = after.trim_start();
        let y = digits(rest);
        if y == 4 {
            year = rest[..4].parse().ok();
            used += after.len() - rest.len() + 4;
        }
    }
    if year.is_some() {
        used += year_word(&text[used..]);
    }
    if text[used..].starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    let shown = text[..used].to_string();
    let date = match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
        None => [sent.year() - 1, sent.year(), sent.year() + 1]
            .iter()
            .filter_map(|&y| NaiveDate::from_ymd_opt(y, month, day))
            .min_by_key(|d| (*d - sent).num_days().abs()),
    };
    date.map(|d| Some((d, used))).ok_or(Unclear::BadDate { text: shown })
}

/// The bytes of «г.», «г» or «года» after a year, with or without a space before.
fn year_word(tail: &str) -> usize {
    let lower: String = tail.chars().take(6).map(fold).collect();
    let Some(word) = [" года", "года", " г.", "г.", " г", "г"].iter().find(|w| lower.starts_with(**w))
    else {
        return 0;
    };
    let chars = word.chars().count();
    let end = tail.char_indices().nth(chars).map_or(tail.len(), |(i, _)| i);
    let whole = word.ends_with('.') || !tail[end..].starts_with(char::is_alphabetic);
    if whole { end } else { 0 }
}
