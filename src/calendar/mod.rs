//! The production calendar (производственный календарь): which days are working days, and
//! the arithmetic on them that deadlines need. A [`Calendar`] is merged from layers of the same
//! TSV format ([`layer`]): the federal calendar compiled into the binary, a regional one for
//! the roadmap's region, and the operator's local files; later layers win, and every special
//! day remembers which layer and which act set it. Checking files is [`check`], the yearly
//! figures are [`report`]. Also the conversion of a due date to an instant in a time zone.
//! This module reads no files itself except through [`load`], and never the clock.

pub mod check;
pub mod layer;
mod load;
pub mod report;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

pub use layer::{Kind, Layer, Origin, Row};
pub use load::{Config, load, unknown_region};

use crate::model::Shift;

/// What the calendar says about a special date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    /// A public holiday or a day off transferred onto a weekday.
    DayOff,
    /// A Saturday or Sunday made a working day.
    WorkingWeekend,
}

/// A row in force: what the merged calendar took for a date, and from which layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    pub kind: Kind,
    pub note: String,
    /// Index into [`Calendar::layers`].
    pub layer: usize,
}

/// The production calendar: weekends, holidays and transfers for the years it covers.
#[derive(Debug, Default)]
pub struct Calendar {
    special: BTreeMap<NaiveDate, Special>,
    shortened: BTreeSet<NaiveDate>,
    covered: BTreeSet<i32>,
    days: BTreeMap<NaiveDate, Vec<Set>>,
    layers: Vec<Layer>,
    region: Option<String>,
    /// The same layers with each shipped region's layer after the federal one, merged the first
    /// time a roadmap asks for the region.
    regions: BTreeMap<String, OnceLock<Calendar>>,
    /// The region used when a roadmap names none (`--region`, `[calendar] region`).
    default_region: Option<String>,
}

