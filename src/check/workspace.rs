//! The checked workspace: every roadmap and protocol that passed `check`, with its executors
//! and groups merged from included directories, its deadlines read into [`Spec`]s and its
//! dependencies written as workspace-wide keys (`roadmap/activity`). This is the only input
//! the compiler accepts, so unchecked data cannot reach it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono_tz::Tz;
use indexmap::IndexMap;
use rayon::prelude::*;

use super::Checked;
use super::document::{period_of, tasks};
use crate::calendar;
use crate::deadline::{self, Spec};
use crate::diag::Code;
use crate::diag::{Diagnostic, Source};
use crate::load::{Loaded, Spans};
use crate::model::{Document, Due, Executor, Group, Period, Reminders, Shift};

/// All checked roadmaps and protocols.
#[derive(Debug)]
pub struct Workspace {
    pub units: Vec<Arc<Unit>>,
    /// Every file read.
    pub files: Vec<PathBuf>,
    /// The warnings checking found.
    pub warnings: Vec<Diagnostic>,
}

impl Workspace {
    /// The activities not tracked until their deadline is fixed: K0501 diagnostics.
    pub fn untracked(&self) -> impl Iterator<Item = &Diagnostic> {
        self.warnings.iter().filter(|d| d.code == Code::UnreadableDeadline)
    }

    /// The date at `now` where the roadmaps are (the first roadmap's zone): the date documents
    /// and pages carry.
    pub fn local_date(&self, now: chrono::DateTime<chrono::FixedOffset>) -> chrono::NaiveDate {
        self.units.first().map_or_else(|| now.date_naive(), |u| now.with_timezone(&u.tz).date_naive())
    }

    /// The roadmap (not a protocol) with this id.
    pub fn roadmap(&self, id: &str) -> Option<&Unit> {
        self.units.iter().map(|u| &**u).find(|u| u.id == id && !u.protocol)
    }

    /// The region the roadmaps name (checking refuses two different ones, K0511); `None` when
    /// none names one, and the calendar's default region applies.
    pub fn region(&self) -> Option<&str> {
        self.units.iter().find_map(|u| u.region.as_deref())
    }
}

/// One roadmap or protocol, ready to compile.
#[derive(Debug)]
pub struct Unit {
    pub id: String,
    pub title: String,
    pub protocol: bool,
    pub period: Period,
    pub tz: Tz,
    pub shift: Shift,
    /// The region whose calendar applies (`RU-TA`), as written.
    pub region: Option<String>,
    pub controller: Option<String>,
    pub reminders: Option<Reminders>,
    /// Executors and groups: the included directories' and the document's own. A roadmap that
    /// only includes one directory shares its maps (thousands of school roadmaps, one copy).
    pub executors: Arc<IndexMap<String, Executor>>,
    pub groups: Arc<IndexMap<String, Group>>,
    /// Indicator ids.
    pub indicators: Vec<String>,
    /// Section titles, in order (a protocol has none).
    pub sections: Vec<String>,
    pub tasks: Vec<Task>,
    pub source: Arc<Source>,
    pub spans: Spans,
    /// The document as written, for rendering it.
    pub document: Arc<Document>,
}

/// An activity or decision with a readable deadline.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub number: Option<String>,
    pub title: String,
    pub section: Option<usize>,
    /// Jointly responsible executors (group ids expanded to their members).
    pub executors: Vec<String>,
    /// Members of the `for_each` group: one occurrence each.
    pub each: Vec<String>,
    pub spec: Option<Spec>,
    /// The deadline phrase as written, for documents.
    pub phrase: Option<String>,
    /// Prerequisites as workspace keys (`roadmap/activity`).
    pub after: Vec<String>,
    pub shift: Shift,
    pub reminders: Option<Reminders>,
    /// JSON pointer of the task in its file.
    pub pointer: String,
}

impl Unit {
    /// The day of the act a span «в двухнедельный срок» counts from: the roadmap's approval
    /// (the protocol's date), or the start of its period when it has none.
    pub fn act_date(&self) -> chrono::NaiveDate {
        match &*self.document {
            Document::Roadmap(r) => r.approval.as_ref().map_or(self.period.from, |a| a.date),
            Document::Protocol(p) => p.date,
            Document::Directory(_) => self.period.from,
        }
    }

