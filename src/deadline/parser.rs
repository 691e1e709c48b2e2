//! Reads the tokens of a phrase into its parts: dates and stretches of days (with years still
//! possibly missing), repetition words, weekdays, weeks of the month, days of the month, a time
//! of day, or one of the whole-phrase forms (continuous, on demand, relative). Combining the
//! parts and filling in years is [`super::resolve`]'s job.

use chrono::NaiveTime;

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

    /// «реализации программы», «проекта»: whose period a continuous deadline covers.
    fn programme(&mut self) {
        while self.eat_kw(Kw::PeriodWord) || self.eat_kw(Kw::Programme) {}
    }

    /// Whether the words at the cursor name the period of the programme or project itself.
    fn programme_follows(&self) -> bool {
        let mut k = 0;
        while matches!(self.kw_at(k), Some(Kw::PeriodWord)) {
            k += 1;
        }
        self.kw_at(k) == Some(Kw::Programme)
    }

    /// Whether a span of time («5 рабочих дней», «двух недель», «2 месяцев») starts here.
    fn span_ahead(&self) -> bool {
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
    fn relative(&mut self, before: bool) -> Result<Part, DeadlineError> {
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
    fn span(&mut self) -> Result<(u32, u32, bool), DeadlineError> {
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

    /// «до 1 апреля 2016–2018 годов»: by 1 April of each of those years.
    fn yearly_across(&mut self, p: Point) -> Option<Part> {
        let (PointKind::Day { month: Some(_), .. }, Some(from)) = (p.kind, p.year) else { return None };
        let (Some(Tok::Dash), Some(Tok::Num(to, 4))) = (self.peek(), self.peek_at(1)) else { return None };
        let to = i32::try_from(*to).ok().filter(|to| *to > from)?;
        let years_start = self.toks[self.i - 1].start;
        self.i += 2;
        while self.eat_kw(Kw::YearWord) {}
        let end = self.last_end();
        let year = |y| Point { kind: PointKind::Year, year: Some(y), start: years_start, end };
        self.implied.push(Part::Every(Every::Year));
        self.implied.push(Part::Item(Item::Range(year(from), year(to))));
        Some(Part::Item(Item::Due(Point { year: None, ..p })))
    }

    /// After «до 1 февраля»: «года, следующего за отчетным [годом]» makes it a yearly report.
    fn next_year(&mut self, p: &Point) -> Option<Part> {
        let PointKind::Day { day, month: Some(month) } = p.kind else { return None };
        if p.year.is_some() || self.kw_at(0) != Some(Kw::YearWord) {
            return None;
        }
        let save = self.i;
        self.i += 1;
        self.eat_tok(&Tok::Comma);
        if !self.eat_kw(Kw::Following) {
            self.i = save;
            return None;
        }
        self.eat_kw(Kw::Za);
        self.eat_kw(Kw::Reporting);
        let _ = self.eat_kw(Kw::YearWord) || self.eat_kw(Kw::PeriodWord);
        Some(Part::DueNextYear { day, month })
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

    /// A point, optionally the first half of a range "A – B".
    fn item(&mut self) -> Result<Item, DeadlineError> {
        let a = self.point()?;
        if self.eat_tok(&Tok::Dash) {
            let b = self.point()?;
            return Ok(Item::Range(a, b));
        }
        if let PointKind::Day { month: None, .. } = a.kind {
            if matches!(self.peek(), Some(Tok::Comma)) || self.kw_at(0) == Some(Kw::And) {
                // «5 и 6 мая»: the month comes with a later day.
                return Ok(Item::Bare(a));
            }
            return Err(DeadlineError::new(a.start, a.end, msg!("у числа нет месяца"; "the day has no month"))
                .with_hint(msg!("например: «2 – 3 ноября 2023 г.»"; "for example: «2 – 3 ноября 2023 г.»")));
        }
        Ok(Item::Bare(a))
    }

    fn point(&mut self) -> Result<Point, DeadlineError> {
        let Some(t) = self.toks.get(self.i).cloned() else { return Err(self.unexpected()) };
        self.i += 1;
        let point = |kind, year: Option<i32>, end| Point { kind, year, start: t.start, end };
        let kind = match t.tok {
            Tok::Word(Word::Ordinal(n))
                if {
                    self.i -= 1;
                    let ahead = self.nth_weekday_of_month_ahead();
                    self.i += 1;
                    ahead
                } =>
            {
                let nth = self.nth(n)?;
                let working = self.eat_kw(Kw::Working);
                let (Some(Tok::Word(Word::Weekday(weekday))), Some(Tok::Word(Word::Month(month)))) =
                    (self.peek().cloned(), self.peek_at(1).cloned())
                else {
                    return Err(self.unexpected());
                };
                self.i += 2;
                PointKind::NthWeekdayOf { nth, weekday, month, working }
            }
            Tok::Num(d, len) if len <= 2 && matches!(self.peek(), Some(Tok::Word(Word::Month(_)))) => {
                let Some(Tok::Word(Word::Month(m))) = self.peek().cloned() else { return Err(self.unexpected()) };
                self.i += 1;
                PointKind::Day { day: d, month: Some(m) }
            }
            Tok::Num(d, len)
                if len <= 2
                    && (self.peek() == Some(&Tok::Dash)
                        || matches!(self.kw_at(0), Some(Kw::Po | Kw::Do))
                        || self.day_list_ahead()) =>
            {
                PointKind::Day { day: d, month: None }
            }
            Tok::Dotted { a, b, year } => {
                if !(1..=12).contains(&b) {
                    return Err(DeadlineError::new(
                        t.start,
                        t.end,
                        msg!("«{}.{:02}» — не дата: месяцев всего 12", a, b; "«{}.{:02}» is not a date: there are 12 months", a, b),
                    ));
                }
                let y = match year {
                    None => None,
                    Some((y, 4)) => Some(y),
                    Some((y, 2)) => Some(2000 + y),
                    Some(_) => {
                        return Err(DeadlineError::new(t.start, t.end, msg!("год записан неверно"; "the year is malformed"))
                            .with_hint(msg!("пишите год четырьмя цифрами: 13.10.2023"; "write the year with four digits: 13.10.2023")));
                    }
                };
                let end = self.toks[self.i - 1].end;
                let year = match y {
                    Some(y) => {
                        while self.eat_kw(Kw::YearWord) {}
                        Some(y)
                    }
                    None => self.year()?,
                };
                return Ok(Point {
                    kind: PointKind::Day { day: a, month: Some(b) },
                    year,
                    start: t.start,
                    end: self.last_end().max(end),
                });
            }
            Tok::Word(Word::Month(m)) => PointKind::Month(m),
            Tok::Word(Word::Roman(n) | Word::Ordinal(n)) | Tok::NumOrdinal(n) | Tok::Num(n, 1)
                if matches!(self.kw_at(0), Some(Kw::QuarterWord | Kw::HalfWord)) =>
            {
                let quarter = self.kw_at(0) == Some(Kw::QuarterWord);
                self.i += 1;
                let (max, ru, en) =
                    if quarter { (4, "квартала", "quarter") } else { (2, "полугодия", "half-year") };
                if !(1..=max).contains(&n) {
                    return Err(DeadlineError::new(
                        t.start,
                        self.last_end(),
                        msg!("нет {}-го {}", n, ru; "there is no {} {}", n, en),
                    ));
                }
                if quarter { PointKind::Quarter(n) } else { PointKind::Half(n) }
            }
            Tok::Num(y, 4) => return self.year_point(y, t.start),
            _ => {
                self.i -= 1;
                return Err(self.unexpected());
            }
        };
        let year = self.year()?;
        Ok(point(kind, year, self.last_end()))
    }

    /// A point that starts with a four-digit year: a year, a school year, or "2023/24 уч. г.".
    fn year_point(&mut self, y: u32, start: usize) -> Result<Point, DeadlineError> {
        let y = i32::try_from(y).unwrap_or(i32::MAX);
        let second = match (self.peek(), self.peek_at(1)) {
            (Some(Tok::Slash), Some(Tok::Num(y2, len))) => Some((*y2, *len)),
            (Some(Tok::Dash), Some(Tok::Num(y2, len))) if self.kw_at(2) == Some(Kw::School) => Some((*y2, *len)),
            _ => None,
        };
        if let Some((y2, len)) = second {
            self.i += 2;
            let y2 = if len == 2 { (y / 100) * 100 + y2 as i32 } else { y2 as i32 };
            if y2 != y + 1 {
                return Err(DeadlineError::new(
                    start,
                    self.last_end(),
                    msg!("учебный год {}/{} должен охватывать два соседних года", y, y2;
                    "the school year {}/{} must span two consecutive years", y, y2),
                ));
            }
            self.eat_kw(Kw::School);
            while self.eat_kw(Kw::YearWord) {}
            return Ok(Point { kind: PointKind::SchoolYear, year: Some(y), start, end: self.last_end() });
        }
        if !(1990..=2100).contains(&y) {
            return Err(DeadlineError::new(
                start,
                self.last_end(),
                msg!("«{}» — не год и не дата", y; "«{}» is neither a year nor a date", y),
            ));
        }
        while self.eat_kw(Kw::YearWord) {}
        Ok(Point { kind: PointKind::Year, year: Some(y), start, end: self.last_end() })
    }

    /// An optional year after a point: "2023", "2023 г.", "2023 года", "2023 г. г."; «текущего
    /// года», «т.г.» name no year (it is read from the period, as if none were written).
    fn year(&mut self) -> Result<Option<i32>, DeadlineError> {
        if self.kw_at(0) == Some(Kw::Current) && self.kw_at(1) == Some(Kw::YearWord) {
            self.i += 2;
            return Ok(None);
        }
        match self.peek().cloned() {
            Some(Tok::Num(y, 4)) => {
                let t = self.toks[self.i].clone();
                if !(1990..=2100).contains(&y) {
                    return Err(DeadlineError::new(t.start, t.end, msg!("«{}» — не год", y; "«{}» is not a year", y)));
                }
                self.i += 1;
                while self.eat_kw(Kw::YearWord) {}
                Ok(Some(y as i32))
            }
            Some(Tok::Num(y, len)) if len > 4 => {
                let t = &self.toks[self.i];
                Err(DeadlineError::new(t.start, t.end, msg!("«{}» — не год", y; "«{}» is not a year", y)))
            }
            _ => Ok(None),
        }
    }

    /// «вторую [рабочую] среду февраля» at the cursor.
    fn nth_weekday_of_month_ahead(&self) -> bool {
        let k = if self.kw_at(1) == Some(Kw::Working) { 2 } else { 1 };
        matches!(self.peek(), Some(Tok::Word(Word::Ordinal(_))))
            && matches!(self.peek_at(k), Some(Tok::Word(Word::Weekday(_))))
            && matches!(self.peek_at(k + 1), Some(Tok::Word(Word::Month(_))))
    }

    /// «3, 10 и 17 марта»: after a day, more days joined by commas and «и», then a month.
    fn day_list_ahead(&self) -> bool {
        let mut k = 0;
        loop {
            if !(matches!(self.peek_at(k), Some(Tok::Comma)) || self.kw_at(k) == Some(Kw::And)) {
                return false;
            }
            k += 1;
            if self.kw_at(k) == Some(Kw::And) {
                k += 1;
            }
            match self.peek_at(k) {
                Some(Tok::Num(_, 1 | 2)) => k += 1,
                _ => return false,
            }
            if matches!(self.peek_at(k), Some(Tok::Word(Word::Month(_)))) {
                return true;
            }
        }
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

/// Whether token `i` starts what a span of time counts from («после …», «со дня …», «до …»
/// after «10 дней»): the words after it name an activity or an event, not a date.
fn anchor_at(toks: &[Token], i: usize) -> bool {
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
