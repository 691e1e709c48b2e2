//! Compiling a checked [`Workspace`] into a [`Plan`]: ordered by the dependency graph of
//! activities (petgraph, [`dependencies`]), the dated occurrences of every activity with stable
//! ids, the links between occurrences, relative deadlines resolved from their prerequisites,
//! consistency warnings, and slack and the critical path. Pure and deterministic: the same
//! workspace, calendar and actual completions give the same plan.

mod critical;
mod occurrences;
mod reads;

pub use reads::as_read;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::calendar::Calendar;
use crate::check::{Unit, Workspace};
use crate::diag::{Code, Diagnostic};
use crate::msg;

/// One dated instance of an activity, for one executor or jointly for several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// `roadmap/activity@YYYY-MM-DD`, plus `/executor` for per-executor work.
    pub id: String,
    pub unit: usize,
    pub task: usize,
    /// The length of `roadmap/activity` at the start of `id` ([`Occurrence::key`]).
    pub(crate) key_len: u32,
    pub opens: NaiveDate,
    pub due_date: NaiveDate,
    /// The due instant in the executor's (or the roadmap's) time zone.
    pub due: DateTime<FixedOffset>,
    /// That time zone.
    pub tz: chrono_tz::Tz,
    pub time: Option<NaiveTime>,
    /// Per-executor work (`for_each`): the one executor of `executors` does it alone
    /// ([`Occurrence::executor`]).
    pub(crate) own: bool,
    /// Its position among the task's `for_each` members.
    pub member: Option<u16>,
    /// Who is responsible: the joint executors, or the one executor (shared, not copied, per occurrence).
    pub executors: std::sync::Arc<[String]>,
    /// Occurrences that must be done first: their positions in [`Plan::occurrences`].
    pub depends_on: Vec<usize>,
    /// How many of the first `depends_on` a relative deadline is counted from.
    pub counted_from: usize,
    /// Due date computed from a prerequisite (a relative deadline).
    pub relative: bool,
    /// Days this occurrence may slip before it moves its roadmap's final date or misses a dependent.
    pub slack_days: i64,
    /// On the chain whose delay moves the roadmap's final date.
    pub critical: bool,
}

/// Completion dates reported so far, by occurrence id; relative deadlines count from them.
pub trait Actuals: Sync {
    fn completed(&self, occurrence: &str) -> Option<NaiveDate>;
}

/// No completions: the plan as approved.
pub struct Planned;

impl Actuals for Planned {
    fn completed(&self, _: &str) -> Option<NaiveDate> {
        None
    }
}

impl Actuals for FxHashMap<&str, NaiveDate> {
    fn completed(&self, occurrence: &str) -> Option<NaiveDate> {
        self.get(occurrence).copied()
    }
}

/// The completions a compile asked for, and what it was told: the plan it made is what
/// compiling with other completions makes, as long as each of these is what it was
/// ([`Consulted::still`]). A report on any other occurrence — nearly all of them — keeps it.
pub struct Consulted<'a> {
    actuals: &'a dyn Actuals,
    asked: std::sync::Mutex<FxHashMap<String, Option<NaiveDate>>>,
}

impl<'a> Consulted<'a> {
    pub fn new(actuals: &'a dyn Actuals) -> Consulted<'a> {
        Consulted { actuals, asked: std::sync::Mutex::default() }
    }

    /// What was asked, by occurrence id, and what was told.
    pub fn asked(self) -> Vec<(String, Option<NaiveDate>)> {
        let mut asked: Vec<_> = self.asked.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().collect();
        asked.sort_unstable();
        asked
    }

    /// Whether `actuals` tell what was told when `asked` was asked.
    pub fn still<S: AsRef<str> + Sync>(asked: &[(S, Option<NaiveDate>)], actuals: &dyn Actuals) -> bool {
        asked.par_iter().all(|(occurrence, done)| actuals.completed(occurrence.as_ref()) == *done)
    }
}

impl Actuals for Consulted<'_> {
    fn completed(&self, occurrence: &str) -> Option<NaiveDate> {
        let done = self.actuals.completed(occurrence);
        if let Ok(mut asked) = self.asked.lock() {
            asked.insert(occurrence.to_string(), done);
        }
        done
    }
}

