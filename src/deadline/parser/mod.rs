//! Reads the tokens of a phrase into its parts: dates and stretches of days (with years still
//! possibly missing), repetition words, weekdays, weeks of the month, days of the month, a time
//! of day, or one of the whole-phrase forms (continuous, on demand, relative). Combining the
//! parts and filling in years is [`super::resolve`]'s job.

use chrono::NaiveTime;

mod point;
mod relative;

use relative::anchor_at;

use super::DeadlineError;
use super::lexer::{Tok, Token, lex};
use super::spec::{Every, Nth, Relative, Weekday};
use super::words::{self, Kw, Word};
use crate::msg;

/// A calendar point as written, its year possibly missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub kind: PointKind,
    pub year: Option<i32>,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// A day; the month is missing only in the first half of a range ("2 – 3 ноября").
    Day {
        day: u32,
        month: Option<u32>,
    },
    Month(u32),
    /// «вторая среда февраля», «первая рабочая среда мая»: that weekday of a named month.
    NthWeekdayOf {
        nth: Nth,
        weekday: Weekday,
        month: u32,
        working: bool,
    },
    Quarter(u32),
    Half(u32),
    /// A calendar year (the year is always present).
    Year,
    /// A school year starting on 1 September of `year`.
    SchoolYear,
}

/// A dated item of a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// "до D": due on the last day of the point.
    Due(Point),
    /// "D1 – D2": from the first day of one to the last day of the other.
    Range(Point, Point),
    /// A point on its own: a day is due on that day; a month or longer is a window.
    Bare(Point),
}

/// One part of a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Continuous,
    OnDemand,
    Relative(Relative),
    Every(Every),
    Weekday(Weekday),
    NthWeekday(Nth, Weekday),
    Week(Nth),
    /// «до 5 числа», «до 10 числа месяца, следующего за отчетным кварталом»: `unit` is the
    /// reported period when the phrase names it.
    DayOfMonth {
        day: u32,
        following: bool,
        unit: Option<Every>,
    },
    /// «до 1 февраля года, следующего за отчетным»: due on that date after each reported year.
    DueNextYear {
        day: u32,
        month: u32,
    },
    /// «начиная с 2024 г.»: the repetition runs from this point to the end of the period.
    Starting(Point),
    /// «…, далее – ежегодно»: what follows repeats after what came before.
    Then,
    Time(NaiveTime),
    /// «по московскому времени», «Мск»: the time of day is Moscow time.
    Moscow,
    Item(Item),
}

/// A part and where it is written in the phrase (character offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub part: Part,
    pub start: usize,
    pub end: usize,
}

struct Parser<'a> {
    phrase: &'a str,
    toks: Vec<Token>,
    i: usize,
    /// Parts implied by the one just read («до 1 апреля 2016–2018 годов» is also «ежегодно»).
    implied: Vec<Part>,
}