impl Calendar {
    /// The federal calendar shipped with karta, with the shipped regions.
    pub fn russia() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar::layered(Vec::new(), None))
    }

    /// Reads one file of the TSV format (`date<TAB>type<TAB>note`) as the only layer.
    /// Malformed lines are skipped: [`check`] is what reports them.
    pub fn parse(text: &str) -> Calendar {
        Calendar::merge(vec![Layer::read(Origin::Local, "", "", text)], None)
    }

    /// The federal layer, then `local` layers in order, plus a variant per shipped region
    /// (federal, regional, local); `default_region` is used for roadmaps that name none.
    pub fn layered(local: Vec<Layer>, default_region: Option<String>) -> Calendar {
        let mut base = Calendar::merge(std::iter::once(Layer::federal()).chain(local).collect(), None);
        base.regions = layer::regions().map(|(code, _)| (code.to_string(), OnceLock::new())).collect();
        base.default_region = default_region;
        base
    }

    /// The calendar of the shipped region `code`: this one's federal layer, the region's, then
    /// this one's local layers.
    fn with_region(&self, code: &str) -> Calendar {
        let Some(regional) = Layer::regional(code) else { return Calendar::merge(self.layers.clone(), None) };
        let (federal, local) = self.layers.split_at(1.min(self.layers.len()));
        let layers = federal.iter().cloned().chain(std::iter::once(regional)).chain(local.iter().cloned()).collect();
        Calendar::merge(layers, Some(code.to_string()))
    }

    /// Merges layers in order: for each date, the rows of the last layer that lists it.
    fn merge(layers: Vec<Layer>, region: Option<String>) -> Calendar {
        let mut days: BTreeMap<NaiveDate, (usize, Vec<Set>)> = BTreeMap::new();
        let mut covered = BTreeSet::new();
        for (i, layer) in layers.iter().enumerate() {
            for row in &layer.rows {
                // A year is complete when a federal or local layer has the decree's rows; a
                // regional law's transfer says nothing about the federal decree.
                if row.kind.is_decreed() && !matches!(layer.origin, Origin::Regional(_)) {
                    covered.insert(row.date.year());
                }
                let entry = days.entry(row.date).or_insert((i, Vec::new()));
                if entry.0 != i {
                    *entry = (i, Vec::new());
                }
                entry.1.push(Set { kind: row.kind, note: row.note.clone(), layer: i });
            }
        }
        let days: BTreeMap<NaiveDate, Vec<Set>> = days.into_iter().map(|(d, (_, sets))| (d, sets)).collect();
        let mut special = BTreeMap::new();
        let mut shortened = BTreeSet::new();
        for (date, sets) in &days {
            if sets.iter().any(|s| s.kind.is_day_off()) {
                special.insert(*date, Special::DayOff);
            } else if sets.iter().any(|s| s.kind == Kind::WorkingWeekend) {
                special.insert(*date, Special::WorkingWeekend);
            }
            if sets.iter().any(|s| s.kind == Kind::Shortened) {
                shortened.insert(*date);
            }
        }
        Calendar { special, shortened, covered, days, layers, region, ..Calendar::default() }
    }

    /// The calendar of a region (ISO 3166-2 code, `RU-TA`): this one when the region has no
    /// shipped layer; the default region's when `region` is `None`.
    pub fn for_region(&self, region: Option<&str>) -> &Calendar {
        let Some(code) = region.or(self.default_region.as_deref()) else { return self };
        let code = code.to_ascii_uppercase();
        self.regions.get(&code).map_or(self, |cell| cell.get_or_init(|| self.with_region(&code)))
    }

    /// A digest of everything this calendar says, its layers in order and the region a roadmap
    /// naming none gets: what a cached plan and check are keyed by. (The shipped regional layers
    /// are part of the build, which the caches are keyed by as well.)
    pub fn digest(&self) -> [u8; 32] {
        fn text(hasher: &mut blake3::Hasher, text: &str) {
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        let mut hasher = blake3::Hasher::new();
        for layer in &self.layers {
            match &layer.origin {
                Origin::Federal => text(&mut hasher, "federal"),
                Origin::Regional(code) => text(&mut hasher, &format!("regional {code}")),
                Origin::Local => text(&mut hasher, "local"),
            }
            text(&mut hasher, &layer.source);
            text(&mut hasher, &layer.title);
            hasher.update(&(layer.rows.len() as u64).to_le_bytes());
            for row in &layer.rows {
                hasher.update(&row.date.num_days_from_ce().to_le_bytes());
                text(&mut hasher, row.kind.name());
                text(&mut hasher, &row.note);
                hasher.update(&(row.line as u64).to_le_bytes());
            }
        }
        for region in [&self.region, &self.default_region] {
            hasher.update(&[u8::from(region.is_some())]);
            text(&mut hasher, region.as_deref().unwrap_or_default());
        }
        hasher.finalize().into()
    }

    /// Whether karta ships a calendar for the region.
    pub fn knows_region(&self, code: &str) -> bool {
        self.regions.contains_key(&code.to_ascii_uppercase())
    }

    /// The region this calendar is for, if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The layers, in the order they apply.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The rows in force for a date (empty for an ordinary day).
    pub fn day(&self, date: NaiveDate) -> &[Set] {
        self.days.get(&date).map_or(&[], Vec::as_slice)
    }

    /// The special days of a year, in date order.
    pub fn special_days(&self, year: i32) -> impl Iterator<Item = (NaiveDate, &[Set])> {
        let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31));
        let range = match (from, to) {
            (Some(a), Some(b)) => self.days.range(a..=b),
            _ => self.days.range(NaiveDate::MAX..=NaiveDate::MAX),
        };
        range.map(|(d, s)| (*d, s.as_slice()))
    }

    /// Whether the calendar knows the transfers of `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// The first and last year covered.
    pub fn years(&self) -> Option<(i32, i32)> {
        Some((*self.covered.first()?, *self.covered.last()?))
    }

    /// The year a service should warn about at `today`: the current one when its decree is
    /// missing, and from 1 October the next one (the decree for next year is usually out by
    /// autumn, and roadmaps of the school year already run into it).
    pub fn missing_year(&self, today: NaiveDate) -> Option<i32> {
        let year = today.year();
        if !self.covers(year) {
            return Some(year);
        }
        (today.month() >= 10 && !self.covers(year + 1)).then_some(year + 1)
    }

    /// The warning for [`Calendar::missing_year`], for logs and the admin page.
    pub fn coverage_warning(&self, today: NaiveDate) -> Option<crate::diag::Message> {
        let year = self.missing_year(today)?;
        Some(crate::msg!(
            "в производственном календаре нет переносов выходных на {} год (постановления Правительства РФ нет в данных): сроки в рабочих днях и переносы с выходных на {} год считаются без него; внесите его файлом календаря (karta calendar check ФАЙЛ, затем [calendar] files в karta.toml)", year, year;
            "the production calendar has no transfers of days off for {} (the Government decree is not in the data): working-day deadlines and shifts off days off in {} are counted without it; add it as a calendar file (karta calendar check FILE, then [calendar] files in karta.toml)", year, year))
    }

    /// Every year some layer has rows for, complete or not.
    pub fn listed_years(&self) -> BTreeSet<i32> {
        self.days.keys().map(Datelike::year).collect()
    }

    pub fn is_working(&self, date: NaiveDate) -> bool {
        match self.special.get(&date) {
            Some(Special::DayOff) => false,
            Some(Special::WorkingWeekend) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// A working day one hour shorter (предпраздничный).
    pub fn is_shortened(&self, date: NaiveDate) -> bool {
        self.shortened.contains(&date)
    }

    /// Working days in a calendar year.
    pub fn working_days_in_year(&self, year: i32) -> usize {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else { return 0 };
        first.iter_days().take_while(|d| d.year() == year).filter(|d| self.is_working(*d)).count()
    }

    /// Working days strictly after `from` up to and including `to` (negative when `to` < `from`).
    /// Counted by arithmetic on whole weeks plus the calendar's exceptions in the range, so a
    /// long overdue stretch costs no more than a short one.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let Some(start) = a.succ_opt() else { return 0 };
        if start > b {
            return 0;
        }
        let mut n = weekdays_through(b) - weekdays_through(a);
        for (date, kind) in self.special.range(start..=b) {
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            match (kind, weekend) {
                (Special::DayOff, false) => n -= 1,
                (Special::WorkingWeekend, true) => n += 1,
                _ => {}
            }
        }
        sign * n
    }

    /// The date `n` working days after `date` ("в течение 5 рабочих дней после …").
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.step_working_days(date, n, NaiveDate::succ_opt)
    }

    /// The date `n` working days before `date` (a reminder "за 5 рабочих дней").
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.step_working_days(date, n, NaiveDate::pred_opt)
    }

    fn step_working_days(&self, date: NaiveDate, n: u32, step: fn(&NaiveDate) -> Option<NaiveDate>) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = step(&day).unwrap_or(day);
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }

    /// Applies a non-working-day rule to a due date.
    pub fn shift(&self, date: NaiveDate, rule: Shift) -> NaiveDate {
        let step = |d: NaiveDate| match rule {
            Shift::Keep => None,
            Shift::Next => d.succ_opt(),
            Shift::Previous => d.pred_opt(),
        };
        let mut day = date;
        // Bounded: the longest run of days off in the calendar is under two weeks.
        for _ in 0..31 {
            if self.is_working(day) {
                return day;
            }
            match step(day) {
                Some(next) => day = next,
                None => return date,
            }
        }
        date
    }
}

