//! The items of an amending order («О внесении изменений в …»), worded as officials word them
//! (docs/amendments.md, section 5): one item per change, in the order of the table.
//!
//! - a changed cell: «в графе «Сроки» пункта 1.5 слова «…» заменить словами «…»»;
//! - a row changed in several cells, or in its title: «пункт 2.3 изложить в следующей редакции:»
//!   with the row;
//! - an added row: «раздел 2 дополнить пунктом 2.16 следующего содержания:» with the row;
//! - a removed row: «пункт 3.4 исключить»;
//! - a row that only moved: «пункт 2.5 считать пунктом 2.4»;
//! - sections: «дополнить разделом 4 «…»», «раздел 3 исключить», «наименование раздела 2
//!   изложить в следующей редакции: «…»».
//!
//! When the changes are many (more than [`MANY`] items, or a third of the rows), the order says
//! «изложить приложение в новой редакции» and the new table is attached instead.

use serde::Serialize;

use super::diff::{Activity, Change, Diff, Field, Kind};

/// More items than this and the appendix is restated.
pub const MANY: usize = 15;

/// One item of the order: its words, and the row it sets out when it sets one out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub text: String,
    pub row: Option<Box<Activity>>,
}

/// What the order does to the roadmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Items {
    /// The items one by one; empty when the appendix is restated.
    pub items: Vec<Item>,
    /// The appendix is set out anew (the changes are many).
    pub restated: bool,
}

/// The items for `diff`, `rows` being the number of rows of the new table.
pub fn items(diff: &Diff, rows: usize) -> Items {
    let mut items = Vec::new();
    if let Some((_, title)) = &diff.title {
        items.push(Item {
            text: format!(
                "наименование дорожной карты изложить в следующей редакции: «{}»",
                title.trim_matches(['«', '»'])
            ),
            row: None,
        });
    }
    for s in &diff.sections {
        let text = match s.kind {
            Kind::Added => format!("дополнить разделом {} «{}»", s.number, s.after.as_deref().unwrap_or_default()),
            Kind::Removed => format!("раздел {} исключить", s.number),
            Kind::Changed => format!(
                "наименование раздела {} изложить в следующей редакции: «{}»",
                s.number,
                s.after.as_deref().unwrap_or_default()
            ),
        };
        items.push(Item { text, row: None });
    }
    let steps: Vec<Step> = diff.activities.iter().flat_map(of_change).collect();
    items.extend(grouped(steps));
    let restated = items.len() > MANY || (rows > 0 && diff.activities.len() * 3 > rows);
    if restated {
        items.clear();
    }
    Items { items, restated }
}

/// An item, or a point that only moves (grouped with its neighbours before it is worded).
enum Step {
    Item(Item),
    Renumber(String, String),
}

fn of_change(change: &Change) -> Vec<Step> {
    let mut out = Vec::new();
    match (change.kind, &change.before, &change.after) {
        (Kind::Added, _, Some(a)) => out.push(Step::Item(Item {
            text: format!("раздел {} дополнить пунктом {} следующего содержания:", a.section, a.point),
            row: Some(Box::new(a.clone())),
        })),
        (Kind::Removed, Some(b), _) => {
            out.push(Step::Item(Item { text: format!("пункт {} исключить", b.point), row: None }))
        }
        (Kind::Changed, Some(b), Some(a)) => {
            if b.point != a.point {
                out.push(Step::Renumber(b.point.clone(), a.point.clone()));
            }
            // Dependencies are karta's, not a column of the approved table: nothing to amend.
            let printed: Vec<Field> = change.fields.iter().copied().filter(|f| *f != Field::After).collect();
            match printed.as_slice() {
                [] => {}
                [field @ (Field::Due | Field::Executors | Field::Result)] => {
                    let (old, new) = (field.words(b), field.words(a));
                    if old == new {
                        // The same words meaning other dates (another calendar): nothing to amend.
                        return out;
                    }
                    let text = if old.is_empty() {
                        format!("графу «{}» пункта {} дополнить словами «{}»", field.column(), a.point, new)
                    } else {
                        format!(
                            "в графе «{}» пункта {} слова «{}» заменить словами «{}»",
                            field.column(),
                            a.point,
                            old,
                            new
                        )
                    };
                    out.push(Step::Item(Item { text, row: None }));
                }
                _ => out.push(Step::Item(Item {
                    text: format!("пункт {} изложить в следующей редакции:", a.point),
                    row: Some(Box::new(a.clone())),
                })),
            }
        }
        _ => {}
    }
    out
}

