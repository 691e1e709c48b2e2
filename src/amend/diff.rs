//! What changed between two versions of one roadmap, activity by activity and field by field
//! (docs/amendments.md, section 3). Activities are matched by id; an id that disappeared and one
//! that appeared with the same title are the same activity renumbered, as is an activity whose
//! printed point moved.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Snapshot;

/// One activity as a version has it: what the roadmap table prints and the dates it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub id: String,
    /// The point as the amending order names it: "2.3".
    pub point: String,
    /// The number as the table prints it in its first column: "3." (restarting in each section, as
    /// the roadmap writes it), else "2.3.".
    pub printed: String,
    /// 1-based.
    pub section: usize,
    pub title: String,
    pub tasks: Vec<String>,
    /// One executor per entry, as the table prints them.
    pub executors: Vec<String>,
    /// The deadline as written.
    pub due: String,
    /// The distinct due dates of its occurrences, in order.
    pub dates: Vec<NaiveDate>,
    pub result: Option<String>,
    /// Prerequisites as written.
    pub after: Vec<String>,
}

/// A field of an activity that a change names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Tasks,
    Executors,
    Due,
    Result,
    After,
}

impl Field {
    /// The column of the roadmap table the field is printed in, as the amending order names it.
    pub fn column(self) -> &'static str {
        match self {
            Field::Title | Field::Tasks => "Наименование мероприятия",
            Field::Executors => "Ответственные исполнители",
            Field::Due => "Сроки",
            Field::Result => "Результат",
            Field::After => "Зависимости",
        }
    }

    fn of(before: &Activity, after: &Activity) -> Vec<Field> {
        let mut out = Vec::new();
        let mut differs = |field, changed: bool| {
            if changed {
                out.push(field);
            }
        };
        differs(Field::Title, before.title != after.title);
        differs(Field::Tasks, before.tasks != after.tasks);
        differs(Field::Executors, before.executors != after.executors);
        differs(Field::Due, before.due != after.due || before.dates != after.dates);
        differs(Field::Result, before.result != after.result);
        differs(Field::After, before.after != after.after);
        out
    }
}

/// How an activity or section changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

/// One activity's change. `before` is absent for an added one, `after` for a removed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: Kind,
    pub before: Option<Activity>,
    pub after: Option<Activity>,
    /// The fields that differ (a changed activity).
    pub fields: Vec<Field>,
    /// The same activity under another point or id.
    pub renumbered: bool,
}

impl Change {
    /// The activity as it is now, else as it was.
    pub fn activity(&self) -> &Activity {
        self.after.as_ref().or(self.before.as_ref()).expect("a change has a side")
    }

    /// What a renumbered activity was: «прежде пункт 2.13 (method-13)», «прежде пункт 2.13»,
    /// «прежде method-5»; `None` when its point and id stayed.
    pub fn was(&self) -> Option<String> {
        let (Some(b), Some(a)) = (&self.before, &self.after) else { return None };
        match (b.point != a.point, b.id != a.id) {
            (true, true) => Some(format!("прежде пункт {} ({})", b.point, b.id)),
            (true, false) => Some(format!("прежде пункт {}", b.point)),
            (false, true) => Some(format!("прежде {}", b.id)),
            (false, false) => None,
        }
    }
}

/// A section added, removed or retitled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionChange {
    pub kind: Kind,
    /// 1-based, in the version that has it (the new one when both do).
    pub number: usize,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Everything that changed in one roadmap between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub roadmap: String,
    /// The roadmap's title, when it changed: (before, after).
    pub title: Option<(String, String)>,
    pub sections: Vec<SectionChange>,
    /// In the order of the table: the new version's for what it has, removed ones at their old place.
    pub activities: Vec<Change>,
    /// Activity ids of the old version → the id of the same activity in the new one.
    pub matched: HashMap<String, String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.sections.is_empty() && self.activities.is_empty()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.activities.iter().filter(|c| c.kind == kind).count()
    }
}