/// Splits a phrase into its parts.
pub fn parse(phrase: &str) -> Result<Vec<Located>, DeadlineError> {
    // Footnote marks («15 мая 2021* г.») are not part of the deadline (see `super::warnings`).
    let toks: Vec<Token> = lex(phrase).into_iter().filter(|t| t.tok != Tok::Footnote).collect();
    let mut p = Parser { phrase, toks, i: 0, implied: Vec::new() };
    if let Some(blank) = p.toks.iter().find(|t| t.tok == Tok::Placeholder) {
        return Err(DeadlineError::new(
            blank.start,
            blank.end,
            msg!("вместо даты — незаполненный бланк"; "a blank of a form where the date should be"),
        )
        .with_hint(
            msg!("впишите год и число: например, «до 1 марта 2024 г.»"; "fill in the date: e.g. «до 1 марта 2024 г.»"),
        ));
    }
    // A word karta does not know is the problem wherever it stands; say so first.
    // (What follows «после», «со дня», or «до» after a span of days names an activity or an
    // event, not a date.)
    // «Доклад – до 15 ноября 2021 г.»: words before a dash at the start name what is due.
    if let Some(k) = p.toks.iter().position(|t| !matches!(t.tok, Tok::Unknown(_))) {
        let apart = k > 0 && p.toks[k - 1].end < p.toks[k].start;
        let label = (apart && p.toks[k].tok == Tok::Dash) || p.toks[k].tok == Tok::Colon;
        if label && k > 0 && k + 1 < p.toks.len() {
            p.i = k + 1;
        }
    }
    let words_end = (0..p.toks.len()).find(|&i| anchor_at(&p.toks, i)).map_or(p.toks.len(), |i| i + 1).max(p.i);
    if let Some(unknown) = p.toks[p.i..words_end].iter().position(|t| matches!(t.tok, Tok::Unknown(_))) {
        p.i += unknown;
        return Err(p.unexpected());
    }
    let mut parts = Vec::new();
    while p.i < p.toks.len() {
        if p.separator() {
            p.i += 1;
            continue;
        }
        let start = p.toks[p.i].start;
        let part = p.part()?;
        let end = p.toks.get(p.i.saturating_sub(1)).map_or(start, |t| t.end);
        parts.push(Located { part, start, end });
        parts.extend(p.implied.drain(..).map(|part| Located { part, start, end }));
    }
    Ok(parts)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.i + k).map(|t| &t.tok)
    }

    fn kw_at(&self, k: usize) -> Option<Kw> {
        match self.peek_at(k) {
            Some(Tok::Word(Word::Kw(kw))) => Some(*kw),
            _ => None,
        }
    }

    fn eat_kw(&mut self, kw: Kw) -> bool {
        if self.kw_at(0) == Some(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn separator(&self) -> bool {
        matches!(self.peek(), Some(Tok::Comma | Tok::Paren | Tok::Colon))
            || matches!(self.kw_at(0), Some(Kw::And | Kw::Srok | Kw::Inclusive | Kw::Stage))
            // «по местному времени»: the roadmap's own zone, as always.
            || (self.kw_at(0) == Some(Kw::Po) && self.kw_at(1) == Some(Kw::Local))
            || self.kw_at(0) == Some(Kw::Local)
            || (self.kw_at(0) == Some(Kw::TimeWord) && self.kw_at(1) != Some(Kw::Moscow))
            || (matches!(self.peek(), Some(Tok::Word(Word::Roman(_))) | Some(Tok::Num(_, 1)))
                && self.kw_at(1) == Some(Kw::Stage))
            || (self.peek() == Some(&Tok::Dash)
                && self.i > 0
                && matches!(self.toks[self.i - 1].tok, Tok::Word(Word::Kw(Kw::Stage | Kw::Then | Kw::Srok))))
    }

    /// The error for the token at the cursor (or the end of the phrase).
    fn unexpected(&self) -> DeadlineError {
        let Some(t) = self.toks.get(self.i) else {
            let n = self.phrase.chars().count();
            return DeadlineError::new(
                n,
                n,
                msg!("фраза обрывается: ожидалась дата"; "the phrase ends where a date was expected"),
            )
            .with_hint(msg!("например: «до 17 октября 2023 г.»"; "for example: «до 17 октября 2023 г.»"));
        };
        let text: String = self.phrase.chars().skip(t.start).take(t.end - t.start).collect();
        if let Tok::Unknown(word) = &t.tok {
            let err =
                DeadlineError::new(t.start, t.end, msg!("непонятное слово «{}»", text; "unknown word «{}»", text));
            // «по графику», «согласно плану», «в установленные сроки»: the dates are in another document.
            const ELSEWHERE: [&str; 7] =
                ["график", "план", "установлен", "согласно", "соответстви", "регламент", "положени"];
            if ELSEWHERE.iter().any(|w| word.starts_with(w)) {
                return err.with_hint(msg!(
                    "срок задан отсылкой к другому документу: перенесите даты из него («до 17 октября 2023 г.») или напишите «по мере необходимости»";
                    "the deadline refers to another document: copy its dates («до 17 октября 2023 г.») or write «по мере необходимости»"
                ));
            }
            return match words::nearest(word) {
                Some(near) => err.with_hint(msg!("возможно, имелось в виду «{}»", near; "did you mean «{}»?", near)),
                None => err.with_hint(super::known_forms()),
            };
        }
        DeadlineError::new(t.start, t.end, msg!("не понимаю «{}» в этом месте", text; "did not expect «{}» here", text))
            .with_hint(super::known_forms())
    }

    fn part(&mut self) -> Result<Part, DeadlineError> {
        let Some(tok) = self.peek().cloned() else { return Err(self.unexpected()) };
        match tok {
            Tok::Word(Word::Kw(kw)) => self.keyword(kw),
            Tok::Word(Word::Weekday(wd)) => {
                self.i += 1;
                self.eat_kw(Kw::MonthWord);
                Ok(Part::Weekday(wd))
            }
            // «вторую среду февраля»: a day, not a repetition.
            Tok::Word(Word::Ordinal(_)) if self.nth_weekday_of_month_ahead() => self.item().map(Part::Item),
            Tok::Word(Word::Ordinal(n)) if matches!(self.peek_at(1), Some(Tok::Word(Word::Weekday(_)))) => {
                let Some(Tok::Word(Word::Weekday(wd))) = self.peek_at(1).cloned() else {
                    return Err(self.unexpected());
                };
                let nth = self.nth(n)?;
                self.i += 2;
                self.eat_kw(Kw::MonthWord);
                Ok(Part::NthWeekday(nth, wd))
            }
            Tok::Word(Word::Ordinal(n)) | Tok::NumOrdinal(n) if self.kw_at(1) == Some(Kw::Week) => self.week(n),
            Tok::Num(n, _) if self.kw_at(1) == Some(Kw::Week) => self.week(n),
            Tok::Num(1, _) if self.kw_at(1) == Some(Kw::Times) => {
                self.i += 1;
                self.keyword(Kw::Times)
            }
            Tok::Clock(..) => self.time().map(Part::Time),
            Tok::Span { .. } => self.relative(false),
            Tok::Num(..) | Tok::NumOrdinal(_) | Tok::Word(Word::Number(_))
                if matches!(self.kw_at(1), Some(Kw::Working | Kw::Calendar | Kw::Days)) =>
            {
                self.relative(false)
            }
            _ => self.item().map(Part::Item),
        }
    }

    fn week(&mut self, n: u32) -> Result<Part, DeadlineError> {
        let nth = self.nth(n)?;
        self.i += 2;
        self.eat_kw(Kw::MonthWord);
        Ok(Part::Week(nth))
    }

    fn nth(&self, n: u32) -> Result<Nth, DeadlineError> {
        if n == 0 {
            return Ok(Nth::Last);
        }
        Nth::from_number(n).ok_or_else(|| {
            let t = &self.toks[self.i];
            DeadlineError::new(
                t.start,
                t.end,
                msg!("в месяце нет {}-й недели в этом смысле: считаются первая – четвертая и последняя", n;
                "a month has no week {} in this sense: only the first to fourth and the last count", n),
            )
            .with_hint(msg!("используйте «последняя неделя месяца»"; "use «последняя неделя месяца»"))
        })
    }

    fn keyword(&mut self, kw: Kw) -> Result<Part, DeadlineError> {
        let k1 = self.kw_at(1);
        match kw {
            Kw::Always => {
                self.i += 1;
                Ok(Part::Continuous)
            }
            Kw::V if k1 == Some(Kw::Whole) => {
                self.i += 1;
                self.part()
            }
            Kw::Whole if matches!(k1, Some(Kw::PeriodWord | Kw::YearWord)) => {
                self.i += 2;
                self.programme();
                Ok(Part::Continuous)
            }
            Kw::PeriodWord if k1 == Some(Kw::PeriodWord) => {
                self.i += 1;
                self.programme();
                Ok(Part::Continuous)
            }
            Kw::V if k1 == Some(Kw::Constant) && self.kw_at(2) == Some(Kw::Basis) => {
                self.i += 3;
                Ok(Part::Continuous)
            }
            Kw::Po if k1 == Some(Kw::Measure) && self.kw_at(2) == Some(Kw::Need) => {
                self.i += 3;
                Ok(Part::OnDemand)
            }
            Kw::Po if matches!(k1, Some(Kw::Need | Kw::Request)) => {
                self.i += 2;
                Ok(Part::OnDemand)
            }
            Kw::V if k1 == Some(Kw::During) => {
                self.i += 1;
                self.during()
            }
            Kw::During => self.during(),
            Kw::Daily => Err(self
                .here(msg!("ежедневные сроки karta не ведёт"; "karta does not track daily deadlines"))
                .with_hint(
                    msg!("для постоянной работы напишите «постоянно», для отчётов — «еженедельно, по пятницам»";
                    "write «постоянно» for ongoing work, or a weekly deadline for reports"),
                )),
            Kw::Weekly | Kw::Monthly | Kw::Quarterly | Kw::Yearly => {
                self.i += 1;
                Ok(Part::Every(every_of(kw)))
            }
            Kw::Each => self.each(),
            Kw::Times if k1 == Some(Kw::V) => {
                self.i += 2;
                let unit = self.kw_at(0);
                match unit.and_then(unit_every) {
                    Some(every) => {
                        self.i += 1;
                        Ok(Part::Every(every))
                    }
                    None => Err(self.unexpected()),
                }
            }
            Kw::Po | Kw::V if matches!(self.peek_at(1), Some(Tok::Word(Word::Weekday(_)))) => {
                self.i += 1;
                self.part()
            }
            Kw::V if matches!(self.peek_at(1), Some(Tok::Clock(..))) => {
                self.i += 1;
                self.time().map(Part::Time)
            }
            // «28.06.2023 в 10.00»: after «в», `hh.00` is a time of day (the rule of «до 18.00»).
            Kw::V if matches!(self.peek_at(1), Some(Tok::Dotted { a, b, year: None }) if looks_like_time(*a, *b)) => {
                self.i += 1;
                self.time().map(Part::Time)
            }
            Kw::V if k1 == Some(Kw::Srok) && self.kw_at(2) == Some(Kw::Do) => {
                self.i += 2;
                self.until()
            }
            // «в срок не позднее …», «в срок не менее чем за …»
            Kw::V if k1 == Some(Kw::Srok) && self.kw_at(2) == Some(Kw::Ne) => {
                self.i += 2;
                self.part()
            }
            Kw::Srok if k1 == Some(Kw::Do) => {
                self.i += 1;
                self.until()
            }
            Kw::Do | Kw::K => self.until(),
            Kw::Ne if matches!(k1, Some(Kw::Later | Kw::Less)) => {
                self.i += 1;
                self.until()
            }
            // «в период с 1 по 10 октября», «в период до 1 декабря»: the words frame a date.
            Kw::V
                if k1 == Some(Kw::PeriodWord)
                    && !matches!(self.kw_at(2), Some(Kw::PeriodWord | Kw::Programme) | None) =>
            {
                self.i += 2;
                self.part()
            }
            Kw::V if matches!(self.peek_at(1), Some(Tok::Span { .. })) => {
                self.i += 1;
                self.relative(false)
            }
            Kw::Through => {
                self.i += 1;
                self.relative(false)
            }
            Kw::Za => {
                self.i += 1;
                self.relative(true)
            }
            Kw::Then => {
                self.i += 1;
                Ok(Part::Then)
            }
            Kw::Starting if k1 == Some(Kw::S) => {
                self.i += 2;
                Ok(Part::Starting(self.point()?))
            }
            Kw::Po if k1 == Some(Kw::Moscow) => {
                self.i += 2;
                self.eat_kw(Kw::TimeWord);
                Ok(Part::Moscow)
            }
            Kw::Moscow => {
                self.i += 1;
                self.eat_kw(Kw::TimeWord);
                Ok(Part::Moscow)
            }
            Kw::TimeWord if k1 == Some(Kw::Moscow) => {
                self.i += 2;
                Ok(Part::Moscow)
            }
            Kw::S => {
                self.i += 1;
                let a = self.point()?;
                if !(self.eat_kw(Kw::Po) || self.eat_kw(Kw::Do) || self.eat_tok(&Tok::Dash)) {
                    return Err(self.unexpected().with_hint(msg!("период пишется «с 1 по 10 октября 2023 г.»"; "write a stretch as «с 1 по 10 октября 2023 г.»")));
                }
                let b = self.point()?;
                Ok(Part::Item(Item::Range(a, b)))
            }
            Kw::Po => {
                self.i += 1;
                let p = self.point()?;
                Ok(Part::Item(Item::Due(p)))
            }
            Kw::V => {
                self.i += 1;
                self.item().map(Part::Item)
            }
            _ => self.item().map(Part::Item),
        }
    }

    fn eat_tok(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn here(&self, message: crate::diag::Message) -> DeadlineError {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        DeadlineError::new(t.start, t.end, message)
    }

    /// After "каждый/каждую/каждая".
    fn each(&mut self) -> Result<Part, DeadlineError> {
        self.i += 1;
        match self.peek().cloned() {
            Some(Tok::Word(Word::Kw(unit))) if unit_every(unit).is_some() => {
                self.i += 1;
                Ok(Part::Every(unit_every(unit).unwrap_or(Every::Week)))
            }
            // "каждая третья неделя месяца" is clear; "каждый второй вторник" may mean every other one.
            Some(Tok::Word(Word::Ordinal(n)) | Tok::NumOrdinal(n))
                if n != 0 && self.kw_at(2) != Some(Kw::MonthWord) =>
            {
                let t = &self.toks[self.i];
                let end = self.toks.get(self.i + 1).map_or(t.end, |x| x.end);
                Err(DeadlineError::new(
                    t.start,
                    end,
                    msg!("«каждый {}-й» можно понять двояко: раз в {} недели или {}-й по счёту в месяце", n, n, n;
                        "«every {}th» is ambiguous: every {} weeks, or the {}th of the month", n, n, n),
                )
                .with_hint({
                    // Suggest the phrase with the author's own words: «вторая среда месяца».
                    let written: String = self.phrase.chars().skip(t.start).take(end - t.start).collect();
                    msg!("пишите «{} месяца», если имеется в виду {}-я по счёту в месяце", written.to_lowercase(), n;
                        "write «{} месяца» for the {}th of the month", written.to_lowercase(), n)
                }))
            }
            Some(Tok::Word(Word::Weekday(_) | Word::Ordinal(_))) | Some(Tok::NumOrdinal(_)) | Some(Tok::Num(..)) => {
                self.part()
            }
            _ => Err(self.unexpected()),
        }
    }

    /// After "в течение".
    fn during(&mut self) -> Result<Part, DeadlineError> {
        self.i += 1;
        match (self.peek().cloned(), self.kw_at(1)) {
            (Some(Tok::Word(Word::Kw(Kw::YearWord))), _)
            | (Some(Tok::Word(Word::Kw(Kw::PeriodWord))), None | Some(Kw::PeriodWord | Kw::Programme)) => {
                self.i += 1;
                Ok(Part::Continuous)
            }
            (Some(Tok::Word(Word::Kw(Kw::School))), Some(Kw::YearWord)) => {
                self.i += 2;
                Ok(Part::Continuous)
            }
            (Some(Tok::Word(Word::Kw(Kw::Whole))), _) => {
                self.i += 1;
                self.eat_kw(Kw::School);
                if self.eat_kw(Kw::PeriodWord) || self.eat_kw(Kw::YearWord) {
                    self.programme();
                    Ok(Part::Continuous)
                } else {
                    Err(self.unexpected())
                }
            }
            // «в течение срока действия проекта», «в течение периода реализации программы»
            (Some(Tok::Word(Word::Kw(Kw::Srok))), Some(Kw::Validity)) => {
                self.i += 2;
                self.programme();
                Ok(Part::Continuous)
            }
            (Some(Tok::Word(Word::Kw(Kw::PeriodWord | Kw::Programme))), _) if self.programme_follows() => {
                self.programme();
                Ok(Part::Continuous)
            }
            _ if self.span_ahead() => self.relative(false),
            _ => self.item().map(Part::Item),
        }
    }

    /// After "до", "не позднее", "в срок до": a time, a day of the month, or a point.
    fn until(&mut self) -> Result<Part, DeadlineError> {
        self.i += 1;
        self.eat_tok(&Tok::Comma);
        self.eat_kw(Kw::Chem);
        if self.eat_kw(Kw::Za) {
            return self.relative(true);
        }
        if self.eat_kw(Kw::Through) {
            return self.relative(false);
        }
        if self.span_ahead() {
            return self.relative(false);
        }
        match (self.peek().cloned(), self.kw_at(1)) {
            (Some(Tok::Clock(..)), _) => self.time().map(Part::Time),
            (Some(Tok::Dotted { a, b, year: None }), _) if looks_like_time(a, b) || (a > 23 && (b == 0 || b > 12)) => {
                self.time().map(Part::Time)
            }
            (Some(Tok::Num(..)), Some(Kw::Hours)) => self.time().map(Part::Time),
            (
                Some(Tok::Num(day, _) | Tok::NumOrdinal(day) | Tok::Word(Word::Number(day) | Word::Ordinal(day))),
                Some(Kw::DayOfMonth),
            ) if day > 0 => {
                self.i += 2;
                self.day_of_month(day)
            }
            (Some(Tok::Word(Word::Kw(Kw::End))), _) => {
                self.i += 1;
                let p = self.point()?;
                Ok(Part::Item(Item::Due(p)))
            }
            _ => {
                let p = self.point()?;
                if let Some(part) = self.next_year(&p) {
                    return Ok(part);
                }
                if let Some(part) = self.yearly_across(p) {
                    return Ok(part);
                }
                if !matches!(p.kind, PointKind::Day { month: Some(_), .. }) {
                    let text: String = self.phrase.chars().skip(p.start).take(p.end - p.start).collect();
                    return Err(DeadlineError::new(p.start, p.end, msg!("«до {}» можно понять двояко", text; "«до {}» is ambiguous", text))
                        .with_hint(msg!("укажите день: «до 30 сентября …» или «до конца {}»", text; "give the day: «до 30 сентября …» or «до конца {}»", text)));
                }
                Ok(Part::Item(Item::Due(p)))
            }
        }
    }

    /// "… числа [первого] [месяца [квартала]][, следующего за отчетным [месяцем|кварталом|годом]]".
    fn day_of_month(&mut self, day: u32) -> Result<Part, DeadlineError> {
        if !(1..=31).contains(&day) {
            return Err(self.here(msg!("в месяце нет {}-го числа", day; "a month has no day {}", day)));
        }
        let first = matches!(self.peek(), Some(Tok::Word(Word::Ordinal(1)))) && self.kw_at(1) == Some(Kw::MonthWord);
        if first {
            self.i += 1;
        }
        self.eat_kw(Kw::MonthWord);
        let mut unit = None;
        if first && self.eat_kw(Kw::QuarterWord) {
            unit = Some(Every::Quarter);
        } else if first && self.eat_kw(Kw::YearWord) {
            unit = Some(Every::Year);
        }
        let save = self.i;
        self.eat_tok(&Tok::Comma);
        let following = if self.eat_kw(Kw::Following) {
            self.eat_kw(Kw::Za);
            self.eat_kw(Kw::Reporting);
            if self.eat_kw(Kw::QuarterWord) {
                unit = Some(Every::Quarter);
            } else if self.eat_kw(Kw::YearWord) {
                unit = Some(Every::Year);
            } else if self.eat_kw(Kw::MonthWord) {
                unit = Some(Every::Month);
            } else {
                self.eat_kw(Kw::PeriodWord);
            }
            true
        } else {
            self.i = save;
            false
        };
        Ok(Part::DayOfMonth { day, following, unit })
    }

    fn time(&mut self) -> Result<NaiveTime, DeadlineError> {
        let t = self.toks[self.i].clone();
        let (h, m) = match t.tok {
            Tok::Clock(h, m) | Tok::Dotted { a: h, b: m, year: None } => (h, m),
            Tok::Num(h, _) => {
                self.i += 1;
                (h, 0)
            }
            _ => return Err(self.unexpected()),
        };
        self.i += 1;
        NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| {
            DeadlineError::new(
                t.start,
                t.end,
                msg!("нет такого времени суток: {}:{:02}", h, m; "no such time of day: {}:{:02}", h, m),
            )
        })
    }

    fn last_end(&self) -> usize {
        self.toks.get(self.i.saturating_sub(1)).map_or(0, |t| t.end)
    }
}

fn looks_like_time(a: u32, b: u32) -> bool {
    a <= 23 && b <= 59 && (b == 0 || b > 12)
}

fn every_of(kw: Kw) -> Every {
    match kw {
        Kw::Weekly => Every::Week,
        Kw::Monthly => Every::Month,
        Kw::Quarterly => Every::Quarter,
        _ => Every::Year,
    }
}

fn unit_every(kw: Kw) -> Option<Every> {
    match kw {
        Kw::Week => Some(Every::Week),
        Kw::MonthWord => Some(Every::Month),
        Kw::QuarterWord => Some(Every::Quarter),
        Kw::YearWord => Some(Every::Year),
        _ => None,
    }
}

/// `org-3` or `roadmap-id/activity-id`.
pub fn is_activity_ref(text: &str) -> bool {
    let id = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    match text.split_once('/') {
        Some((roadmap, activity)) => id(roadmap) && id(activity),
        None => id(text),
    }
}
