//! Splits a deadline phrase into tokens, remembering where each starts in the phrase (in
//! characters) so errors can point at the exact part that was not understood.

use super::words::{self, Word};

/// One token of a phrase.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Word(Word),
    /// A word karta does not know.
    Unknown(String),
    /// A run of digits.
    Num(u32, usize),
    /// A number with an ordinal ending: "1-я", "10-го", "3-х".
    NumOrdinal(u32),
    /// `dd.mm` or `dd.mm.yyyy` (also `hh.mm`, told apart by the parser).
    Dotted {
        a: u32,
        b: u32,
        year: Option<(i32, usize)>,
    },
    /// `hh:mm`.
    Clock(u32, u32),
    /// A span adjective: «двухнедельный» (14 days), «6-месячный» (6 months).
    Span {
        days: u32,
        months: u32,
    },
    /// A footnote mark: `*`, `<*>`, `<1>`, `¹`.
    Footnote,
    /// A blank of a form where a number should be: «20__», «20ХХ», «___».
    Placeholder,
    Dash,
    Comma,
    Slash,
    Colon,
    Paren,
    Other(char),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// A letter: Russian and Latin on a fast path, everything else by Unicode's table.
fn is_letter(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'a'..='z' | 'A'..='Z') || (!c.is_ascii() && c.is_alphabetic())
}