/// The activities of a version's roadmap, in table order.
pub fn activities(snapshot: &Snapshot) -> Vec<Activity> {
    let unit = snapshot.unit();
    let Some(roadmap) = unit.roadmap() else { return Vec::new() };
    let mut dates: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for o in snapshot.plan.occurrences.iter().filter(|o| o.unit == snapshot.unit) {
        dates.entry(unit.tasks[o.task].id.as_str()).or_default().push(o.due_date);
    }
    let model = roadmap
        .sections
        .iter()
        .enumerate()
        .flat_map(|(s, sec)| sec.activities.iter().enumerate().map(move |(k, a)| (s, k, a)));
    model
        .enumerate()
        .map(|(i, (s, k, a))| {
            let mut dates = dates.remove(a.id.as_str()).unwrap_or_default();
            dates.sort();
            dates.dedup();
            Activity {
                id: a.id.clone(),
                point: unit.point(i),
                printed: a.printed_number(s, k),
                section: s + 1,
                title: a.title.clone(),
                tasks: a.tasks.clone(),
                executors: unit.executors_cell(a),
                due: a.due.written(),
                dates,
                result: a.result.clone(),
                after: a.after.clone(),
            }
        })
        .collect()
}

/// The changes from `before` to `after`.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Diff {
    let old = activities(before);
    let new = activities(after);
    let (old_unit, new_unit) = (before.unit(), after.unit());

    // Match by id, then the leftovers by title.
    let new_ids: HashSet<&str> = new.iter().map(|a| a.id.as_str()).collect();
    let old_ids: HashSet<&str> = old.iter().map(|a| a.id.as_str()).collect();
    let mut matched: HashMap<String, String> =
        old.iter().filter(|a| new_ids.contains(a.id.as_str())).map(|a| (a.id.clone(), a.id.clone())).collect();
    let mut fresh: Vec<&Activity> = new.iter().filter(|a| !old_ids.contains(a.id.as_str())).collect();
    for a in old.iter().filter(|a| !new_ids.contains(a.id.as_str())) {
        if let Some(k) = fresh.iter().position(|n| same_words(&n.title, &a.title)) {
            matched.insert(a.id.clone(), fresh.remove(k).id.clone());
        }
    }
    let old_of: HashMap<&str, &Activity> =
        old.iter().filter_map(|a| matched.get(&a.id).map(|to| (to.as_str(), a))).collect();

    let mut changes: Vec<(usize, usize, Change)> = Vec::new();
    for (i, a) in new.iter().enumerate() {
        let change = match old_of.get(a.id.as_str()) {
            None => Change {
                kind: Kind::Added,
                before: None,
                after: Some(a.clone()),
                fields: Vec::new(),
                renumbered: false,
            },
            Some(b) => {
                let fields = Field::of(b, a);
                let renumbered = b.point != a.point || b.id != a.id;
                if fields.is_empty() && !renumbered {
                    continue;
                }
                Change { kind: Kind::Changed, before: Some((*b).clone()), after: Some(a.clone()), fields, renumbered }
            }
        };
        changes.push((i, 1, change));
    }
    // A removed activity stands where its old neighbour above now stands.
    let position: HashMap<&str, usize> = new.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    for (i, a) in old.iter().enumerate().filter(|(_, a)| !matched.contains_key(&a.id)) {
        let at = old[..i]
            .iter()
            .rev()
            .find_map(|p| matched.get(&p.id).and_then(|to| position.get(to.as_str())))
            .map_or(0, |p| p + 1);
        let change =
            Change { kind: Kind::Removed, before: Some(a.clone()), after: None, fields: Vec::new(), renumbered: false };
        changes.push((at, 0, change));
    }
    changes.sort_by_key(|(at, order, _)| (*at, *order));

    let sections = section_changes(&old_unit.sections, &new_unit.sections);
    let title = (old_unit.title != new_unit.title).then(|| (old_unit.title.clone(), new_unit.title.clone()));
    Diff {
        roadmap: new_unit.id.clone(),
        title,
        sections,
        activities: changes.into_iter().map(|(_, _, c)| c).collect(),
        matched,
    }
}

