//! The chart of an indicator: bars by year (baseline grey, actual black), the target of each year
//! marked with a dashed line. Plain SVG 1.1, black and grey only (GOST: no colour), sized for a
//! 170 mm text column; text is escaped.

use std::fmt::Write;

use super::context::YearRow;
use super::helpers::escape_xml as escape;
use crate::ru;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 28.0;

pub fn svg(title: &str, unit: &str, rows: &[YearRow]) -> String {
    let max =
        rows.iter().flat_map(|r| [r.baseline, r.target, r.actual]).flatten().fold(0.0_f64, f64::max).max(f64::EPSILON);
    let top = nice(max);
    let plot_h = HEIGHT - BOTTOM - TOP;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top);
    let slot = (WIDTH - LEFT - 8.0) / rows.len().max(1) as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}" font-family="Times New Roman, Liberation Serif, serif" font-size="12">"#,
        escape(title)
    );
    let _ = write!(out, r#"<title>{}</title>"#, escape(title));
    let _ = write!(out, r#"<text x="{LEFT}" y="14">{}</text>"#, escape(unit));
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc" stroke-width="0.5"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - 8.0,
            LEFT - 4.0,
            y(v) + 4.0,
            escape(&ru::decimal(v)),
            y = y(v)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let x = LEFT + slot * i as f64;
        let bar = (slot * 0.3).min(40.0);
        let mut bars = |value: Option<f64>, offset: f64, fill: &str, label: &str| {
            if let Some(v) = value {
                let _ = write!(
                    out,
                    r##"<rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{fill}"><title>{label} {}: {}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"##,
                    x + offset,
                    y(v),
                    (HEIGHT - BOTTOM - y(v)).max(0.5),
                    escape(&r.year),
                    escape(&ru::decimal(v)),
                    x + offset + bar / 2.0,
                    y(v) - 3.0,
                    escape(&ru::decimal(v)),
                );
            }
        };
        bars(r.baseline, slot * 0.15, "#999", "базовое значение");
        bars(r.actual, slot * 0.15 + bar + 2.0, "#000", "факт");
        if let Some(t) = r.target {
            let _ = write!(
                out,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#000" stroke-width="2" stroke-dasharray="6 3"><title>цель {}: {}</title></line>"##,
                x + slot * 0.08,
                x + slot * 0.92,
                y(t),
                y(t),
                escape(&r.year),
                escape(&ru::decimal(t))
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + slot / 2.0,
            HEIGHT - BOTTOM + 16.0,
            escape(&r.year)
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="{b}" y2="{b}" stroke="#000"/><rect x="{LEFT}" y="{}" width="10" height="10" fill="#999"/><text x="{}" y="{}">базовое значение</text><rect x="{}" y="{}" width="10" height="10" fill="#000"/><text x="{}" y="{}">факт</text><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#000" stroke-width="2" stroke-dasharray="6 3"/><text x="{}" y="{}">цель</text></svg>"##,
        WIDTH - 8.0,
        HEIGHT - 14.0,
        LEFT + 14.0,
        HEIGHT - 5.0,
        LEFT + 140.0,
        HEIGHT - 14.0,
        LEFT + 154.0,
        HEIGHT - 5.0,
        LEFT + 210.0,
        LEFT + 236.0,
        HEIGHT - 9.0,
        HEIGHT - 9.0,
        LEFT + 242.0,
        HEIGHT - 5.0,
        b = HEIGHT - BOTTOM,
    );
    out
}

/// A round upper bound for the axis: 1, 2 or 5 times a power of ten.
fn nice(max: f64) -> f64 {
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|v| *v >= max).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_escapes_and_scales() {
        let rows = vec![
            YearRow { year: "2023".into(), baseline: Some(5.74), target: None, actual: None, met: None },
            YearRow { year: "2024".into(), baseline: None, target: Some(3.0), actual: Some(4.2), met: Some(false) },
        ];
        let svg = svg("<script>&", "%", &rows);
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("5,74"));
        assert!(svg.contains("stroke-dasharray"));
        assert_eq!(nice(5.74), 10.0);
        assert_eq!(nice(42.0), 50.0);
        assert_eq!(nice(0.3), 0.5);
    }
}