/// The compiled plan.
#[derive(Debug)]
pub struct Plan {
    /// Every occurrence, sorted by due instant, then roadmap and activity order.
    pub occurrences: Vec<Occurrence>,
    /// Consistency warnings, located in the roadmap files.
    pub warnings: Vec<Diagnostic>,
    /// Where each warning points: its unit and the JSON pointer in that unit's file.
    sites: Vec<(usize, String)>,
    /// Position of each occurrence by the digest of its id, made at the first look-up: a
    /// status read from the kept plan and the kept fold of the log looks none up.
    positions: std::sync::OnceLock<FxHashMap<u128, usize>>,
}

/// A consistency warning and where it points: the unit, and the JSON pointer in its file by
/// which a kept plan's warning is located again in the file as it reads now (an edit of a
/// title above it moves it).
#[derive(Debug, Clone)]
pub(crate) struct Warning {
    pub unit: usize,
    pub pointer: String,
    pub diagnostic: Diagnostic,
}

impl Warning {
    /// `diagnostic` located at `pointer` in the file of `unit`, the `u`-th.
    pub(crate) fn at((u, unit): (usize, &Unit), diagnostic: Diagnostic, pointer: String) -> Warning {
        Warning { unit: u, diagnostic: unit.at(diagnostic, &pointer), pointer }
    }
}

impl Occurrence {
    /// The executor of per-executor work (`for_each`), whose own it is; `None` for joint work.
    pub fn executor(&self) -> Option<&str> {
        self.executors.first().filter(|_| self.own).map(String::as_str)
    }

    /// `roadmap/activity`: the start of the id, shared by all occurrences of the activity.
    pub fn key(&self) -> &str {
        &self.id[..self.key_len as usize]
    }

    /// The date at `now` in the occurrence's own zone.
    pub fn local_date(&self, now: DateTime<FixedOffset>) -> NaiveDate {
        now.with_timezone(&self.due.timezone()).date_naive()
    }
}

impl Plan {
    pub(crate) fn new(occurrences: Vec<Occurrence>, warnings: Vec<Warning>) -> Plan {
        let (sites, warnings) = warnings.into_iter().map(|w| ((w.unit, w.pointer), w.diagnostic)).unzip();
        Plan { occurrences, warnings, sites, positions: std::sync::OnceLock::new() }
    }

    /// Whether each warning is where it is in the files of `workspace`: at its JSON pointer, on
    /// the same line of the same text. A plan compiled from documents that compiling reads as
    /// those of `workspace` ([`as_read`]) is `workspace`'s plan when its warnings are.
    pub fn located_in(&self, workspace: &Workspace) -> bool {
        self.located().all(|((u, pointer), d)| {
            let (Some(unit), Some(source)) = (workspace.units.get(*u), &d.source) else { return false };
            unit.source.path == source.path
                && unit.spans.value(pointer) == d.span
                && unit.source.line(d.span.line) == source.line(d.span.line)
        })
    }

    /// The warnings with where each points.
    pub(crate) fn located(&self) -> impl Iterator<Item = (&(usize, String), &Diagnostic)> {
        self.sites.iter().zip(&self.warnings)
    }

    /// A plan with nothing in it.
    pub fn empty() -> Plan {
        Plan::new(Vec::new(), Vec::new())
    }

    /// Where the occurrence with this id is in [`Plan::occurrences`].
    pub fn position(&self, id: &str) -> Option<usize> {
        let positions = self.positions.get_or_init(|| {
            // Looked up by the digest of the id: a million ids would otherwise be copied as keys.
            let digests: Vec<u128> = self.occurrences.par_iter().map(|o| crate::digest::of(&o.id)).collect();
            digests.into_iter().enumerate().map(|(i, d)| (d, i)).collect()
        });
        positions.get(&crate::digest::of(id)).copied()
    }