/// Monday–Friday days from a fixed epoch through `d` (only differences are meaningful).
fn weekdays_through(d: NaiveDate) -> i64 {
    let days = i64::from(d.num_days_from_ce());
    // Day 1 of the common era (0001-01-01) was a Monday.
    let (weeks, rest) = (days.div_euclid(7), days.rem_euclid(7));
    weeks * 5 + rest.min(5)
}

/// The Russian name of a date's weekday ("понедельник").
pub fn weekday_name(date: NaiveDate) -> &'static str {
    crate::diag::Lang::Ru.weekday(date)
}

/// An IANA time zone by name.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The instant a due date ends in a time zone: `time` if given, else 23:59:59.
pub fn due_instant(date: NaiveDate, time: Option<NaiveTime>, tz: Tz) -> DateTime<FixedOffset> {
    let time = time.unwrap_or_else(|| NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    let local = date.and_time(time);
    let resolved = tz.from_local_datetime(&local).earliest().or_else(|| {
        // A local time inside a DST gap: take the same wall time an hour later.
        tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest()
    });
    match resolved {
        Some(t) => t.fixed_offset(),
        None => local.and_utc().fixed_offset(),
    }
}

/// The day after `date`, saturating at the end of chrono's range.
pub fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn the_digest_follows_what_the_calendar_says() {
        let local = |note: &str| {
            vec![Layer::read(
                Origin::Local,
                "local.tsv",
                "",
                &format!("date\ttype\tnote\n2027-01-11\tholiday\t{note}\n"),
            )]
        };
        let base = Calendar::layered(local("Указ"), None).digest();
        assert_eq!(base, Calendar::layered(local("Указ"), None).digest(), "the same layers, the same digest");
        assert_ne!(base, Calendar::layered(local("Указ № 2"), None).digest(), "a row's note");
        assert_ne!(base, Calendar::layered(Vec::new(), None).digest(), "a layer fewer");
        assert_ne!(base, Calendar::layered(local("Указ"), Some("RU-TA".into())).digest(), "the default region");
        let tatarstan = Calendar::layered(local("Указ"), None);
        assert_ne!(base, tatarstan.for_region(Some("ru-ta")).digest(), "a region's calendar");
        assert!(!tatarstan.for_region(Some("RU-TA")).is_working(d(2026, 3, 20)), "Ураза-байрам, merged when asked");
        assert!(tatarstan.is_working(d(2026, 3, 20)) && !tatarstan.is_working(d(2027, 1, 11)));
    }

    #[test]
    fn working_days_per_year_match_the_official_totals() {
        let cal = Calendar::russia();
        // Official totals for a five-day week (see data/README).
        for (year, total) in [(2021, 247), (2022, 247), (2023, 247), (2024, 248), (2025, 247), (2026, 247)] {
            assert_eq!(cal.working_days_in_year(year), total, "{year}");
        }
    }

    #[test]
    fn transfers_and_weekends() {
        let cal = Calendar::russia();
        assert!(!cal.is_working(d(2023, 11, 6)), "transferred from Sat 04.11.2023");
        assert!(cal.is_working(d(2024, 4, 27)), "working Saturday");
        assert!(cal.is_working(d(2024, 11, 2)) && cal.is_shortened(d(2024, 11, 2)));
        assert!(!cal.is_working(d(2023, 10, 14)), "ordinary Saturday");
        assert!(cal.covers(2026) && !cal.covers(2027) && !cal.covers(2020));
    }

    #[test]
    fn shifting_due_dates() {
        let cal = Calendar::russia();
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Next), d(2024, 1, 9));
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Previous), d(2023, 12, 29));
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Keep), d(2023, 12, 31));
        assert_eq!(cal.add_working_days(d(2023, 12, 29), 1), d(2024, 1, 9));
        assert_eq!(cal.working_days_between(d(2023, 12, 29), d(2024, 1, 9)), 1);
        // The arithmetic agrees with counting day by day, across years, transfers and directions.
        let by_days = |a: NaiveDate, b: NaiveDate| {
            a.iter_days().skip(1).take_while(|x| *x <= b).filter(|x| cal.is_working(*x)).count() as i64
        };
        for (a, b) in [
            (d(2021, 1, 1), d(2026, 12, 31)),
            (d(2023, 11, 3), d(2023, 11, 7)),
            (d(2024, 4, 26), d(2024, 5, 13)),
            (d(2023, 10, 14), d(2023, 10, 15)),
        ] {
            assert_eq!(cal.working_days_between(a, b), by_days(a, b), "{a}..{b}");
            assert_eq!(cal.working_days_between(b, a), -by_days(a, b), "{b}..{a}");
        }
        assert_eq!(cal.working_days_between(d(2023, 1, 1) - chrono::Days::new(1), d(2023, 12, 31)), 247);
    }

    #[test]
    fn a_regional_layer_changes_working_day_arithmetic() {
        let federal = Calendar::russia();
        let tatarstan = federal.for_region(Some("RU-TA"));
        // «в течение 5 рабочих дней после» a prerequisite due on Fri 22.05.2026; Курбан-байрам
        // (Wed 27.05.2026) is a day off in Tatarstan only.
        assert_eq!(federal.add_working_days(d(2026, 5, 22), 5), d(2026, 5, 29));
        assert_eq!(tatarstan.add_working_days(d(2026, 5, 22), 5), d(2026, 6, 1));
        // A reminder three working days before Fri 29.05.2026.
        assert_eq!(federal.sub_working_days(d(2026, 5, 29), 3), d(2026, 5, 26));
        assert_eq!(tatarstan.sub_working_days(d(2026, 5, 29), 3), d(2026, 5, 25));
        // Bashkortostan: the Republic Day on Sun 11.10.2026 moves the day off to Mon 12.10.
        let bashkortostan = federal.for_region(Some("ru-ba"));
        assert_eq!(federal.shift(d(2026, 10, 11), Shift::Next), d(2026, 10, 12));
        assert_eq!(bashkortostan.shift(d(2026, 10, 11), Shift::Next), d(2026, 10, 13));
        // Every special day knows its layer and act.
        let set = &tatarstan.day(d(2026, 5, 27))[0];
        assert_eq!(tatarstan.layers()[set.layer].origin, Origin::Regional("RU-TA".into()));
        assert!(set.note.contains("1448-XII"), "{}", set.note);
        // A regional law's transfer does not make a year complete; the federal decree does.
        assert!(tatarstan.covers(2026) && !tatarstan.covers(2027));
        assert!(federal.for_region(Some("RU-XX")).region().is_none(), "an unknown region falls back to federal");
    }

    #[test]
    fn later_layers_win_date_by_date() {
        let local = Layer::read(
            Origin::Local,
            "local.tsv",
            "",
            "date\ttype\tnote\n2026-10-12\tholiday\tНерабочий день (пример)\n2026-12-31\tshortened\tпример: рабочий день\n",
        );
        let cal = Calendar::layered(vec![local], None);
        assert!(!cal.is_working(d(2026, 10, 12)), "added day off");
        assert!(
            cal.is_working(d(2026, 12, 31)) && cal.is_shortened(d(2026, 12, 31)),
            "the local row replaces the federal transfer"
        );
        assert_eq!(cal.day(d(2026, 12, 31)).len(), 1);
        assert_eq!(cal.layers()[cal.day(d(2026, 10, 12))[0].layer].source, "local.tsv");
        assert_eq!(cal.working_days_in_year(2026), 247);
        // The default region applies where a roadmap names none.
        let with_default = Calendar::layered(Vec::new(), Some("RU-TA".into()));
        assert_eq!(with_default.for_region(None).region(), Some("RU-TA"));
    }

    #[test]
    fn services_warn_about_next_year_from_october() {
        let cal = Calendar::russia();
        assert_eq!(cal.missing_year(d(2026, 9, 30)), None);
        assert_eq!(cal.missing_year(d(2026, 10, 1)), Some(2027));
        assert_eq!(cal.missing_year(d(2027, 2, 1)), Some(2027), "the current year, all year");
        assert!(cal.coverage_warning(d(2026, 12, 4)).is_some_and(|m| m.ru.contains("2027")));
    }

    #[test]
    fn due_instants_are_local_end_of_day() {
        let tz = zone("Asia/Vladivostok").expect("zone");
        assert_eq!(due_instant(d(2023, 10, 8), None, tz).to_rfc3339(), "2023-10-08T23:59:59+10:00");
        let t = NaiveTime::from_hms_opt(18, 0, 0);
        assert_eq!(due_instant(d(2023, 10, 7), t, tz).to_rfc3339(), "2023-10-07T18:00:00+10:00");
        assert!(zone("Asia/Yakutsk").is_some() && zone("Europe/Lazo").is_none());
    }
}
