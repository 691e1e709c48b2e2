//! The справка's chart: execution discipline by executor, one horizontal bar each (the share of
//! due deadlines met on time), black on white as GOST documents are printed; text is escaped.

use std::fmt::Write;

use super::context::FigureRow;
use super::helpers::escape_xml as escape;
use crate::ru;

const WIDTH: f64 = 640.0;
const BAR: f64 = 18.0;
const GAP: f64 = 8.0;
const LABEL: f64 = 260.0;
const TOP: f64 = 24.0;

/// The chart, or none when no executor has anything due yet.
pub fn svg(rows: &[FigureRow]) -> Option<String> {
    let rows: Vec<(&str, f64)> =
        rows.iter().filter_map(|r| r.figures.discipline.map(|d| (r.title.as_str(), d.clamp(0.0, 1.0)))).collect();
    if rows.is_empty() {
        return None;
    }
    let height = TOP + rows.len() as f64 * (BAR + GAP) + 24.0;
    let plot = WIDTH - LABEL - 56.0;
    let title = "Исполнительская дисциплина по исполнителям, %";
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{title}" font-family="Times New Roman, Liberation Serif, serif" font-size="12"><title>{title}</title>"#
    );
    // Gridlines at 0, 25, 50, 75 and 100 %.
    for k in 0..=4 {
        let x = LABEL + plot * f64::from(k) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{}" y2="{:.1}" stroke="#bbb" stroke-width="0.5"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            TOP - 6.0,
            height - 20.0,
            height - 6.0,
            k * 25
        );
    }
    for (i, (name, share)) in rows.iter().enumerate() {
        let y = TOP + i as f64 * (BAR + GAP);
        let shown: String =
            if name.chars().count() > 40 { name.chars().take(39).chain(['…']).collect() } else { name.to_string() };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{LABEL}" y="{y:.1}" width="{:.1}" height="{BAR}" fill="#000"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            LABEL - 6.0,
            y + BAR - 5.0,
            escape(&shown),
            plot * share,
            LABEL + plot * share + 4.0,
            y + BAR - 5.0,
            escape(&ru::percent(*share))
        );
    }
    out.push_str("</svg>");
    Some(out)
}
