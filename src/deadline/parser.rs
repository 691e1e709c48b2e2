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
    DayOfMonth { day: u32, following: bool },
    Time(NaiveTime),
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
}

/// Splits a phrase into its parts.
pub fn parse(phrase: &str) -> Result<Vec<Located>, DeadlineError> {
    let mut p = Parser { phrase, toks: lex(phrase), i: 0 };
    // A word karta does not know is the problem wherever it stands; say so first.
    // (What follows «после» is an activity id, not words.)
    let words_end = (0..p.toks.len())
        .find(|&i| {
            let kw = |k: usize| match p.toks.get(i + k).map(|t| &t.tok) {
                Some(Tok::Word(Word::Kw(kw))) => Some(*kw),
                _ => None,
            };
            kw(0) == Some(Kw::After) || (kw(0) == Some(Kw::S) && matches!(kw(1), Some(Kw::Moment | Kw::Days)))
        })
        .map_or(p.toks.len(), |i| i + 1);
    if let Some(unknown) = p.toks[..words_end].iter().position(|t| matches!(t.tok, Tok::Unknown(_))) {
        p.i = unknown;
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
            || matches!(self.kw_at(0), Some(Kw::And | Kw::Srok | Kw::Inclusive))
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
            Kw::Whole if matches!(k1, Some(Kw::PeriodWord | Kw::YearWord)) => {
                self.i += 2;
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
            Kw::V if k1 == Some(Kw::Srok) && self.kw_at(2) == Some(Kw::Do) => {
                self.i += 2;
                self.until()
            }
            Kw::Srok if k1 == Some(Kw::Do) => {
                self.i += 1;
                self.until()
            }
            Kw::Do => self.until(),
            Kw::Ne if k1 == Some(Kw::Later) => {
                self.i += 1;
                self.until()
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
            (Some(Tok::Num(n, _)), Some(Kw::Working | Kw::Calendar | Kw::Days)) => self.relative(n),
            (Some(Tok::NumOrdinal(n)), Some(Kw::Working | Kw::Calendar | Kw::Days)) => self.relative(n),
            (Some(Tok::Word(Word::Kw(Kw::YearWord | Kw::PeriodWord))), _) => {
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
                    Ok(Part::Continuous)
                } else {
                    Err(self.unexpected())
                }
            }
            _ => self.item().map(Part::Item),
        }
    }

    /// "в течение N (рабочих|календарных) дней после X".
    fn relative(&mut self, days: u32) -> Result<Part, DeadlineError> {
        self.i += 1;
        let working = if self.eat_kw(Kw::Working) {
            true
        } else {
            self.eat_kw(Kw::Calendar);
            false
        };
        if !self.eat_kw(Kw::Days) {
            return Err(self.unexpected());
        }
        let after_end = if self.kw_at(0) == Some(Kw::After) {
            self.toks[self.i].end
        } else if self.kw_at(0) == Some(Kw::S) && matches!(self.kw_at(1), Some(Kw::Moment | Kw::Days)) {
            let end = self.toks[self.i + 1].end;
            self.i += 1;
            let _ = self.eat_kw(Kw::Moment);
            end
        } else {
            return Err(self.unexpected().with_hint(
                msg!("пишите «в течение 5 рабочих дней после org-3»"; "write «в течение 5 рабочих дней после org-3»"),
            ));
        };
        let rest: String = self.phrase.chars().map(|c| if c == 'ё' { 'е' } else { c }).skip(after_end).collect();
        let target = rest.trim().trim_end_matches(['.', ';', ',']).trim();
        let len = self.phrase.chars().count();
        let start = (after_end + (rest.chars().count() - rest.trim_start().chars().count())).min(len);
        self.i = self.toks.len();
        if !is_activity_ref(target) {
            let shown = if target.is_empty() { "…".to_string() } else { target.to_string() };
            return Err(DeadlineError::new(
                start,
                (start + target.chars().count().max(1)).min(len),
                msg!("после «после» ожидается идентификатор мероприятия, а написано «{}»", shown;
                    "«после» must be followed by an activity id, found «{}»", shown),
            )
            .with_hint(msg!("например: «в течение 5 рабочих дней после org-3»"; "for example: «в течение 5 рабочих дней после org-3»")));
        }
        Ok(Part::Relative(Relative { days, working, after: target.to_string() }))
    }

    /// After "до", "не позднее", "в срок до": a time, a day of the month, or a point.
    fn until(&mut self) -> Result<Part, DeadlineError> {
        self.i += 1;
        match (self.peek().cloned(), self.kw_at(1)) {
            (Some(Tok::Clock(..)), _) => self.time().map(Part::Time),
            (Some(Tok::Dotted { a, b, year: None }), _) if looks_like_time(a, b) || (a > 23 && (b == 0 || b > 12)) => {
                self.time().map(Part::Time)
            }
            (Some(Tok::Num(..)), Some(Kw::Hours)) => self.time().map(Part::Time),
            (Some(Tok::Num(day, _) | Tok::NumOrdinal(day)), Some(Kw::DayOfMonth)) => {
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
                if !matches!(p.kind, PointKind::Day { month: Some(_), .. }) {
                    let text: String = self.phrase.chars().skip(p.start).take(p.end - p.start).collect();
                    return Err(DeadlineError::new(p.start, p.end, msg!("«до {}» можно понять двояко", text; "«до {}» is ambiguous", text))
                        .with_hint(msg!("укажите день: «до 30 сентября …» или «до конца {}»", text; "give the day: «до 30 сентября …» or «до конца {}»", text)));
                }
                Ok(Part::Item(Item::Due(p)))
            }
        }
    }

    /// "… числа [месяца][, следующего за отчетным [месяцем|кварталом]]".
    fn day_of_month(&mut self, day: u32) -> Result<Part, DeadlineError> {
        if !(1..=31).contains(&day) {
            return Err(self.here(msg!("в месяце нет {}-го числа", day; "a month has no day {}", day)));
        }
        self.eat_kw(Kw::MonthWord);
        let save = self.i;
        self.eat_tok(&Tok::Comma);
        let following = if self.eat_kw(Kw::Following) {
            self.eat_kw(Kw::Za);
            self.eat_kw(Kw::Reporting);
            let _ = self.eat_kw(Kw::MonthWord)
                || self.eat_kw(Kw::QuarterWord)
                || self.eat_kw(Kw::YearWord)
                || self.eat_kw(Kw::PeriodWord);
            true
        } else {
            self.i = save;
            false
        };
        Ok(Part::DayOfMonth { day, following })
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
            Tok::Num(d, len) if len <= 2 && matches!(self.peek(), Some(Tok::Word(Word::Month(_)))) => {
                let Some(Tok::Word(Word::Month(m))) = self.peek().cloned() else { return Err(self.unexpected()) };
                self.i += 1;
                PointKind::Day { day: d, month: Some(m) }
            }
            Tok::Num(d, len)
                if len <= 2 && (self.peek() == Some(&Tok::Dash) || matches!(self.kw_at(0), Some(Kw::Po | Kw::Do))) =>
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

    /// An optional year after a point: "2023", "2023 г.", "2023 года", "2023 г. г.".
    fn year(&mut self) -> Result<Option<i32>, DeadlineError> {
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
