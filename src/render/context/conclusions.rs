//! The справка's conclusions: what its figures say, in sentences a clerk would write — who
//! executes worst, where the overdue work is, what became overdue since the last cut-off.

use chrono::NaiveDate;

use super::status::{FigureRow, Figures, Overdue};
use crate::ru;

/// How many executors and sections a conclusion names at most.
const WORST: usize = 3;

pub(super) fn conclusions(
    totals: &Figures,
    by_section: &[FigureRow],
    by_executor: &[FigureRow],
    overdue: &[Overdue],
    newly_overdue: &[String],
    since: Option<NaiveDate>,
) -> Vec<String> {
    let mut out = Vec::new();
    let due = totals.done + totals.overdue;
    if due == 0 {
        out.push(
            "Контрольные сроки исполнения мероприятий не наступили; оценивать исполнение преждевременно.".to_string(),
        );
        return out;
    }
    if let Some(d) = totals.discipline {
        out.push(format!(
            "Исполнительская дисциплина составляет {}: из {} наступивших сроков в установленный срок выполнено {}.",
            ru::percent(d),
            due,
            totals.done_on_time
        ));
    }
    // The executors with the lowest discipline, among those with anything due.
    let mut weak: Vec<&FigureRow> =
        by_executor.iter().filter(|r| r.figures.discipline.is_some_and(|d| d < 1.0) && r.figures.overdue > 0).collect();
    weak.sort_by(|a, b| {
        a.figures
            .discipline
            .partial_cmp(&b.figures.discipline)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.figures.overdue.cmp(&a.figures.overdue))
    });
    if !weak.is_empty() {
        let names: Vec<String> = weak
            .iter()
            .take(WORST)
            .map(|r| {
                format!(
                    "{} ({}, просрочено {})",
                    r.title,
                    ru::percent(r.figures.discipline.unwrap_or(0.0)),
                    r.figures.overdue
                )
            })
            .collect();
        out.push(format!("Наиболее низкая исполнительская дисциплина: {}.", names.join("; ")));
    }
    let mut sections: Vec<&FigureRow> = by_section.iter().filter(|r| r.figures.overdue > 0).collect();
    sections.sort_by_key(|r| std::cmp::Reverse(r.figures.overdue));
    if !sections.is_empty() {
        let names: Vec<String> = sections
            .iter()
            .take(WORST)
            .map(|r| format!("раздел {} «{}» – {}", r.number, r.title.trim_end_matches('.'), r.figures.overdue))
            .collect();
        out.push(format!("Больше всего просроченных сроков: {}.", names.join("; ")));
    }
    if totals.overdue > 0 {
        out.push(format!(
            "Из {} просроченных сроков по {} отчёт не представлен, по {} исполнители сообщили о невыполнении.",
            totals.overdue, totals.no_report, totals.not_done
        ));
    }
    if let Some(since) = since {
        match newly_overdue {
            [] => out.push(format!("С {} новых просроченных мероприятий нет.", ru::date_words(since))),
            points => out.push(format!(
                "С {} впервые просрочено мероприятий: {} ({} {}).",
                ru::date_words(since),
                points.len(),
                if points.len() == 1 { "пункт" } else { "пункты" },
                points.join(", ")
            )),
        }
    }
    if let Some(worst) = overdue.first() {
        out.push(format!(
            "Наибольшая просрочка – {} (пункт {}).",
            ru::counted(worst.days.max(0) as u64, ["день", "дня", "дней"]),
            worst.point
        ));
    }
    out
}
