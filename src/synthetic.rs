//! Synthetic workspaces for benchmarks and the comparison with TaskJuggler and Taskwarrior:
//! deterministic for a seed, shaped like real roadmaps.
//!
//! A region (ministry, institute) with districts and schools in a three-level directory; one
//! regional roadmap, district roadmaps that follow it, school roadmaps below them — together N
//! activities; ~30 % depend on an earlier activity, ~40 % recur weekly or monthly across the
//! school year; deadlines are Russian phrases from the whole grammar. [`reports`] adds a stream
//! of reports as of a date in `karta import` CSV: most done on time, some late, some never.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;

use crate::compile::Plan;

/// What [`workspace`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    pub activities: usize,
    pub roadmaps: usize,
    pub districts: usize,
    pub schools: usize,
}

/// xorshift64*: small, fast, the same sequence for the same seed everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn draw(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.draw() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.draw() % 100 < percent
    }
}

/// One-off deadlines, in the ministry's words.
const ONCE: &[&str] = &[
    "до 17 октября 2023 г.",
    "до 15 ноября 2023 г.",
    "октябрь – ноябрь 2023 г.",
    "до 30 декабря 2023 г.",
    "январь 2024 г.",
    "февраль – март 2024 г.",
    "2 – 3 ноября 2023 г. 28 – 29 марта 2024 г.",
    "до 30 ноября 2023 г. до 30 апреля 2024 г.",
    "I квартал 2024 г.",
    "до 25 мая 2024 г.",
    "не позднее 1 июня 2024 г.",
];
/// Recurring deadlines.
const RECURRING: &[&str] = &[
    "Ежемесячно, последняя среда месяца",
    "октябрь 2023 г. – март 2024 г., первая неделя",
    "октябрь – декабрь 2023 г., еженедельно",
    "до 5 числа месяца, следующего за отчетным",
    "ежемесячно до 25 числа",
    "еженедельно по пятницам",
];
const VERBS: &[&str] = &["Организация", "Проведение", "Подготовка", "Мониторинг", "Анализ", "Разработка", "Участие в"];
const WHAT: &[&str] = &[
    "методических семинаров для учителей математики",
    "диагностических работ по русскому языку",
    "отчёта о реализации дорожной карты",
    "консультаций для родителей выпускников",
    "плана повышения квалификации педагогов",
    "результатов ЕГЭ и ОГЭ",
    "индивидуальных образовательных маршрутов",
];

impl Rng {
    /// A generator for `seed` (0 counts as 1: xorshift never leaves zero).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
}