/// Runs of «пункт 2.13 считать пунктом 2.12», «пункт 2.14 считать пунктом 2.13», … as one item:
/// «пункты 2.13–2.17 считать соответственно пунктами 2.12–2.16».
fn grouped(steps: Vec<Step>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut run: Vec<(String, String)> = Vec::new();
    let flush = |run: &mut Vec<(String, String)>, out: &mut Vec<Item>| {
        match run.as_slice() {
            [] => {}
            [(from, to)] => {
                out.push(Item { text: format!("пункт {from} считать пунктом {to}"), row: None })
            }
            [first, .., last] => out.push(Item {
                text: format!("пункты {}–{} считать соответственно пунктами {}–{}", first.0, last.0, first.1, last.1),
                row: None,
            }),
        }
        run.clear();
    };
    for step in steps {
        match step {
            Step::Renumber(from, to) => {
                let pair = (from, to);
                if run.last().is_some_and(|last| !follows(last, &pair)) {
                    flush(&mut run, &mut out);
                }
                run.push(pair);
            }
            Step::Item(item) => {
                flush(&mut run, &mut out);
                out.push(item);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether `next` continues the run ending in `last`: both points one further in the same section.
fn follows(last: &(String, String), next: &(String, String)) -> bool {
    let step = |a: &str, b: &str| {
        let (sa, na) = a.rsplit_once('.').unwrap_or(("", a));
        let (sb, nb) = b.rsplit_once('.').unwrap_or(("", b));
        sa == sb && matches!((na.parse::<u32>(), nb.parse::<u32>()), (Ok(x), Ok(y)) if y == x + 1)
    };
    step(&last.0, &next.0) && step(&last.1, &next.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amend::diff::{Change, Diff};

    fn activity(point: &str, due: &str) -> Activity {
        Activity {
            id: format!("a-{point}"),
            point: point.into(),
            printed: format!("{point}."),
            section: 1,
            title: format!("Мероприятие {point}"),
            tasks: Vec::new(),
            executors: vec!["МБУ «ИМЦ»".into()],
            due: due.into(),
            dates: Vec::new(),
            result: None,
            after: Vec::new(),
        }
    }

    fn changed(before: Activity, after: Activity, fields: Vec<Field>) -> Change {
        let renumbered = before.point != after.point;
        Change { kind: Kind::Changed, before: Some(before), after: Some(after), fields, renumbered }
    }

    fn diff(activities: Vec<Change>) -> Diff {
        Diff { roadmap: "r".into(), title: None, sections: Vec::new(), activities, matched: Default::default() }
    }

    fn texts(items: &Items) -> Vec<&str> {
        items.items.iter().map(|i| i.text.as_str()).collect()
    }

    #[test]
    fn a_run_of_renumbered_points_is_one_item_and_a_break_starts_another() {
        let moves = [("1.3", "1.2"), ("1.4", "1.3"), ("1.5", "1.4"), ("1.7", "1.6"), ("2.1", "2.2")];
        let d = diff(moves.iter().map(|(a, b)| changed(activity(a, "x"), activity(b, "x"), Vec::new())).collect());
        assert_eq!(
            texts(&items(&d, 100)),
            [
                "пункты 1.3–1.5 считать соответственно пунктами 1.2–1.4",
                "пункт 1.7 считать пунктом 1.6",
                "пункт 2.1 считать пунктом 2.2"
            ]
        );
    }

    #[test]
    fn an_empty_cell_is_filled_and_the_same_words_make_no_item() {
        let mut before = activity("1.1", "до 1 марта 2024 г.");
        before.result = None;
        let mut after = before.clone();
        after.result = Some("протокол".into());
        let same_words = changed(activity("1.2", "ежемесячно"), activity("1.2", "ежемесячно"), vec![Field::Due]);
        let d = diff(vec![changed(before, after, vec![Field::Result]), same_words]);
        assert_eq!(texts(&items(&d, 100)), ["графу «Результат» пункта 1.1 дополнить словами «протокол»"]);
    }

    #[test]
    fn many_changes_restate_the_appendix() {
        let d = diff(
            (1..=16)
                .map(|k| {
                    let p = format!("1.{k}");
                    changed(activity(&p, "до 1 марта 2024 г."), activity(&p, "до 1 апреля 2024 г."), vec![Field::Due])
                })
                .collect(),
        );
        let many = items(&d, 100);
        assert!(many.restated && many.items.is_empty(), "16 items");
        let few = items(&diff(d.activities[..3].to_vec()), 100);
        assert!(!few.restated && few.items.len() == 3);
        // Three changed rows of six is more than a third.
        assert!(items(&diff(d.activities[..3].to_vec()), 6).restated);
    }
}
