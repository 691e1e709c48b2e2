//! The roadmap as a Gantt chart: server-side SVG for the web pages, no JavaScript needed.
//!
//! One lane per section, one row per activity. A single occurrence is a bar from its opening to
//! its due date; a recurring activity is a thin line with a mark at each due date. Colours come
//! both as `class="st-<state>"` (for the page's CSS) and as an inline `fill` (works without CSS);
//! each mark links to its occurrence page and carries a Russian tooltip. All text is escaped.

use std::fmt::Write;

use chrono::{Datelike, Days, NaiveDate};

use crate::render::helpers::escape_xml as escape;
use crate::ru;

/// One lane per roadmap section.
pub struct Lane {
    pub title: String,
    pub bars: Vec<Bar>,
}

/// One row per activity.
pub struct Bar {
    pub number: String, // "1.2" (may be empty)
    pub title: String,
    pub href: String,     // link to the activity's first open occurrence page (already URL-safe)
    pub critical: bool,   // on the critical path
    pub ticks: Vec<Tick>, // the activity's occurrences, sorted by due date
}

pub struct Tick {
    pub opens: NaiveDate,
    pub due: NaiveDate,
    /// One of: planned, open, due_soon, overdue, done_on_time, done_late, cancelled
    pub state: &'static str,
    /// Tooltip text in Russian, e.g. "срок 17.10.2023 — просрочено на 3 дня"
    pub label: String,
    pub href: String,
}

const WIDTH: f64 = 1100.0;
const LABEL_W: f64 = 330.0;
const CHART_X: f64 = LABEL_W + 10.0;
const CHART_W: f64 = WIDTH - CHART_X - 10.0;
const TOP: f64 = 36.0;
const ROW: f64 = 22.0;
const LABEL_CHARS: usize = 46;
const LANE_CHARS: usize = 140;
const PAD_DAYS: u64 = 3;
const CRITICAL: &str = "#8b0000";
const TODAY: &str = "#1565c0";
const FONT: &str = "Arial, Liberation Sans, sans-serif";
const MONTHS: [&str; 12] = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"];

/// States in legend order: (state, fill, Russian name).
const STATES: [(&str, &str, &str); 8] = [
    ("planned", "#607d8b", "запланировано"),
    ("open", "#1976d2", "в работе"),
    ("due_soon", "#c25e00", "срок скоро"),
    ("overdue", "#d32f2f", "просрочено, нет отчёта"),
    ("not_done", "#8e0000", "не выполнено"),
    ("done_on_time", "#2e7d32", "выполнено в срок"),
    ("done_late", "#558b2f", "выполнено с опозданием"),
    ("cancelled", "#757575", "отменено"),
];

fn fill(state: &str) -> &'static str {
    STATES.iter().find(|s| s.0 == state).map_or("#757575", |s| s.1)
}