/// Writes `roadmaps/` of `n` activities under `out`.
pub fn workspace(out: &Path, n: usize, rng: &mut Rng) -> std::io::Result<Written> {
    let dir = out.join("roadmaps");
    std::fs::create_dir_all(&dir)?;
    // The shape: a region of D districts with S schools each; 5 % of the work regional, 25 %
    // in district roadmaps, the rest in school roadmaps of 30 activities.
    let regional = (n / 20).max(1);
    let district_total = n / 4;
    let school_total = n - regional - district_total;
    let schools = school_total.div_ceil(30).max(1);
    let districts = (schools / 20).clamp(1, 2_300);
    let per_district = district_total / districts;
    // The directory: ministry → institute → districts → schools.
    let mut d = String::from(
        "kind: directory\nid: region\ntitle: Исполнители региона\ntimezone: Asia/Vladivostok\nexecutors:\n  \
         minobr: {name: Министерство образования и науки края, email: minobr@region.example, head: {name: А.А. Министров, email: minister@region.example}}\n  \
         iro: {name: Институт развития образования, email: iro@region.example, parent: minobr}\n",
    );
    for k in 0..districts {
        let _ = writeln!(
            d,
            "  mo-{k}: {{name: Управление образования района {k}, email: mo{k}@region.example, parent: minobr, head: {{name: Б.Б. Начальник{k}, email: head{k}@region.example}}}}"
        );
    }
    for s in 0..schools {
        let _ = writeln!(
            d,
            "  school-{s}: {{name: Школа № {s}, email: school{s}@region.example, parent: mo-{}}}",
            s % districts
        );
    }
    d.push_str("groups:\n  districts:\n    name: Органы управления образованием районов\n    members: [");
    d.push_str(&(0..districts).map(|k| format!("mo-{k}")).collect::<Vec<_>>().join(", "));
    d.push_str("]\n");
    std::fs::write(dir.join("directory.yaml"), d)?;
    let mut written = 0;
    let mut file = 0;
    let mut emit =
        |name: String, title: &str, executors: &[String], count: usize, rng: &mut Rng| -> std::io::Result<()> {
            for chunk in 0..count.div_ceil(5_000) {
                let here = (count - chunk * 5_000).min(5_000);
                let id = format!("{name}-{chunk}");
                std::fs::write(dir.join(format!("{id}.yaml")), roadmap(&id, title, executors, here, rng))?;
                written += here;
                file += 1;
            }
            Ok(())
        };
    emit("regional".into(), "Региональная дорожная карта", &["iro".into(), "districts".into()], regional, rng)?;
    for k in 0..districts {
        emit(format!("district-{k}"), &format!("Дорожная карта района {k}"), &[format!("mo-{k}")], per_district, rng)?;
    }
    for s in 0..schools {
        let count = 30.min(school_total.saturating_sub(s * 30));
        if count == 0 {
            break;
        }
        emit(format!("school-{s}"), &format!("Дорожная карта школы № {s}"), &[format!("school-{s}")], count, rng)?;
    }
    Ok(Written { activities: written, roadmaps: file, districts, schools })
}

fn roadmap(id: &str, title: &str, executors: &[String], n: usize, rng: &mut Rng) -> String {
    let mut y = format!(
        "kind: roadmap\nid: {id}\ntitle: {title}\nperiod: {{from: 2023-09-01, to: 2024-08-31}}\ntimezone: Asia/Vladivostok\n\
         controller: minobr\ninclude: [directory.yaml]\nsections:\n"
    );
    for i in 0..n {
        if i % 50 == 0 {
            let _ = writeln!(y, "  - title: Раздел {}\n    activities:", i / 50 + 1);
        }
        // ~40 % recurring, ~10 % counted from an earlier activity, the rest one-off.
        let roll = rng.below(100);
        let due = if roll < 40 {
            RECURRING[rng.below(RECURRING.len())].to_string()
        } else if roll < 50 && i > 0 {
            format!("в течение {} рабочих дней после a{}", 3 + rng.below(10), rng.below(i))
        } else {
            ONCE[rng.below(ONCE.len())].to_string()
        };
        let relative = due.starts_with("в течение");
        let title = format!("{} {}", VERBS[rng.below(VERBS.len())], WHAT[rng.below(WHAT.len())]);
        let who = &executors[rng.below(executors.len())];
        let _ = writeln!(
            y,
            "      - id: a{i}\n        title: {title} ({i})\n        executors: [{who}]\n        due: \"{due}\""
        );
        // ~30 % depend on an earlier activity (a relative deadline names its own already).
        if i > 0 && !relative && rng.chance(20) {
            let _ = writeln!(y, "        after: [a{}]", rng.below(i));
        }
    }
    y
}

/// Reports of the occurrences of `plan` due by `now`, as `karta import` CSV: 80 % on time,
/// 10 % late by up to 20 days, 10 % never. Returns the text and the number of rows.
pub fn reports(plan: &Plan, now: NaiveDate, rng: &mut Rng) -> (String, usize) {
    let mut csv = String::from("occurrence;status;date\n");
    let mut count = 0;
    for o in plan.occurrences.iter().filter(|o| o.due_date <= now) {
        let roll = rng.below(10);
        if roll == 9 {
            continue;
        }
        let late = if roll == 8 { 1 + rng.below(20) as u64 } else { 0 };
        let on = (o.due_date + chrono::Days::new(late)).min(now);
        let _ = writeln!(csv, "{};выполнено;{}", o.id, on.format("%d.%m.%Y"));
        count += 1;
    }
    (csv, count)
}