    /// The occurrences `o` depends on.
    pub fn prerequisites<'a>(&'a self, o: &'a Occurrence) -> impl Iterator<Item = &'a Occurrence> {
        o.depends_on.iter().map(|&p| &self.occurrences[p])
    }

    /// The occurrences of one activity.
    pub fn of(&self, unit: usize, task: usize) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(move |o| o.unit == unit && o.task == task)
    }
}

/// The planned due date an occurrence id holds: `roadmap/activity@2023-10-17[/executor]`.
pub fn planned_date(id: &str) -> Option<NaiveDate> {
    let (_, rest) = id.rsplit_once('@')?;
    NaiveDate::parse_from_str(rest.get(..10)?, "%Y-%m-%d").ok()
}

/// Sorts occurrences by due instant, then by roadmap and activity in workspace order, then in
/// the order they were made — deterministic for the same input — and renumbers the positions
/// in `depends_on` to match.
fn by_due(mut occurrences: Vec<Occurrence>) -> Vec<Occurrence> {
    // The keys are sorted on all cores, and the occurrences permuted in place (no second copy).
    let mut keys: Vec<(i64, usize, usize, usize)> =
        occurrences.par_iter().enumerate().map(|(i, o)| (o.due.timestamp(), o.unit, o.task, i)).collect();
    keys.par_sort_unstable();
    let mut from: Vec<usize> = keys.into_iter().map(|k| k.3).collect();
    let mut to = vec![0; from.len()];
    for (new, &old) in from.iter().enumerate() {
        to[old] = new;
    }
    // Follows each cycle of the permutation: position `i` takes the element first at `from[i]`,
    // which earlier swaps may have moved on to a later position (remembered, so each chain is
    // walked once).
    for i in 0..from.len() {
        let mut j = from[i];
        while j < i {
            j = from[j];
        }
        from[i] = j;
        occurrences.swap(i, j);
    }
    occurrences.par_iter_mut().for_each(|o| o.depends_on.iter_mut().for_each(|p| *p = to[*p]));
    occurrences
}

/// The node of each activity, by (unit, task).
pub type Nodes = FxHashMap<(usize, usize), NodeIndex>;

/// The dependency graph of a workspace's activities (`karta graph`): made from the workspace
/// alone, so a plan does not carry it (a plan read back from the cache would make it for
/// nothing).
pub struct Dependencies {
    /// Activities as nodes (`roadmap/activity`), an edge from an activity to each prerequisite.
    pub graph: DiGraph<String, ()>,
    /// The node of each (unit, task).
    pub nodes: Nodes,
    /// The (unit, task) of each node, by its index.
    pub tasks: Vec<(usize, usize)>,
}

/// The dependency graph of the activities of `workspace`.
pub fn dependencies(workspace: &Workspace) -> Dependencies {
    let (graph, nodes, _) = graph(workspace);
    let mut tasks = vec![(0, 0); graph.node_count()];
    for (&at, n) in &nodes {
        tasks[n.index()] = at;
    }
    Dependencies { graph, nodes, tasks }
}

/// The activities as a graph, each with an edge to each of its prerequisites; the node of
/// each (unit, task), and the (unit, task) of each key.
pub(crate) fn graph(workspace: &Workspace) -> (DiGraph<String, ()>, Nodes, occurrences::ByKey) {
    let mut graph = DiGraph::new();
    let mut nodes = FxHashMap::default();
    let mut by_key = occurrences::ByKey::default();
    for (u, unit) in workspace.units.iter().enumerate() {
        for (t, task) in unit.tasks.iter().enumerate() {
            let key = task.key(unit);
            let n = graph.add_node(key.clone());
            nodes.insert((u, t), n);
            by_key.insert(key, (u, t));
        }
    }
    for (u, unit) in workspace.units.iter().enumerate() {
        for (t, task) in unit.tasks.iter().enumerate() {
            for dep in &task.after {
                if let Some(target) = by_key.get(dep) {
                    graph.add_edge(nodes[&(u, t)], nodes[target], ());
                }
            }
        }
    }
    (graph, nodes, by_key)
}