/// Sections by position: a title that differs is a retitled section; extra ones are added or removed.
fn section_changes(before: &[String], after: &[String]) -> Vec<SectionChange> {
    let mut out = Vec::new();
    for i in 0..before.len().max(after.len()) {
        let (b, a) = (before.get(i), after.get(i));
        let kind = match (b, a) {
            (Some(b), Some(a)) if b == a => continue,
            (Some(_), Some(_)) => Kind::Changed,
            (None, _) => Kind::Added,
            (_, None) => Kind::Removed,
        };
        out.push(SectionChange { kind, number: i + 1, before: b.cloned(), after: a.cloned() });
    }
    out
}

/// Titles equal but for case, spacing and the final full stop.
fn same_words(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches('.').to_lowercase();
    norm(a) == norm(b)
}

impl Diff {
    /// The changes as lines of text for `karta diff`, in Russian.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some((before, after)) = &self.title {
            out += &format!("  наименование: «{before}» → «{after}»\n");
        }
        for s in &self.sections {
            out += &match s.kind {
                Kind::Added => format!("+ раздел {}: {}\n", s.number, s.after.as_deref().unwrap_or_default()),
                Kind::Removed => format!("- раздел {}: {}\n", s.number, s.before.as_deref().unwrap_or_default()),
                Kind::Changed => format!(
                    "~ раздел {}: «{}» → «{}»\n",
                    s.number,
                    s.before.as_deref().unwrap_or_default(),
                    s.after.as_deref().unwrap_or_default()
                ),
            };
        }
        for c in &self.activities {
            let a = c.activity();
            match (c.kind, &c.before, &c.after) {
                (Kind::Added, _, _) => out += &format!("+ пункт {} ({}): {}\n", a.point, a.id, a.title),
                (Kind::Removed, _, _) => out += &format!("- пункт {} ({}): {}\n", a.point, a.id, a.title),
                (Kind::Changed, Some(b), Some(a)) => {
                    let was = c.was().map(|w| format!(", {w}")).unwrap_or_default();
                    out += &format!("~ пункт {} ({}{was}): {}\n", a.point, a.id, a.title);
                    for field in &c.fields {
                        out += &field_line(*field, b, a);
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// «    сроки: «…» → «…» (17.10.2023 → 30.11.2023)».
fn field_line(field: Field, b: &Activity, a: &Activity) -> String {
    let mut line = format!("    {}: «{}» → «{}»", field.label(), field.words(b), field.words(a));
    if field == Field::Due && b.dates != a.dates {
        line += &format!(" ({} → {})", dates_text(&b.dates), dates_text(&a.dates));
    }
    line + "\n"
}

/// «17.10.2023, 31.10.2023».
pub fn dates_text(dates: &[NaiveDate]) -> String {
    dates.iter().map(|d| crate::ru::date_digits(*d)).collect::<Vec<_>>().join(", ")
}

impl Field {
    /// The field's words in an activity, as the table prints them (tasks joined by «; », the
    /// other lists by «, »).
    pub fn words(self, a: &Activity) -> String {
        match self {
            Field::Title => a.title.clone(),
            Field::Tasks => a.tasks.join("; "),
            Field::Executors => a.executors.join(", "),
            Field::Due => a.due.clone(),
            Field::Result => a.result.clone().unwrap_or_default(),
            Field::After => a.after.join(", "),
        }
    }

    /// The field's name in `karta diff`.
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "наименование",
            Field::Tasks => "задачи",
            Field::Executors => "исполнители",
            Field::Due => "сроки",
            Field::Result => "результат",
            Field::After => "зависит от",
        }
    }
}
