//! What each document says, as data for the templates: the requisites (organisation, date and
//! number, addressee, approval stamp, signature, executor mark) and the body of each kind, taken
//! from the roadmap files, the plan and the status at `now`. Dates stay ISO (`2023-10-02`); the
//! templates word them with the Russian helpers (`date_words`, `date_digits`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::check::{Unit, Workspace};
use crate::deadline::Spec;
use crate::model::{Decision, Document, Indicator, Observation, Person};
use crate::track::{OccurrenceStatus, Report, State};

/// The organisation a document comes from (requisite 05, with the parent body above it).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Org {
    pub parent: Option<String>,
    pub name: String,
    pub short: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A signature block (requisite 22): position flush left, "И.О. Фамилия" flush right.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub position: String,
    pub name: String,
}

/// The executor mark (requisite 25).
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The roadmap document: the approving order and its appendix.
#[derive(Debug, Serialize)]
pub struct RoadmapDoc {
    pub id: String,
    pub org: Org,
    pub order: Option<Order>,
    /// Top-right approval stamp of the appendix.
    pub stamp: Option<Stamp>,
    /// "ДОРОЖНАЯ КАРТА".
    pub heading: String,
    /// The rest of the title after "Дорожная карта": "повышения качества …".
    pub subtitle: String,
    pub sections: Vec<TableSection>,
    /// Activities outside any section (none in a well-formed roadmap, kept for completeness).
    pub rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct Order {
    /// "ПРИКАЗ".
    pub kind: String,
    pub date: NaiveDate,
    pub number: String,
    pub place: Option<String>,
    pub heading: Option<String>,
    pub preamble: Option<String>,
    /// "ПРИКАЗЫВАЮ:" (or "ПОСТАНОВЛЯЮ:", "ОБЯЗЫВАЮ:"); none for a letter.
    pub verb: Option<String>,
    /// The approving act is a letter (no kind word, no verb).
    pub letter: bool,
    pub points: Vec<String>,
    pub signer: Option<Signer>,
}

/// "УТВЕРЖДЕНА / приказом … / от 02.10.2023 № 380".
#[derive(Debug, Serialize)]
pub struct Stamp {
    pub word: String,
    pub by: String,
    pub date: NaiveDate,
    pub number: String,
}

#[derive(Debug, Serialize)]
pub struct TableSection {
    pub number: usize,
    pub title: String,
    pub rows: Vec<Row>,
}

/// One row of the five-column table.
#[derive(Debug, Serialize)]
pub struct Row {
    /// "1.1."
    pub number: String,
    pub title: String,
    /// Listed sub-tasks of the activity.
    pub tasks: Vec<String>,
    /// One executor per line.
    pub executors: Vec<String>,
    /// The deadline as the authors wrote it.
    pub due: String,
    pub result: Option<String>,
}

/// A meeting protocol.
#[derive(Debug, Serialize)]
pub struct ProtocolDoc {
    pub id: String,
    pub org: Org,
    pub draft: bool,
    /// "заседания совета …"
    pub title: String,
    pub date: NaiveDate,
    pub number: Option<String>,
    pub place: Option<String>,
    pub chair: Option<Person>,
    pub secretary: Option<Person>,
    /// Listed in full when at most 15, else counted ("24 человека (список прилагается)").
    pub attendees: Vec<Person>,
    pub attendee_count: usize,
    pub attendees_listed: bool,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<DecisionRow>,
}

#[derive(Debug, Serialize)]
pub struct AgendaItem {
    pub number: usize,
    pub title: String,
    pub heard: Vec<Speech>,
    pub spoke: Vec<Speech>,
}

#[derive(Debug, Serialize)]
pub struct Speech {
    pub speaker: String,
    pub summary: Option<String>,
}

/// A decision flattened with its depth (1 for "1.", 2 for "1.1."), in document order.
#[derive(Debug, Serialize)]
pub struct DecisionRow {
    pub number: String,
    pub level: usize,
    pub text: String,
    pub items: Vec<String>,
    pub executors: Vec<String>,
    pub due: Option<String>,
}

/// The status report (справка о ходе реализации) of one roadmap at `now`.
#[derive(Debug, Serialize)]
pub struct StatusDoc {
    pub id: String,
    pub org: Org,
    /// The local date of `now`.
    pub as_of: NaiveDate,
    pub title: String,
    /// The title without its leading "Дорожная карта" ("повышения качества …"), for "о ходе
    /// реализации дорожной карты {subtitle}".
    pub subtitle: String,
    pub approval: Option<Stamp>,
    pub activities: usize,
    pub totals: Figures,
    pub by_section: Vec<FigureRow>,
    pub by_executor: Vec<FigureRow>,
    pub overdue: Vec<Overdue>,
    pub at_risk: Vec<AtRisk>,
    pub moved: Vec<Moved>,
    pub indicators: Vec<IndicatorDoc>,
    /// Continuous and on-demand activities: no dates to count, named instead.
    pub undated: Vec<String>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
}

/// Counts of occurrences (контрольные сроки) by state, with execution discipline.
#[derive(Debug, Serialize, Default, Clone)]
pub struct Figures {
    pub total: usize,
    pub done: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub in_progress: usize,
    pub planned: usize,
    /// Past due and not done: `no_report` of them without any report, `not_done` reported not
    /// done or partly done.
    pub overdue: usize,
    pub no_report: usize,
    pub not_done: usize,
    pub cancelled: usize,
    pub at_risk: usize,
    /// Share of those due that were done on time (0..1), absent when nothing is due yet.
    pub discipline: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct FigureRow {
    pub number: String,
    pub title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, Clone)]
pub struct Overdue {
    /// The activity's point in the table: "1.4".
    pub point: String,
    pub title: String,
    pub executors: Vec<String>,
    /// The earliest deadline missed.
    pub due: NaiveDate,
    /// The longest delay, in days and in working days.
    pub days: i64,
    pub working_days: i64,
    /// How many dated occurrences of the activity are overdue (one per executor and date).
    pub occurrences: usize,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AtRisk {
    pub point: String,
    pub title: String,
    pub executors: Vec<String>,
    pub due: NaiveDate,
    pub forecast: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct Moved {
    pub point: String,
    pub title: String,
    pub original: NaiveDate,
    pub approved: NaiveDate,
}

/// Letters to leadership about overdue work: one per addressee.
#[derive(Debug, Serialize)]
pub struct LettersDoc {
    pub letters: Vec<Letter>,
}

#[derive(Debug, Serialize)]
pub struct Letter {
    pub org: Org,
    pub date: NaiveDate,
    /// Left blank for the clerk who registers the letter.
    pub number: Option<String>,
    /// Dative lines: "Министру образования …", "А.Г. Кузнецовой".
    pub addressee: Vec<String>,
    pub salutation: Option<String>,
    pub heading: String,
    pub roadmap: String,
    /// The title without its leading "Дорожная карта".
    pub subtitle: String,
    /// The overdue work is decisions of a protocol, not activities of a roadmap.
    pub protocol: bool,
    pub approval: Option<Stamp>,
    /// "3 мероприятия", worded.
    pub count: usize,
    pub worst: Option<Overdue>,
    pub items: Vec<Overdue>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
}

/// Target against actual for the indicators of one roadmap.
#[derive(Debug, Serialize)]
pub struct IndicatorsDoc {
    pub id: String,
    pub org: Org,
    pub as_of: NaiveDate,
    pub title: String,
    pub indicators: Vec<IndicatorDoc>,
}

#[derive(Debug, Serialize)]
pub struct IndicatorDoc {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub unit: String,
    /// "lower" or "higher".
    pub better: String,
    pub years: Vec<YearRow>,
    /// "улучшение", "ухудшение", "без изменений", or absent without two values to compare.
    pub trend: Option<String>,
    pub source: Option<String>,
    /// The chart, an SVG document (already escaped; embed as is).
    pub svg: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct YearRow {
    pub year: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    /// Whether the actual value meets the target.
    pub met: Option<bool>,
}

/// The organisation named by an executor id (a person's organisation for a person): the parent
/// body above, the short form below.
fn org(unit: &Unit, id: Option<&str>) -> Org {
    let Some(mut e) = id.and_then(|id| unit.executors.get(id)) else { return Org::default() };
    if e.kind == crate::model::ExecutorKind::Person {
        match e.parent.as_deref().and_then(|p| unit.executors.get(p)) {
            Some(parent) => e = parent,
            None => return Org::default(),
        }
    }
    Org {
        parent: e.parent.as_deref().and_then(|p| unit.executors.get(p)).map(|p| p.name.clone()),
        name: e.name.clone(),
        short: e.short.clone(),
        phone: e.phone.clone(),
        email: e.email.clone(),
    }
}

fn signer(p: &Person) -> Signer {
    Signer { position: capitalized(p.position.as_deref().unwrap_or_default()), name: p.name.clone() }
}

/// A position opens the signature block: "заместитель начальника …" → "Заместитель начальника …".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn head<'u>(unit: &'u Unit, id: Option<&str>) -> Option<&'u Person> {
    id.and_then(|id| unit.executors.get(id)).and_then(|e| e.head.as_ref())
}

/// Executor names as a table cell shows them: the short form, else the full name.
fn names(unit: &Unit, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| unit.executors.get(id).map_or_else(|| id.clone(), |e| e.display_name().to_string())).collect()
}

/// "приказ" → "ПРИКАЗ" and the verb of its text; the stamp word agrees with "дорожная карта".
fn verb(kind: &str) -> Option<&'static str> {
    match kind.to_lowercase().as_str() {
        "распоряжение" => Some("ОБЯЗЫВАЮ:"),
        "постановление" => Some("ПОСТАНОВЛЯЮ:"),
        "письмо" => None,
        _ => Some("ПРИКАЗЫВАЮ:"),
    }
}

fn instrumental(kind: &str) -> String {
    match kind.to_lowercase().as_str() {
        "распоряжение" => "распоряжением".into(),
        "постановление" => "постановлением".into(),
        "приказ" => "приказом".into(),
        "письмо" => "письмом".into(),
        other => other.to_string(),
    }
}

fn roadmap_of(unit: &Unit) -> Option<&crate::model::Roadmap> {
    match &*unit.document {
        Document::Roadmap(r) => Some(r),
        _ => None,
    }
}

fn stamp(unit: &Unit) -> Option<Stamp> {
    let a = roadmap_of(unit)?.approval.as_ref()?;
    Some(Stamp {
        word: "УТВЕРЖДЕНА".into(),
        by: a.stamp.clone().unwrap_or_else(|| instrumental(&a.document)),
        date: a.date,
        number: a.number.clone(),
    })
}

/// Activities of a roadmap by id.
fn task_index(unit: &Unit) -> HashMap<&str, usize> {
    unit.tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect()
}

/// The point of an activity as printed: "1.4." from its section and position, or its own number.
fn point(unit: &Unit, task: usize) -> String {
    let t = &unit.tasks[task];
    if let Some(n) = &t.number {
        let n = n.trim_end_matches('.');
        // Numbers that restart in each section ("1.", "2.") are qualified by the section.
        return match t.section {
            Some(s) if !n.contains('.') => format!("{}.{n}", s + 1),
            _ => n.to_string(),
        };
    }
    match t.section {
        Some(s) => {
            let k = unit.tasks[..=task].iter().filter(|x| x.section == Some(s)).count();
            format!("{}.{}", s + 1, k)
        }
        None => (task + 1).to_string(),
    }
}

pub fn roadmap(unit: &Unit) -> Option<RoadmapDoc> {
    let r = roadmap_of(unit)?;
    let issuer = r.approval.as_ref().and_then(|a| a.issuer.as_deref()).or(r.issuer.as_deref());
    // The order page only when the roadmap carries the order's own text.
    let written = |a: &&crate::model::Approval| a.title.is_some() || a.preamble.is_some() || !a.points.is_empty();
    let order = r.approval.as_ref().filter(written).map(|a| Order {
        kind: a.document.to_uppercase(),
        letter: a.document.to_lowercase() == "письмо",
        date: a.date,
        number: a.number.clone(),
        place: a.place.clone(),
        heading: a.title.clone(),
        preamble: a.preamble.clone(),
        verb: verb(&a.document).map(String::from),
        points: a.points.clone(),
        signer: a.signatory.as_ref().map(signer),
    });
    let subtitle = subtitle(&r.title);
    let mut task = 0;
    let sections = r
        .sections
        .iter()
        .enumerate()
        .map(|(s, section)| TableSection {
            number: s + 1,
            title: section.title.clone(),
            rows: section
                .activities
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    let executors = match &a.executors_text {
                        Some(text) => text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
                        None => {
                            let mut ids = a.executors.clone();
                            ids.extend(a.for_each.iter().cloned());
                            ids.iter()
                                .map(|id| {
                                    unit.executors
                                        .get(id)
                                        .map(|e| e.display_name().to_string())
                                        .or_else(|| unit.groups.get(id).map(|g| g.name.clone()))
                                        .unwrap_or_else(|| id.clone())
                                })
                                .collect()
                        }
                    };
                    let due = due_text(&a.due);
                    task += 1;
                    Row {
                        number: a.number.clone().unwrap_or_else(|| format!("{}.{}.", s + 1, k + 1)),
                        title: a.title.clone(),
                        tasks: a.tasks.clone(),
                        executors,
                        due,
                        result: a.result.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    Some(RoadmapDoc {
        id: r.id.clone(),
        org: org(unit, issuer),
        order,
        stamp: stamp(unit),
        heading: "ДОРОЖНАЯ КАРТА".into(),
        subtitle,
        sections,
        rows: Vec::new(),
    })
}

/// "Дорожная карта повышения …" → "повышения …"; other titles in quotes: "«Модель …»".
fn subtitle(title: &str) -> String {
    let prefix = "дорожная карта";
    match title.to_lowercase().strip_prefix(prefix) {
        Some(_) => title.chars().skip(prefix.chars().count()).collect::<String>().trim().to_string(),
        None => format!("«{}»", title.trim_matches(['«', '»'])),
    }
}

fn due_text(due: &crate::model::Due) -> String {
    match due {
        crate::model::Due::Phrase(p) => p.clone(),
        crate::model::Due::Structured(s) => s.phrase(),
    }
}

pub fn protocol(unit: &Unit) -> Option<ProtocolDoc> {
    let Document::Protocol(p) = &*unit.document else { return None };
    let mut decisions = Vec::new();
    flatten(unit, &p.decisions, "", 1, &mut decisions);
    let attendees: Vec<Person> = p
        .attendees
        .iter()
        .map(|a| Person {
            name: a.name.clone(),
            position: a.position.clone(),
            email: None,
            addressee: None,
            salutation: None,
        })
        .collect();
    Some(ProtocolDoc {
        id: p.id.clone(),
        org: org(unit, p.issuer.as_deref()),
        draft: p.draft,
        title: p.title.clone(),
        date: p.date,
        number: p.number.clone(),
        place: p.place.clone(),
        chair: p.chair.clone(),
        secretary: p.secretary.clone(),
        attendee_count: attendees.len(),
        attendees_listed: attendees.len() <= 15,
        attendees,
        agenda: p
            .agenda
            .iter()
            .enumerate()
            .map(|(i, a)| AgendaItem {
                number: i + 1,
                title: a.title.clone(),
                heard: a
                    .heard
                    .iter()
                    .map(|s| Speech { speaker: s.speaker.clone(), summary: s.summary.clone() })
                    .collect(),
                spoke: a
                    .spoke
                    .iter()
                    .map(|s| Speech { speaker: s.speaker.clone(), summary: s.summary.clone() })
                    .collect(),
            })
            .collect(),
        decisions,
    })
}

fn flatten(unit: &Unit, list: &[Decision], prefix: &str, level: usize, out: &mut Vec<DecisionRow>) {
    flatten_under(unit, list, prefix, level, &[], out);
}

/// Decisions in document order; sub-points name their executors only when they differ from the
/// point above (they inherit them).
fn flatten_under(
    unit: &Unit,
    list: &[Decision],
    prefix: &str,
    level: usize,
    inherited: &[String],
    out: &mut Vec<DecisionRow>,
) {
    for (i, d) in list.iter().enumerate() {
        let number = d.number.clone().unwrap_or_else(|| format!("{prefix}{}.", i + 1));
        let mut ids = d.executors.clone();
        ids.extend(d.for_each.iter().cloned());
        let own = if ids.is_empty() || ids == inherited { Vec::new() } else { ids.clone() };
        let ids_for_children = if ids.is_empty() { inherited.to_vec() } else { ids.clone() };
        let ids = own;
        out.push(DecisionRow {
            number: number.clone(),
            level,
            text: d.text.clone(),
            items: d.items.clone(),
            executors: ids
                .iter()
                .map(|id| {
                    unit.executors
                        .get(id)
                        .map(|e| e.display_name().to_string())
                        .or_else(|| unit.groups.get(id).map(|g| g.name.clone()))
                        .unwrap_or_else(|| id.clone())
                })
                .collect(),
            due: d.due.as_ref().map(due_text).map(|t| {
                let t = t.trim();
                t.strip_prefix("Срок:").or_else(|| t.strip_prefix("срок:")).unwrap_or(t).trim().to_string()
            }),
        });
        let prefix = format!("{}.", number.trim_end_matches('.'));
        flatten_under(unit, &d.decisions, &prefix, level + 1, &ids_for_children, out);
    }
}

/// Figures over a set of occurrence statuses.
fn figures<'a>(list: impl Iterator<Item = &'a OccurrenceStatus<'a>>) -> Figures {
    let mut f = Figures::default();
    for s in list {
        f.total += 1;
        f.at_risk += usize::from(s.at_risk);
        match s.state {
            State::DoneOnTime => f.done_on_time += 1,
            State::DoneLate { .. } => f.done_late += 1,
            State::Open | State::DueSoon => f.in_progress += 1,
            State::Planned => f.planned += 1,
            State::Overdue { reported, .. } => {
                f.overdue += 1;
                if reported {
                    f.not_done += 1;
                } else {
                    f.no_report += 1;
                }
            }
            State::Cancelled => f.cancelled += 1,
        }
    }
    f.done = f.done_on_time + f.done_late;
    let due = f.done + f.overdue;
    f.discipline = (due > 0).then(|| f.done_on_time as f64 / due as f64);
    f
}

/// The status report of one roadmap.
pub fn status(
    ws: &Workspace,
    report: &Report<'_>,
    unit_index: usize,
    as_of: NaiveDate,
    recorded: &[(String, Observation)],
) -> StatusDoc {
    let unit = &ws.units[unit_index];
    let mine: Vec<&OccurrenceStatus<'_>> = report.occurrences.iter().filter(|s| s.roadmap == unit.id).collect();
    let index = task_index(unit);
    let task_of = |s: &OccurrenceStatus<'_>| index.get(s.activity).copied().unwrap_or(0);
    // Occurrences by section in one pass.
    let mut in_section: Vec<Vec<&OccurrenceStatus<'_>>> = vec![Vec::new(); unit.sections.len()];
    for s in &mine {
        if let Some(i) = unit.tasks[task_of(s)].section {
            in_section[i].push(s);
        }
    }
    let by_section = unit
        .sections
        .iter()
        .zip(in_section)
        .enumerate()
        .map(|(i, (title, list))| FigureRow {
            number: (i + 1).to_string(),
            title: title.clone(),
            figures: figures(list.into_iter()),
        })
        .collect();
    // Occurrences by executor in one pass, executors in the order first named (joint work by a
    // hundred districts is a hundred rows, each made once).
    let mut executors: Vec<&String> = Vec::new();
    let mut row_of: HashMap<&String, usize> = HashMap::new();
    let mut of_executor: Vec<Vec<&OccurrenceStatus<'_>>> = Vec::new();
    for s in &mine {
        for e in s.executors.iter() {
            let row = *row_of.entry(e).or_insert_with(|| {
                executors.push(e);
                of_executor.push(Vec::new());
                executors.len() - 1
            });
            of_executor[row].push(s);
        }
    }
    let by_executor = executors
        .iter()
        .zip(of_executor)
        .enumerate()
        .map(|(i, (e, list))| FigureRow {
            number: (i + 1).to_string(),
            title: unit.executors.get(*e).map_or_else(|| (*e).clone(), |x| x.display_name().to_string()),
            figures: figures(list.into_iter()),
        })
        .collect();
    let overdue = overdue_items(unit, &mine, &task_of);
    let mut at_risk: Vec<AtRisk> = Vec::new();
    let mut risk_row: HashMap<usize, usize> = HashMap::new();
    for s in mine.iter().filter(|s| s.at_risk) {
        let t = task_of(s);
        match risk_row.get(&t) {
            Some(&row) => {
                let r = &mut at_risk[row];
                r.due = r.due.min(s.due_date);
                r.forecast = r.forecast.max(s.forecast_due);
            }
            None => {
                risk_row.insert(t, at_risk.len());
                at_risk.push(AtRisk {
                    point: point(unit, t),
                    title: unit.tasks[t].title.clone(),
                    executors: names(unit, s.executors),
                    due: s.due_date,
                    forecast: s.forecast_due,
                });
            }
        }
    }
    let moved = mine
        .iter()
        .filter_map(|s| {
            let t = task_of(s);
            s.original_due.map(|original| Moved {
                point: point(unit, t),
                title: unit.tasks[t].title.clone(),
                original,
                approved: s.due_date,
            })
        })
        .collect();
    let (signer, mark) = people(unit);
    StatusDoc {
        id: unit.id.clone(),
        org: org(unit, unit.controller.as_deref().or(issuer(unit))),
        as_of,
        title: unit.title.clone(),
        subtitle: subtitle(&unit.title),
        approval: stamp(unit),
        activities: unit.tasks.len(),
        totals: figures(mine.iter().copied()),
        by_section,
        by_executor,
        overdue,
        at_risk,
        moved,
        indicators: indicators(unit, as_of, recorded),
        undated: undated(unit),
        signer,
        mark,
    }
}

fn issuer(unit: &Unit) -> Option<&str> {
    unit.issuer()
}

/// Who signs documents about a roadmap (the controller's head) and the executor mark (the
/// controller's contacts).
fn people(unit: &Unit) -> (Option<Signer>, Option<Mark>) {
    let controller = unit.controller.as_deref().or(issuer(unit));
    // A person in control signs themselves.
    if let Some(e) =
        controller.and_then(|id| unit.executors.get(id)).filter(|e| e.kind == crate::model::ExecutorKind::Person)
    {
        let signer = Signer { position: capitalized(e.position.as_deref().unwrap_or_default()), name: e.name.clone() };
        let mark = (e.phone.is_some() || e.email.is_some()).then(|| Mark {
            name: e.name.clone(),
            phone: e.phone.clone(),
            email: e.email.clone(),
        });
        return (Some(signer), mark);
    }
    let head = head(unit, controller);
    let mark = controller.and_then(|id| unit.executors.get(id)).and_then(|e| {
        (e.phone.is_some() || e.email.is_some()).then(|| Mark {
            name: e.display_name().to_string(),
            phone: e.phone.clone(),
            email: e.email.clone(),
        })
    });
    (head.map(signer), mark)
}

fn overdue_items(
    unit: &Unit,
    mine: &[&OccurrenceStatus<'_>],
    task_of: &dyn Fn(&OccurrenceStatus<'_>) -> usize,
) -> Vec<Overdue> {
    // One row per activity: a weekly activity of twenty districts is one point of the roadmap.
    let mut items: Vec<Overdue> = Vec::new();
    let mut row_of: HashMap<usize, usize> = Default::default();
    // The executors already named in each row (by id), so that a row is a set of names.
    let mut named: Vec<std::collections::HashSet<&str>> = Vec::new();
    for s in mine {
        let State::Overdue { days, working_days, .. } = s.state else { continue };
        let t = task_of(s);
        let row = *row_of.entry(t).or_insert_with(|| {
            items.push(Overdue {
                point: point(unit, t),
                title: unit.tasks[t].title.clone(),
                executors: Vec::new(),
                due: s.due_date,
                days,
                working_days,
                occurrences: 0,
                reason: None,
            });
            named.push(Default::default());
            items.len() - 1
        });
        let item = &mut items[row];
        item.occurrences += 1;
        item.due = item.due.min(s.due_date);
        item.days = item.days.max(days);
        item.working_days = item.working_days.max(working_days);
        for id in s.executors.iter().filter(|id| named[row].insert(id.as_str())) {
            item.executors.push(unit.executors.get(id).map_or_else(|| id.clone(), |e| e.display_name().to_string()));
        }
        if item.reason.is_none() {
            item.reason = s.not_done_reason.map(String::from);
        }
    }
    items.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.point.cmp(&b.point)));
    items
}

/// Overdue letters: for each roadmap with overdue work, one letter from the controller to the
/// head of the organisation that approved the roadmap (or to the controller's head).
pub fn letters(ws: &Workspace, report: &Report<'_>, only: Option<&str>, date: NaiveDate) -> LettersDoc {
    let mut letters = Vec::new();
    // Occurrences by roadmap in one pass (not one pass per roadmap: thousands of school roadmaps).
    let mut of_roadmap: HashMap<&str, Vec<&OccurrenceStatus<'_>>> = HashMap::new();
    for s in report.occurrences.iter().filter(|s| only.is_none_or(|id| id == s.roadmap)) {
        of_roadmap.entry(s.roadmap).or_default().push(s);
    }
    for unit in ws.units.iter().filter(|u| only.is_none_or(|id| id == u.id)) {
        let mine = of_roadmap.remove(unit.id.as_str()).unwrap_or_default();
        let index = task_index(unit);
        let task_of = |s: &OccurrenceStatus<'_>| index.get(s.activity).copied().unwrap_or(0);
        let items = overdue_items(unit, &mine, &task_of);
        if items.is_empty() {
            continue;
        }
        let to = head(unit, issuer(unit)).or_else(|| head(unit, unit.controller.as_deref()));
        let addressee = match to {
            Some(p) => match &p.addressee {
                Some(a) => vec![a.clone()],
                None => p.position.iter().cloned().chain([p.name.clone()]).collect(),
            },
            None => Vec::new(),
        };
        let (signer, mark) = people(unit);
        letters.push(Letter {
            org: org(unit, unit.controller.as_deref().or(issuer(unit))),
            date,
            number: None,
            addressee,
            salutation: to.and_then(|p| p.salutation.clone()),
            heading: if unit.protocol {
                "О неисполнении решений протокола".into()
            } else {
                "О неисполнении мероприятий дорожной карты".into()
            },
            roadmap: unit.title.clone(),
            subtitle: subtitle(&unit.title),
            protocol: unit.protocol,
            approval: stamp(unit),
            count: items.len(),
            worst: items.first().cloned(),
            items,
            signer,
            mark,
        });
    }
    LettersDoc { letters }
}

/// Indicator values recorded in the store (`karta value`), by indicator id.
pub type Recorded = [(String, Observation)];

pub fn indicators_doc(unit: &Unit, as_of: NaiveDate, recorded: &Recorded) -> IndicatorsDoc {
    IndicatorsDoc {
        id: unit.id.clone(),
        org: org(unit, issuer(unit)),
        as_of,
        title: unit.title.clone(),
        indicators: indicators(unit, as_of, recorded),
    }
}

fn indicators(unit: &Unit, as_of: NaiveDate, recorded: &Recorded) -> Vec<IndicatorDoc> {
    let Some(r) = roadmap_of(unit) else { return Vec::new() };
    r.indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let extra = recorded.iter().filter(|(id, _)| *id == ind.id).map(|(_, o)| o);
            indicator(i + 1, ind, as_of, extra)
        })
        .collect()
}

fn indicator<'a>(
    number: usize,
    ind: &'a Indicator,
    as_of: NaiveDate,
    recorded: impl Iterator<Item = &'a Observation>,
) -> IndicatorDoc {
    let mut years: Vec<String> = ind.baseline.keys().chain(ind.target.keys()).cloned().collect();
    // Values measured by `as_of`, for the whole roadmap (no executor), the last one per year.
    let mut actual: std::collections::BTreeMap<String, f64> = Default::default();
    for v in ind.values.iter().chain(recorded).filter(|v| v.executor.is_none()) {
        let year: String = v.period.chars().take(4).collect();
        let measured = NaiveDate::parse_from_str(&v.period, "%Y-%m-%d")
            .ok()
            .or_else(|| NaiveDate::parse_from_str(&format!("{}-01", v.period), "%Y-%m-%d").ok())
            .or_else(|| year.parse().ok().and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)));
        if measured.is_some_and(|m| m <= as_of) {
            years.push(year.clone());
            actual.insert(year, v.value);
        }
    }
    years.sort();
    years.dedup();
    let lower = matches!(ind.better, crate::model::Better::Lower);
    let rows: Vec<YearRow> = years
        .iter()
        .map(|y| {
            let target = ind.target.get(y).copied();
            let actual = actual.get(y).copied();
            YearRow {
                year: y.clone(),
                baseline: ind.baseline.get(y).copied(),
                target,
                actual,
                met: target.zip(actual).map(|(t, a)| if lower { a <= t } else { a >= t }),
            }
        })
        .collect();
    let measured: Vec<f64> = rows.iter().filter_map(|r| r.actual.or(r.baseline)).collect();
    let trend = match measured.as_slice() {
        [.., a, b] if (b - a).abs() < 1e-9 => Some("без изменений".to_string()),
        [.., a, b] => Some(if (b < a) == lower { "улучшение" } else { "ухудшение" }.to_string()),
        _ => None,
    };
    IndicatorDoc {
        number,
        id: ind.id.clone(),
        title: ind.title.clone(),
        unit: ind.unit.clone(),
        better: if lower { "lower" } else { "higher" }.into(),
        svg: super::chart::svg(&ind.title, &ind.unit, &rows),
        years: rows,
        trend,
        source: ind.source.clone(),
    }
}

/// Undated work does not enter the status figures; the report names it instead.
fn undated(unit: &Unit) -> Vec<String> {
    unit.tasks
        .iter()
        .filter(|t| matches!(t.spec, Some(Spec::Continuous | Spec::OnDemand)))
        .map(|t| t.title.clone())
        .collect()
}