/// Compiles the workspace as planned.
pub fn compile(workspace: &Workspace, calendar: &Calendar) -> Result<Plan, Vec<Diagnostic>> {
    compile_with(workspace, calendar, &Planned)
}

/// Compiles the workspace, counting relative deadlines from actual completions where known.
pub fn compile_with(
    workspace: &Workspace,
    calendar: &Calendar,
    actuals: &dyn Actuals,
) -> Result<Plan, Vec<Diagnostic>> {
    let (graph, nodes, by_key) = graph(workspace);
    let order = match petgraph::algo::toposort(&graph, None) {
        Ok(mut order) => {
            order.reverse();
            order
        }
        Err(cycle) => {
            let key = &graph[cycle.node_id()];
            return Err(vec![Diagnostic::error(
                Code::Cycle,
                msg!("циклическая зависимость через `{}`", key; "dependency cycle through `{}`", key),
            )]);
        }
    };
    let mut index = vec![(0, 0); graph.node_count()];
    for (&at, n) in &nodes {
        index[n.index()] = at;
    }
    let tasks_in_order: Vec<(usize, usize)> = order.iter().map(|n| index[n.index()]).collect();
    let mut built = occurrences::build(workspace, calendar, actuals, &tasks_in_order, &by_key);
    critical::mark(&tasks_in_order, &mut built.occurrences, &built.of_task);
    drop(built.of_task);
    Ok(Plan::new(by_due(built.occurrences), built.warnings))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    /// An occurrence that differs from the others only where `by_due` looks.
    fn occurrence(at: usize, hour: u32, unit: usize, task: usize, depends_on: Vec<usize>) -> Occurrence {
        let due = FixedOffset::east_opt(10 * 3600).unwrap().with_ymd_and_hms(2024, 3, 1, hour, 0, 0).unwrap();
        Occurrence {
            id: format!("r{unit}/a{task}#{at}"),
            unit,
            task,
            key_len: format!("r{unit}/a{task}").len() as u32,
            opens: due.date_naive(),
            due_date: due.date_naive(),
            due,
            tz: chrono_tz::Europe::Moscow,
            time: None,
            own: false,
            member: None,
            executors: std::sync::Arc::from(Vec::new()),
            depends_on,
            counted_from: 0,
            relative: false,
            slack_days: 0,
            critical: false,
        }
    }

    /// Few distinct keys, so that ties are common; prerequisites anywhere in the list.
    fn occurrences() -> impl Strategy<Value = Vec<Occurrence>> {
        (0usize..60).prop_flat_map(|n| {
            prop::collection::vec((0u32..4, 0usize..3, 0usize..3, prop::collection::vec(0..n.max(1), 0..3)), n)
                .prop_map(|rows| {
                    rows.into_iter()
                        .enumerate()
                        .map(|(at, (hour, unit, task, depends))| occurrence(at, hour, unit, task, depends))
                        .collect()
                })
        })
    }

    proptest! {
        /// The in-place permutation gives what a plain stable sort and a renumbering give.
        #[test]
        fn by_due_is_a_stable_sort_that_keeps_every_link(original in occurrences()) {
            let mut order: Vec<usize> = (0..original.len()).collect();
            order.sort_by_key(|&i| (original[i].due.timestamp(), original[i].unit, original[i].task));
            let mut to = vec![0; order.len()];
            for (new, &old) in order.iter().enumerate() {
                to[old] = new;
            }
            let expected: Vec<Occurrence> = order
                .iter()
                .map(|&old| Occurrence {
                    depends_on: original[old].depends_on.iter().map(|&p| to[p]).collect(),
                    ..original[old].clone()
                })
                .collect();
            prop_assert_eq!(by_due(original), expected);
        }
    }
}
