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
            let tok = number_tail(&chars, &mut i, n, len);
            out.push(Token { tok, start, end: i });
            continue;
        }
        if is_letter(c) {
            while i < chars.len() && is_letter(chars[i]) {
                i += 1;
            }
            word.clear();
            chars[start..i].iter().for_each(|c| push_lower(&mut word, *c));
            let tok = words::exact(&word)
                .or_else(|| words::tolerant(&word))
                .map_or_else(|| Tok::Unknown(word.clone()), Tok::Word);
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
