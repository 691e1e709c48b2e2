//! Spans of time and what they count from: «в течение 5 рабочих дней после org-3», «в
//! двухнедельный срок», «за 10 дней до начала учебного года», «через 3 дня со дня …»; and the
//! programme's own period («на весь период реализации программы»).

use super::super::DeadlineError;
use super::super::lexer::{Tok, Token};
use super::super::spec::Relative;
use super::super::words::{Kw, Word};
use super::{Parser, Part, is_activity_ref};
use crate::msg;

impl Parser<'_> {
    /// «реализации программы», «проекта»: whose period a continuous deadline covers.
    pub(super) fn programme(&mut self) {
        while self.eat_kw(Kw::PeriodWord) || self.eat_kw(Kw::Programme) {}
    }

    /// Whether the words at the cursor name the period of the programme or project itself.
    pub(super) fn programme_follows(&self) -> bool {
        let mut k = 0;
        while matches!(self.kw_at(k), Some(Kw::PeriodWord)) {
            k += 1;
        }
        self.kw_at(k) == Some(Kw::Programme)
    }

    /// Whether a span of time («5 рабочих дней», «двух недель», «2 месяцев») starts here.
    pub(super) fn span_ahead(&self) -> bool {
        let mut k = 0;
        if matches!(self.peek(), Some(Tok::Num(..) | Tok::NumOrdinal(_) | Tok::Word(Word::Number(_)))) {
            k += 1;
        } else {
            return matches!(self.peek(), Some(Tok::Span { .. })) || self.kw_at(0) == Some(Kw::Day24);
        }
        if matches!(self.kw_at(k), Some(Kw::Working | Kw::Calendar)) {
            k += 1;
        }
        matches!(self.kw_at(k), Some(Kw::Days | Kw::Day24 | Kw::Week | Kw::MonthWord))
            && !matches!(self.kw_at(k + 1), Some(Kw::QuarterWord))
    }

    /// A span of time and what it counts from: «в течение 5 рабочих дней после org-3» (an
    /// activity), «через 3 дня со дня проведения олимпиады» (an event, in words), «за 10 дней до
    /// начала учебного года» (`before`: counted back), «в двухнедельный срок» (the act itself).
    pub(super) fn relative(&mut self, before: bool) -> Result<Part, DeadlineError> {
        let (days, months, working) = self.span()?;
        let mut rule = Relative { days, months, working, after: None, event: None, before: false };
        let anchor_end = match (self.kw_at(0), self.kw_at(1)) {
            (Some(Kw::After), _) => self.toks[self.i].end,
            (Some(Kw::S), Some(Kw::Moment | Kw::Days)) => {
                self.i += 1;
                self.toks[self.i].end
            }
            // «с даты проведения …», «с соответствующей даты …»: the event is what follows «с».
            (Some(Kw::S), _) if self.i + 1 < self.toks.len() => self.toks[self.i].end,
            (Some(Kw::Do), _) => {
                rule.before = true;
                self.toks[self.i].end
            }
            _ if self.i >= self.toks.len() && !before => return Ok(Part::Relative(rule)),
            _ => {
                return Err(self.unexpected().with_hint(msg!(
                    "пишите «в течение 5 рабочих дней после org-3», «за 10 дней до начала учебного года» или «в двухнедельный срок»";
                    "write «в течение 5 рабочих дней после org-3», «за 10 дней до начала учебного года» or «в двухнедельный срок»"
                )));
            }
        };
        let rest: String = self.phrase.chars().map(|c| if c == 'ё' { 'е' } else { c }).skip(anchor_end).collect();
        let target = rest.trim().trim_end_matches(['.', ';', ',']).trim();
        let len = self.phrase.chars().count();
        let start = (anchor_end + (rest.chars().count() - rest.trim_start().chars().count())).min(len);
        self.i = self.toks.len();
        if target.is_empty() {
            return Err(DeadlineError::new(
                start.min(len),
                len,
                msg!("не сказано, от чего отсчитывается срок"; "the phrase does not say what the span counts from"),
            )
            .with_hint(msg!("например: «в течение 5 рабочих дней после org-3»"; "for example: «в течение 5 рабочих дней после org-3»")));
        }
        if !rule.before && is_activity_ref(target) {
            rule.after = Some(target.to_string());
        } else {
            rule.event = Some(target.to_string());
        }
        Ok(Part::Relative(rule))
    }

    /// «5 рабочих дней», «двух недель», «3 месяцев», «двухнедельный срок»: (days, months, working).
    pub(super) fn span(&mut self) -> Result<(u32, u32, bool), DeadlineError> {
        if let Some(Tok::Span { days, months }) = self.peek().cloned() {
            self.i += 1;
            self.eat_kw(Kw::Srok);
            return Ok((days, months, false));
        }
        let n = match self.peek() {
            Some(Tok::Num(n, _) | Tok::NumOrdinal(n) | Tok::Word(Word::Number(n))) => {
                let n = *n;
                self.i += 1;
                n
            }
            // «за день до …», «за неделю до …», «в течение суток»: one.
            Some(Tok::Word(Word::Kw(Kw::Days | Kw::Day24 | Kw::Week | Kw::MonthWord))) => 1,
            _ => return Err(self.unexpected()),
        };
        let working = self.eat_kw(Kw::Working);
        if !working {
            self.eat_kw(Kw::Calendar);
        }
        if self.eat_kw(Kw::Days) || self.eat_kw(Kw::Day24) {
            Ok((n, 0, working))
        } else if self.eat_kw(Kw::Week) && !working {
            Ok((n.saturating_mul(7), 0, false))
        } else if self.eat_kw(Kw::MonthWord) && !working {
            Ok((0, n, false))
        } else {
            Err(self.unexpected())
        }
    }
}

/// Whether token `i` starts what a span of time counts from («после …», «со дня …», «до …»
/// after «10 дней»): the words after it name an activity or an event, not a date.
pub(super) fn anchor_at(toks: &[Token], i: usize) -> bool {
    let kw = |k: usize| match toks.get(k).map(|t| &t.tok) {
        Some(Tok::Word(Word::Kw(kw))) => Some(*kw),
        _ => None,
    };
    let after_span = i > 0
        && (matches!(kw(i - 1), Some(Kw::Days | Kw::Day24 | Kw::Week | Kw::MonthWord | Kw::Srok))
            || matches!(toks[i - 1].tok, Tok::Span { .. }));
    match kw(i) {
        Some(Kw::After) => true,
        Some(Kw::S) => matches!(kw(i + 1), Some(Kw::Moment | Kw::Days)) || after_span,
        Some(Kw::Do) => after_span,
        _ => false,
    }
}