/// How a state is drawn, by shape as well as colour (every colour at least 3:1 against the
/// chart's backgrounds): late work hatched, work not begun hollow, the rest solid.
fn paint(state: &str) -> String {
    let color = fill(state);
    match state {
        "overdue" | "not_done" => format!(r#"fill="url(#hatch-{state})""#),
        "planned" | "cancelled" => format!(r##"fill="#ffffff" stroke="{color}" stroke-width="2""##),
        _ => format!(r#"fill="{color}""#),
    }
}

/// The hatch patterns of late work.
fn patterns() -> String {
    let mut out = String::from("<defs>");
    for state in ["overdue", "not_done"] {
        let _ = write!(
            out,
            r##"<pattern id="hatch-{state}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="{}"/><line x1="0" y1="0" x2="0" y2="5" stroke="#ffffff" stroke-width="1.5"/></pattern>"##,
            fill(state)
        );
    }
    out.push_str("</defs>");
    out
}

/// At most `max` characters, the cut marked with "…".
fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// `<a>` with both `href` (SVG 2) and `xlink:href` (older browsers); no target when `href` is empty.
fn open_link(out: &mut String, href: &str) {
    if href.is_empty() {
        out.push_str("<a>");
    } else {
        let h = escape(href);
        let _ = write!(out, r#"<a href="{h}" xlink:href="{h}">"#);
    }
}

fn empty() -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="gantt-title" viewBox="0 0 {WIDTH} 40" width="100%" font-family="{FONT}" font-size="14"><title id="gantt-title">Диаграмма Ганта</title><text x="10" y="25" fill="#546e7a">Нет мероприятий со сроками</text></svg>"##
    )
}

/// The chart; `today` is drawn as a vertical line labelled «сегодня».
pub fn svg(lanes: &[Lane], today: NaiveDate) -> String {
    let mut span: Option<(NaiveDate, NaiveDate)> = None;
    for t in lanes.iter().flat_map(|l| &l.bars).flat_map(|b| &b.ticks) {
        let (a, b) = (t.opens.min(t.due), t.opens.max(t.due));
        span = Some(span.map_or((a, b), |(f, l)| (f.min(a), l.max(b))));
    }
    let Some((first, last)) = span else { return empty() };
    let (first, last) = (first.min(today), last.max(today));
    let start = first.checked_sub_days(Days::new(PAD_DAYS)).unwrap_or(first);
    let end = last.checked_add_days(Days::new(PAD_DAYS)).unwrap_or(last);
    let days = (end - start).num_days().max(1) as f64;
    let x = |d: NaiveDate| CHART_X + CHART_W * (d - start).num_days() as f64 / days;

    let rows: usize = lanes.iter().map(|l| 1 + l.bars.len()).sum();
    let bottom = TOP + ROW * rows as f64;
    let legend_y = bottom + 40.0;
    let height = legend_y + 30.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="gantt-title" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {WIDTH} {height:.0}" width="100%" font-family="{FONT}" font-size="12"><title id="gantt-title">Диаграмма Ганта: мероприятия по разделам, ссылки — названия мероприятий</title>"#
    );
    out.push_str(&patterns());

    // Lane backgrounds and header rows, under everything else.
    let mut y = TOP;
    for (i, lane) in lanes.iter().enumerate() {
        let h = ROW * (1 + lane.bars.len()) as f64;
        let bg = if i % 2 == 0 { "#f5f7f8" } else { "#ffffff" };
        let _ = write!(
            out,
            r##"<rect x="0" y="{y:.1}" width="{WIDTH}" height="{h:.1}" fill="{bg}"/><rect x="0" y="{y:.1}" width="{WIDTH}" height="{ROW}" fill="#e3e8eb"/>"##
        );
        y += h;
    }

    // Month grid: thin more labels when months get narrow.
    let px_month = CHART_W * 30.44 / days;
    let step = if px_month >= 24.0 {
        1
    } else if px_month >= 8.0 {
        3
    } else {
        12
    };
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1);
    let mut first_label = true;
    while let Some(m) = month.filter(|m| *m <= end) {
        let next = match m.month() {
            12 => NaiveDate::from_ymd_opt(m.year() + 1, 1, 1),
            n => NaiveDate::from_ymd_opt(m.year(), n + 1, 1),
        };
        let left = x(m.max(start));
        let right = next.map_or(x(end), |n| x(n.min(end)));
        if m >= start {
            let color = if m.month() == 1 { "#90a4ae" } else { "#dde3e6" };
            let _ = write!(out, r#"<line x1="{left:.1}" x2="{left:.1}" y1="4" y2="{bottom:.1}" stroke="{color}"/>"#);
        }
        if (m.month() - 1) % step == 0 && (step > 1 || right - left >= 16.0) && left + 20.0 <= WIDTH {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="16" fill="#455a64">{}</text>"##,
                left + 3.0,
                MONTHS[m.month0() as usize]
            );
            if m.month() == 1 || first_label {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="30" fill="#455a64" font-weight="bold">{}</text>"##,
                    left + 3.0,
                    m.year()
                );
            }
            first_label = false;
        }
        month = next;
    }

    // Lane titles and activity rows.
    let mut y = TOP;
    for lane in lanes {
        let _ = write!(
            out,
            r#"<text x="6" y="{:.1}" font-weight="bold">{}</text>"#,
            y + 15.0,
            escape(&truncate(&lane.title, LANE_CHARS))
        );
        y += ROW;
        for bar in &lane.bars {
            row(&mut out, bar, y, &x);
            y += ROW;
        }
    }

    // Today's line, labelled under the last row.
    let tx = x(today);
    let anchor = if tx > WIDTH - 90.0 {
        "end"
    } else if tx < CHART_X + 90.0 {
        "start"
    } else {
        "middle"
    };
    let _ = write!(
        out,
        r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="4" y2="{:.1}" stroke="{TODAY}" stroke-width="1.5" stroke-dasharray="5,3"/><text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" fill="{TODAY}">сегодня {}</text>"#,
        bottom + 4.0,
        bottom + 17.0,
        escape(&ru::date_digits(today))
    );

    // Legend: the states, then the critical path and today's line.
    for i in 0..STATES.len() + 2 {
        let (lx, ly) = (10.0 + 215.0 * (i % 5) as f64, legend_y + 20.0 * (i / 5) as f64);
        let (swatch, name) = match STATES.get(i) {
            Some(&(state, _, name)) => (
                format!(
                    r#"<rect class="st-{state}" x="{lx}" y="{}" width="14" height="10" {}/>"#,
                    ly - 9.0,
                    paint(state)
                ),
                name,
            ),
            None if i == STATES.len() => (
                format!(
                    r##"<rect x="{lx}" y="{}" width="14" height="10" fill="#ffffff" stroke="{CRITICAL}" stroke-width="2"/>"##,
                    ly - 9.0
                ),
                "◆ критический путь",
            ),
            None => (
                format!(
                    r#"<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="{TODAY}" stroke-width="1.5" stroke-dasharray="5,3"/>"#,
                    ly - 11.0,
                    ly + 2.0,
                    x = lx + 7.0
                ),
                "сегодня",
            ),
        };
        let _ = write!(out, r#"{swatch}<text x="{}" y="{ly}" font-size="11">{name}</text>"#, lx + 20.0);
    }
    out.push_str("</svg>");
    out
}