    /// The organisation that issued the roadmap or protocol (an executor id).
    pub fn issuer(&self) -> Option<&str> {
        match &*self.document {
            Document::Roadmap(r) => r.issuer.as_deref().or(r.approval.as_ref().and_then(|a| a.issuer.as_deref())),
            Document::Protocol(p) => p.issuer.as_deref(),
            Document::Directory(_) => None,
        }
    }

    /// A located diagnostic at a JSON pointer of this unit's file.
    pub fn at(&self, d: Diagnostic, pointer: &str) -> Diagnostic {
        d.at(&self.source, self.spans.value(pointer))
    }

    /// The roadmap, when the unit is one (not a protocol).
    pub fn roadmap(&self) -> Option<&crate::model::Roadmap> {
        match &*self.document {
            Document::Roadmap(r) => Some(r),
            _ => None,
        }
    }

    /// The executors cell of an activity's row, a line per entry: as printed in the approved
    /// document (`executors_text`), else the names of its executors and its `for_each` group.
    pub fn executors_cell(&self, a: &crate::model::Activity) -> Vec<String> {
        match &a.executors_text {
            Some(text) => text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
            None => {
                let mut ids = a.executors.clone();
                ids.extend(a.for_each.iter().cloned());
                self.names(&ids)
            }
        }
    }

    /// Executor names as a table cell shows them: the short form, else the full name. A group
    /// id (in the table as written) is named by the group's name.
    pub fn names(&self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .map(|id| {
                self.executors
                    .get(id)
                    .map(|e| e.display_name().to_string())
                    .or_else(|| self.groups.get(id).map(|g| g.name.clone()))
                    .unwrap_or_else(|| id.clone())
            })
            .collect()
    }

    /// The point of a task as printed: "1.4" from its section and position, or its own number
    /// (numbers that restart in each section, "1.", "2.", are qualified by the section).
    pub fn point(&self, task: usize) -> String {
        let t = &self.tasks[task];
        if let Some(n) = &t.number {
            let n = n.trim_end_matches('.');
            return match t.section {
                Some(s) if !n.contains('.') => format!("{}.{n}", s + 1),
                _ => n.to_string(),
            };
        }
        match t.section {
            Some(s) => {
                let k = self.tasks[..=task].iter().filter(|x| x.section == Some(s)).count();
                format!("{}.{}", s + 1, k)
            }
            None => (task + 1).to_string(),
        }
    }

    /// The time zone of an executor: its own, else the unit's.
    pub fn zone_of(&self, executor: &str) -> Tz {
        self.executors.get(executor).and_then(|e| e.timezone.as_deref()).and_then(calendar::zone).unwrap_or(self.tz)
    }
}

impl Task {
    /// Who its occurrences are for: the `for_each` members one by one, else the joint executors.
    pub fn doers(&self) -> &[String] {
        if self.each.is_empty() { &self.executors } else { &self.each }
    }

    pub fn key(&self, unit: &Unit) -> String {
        format!("{}/{}", unit.id, self.id)
    }
}

impl Checked {
    /// The workspace, when checking found no errors but unreadable deadlines; else the
    /// diagnostics stay with `self`. An activity whose deadline cannot be read is kept without
    /// occurrences and its K0501 stays among the warnings ([`Workspace::untracked`]): a roadmap
    /// with one phrase to fix still tracks the rest (docs/format.md, section 4.1).
    pub fn into_workspace(self) -> Result<Workspace, Box<Checked>> {
        if self.diagnostics.iter().any(|d| d.is_error() && d.code != Code::UnreadableDeadline) {
            return Err(Box::new(self));
        }
        let by_path: HashMap<PathBuf, usize> =
            self.documents.par_iter().enumerate().map(|(i, l)| (self.canonical.of(&l.source.path), i)).collect();
        let directories: Vec<Option<Directory>> = self
            .documents
            .iter()
            .map(|l| match &*l.document {
                Document::Directory(d) => {
                    // The directory's time zone is the default of its executors.
                    let mut executors = d.executors.clone();
                    for e in executors.values_mut() {
                        if e.timezone.is_none() {
                            e.timezone.clone_from(&d.timezone);
                        }
                    }
                    Some((Arc::new(executors), Arc::new(d.groups.clone())))
                }
                _ => None,
            })
            .collect();
        let mut made = self.units;
        made.resize(self.documents.len(), None);
        let units = self
            .documents
            .into_par_iter()
            .zip(made)
            .filter_map(|(loaded, made)| {
                made.or_else(|| unit(loaded, (&by_path, &self.canonical), &directories).map(Arc::new))
            })
            .collect();
        Ok(Workspace { units, files: self.files, warnings: self.diagnostics })
    }
}

