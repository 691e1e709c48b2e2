//! `karta-gen`: a deterministic synthetic workspace shaped like real roadmaps, for benchmarks and
//! the comparison with TaskJuggler and Taskwarrior (`benches/peers/`).
//!
//! A region (ministry, institute) with districts and schools in a three-level directory; one
//! regional roadmap, district roadmaps that follow it, school roadmaps below them — together N
//! activities; ~30 % depend on an earlier activity, ~40 % recur weekly or monthly across the
//! school year; deadlines are Russian phrases from the whole grammar. With `--events`, a stream
//! of reports as of `--now` in `karta import` CSV: most done on time, some late, some never.
//!
//!     karta-gen --activities 10000 --out /tmp/gen [--seed 42] [--events --now 2024-03-01]

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Generate a synthetic karta workspace")]
struct Args {
    /// How many activities in all.
    #[arg(long, default_value_t = 10_000)]
    activities: usize,
    /// Where to write `roadmaps/` (and `events.csv`).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write `events.csv`: reports of the occurrences due by --now.
    #[arg(long)]
    events: bool,
    #[arg(long, default_value = "2024-03-01")]
    now: chrono::NaiveDate,
}

/// xorshift64*: small, fast, the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
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

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("karta-gen: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> std::io::Result<()> {
    let mut rng = Rng(args.seed.max(1));
    let dir = args.out.join("roadmaps");
    std::fs::create_dir_all(&dir)?;
    // The shape: a region of D districts with S schools each; 5 % of the work regional, 25 %
    // in district roadmaps, the rest in school roadmaps of 30 activities.
    let n = args.activities;
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
    emit("regional".into(), "Региональная дорожная карта", &["iro".into(), "districts".into()], regional, &mut rng)?;
    for k in 0..districts {
        emit(
            format!("district-{k}"),
            &format!("Дорожная карта района {k}"),
            &[format!("mo-{k}")],
            per_district,
            &mut rng,
        )?;
    }
    for s in 0..schools {
        let count = 30.min(school_total.saturating_sub(s * 30));
        if count == 0 {
            break;
        }
        emit(format!("school-{s}"), &format!("Дорожная карта школы № {s}"), &[format!("school-{s}")], count, &mut rng)?;
    }
    eprintln!("karta-gen: {written} activities in {file} roadmaps, {districts} districts, {schools} schools");
    if args.events {
        events(args, &mut rng)?;
    }
    Ok(())
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

/// Reports of the occurrences due by `--now`: 80 % on time, 10 % late, 10 % never.
fn events(args: &Args, rng: &mut Rng) -> std::io::Result<()> {
    let files = karta::check::collect_files(&[args.out.join("roadmaps")])
        .map_err(|p| std::io::Error::other(format!("no such path: {}", p.display())))?;
    let calendar = karta::calendar::Calendar::russia();
    let ws = karta::check::check_files(&files, calendar)
        .into_workspace()
        .map_err(|c| std::io::Error::other(format!("{} errors", c.diagnostics.len())))?;
    let plan = karta::compile::compile(&ws, calendar).map_err(|_| std::io::Error::other("does not compile"))?;
    let mut csv = String::from("occurrence;status;date\n");
    let mut count = 0;
    for o in plan.occurrences.iter().filter(|o| o.due_date <= args.now) {
        let roll = rng.below(10);
        if roll == 9 {
            continue;
        }
        let late = if roll == 8 { 1 + rng.below(20) as u64 } else { 0 };
        let on = (o.due_date + chrono::Days::new(late)).min(args.now);
        let _ = writeln!(csv, "{};выполнено;{}", o.id, on.format("%d.%m.%Y"));
        count += 1;
    }
    std::fs::write(args.out.join("events.csv"), csv)?;
    eprintln!("karta-gen: {count} reports in events.csv");
    Ok(())
}
