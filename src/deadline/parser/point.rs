//! Calendar points as written: days («17 октября», «13.10.2023», «5 и 6 мая»), months,
//! quarters, half-years, years and school years, «вторая среда февраля», with the year after
//! them; and the readings a point takes from the words around it («до 1 апреля 2016–2018
//! годов», «до 1 февраля года, следующего за отчетным»).

use super::super::DeadlineError;
use super::super::lexer::Tok;
use super::super::spec::Every;
use super::super::words::{Kw, Word};
use super::{Item, Parser, Part, Point, PointKind};
use crate::msg;

impl Parser<'_> {
    /// «до 1 апреля 2016–2018 годов»: by 1 April of each of those years.
    pub(super) fn yearly_across(&mut self, p: Point) -> Option<Part> {
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
    pub(super) fn next_year(&mut self, p: &Point) -> Option<Part> {
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

    /// A point, optionally the first half of a range "A – B".
    pub(super) fn item(&mut self) -> Result<Item, DeadlineError> {
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

    pub(super) fn point(&mut self) -> Result<Point, DeadlineError> {
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
    pub(super) fn year_point(&mut self, y: u32, start: usize) -> Result<Point, DeadlineError> {
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
    pub(super) fn year(&mut self) -> Result<Option<i32>, DeadlineError> {
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
    pub(super) fn nth_weekday_of_month_ahead(&self) -> bool {
        let k = if self.kw_at(1) == Some(Kw::Working) { 2 } else { 1 };
        matches!(self.peek(), Some(Tok::Word(Word::Ordinal(_))))
            && matches!(self.peek_at(k), Some(Tok::Word(Word::Weekday(_))))
            && matches!(self.peek_at(k + 1), Some(Tok::Word(Word::Month(_))))
    }

    /// «3, 10 и 17 марта»: after a day, more days joined by commas and «и», then a month.
    pub(super) fn day_list_ahead(&self) -> bool {
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
}