/// One activity: its label (a link) in the left column and its bar or marks in the chart.
fn row(out: &mut String, bar: &Bar, y: f64, x: &dyn Fn(NaiveDate) -> f64) {
    let full = match bar.number.trim() {
        "" => bar.title.trim().to_string(),
        n => format!("{n} {}", bar.title.trim()),
    };
    open_link(out, &bar.href);
    let _ = write!(out, r##"<title>{}</title><text x="6" y="{:.1}" fill="#0d47a1">"##, escape(&full), y + 15.0);
    let mut chars = LABEL_CHARS;
    if bar.critical {
        let _ = write!(out, r#"<tspan fill="{CRITICAL}" font-weight="bold">◆</tspan> "#);
        chars -= 2;
    }
    let _ = write!(out, "{}</text></a>", escape(&truncate(&full, chars)));

    let stroke = if bar.critical { format!(r#" stroke="{CRITICAL}" stroke-width="2""#) } else { String::new() };
    let top = y + 5.0;
    match bar.ticks.as_slice() {
        [] => {}
        [t] => {
            let (a, b) = (x(t.opens.min(t.due)), x(t.opens.max(t.due)));
            tick(out, t, a, (b - a).max(3.0), top, &stroke);
        }
        ticks => band(out, ticks, y, top, &stroke, x),
    }
}

/// States from the most to the least urgent: a day with several occurrences shows the first.
const URGENCY: [&str; 8] =
    ["overdue", "not_done", "due_soon", "open", "planned", "done_late", "done_on_time", "cancelled"];

/// A recurring activity as one band: a thin line over its span, and on it one segment per run
/// of consecutive due dates in the same (most urgent) state — a handful of shapes however many
/// occurrences (a weekly report of twenty districts is hundreds). What the band sums up is in
/// its tooltip; each occurrence is reached through the activity's page and the lists.
fn band(out: &mut String, ticks: &[Tick], y: f64, top: f64, stroke: &str, x: &dyn Fn(NaiveDate) -> f64) {
    let a = ticks.iter().map(|t| x(t.opens.min(t.due))).fold(f64::INFINITY, f64::min);
    let b = ticks.iter().map(|t| x(t.opens.max(t.due))).fold(f64::NEG_INFINITY, f64::max);
    let rank = |state: &str| URGENCY.iter().position(|s| *s == state).unwrap_or(URGENCY.len());
    let mut days: std::collections::BTreeMap<NaiveDate, &'static str> = Default::default();
    let mut counts = [0usize; URGENCY.len() + 1];
    for t in ticks {
        counts[rank(t.state)] += 1;
        let day = days.entry(t.due).or_insert(t.state);
        if rank(t.state) < rank(day) {
            *day = t.state;
        }
    }
    let summary: Vec<String> = URGENCY
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(state, n)| format!("{} — {n}", STATES.iter().find(|s| s.0 == *state).map_or(*state, |s| s.2)))
        .collect();
    let _ = write!(
        out,
        r##"<g><title>{} {}: {}</title><line x1="{a:.1}" x2="{b:.1}" y1="{m:.1}" y2="{m:.1}" stroke="#b0bec5" stroke-width="2"/>"##,
        ticks.len(),
        crate::diag::plural(ticks.len() as u64, ["срок", "срока", "сроков"]),
        escape(&summary.join(", ")),
        m = y + ROW / 2.0
    );
    let mut runs: Vec<(NaiveDate, NaiveDate, &str)> = Vec::new();
    for (&day, &state) in &days {
        match runs.last_mut() {
            Some(run) if run.2 == state => run.1 = day,
            _ => runs.push((day, day, state)),
        }
    }
    for (first, last, state) in runs {
        let left = x(first) - 2.0;
        let _ = write!(
            out,
            r#"<rect class="st-{}" x="{left:.1}" y="{top:.1}" width="{:.1}" height="12" {}{stroke}/>"#,
            escape(state),
            x(last) + 2.0 - left,
            paint(state)
        );
    }
    out.push_str("</g>");
}

/// One occurrence: a rect with its tooltip, out of the tab order (the activity's label is the
/// link).
fn tick(out: &mut String, t: &Tick, left: f64, width: f64, top: f64, stroke: &str) {
    let _ = write!(
        out,
        r#"<g><title>{}</title><rect class="st-{}" x="{left:.1}" y="{top:.1}" width="{width:.1}" height="12" {}{stroke}/></g>"#,
        escape(&t.label),
        escape(t.state),
        paint(t.state)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn occurrence(state: &'static str, label: &str, due: NaiveDate) -> Tick {
        Tick { opens: d(2023, 9, 1), due, state, label: label.into(), href: "/o/1".into() }
    }

    fn bar(title: &str, critical: bool, ticks: Vec<Tick>) -> Bar {
        Bar { number: "1.2".into(), title: title.into(), href: "/a/1".into(), critical, ticks }
    }

    fn chart(bars: Vec<Bar>) -> String {
        svg(&[Lane { title: "Раздел 1".into(), bars }], d(2023, 10, 20))
    }

    /// The rect that follows the tooltip `label`.
    fn tick_rect<'a>(out: &'a str, label: &str) -> &'a str {
        let i = out.find(&format!("<title>{label}</title>")).expect("tooltip present");
        let rest = &out[i..];
        &rest[..rest.find("/>").expect("rect closed")]
    }

    #[test]
    fn overdue_tick_is_red() {
        let out = chart(vec![bar(
            "Отчёт",
            false,
            vec![occurrence("overdue", "срок 17.10.2023 — просрочено на 3 дня", d(2023, 10, 17))],
        )]);
        let rect = tick_rect(&out, "срок 17.10.2023 — просрочено на 3 дня");
        assert!(rect.contains(r#"class="st-overdue""#), "{rect}");
        assert!(rect.contains(r##"fill="url(#hatch-overdue)""##), "hatched: {rect}");
        assert!(out.contains(r##"<pattern id="hatch-overdue""##) && out.contains(r##"fill="#d32f2f""##));
        assert!(!out.contains(r#"href="/o/1""#), "the bar is not a link: the label is");
        assert!(out.contains(r#"href="/a/1""#));
    }

    #[test]
    fn today_is_labelled_with_the_date() {
        let out = svg(
            &[Lane { title: "Р".into(), bars: vec![bar("Б", false, vec![occurrence("open", "т", d(2024, 4, 1))])] }],
            d(2024, 3, 5),
        );
        assert!(out.contains("сегодня 05.03.2024"), "{out}");
        assert!(
            out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="gantt-title""#)
        );
        assert!(out.ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped() {
        let evil = "<script>alert(1)</script>";
        let mut b = bar(evil, true, vec![occurrence("planned", evil, d(2023, 11, 1))]);
        b.href = r#"/a?x="><script>"#.into();
        let out = svg(&[Lane { title: evil.into(), bars: vec![b] }], d(2023, 10, 20));
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;"));
    }

    #[test]
    fn critical_marks_are_outlined() {
        let out = chart(vec![
            bar("Критическое", true, vec![occurrence("open", "A", d(2023, 10, 1))]),
            bar("Обычное", false, vec![occurrence("open", "B", d(2023, 10, 1))]),
            bar(
                "Ежемесячное",
                true,
                vec![occurrence("done_on_time", "C1", d(2023, 9, 30)), occurrence("planned", "C2", d(2023, 10, 31))],
            ),
        ]);
        assert!(tick_rect(&out, "A").contains(r##"stroke="#8b0000""##));
        assert!(!tick_rect(&out, "B").contains("#8b0000"));
        // The recurring one is a band: each of its segments outlined.
        let band = &out[out.find("<g><title>2 срока").expect("the band")..];
        let band = &band[..band.find("</g>").expect("closed")];
        assert_eq!(band.matches("<rect").count(), 2, "{band}");
        assert_eq!(band.matches(r##"stroke="#8b0000""##).count(), 2, "{band}");
        assert!(out.contains("◆</tspan> 1.2 Критическое"));
    }

    #[test]
    fn a_recurring_activity_is_one_band_of_a_few_shapes() {
        // Ten weekly dates for twenty districts: done, then late, then open, then planned.
        let mut ticks = Vec::new();
        for week in 0..10u64 {
            let due = d(2023, 9, 4) + Days::new(7 * week);
            let state = match week {
                0..=3 => "done_on_time",
                4..=5 => "overdue",
                6 => "due_soon",
                _ => "planned",
            };
            for district in 0..20 {
                // One district late in the first weeks: the day shows the more urgent state.
                let state = if week == 1 && district == 7 { "overdue" } else { state };
                ticks.push(occurrence(state, "t", due));
            }
        }
        let out = chart(vec![bar("Еженедельный отчёт", false, ticks)]);
        let band = &out[out.find("<g><title>200 сроков").expect("the band with its count")..];
        let band = &band[..band.find("</g>").expect("closed")];
        let states: Vec<&str> = band.split("class=\"st-").skip(1).map(|r| &r[..r.find('"').unwrap_or(0)]).collect();
        assert_eq!(states, ["done_on_time", "overdue", "done_on_time", "overdue", "due_soon", "planned"], "{band}");
        assert!(band.contains("просрочено, нет отчёта — 41"), "{band}");
        assert!(!band.contains("<a"), "no link per occurrence");
        assert!(out.len() < 6_000, "{} bytes", out.len());
    }

    #[test]
    fn nothing_dated_says_so() {
        for out in [svg(&[], d(2023, 10, 20)), chart(vec![bar("Без сроков", false, vec![])])] {
            assert!(out.contains("Нет мероприятий со сроками"), "{out}");
            assert!(out.ends_with("</svg>"));
        }
    }
}
