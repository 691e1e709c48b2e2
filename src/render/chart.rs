//! The chart of an indicator: one group of bars per series of values (a series is one kind of
//! period and one measure, so an exam year and a school year's diagnostic works stand apart),
//! the baseline grey, the actual black (hollow for a series other than the targets' one), each
//! target a dashed line. The legend names only what is drawn; the axis counts in whole numbers
//! when the indicator counts things. Plain SVG 1.1, black and grey only (GOST: no colour), sized
//! for a 170 mm text column; text is escaped. Tick labels carry `class="tick"`, legend entries
//! `class="entry"`, for tests and styling.

use std::fmt::Write;

use super::helpers::escape_xml as escape;
use crate::ru;

const WIDTH: f64 = 640.0;
/// The height; `templates/docx/partials/chart.hbs` shows the PNG at this aspect ratio.
pub const HEIGHT: f64 = 280.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const BOTTOM: f64 = 74.0;
const TOP: f64 = 30.0;

/// One series of the chart.
#[derive(Debug, Clone)]
pub struct Group {
    /// Shown under the group when the chart has several groups.
    pub name: String,
    /// In the legend when the chart has several groups: «ЕГЭ», «Диагностические работы».
    pub short: String,
    /// The series of the targets: its actual values are black, the others' hollow.
    pub main: bool,
    pub bars: Vec<Bar>,
}

/// One period (or one measurement) of a series.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Under the bar: «2024», «ДР 1» (shortened to fit).
    pub label: String,
    /// The full name, shown on hover: «Диагностическая работа 1, 2023/2024 уч. г.».
    pub title: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
}