/// The executors and groups of a directory file.
type Directory = (Arc<IndexMap<String, Executor>>, Arc<IndexMap<String, Group>>);
type Directories = [Option<Directory>];

fn unit(
    loaded: Loaded,
    (by_path, canonical): (&HashMap<PathBuf, usize>, &super::Canonical),
    directories: &Directories,
) -> Option<Unit> {
    let Loaded { source, document, spans } = loaded;
    let period = period_of(&document)?;
    let declared = document.declared();
    let (tz_name, shift, controller, reminders, title, protocol, sections) = match &*document {
        Document::Roadmap(r) => (
            &r.timezone,
            r.shift,
            r.controller.clone(),
            r.reminders.clone(),
            r.title.clone(),
            false,
            r.sections.iter().map(|s| s.title.clone()).collect(),
        ),
        Document::Protocol(p) => {
            (&p.timezone, p.shift, p.controller.clone(), p.reminders.clone(), p.title.clone(), true, Vec::new())
        }
        Document::Directory(_) => return None,
    };
    let included: Vec<&Directory> = declared
        .include
        .iter()
        .filter_map(|inc| by_path.get(&canonical.include(&source.path, inc)).and_then(|i| directories[*i].as_ref()))
        .collect();
    let (executors, groups) = match included.as_slice() {
        [(e, g)] if declared.executors.is_empty() && declared.groups.is_empty() => (e.clone(), g.clone()),
        _ => {
            let mut executors = IndexMap::new();
            let mut groups = IndexMap::new();
            for (e, g) in &included {
                executors.extend(e.iter().map(|(k, v)| (k.clone(), v.clone())));
                groups.extend(g.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            executors.extend(declared.executors.clone());
            groups.extend(declared.groups.clone());
            (Arc::new(executors), Arc::new(groups))
        }
    };
    // Group ids expand to their members; each executor once, in the order first named (a
    // group of a thousand districts is a thousand lookups, not a million comparisons).
    let expand = |ids: &[String]| -> Vec<String> {
        let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            let members = groups.get(id).map_or_else(|| std::slice::from_ref(id), |g| g.members.as_slice());
            out.extend(members.iter().filter(|m| seen.insert(m.as_str())).cloned());
        }
        out
    };
    let doc_id = document.id().to_string();
    let indicators = match &*document {
        Document::Roadmap(r) => r.indicators.iter().map(|i| i.id.clone()).collect(),
        _ => Vec::new(),
    };
    let unit_shift = shift.unwrap_or_default();
    let tasks = tasks(&document)
        .into_iter()
        .map(|t| {
            let (spec, phrase) = match t.due {
                Some(Due::Phrase(p)) => (deadline::read_remembered(p, period).ok(), Some(p.clone())),
                Some(Due::Structured(s)) => (Some(s.clone()), None),
                None => (None, None),
            };
            let qualify = |dep: &String| if dep.contains('/') { dep.clone() } else { format!("{doc_id}/{dep}") };
            let mut after: Vec<String> = t.after.iter().map(qualify).collect();
            if let Some((_, counted)) = spec.as_ref().and_then(Spec::counted_from) {
                let key = qualify(&counted.to_string());
                if !after.contains(&key) {
                    after.push(key);
                }
            }
            Task {
                id: t.id.to_string(),
                number: t.number.cloned(),
                title: t.title.to_string(),
                section: t.section,
                executors: expand(t.executors),
                each: t.for_each.map(|g| expand(std::slice::from_ref(g))).unwrap_or_default(),
                spec,
                phrase,
                after,
                shift: t.shift.unwrap_or(unit_shift),
                reminders: t.reminders.cloned(),
                pointer: t.pointer,
            }
        })
        .collect();
    Some(Unit {
        id: doc_id,
        title,
        protocol,
        period,
        tz: calendar::zone(tz_name).unwrap_or(chrono_tz::Europe::Moscow),
        shift: unit_shift,
        region: super::document::region_of(&document).map(str::to_string),
        controller,
        reminders,
        executors,
        groups,
        indicators,
        sections,
        tasks,
        source,
        spans,
        document,
    })
}