/// Lowercase, with Russian capitals on a fast path.
fn push_lower(word: &mut String, c: char) {
    match c {
        'А'..='Я' => word.push(char::from_u32(c as u32 + 32).unwrap_or(c)),
        'а'..='я' | 'a'..='z' => word.push(c),
        _ => word.extend(c.to_lowercase()),
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‑' | '−' | '‐')
}

/// Tokenizes a phrase. Never fails: what it cannot classify becomes `Unknown` or `Other`.
pub fn lex(phrase: &str) -> Vec<Token> {
    let chars: Vec<char> = phrase.chars().map(|c| if c == 'ё' || c == 'Ё' { 'е' } else { c }).collect();
    let mut out = Vec::with_capacity(8);
    let mut word = String::with_capacity(32);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() || c == '.' || c == '«' || c == '»' || c == '"' {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let (n, len) = digits(&chars, &mut i);
            let tok = if placeholder(&chars, &mut i) { Tok::Placeholder } else { number_tail(&chars, &mut i, n, len) };
            out.push(Token { tok, start, end: i });
            continue;
        }
        if c == '_' {
            while i < chars.len() && chars[i] == '_' {
                i += 1;
            }
            out.push(Token { tok: Tok::Placeholder, start, end: i });
            continue;
        }
        if let Some(end) = footnote(&chars, i) {
            i = end;
            out.push(Token { tok: Tok::Footnote, start, end: i });
            continue;
        }
        if is_letter(c) {
            while i < chars.len() && is_letter(chars[i]) {
                i += 1;
            }
            word.clear();
            chars[start..i].iter().for_each(|c| push_lower(&mut word, *c));
            let tok = words::exact(&word)
                .map(Tok::Word)
                .or_else(|| words::span(&word, None).map(|(days, months)| Tok::Span { days, months }))
                .or_else(|| words::tolerant(&word).map(Tok::Word))
                .unwrap_or_else(|| Tok::Unknown(word.clone()));
            out.push(Token { tok, start, end: i });
            continue;
        }
        i += 1;
        let tok = match c {
            c if is_dash(c) => Tok::Dash,
            ',' | ';' => Tok::Comma,
            '/' | '\\' => Tok::Slash,
            ':' => Tok::Colon,
            '(' | ')' | '[' | ']' => Tok::Paren,
            other => Tok::Other(other),
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

/// `*`, `**`, `<*>`, `<1>`, `¹`: where a footnote mark ending at `i` ends.
fn footnote(chars: &[char], i: usize) -> Option<usize> {
    match chars[i] {
        '*' => Some(i + chars[i..].iter().take_while(|c| **c == '*').count()),
        '¹' | '²' | '³' => Some(i + 1),
        '<' => {
            let inner = chars[i + 1..].iter().take(5).take_while(|c| **c == '*' || c.is_ascii_digit()).count();
            (inner > 0 && chars.get(i + 1 + inner) == Some(&'>')).then_some(i + inner + 2)
        }
        _ => None,
    }
}

/// After digits: the blank of a form («20__», «20ХХ»), consumed.
fn placeholder(chars: &[char], i: &mut usize) -> bool {
    let blank = |c: &char| matches!(c, '_' | 'х' | 'Х' | 'x' | 'X');
    let n = chars[*i..].iter().take_while(|c| blank(c)).count();
    let word_goes_on = chars.get(*i + n).is_some_and(|c| is_letter(*c));
    if n == 0 || word_goes_on || (chars[*i] != '_' && n < 2) {
        return false;
    }
    *i += n;
    true
}

fn digits(chars: &[char], i: &mut usize) -> (u32, usize) {
    let start = *i;
    let mut n: u32 = 0;
    while *i < chars.len() && chars[*i].is_ascii_digit() {
        n = n.saturating_mul(10).saturating_add(chars[*i].to_digit(10).unwrap_or(0));
        *i += 1;
    }
    (n, *i - start)
}

/// What follows a number: `.mm[.yyyy]`, `:mm`, an ordinal ending, or nothing.
fn number_tail(chars: &[char], i: &mut usize, n: u32, len: usize) -> Tok {
    let at = |k: usize| chars.get(k).copied();
    match at(*i) {
        Some('.') if at(*i + 1).is_some_and(|c| c.is_ascii_digit()) => {
            *i += 1;
            let (b, _) = digits(chars, i);
            let mut year = None;
            if at(*i) == Some('.') && at(*i + 1).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
                let (y, ylen) = digits(chars, i);
                year = Some((i32::try_from(y).unwrap_or(i32::MAX), ylen));
            }
            Tok::Dotted { a: n, b, year }
        }
        Some(':') if at(*i + 1).is_some_and(|c| c.is_ascii_digit()) => {
            *i += 1;
            let (m, _) = digits(chars, i);
            Tok::Clock(n, m)
        }
        Some(c) if super::lexer::is_dash(c) && at(*i + 1).is_some_and(|c| c.is_alphabetic()) => {
            let mut j = *i + 1;
            while j < chars.len() && chars[j].is_alphabetic() {
                j += 1;
            }
            let suffix: String = chars[*i + 1..j].iter().flat_map(|c| c.to_lowercase()).collect();
            if matches!(
                suffix.as_str(),
                "я" | "й" | "ая" | "ой" | "го" | "х" | "ый" | "е" | "ое" | "ого" | "ий" | "ти" | "ми" | "ех"
            ) {
                *i = j;
                Tok::NumOrdinal(n)
            } else if let Some((days, months)) = super::words::span(&suffix, Some(n)) {
                *i = j;
                Tok::Span { days, months }
            } else {
                Tok::Num(n, len)
            }
        }
        _ => Tok::Num(n, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::words::Kw;

    #[test]
    fn tokens_and_offsets() {
        let toks = lex("до 17 октября 2023 г.");
        let kinds: Vec<&Tok> = toks.iter().map(|t| &t.tok).collect();
        assert_eq!(
            kinds,
            vec![
                &Tok::Word(Word::Kw(Kw::Do)),
                &Tok::Num(17, 2),
                &Tok::Word(Word::Month(10)),
                &Tok::Num(2023, 4),
                &Tok::Word(Word::Kw(Kw::YearWord))
            ]
        );
        assert_eq!((toks[2].start, toks[2].end), (6, 13));
        let toks = lex("20.02-26.02");
        assert_eq!(toks[0].tok, Tok::Dotted { a: 20, b: 2, year: None });
        assert_eq!(toks[1].tok, Tok::Dash);
        assert_eq!(lex("1-я неделя")[0].tok, Tok::NumOrdinal(1));
        assert_eq!(lex("18:00")[0].tok, Tok::Clock(18, 0));
    }
}