pub fn svg(title: &str, unit: &str, groups: &[Group], integer: bool) -> String {
    let values = || groups.iter().flat_map(|g| &g.bars).flat_map(|b| [b.baseline, b.target, b.actual]).flatten();
    let ticks = ticks(values().fold(0.0_f64, f64::max), integer);
    let top = ticks.last().copied().unwrap_or(1.0);
    let bottom = HEIGHT - BOTTOM;
    let y = |v: f64| TOP + (bottom - TOP) * (1.0 - v.max(0.0) / top);
    let n = groups.iter().map(|g| g.bars.len()).sum::<usize>().max(1);
    let slot = (WIDTH - LEFT - RIGHT) / n as f64;
    let several = groups.iter().filter(|g| !g.bars.is_empty()).count() > 1;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}" font-family="Times New Roman, Liberation Serif, serif" font-size="12">"#,
        escape(title)
    );
    let _ = write!(out, r#"<title>{}</title>"#, escape(title));
    let axis = if unit.trim().is_empty() {
        "Значение".to_string()
    } else {
        format!("Значение, {}", unit.trim())
    };
    let _ = write!(out, r#"<text class="axis" x="4" y="14">{}</text>"#, escape(&axis));
    for &v in &ticks {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc" stroke-width="0.5"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y(v) + 4.0,
            escape(&ru::decimal(v)),
            y = y(v)
        );
    }
    let mut i = 0;
    for g in groups {
        let first = i;
        for b in &g.bars {
            bar(&mut out, b, LEFT + slot * i as f64, slot, g.main, &y);
            i += 1;
        }
        if several && i > first {
            let (from, to) = (LEFT + slot * first as f64, LEFT + slot * i as f64);
            let caption = short(&g.name, ((to - from) / 6.5) as usize);
            let _ = write!(
                out,
                r#"<text class="group" x="{:.1}" y="{:.1}" text-anchor="middle"><title>{}</title>{}</text>"#,
                (from + to) / 2.0,
                bottom + 32.0,
                escape(&g.name),
                escape(&caption)
            );
            if first > 0 {
                let _ = write!(
                    out,
                    r##"<line x1="{from:.1}" x2="{from:.1}" y1="{TOP}" y2="{:.1}" stroke="#999" stroke-dasharray="2 2"/>"##,
                    bottom + 36.0
                );
            }
        }
    }
    let _ = write!(out, r##"<line x1="{LEFT}" x2="{}" y1="{bottom}" y2="{bottom}" stroke="#000"/>"##, WIDTH - RIGHT);
    legend(&mut out, groups, several);
    out.push_str("</svg>");
    out
}

/// One slot: the baseline and actual bars side by side with their values, the target line,
/// the label under the axis.
fn bar(out: &mut String, b: &Bar, x: f64, slot: f64, main: bool, y: &impl Fn(f64) -> f64) {
    let bottom = HEIGHT - BOTTOM;
    let width = (slot * 0.35).min(40.0);
    let shown: Vec<(f64, &str, &str)> = [
        b.baseline.map(|v| (v, r##"fill="#999""##, "базовое значение")),
        b.actual.map(|v| (v, if main { r##"fill="#000""## } else { r##"fill="#fff" stroke="#000""## }, "факт")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let total = width * shown.len() as f64 + 2.0 * shown.len().saturating_sub(1) as f64;
    let mut left = x + (slot - total) / 2.0;
    for (v, paint, what) in shown {
        let _ = write!(
            out,
            r#"<rect x="{left:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" {paint}><title>{what}, {}: {}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"#,
            y(v),
            (bottom - y(v)).max(0.5),
            escape(&b.title),
            escape(&ru::decimal(v)),
            left + width / 2.0,
            y(v) - 3.0,
            escape(&ru::decimal(v)),
        );
        left += width + 2.0;
    }
    if let Some(t) = b.target {
        let _ = write!(
            out,
            r##"<line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#000" stroke-width="2" stroke-dasharray="6 3"><title>цель, {}: {}</title></line>"##,
            x + slot * 0.08,
            x + slot * 0.92,
            y(t),
            y(t),
            escape(&b.title),
            escape(&ru::decimal(t))
        );
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10">{}</text>"#,
            x + slot * 0.92,
            y(t) - 4.0,
            escape(&ru::decimal(t))
        );
    }
    let _ = write!(
        out,
        r#"<text class="slot" x="{:.1}" y="{:.1}" text-anchor="middle"><title>{}</title>{}</text>"#,
        x + slot / 2.0,
        bottom + 16.0,
        escape(&b.title),
        escape(&short(&b.label, (slot / 6.5) as usize))
    );
}

/// The legend: an entry for each kind of mark the chart draws, and nothing else.
fn legend(out: &mut String, groups: &[Group], several: bool) {
    let bars = || groups.iter().flat_map(|g| g.bars.iter().map(move |b| (g, b)));
    let mut entries: Vec<(&str, String)> = Vec::new();
    if bars().any(|(_, b)| b.baseline.is_some()) {
        entries.push((r##"<rect x="{x}" y="{y}" width="10" height="10" fill="#999"/>"##, "базовое значение".into()));
    }
    for g in groups.iter().filter(|g| g.bars.iter().any(|b| b.actual.is_some())) {
        let name = if several { format!("факт: {}", short(&g.short, 40)) } else { "факт".into() };
        let mark = if g.main {
            r##"<rect x="{x}" y="{y}" width="10" height="10" fill="#000"/>"##
        } else {
            r##"<rect x="{x}" y="{y}" width="10" height="10" fill="#fff" stroke="#000"/>"##
        };
        entries.push((mark, name));
    }
    if bars().any(|(_, b)| b.target.is_some()) {
        entries.push((
            r##"<line x1="{x}" x2="{x2}" y1="{ym}" y2="{ym}" stroke="#000" stroke-width="2" stroke-dasharray="6 3"/>"##,
            "цель".into(),
        ));
    }
    // One line, or two when the entries are wider than the chart.
    let width = |name: &str| if name == "цель" { 28.0 } else { 14.0 } + 6.5 * name.chars().count() as f64 + 18.0;
    let total: f64 = entries.iter().map(|(_, n)| width(n)).sum();
    let (mut y, mut x) = (if total > WIDTH - LEFT { HEIGHT - 30.0 } else { HEIGHT - 16.0 }, LEFT);
    out.push_str(r#"<g class="legend">"#);
    for (mark, name) in entries {
        if x + width(&name) > WIDTH && x > LEFT {
            (x, y) = (LEFT, y + 14.0);
        }
        let mark = mark
            .replace("{x}", &format!("{x:.1}"))
            .replace("{x2}", &format!("{:.1}", x + 22.0))
            .replace("{y}", &format!("{y:.1}"))
            .replace("{ym}", &format!("{:.1}", y + 5.0));
        let indent = if mark.starts_with("<line") { 28.0 } else { 14.0 };
        let _ = write!(
            out,
            r#"<g class="entry">{mark}<text x="{:.1}" y="{:.1}">{}</text></g>"#,
            x + indent,
            y + 9.0,
            escape(&name)
        );
        x += width(&name);
    }
    out.push_str("</g>");
}

/// The ticks of the value axis from 0: steps of 1, 2 or 5 times a power of ten, about four of
/// them; whole steps when the indicator counts things.
pub fn ticks(max: f64, integer: bool) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(raw);
    if integer {
        step = step.max(1.0).round();
    }
    let n = ((max / step) * (1.0 - 1e-9)).ceil().max(1.0) as usize;
    (0..=n).map(|k| (k as f64 * step * 1e6).round() / 1e6).collect()
}

/// A label cut to `max` characters: long names become their initials («Диагностическая работа
/// 1» → «ДР 1»), then are cut with an ellipsis.
pub fn short(text: &str, max: usize) -> String {
    let max = max.max(4);
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut initials = String::new();
    let mut numbers = Vec::new();
    // What is in parentheses is a comment: «Предварительные итоги 2024 (ВТГ …)» → «ПИ 2024».
    let head = text.split('(').next().unwrap_or(text);
    for word in head.split(|c: char| c.is_whitespace() || c == ',') {
        if word.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '/' || c == '-') && !word.is_empty() {
            numbers.push(word);
        } else if word.chars().count() > 3 {
            initials.extend(word.chars().next().map(|c| c.to_uppercase().collect::<String>()));
        } else if word.chars().all(char::is_uppercase) {
            initials.push_str(word);
        }
    }
    let joined = std::iter::once(initials.as_str()).chain(numbers).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let short = joined.join(" ");
    // One long word has no initials worth reading.
    let words = head.split_whitespace().count();
    if words > 1 && !short.is_empty() && short.chars().count() <= max {
        return short;
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, baseline: Option<f64>, target: Option<f64>, actual: Option<f64>) -> Bar {
        Bar { label: label.into(), title: label.into(), baseline, target, actual }
    }

    #[test]
    fn chart_escapes_and_scales() {
        let groups = vec![Group {
            name: "По календарным годам".into(),
            short: "По календарным годам".into(),
            main: true,
            bars: vec![bar("2023", Some(5.74), None, None), bar("2024", None, Some(3.0), Some(4.2))],
        }];
        let svg = svg("<script>&", "%", &groups, false);
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("5,74"));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("Значение, %"));
    }

    #[test]
    fn ticks_are_round_and_whole_for_counts() {
        assert_eq!(ticks(3.0, true), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(ticks(1.0, true), [0.0, 1.0]);
        assert_eq!(ticks(16.0, true), [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(ticks(0.98, false), [0.0, 0.5, 1.0]);
        assert_eq!(ticks(41.38, false), [0.0, 20.0, 40.0, 60.0]);
        assert_eq!(ticks(0.0, false), [0.0, 0.5, 1.0]);
        assert_eq!(ticks(f64::NAN, true), [0.0, 1.0]);
    }

    #[test]
    fn the_legend_names_only_what_is_drawn() {
        let groups = vec![Group {
            name: "x".into(),
            short: "x".into(),
            main: true,
            bars: vec![bar("2024", None, None, Some(3.0))],
        }];
        let svg = svg("t", "чел.", &groups, true);
        assert!(svg.contains(">факт<"));
        assert!(!svg.contains("базовое значение<") && !svg.contains(">цель<"), "{svg}");
    }

    #[test]
    fn labels_are_shortened() {
        assert_eq!(short("Диагностическая работа 1", 10), "ДР 1");
        assert_eq!(short("2024", 10), "2024");
        assert_eq!(short("Предварительные итоги 2024 (ВТГ муниципальных ОО)", 12), "ПИ 2024");
        assert!(short("абвгдеёжзийклмн", 6).ends_with('…'));
    }
}
