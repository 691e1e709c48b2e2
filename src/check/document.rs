//! Checks of each document against the others: ids, references to executors, groups,
//! activities and indicators, dates against the period, and every deadline read in the
//! document's period.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use indexmap::IndexMap;
use rayon::prelude::*;

use super::Canonical;
use crate::calendar::{self, Calendar};
use crate::diag::{Code, Diagnostic, Message, did_you_mean, suggestion};
use crate::load::Loaded;
use crate::model::{Document, Due, Executor, Group, Period, Shift};
use crate::msg;

mod coverage;
mod deadlines;
mod indicators;

pub use coverage::region_of;
use coverage::{Depends, coverage, region_known};
use deadlines::deadline;
use indicators::indicators;

/// An activity or a protocol decision, seen the same way by every check.
pub struct Task<'a> {
    pub id: &'a str,
    pub number: Option<&'a String>,
    pub title: &'a str,
    pub section: Option<usize>,
    pub reminders: Option<&'a crate::model::Reminders>,
    pub pointer: String,
    pub executors: &'a [String],
    pub for_each: Option<&'a String>,
    pub due: Option<&'a Due>,
    pub after: &'a [String],
    pub shift: Option<Shift>,
    pub indicators: &'a [String],
}

/// The trackable items of a document, with the JSON pointers of their nodes.
pub fn tasks(doc: &Document) -> Vec<Task<'_>> {
    let mut out = Vec::new();
    match doc {
        Document::Roadmap(r) => {
            for (s, section) in r.sections.iter().enumerate() {
                for (a, act) in section.activities.iter().enumerate() {
                    out.push(Task {
                        id: &act.id,
                        number: act.number.as_ref(),
                        title: &act.title,
                        section: Some(s),
                        reminders: act.reminders.as_ref(),
                        pointer: format!("/sections/{s}/activities/{a}"),
                        executors: &act.executors,
                        for_each: act.for_each.as_ref(),
                        due: Some(&act.due),
                        after: &act.after,
                        shift: act.shift,
                        indicators: &act.indicators,
                    });
                }
            }
        }
        Document::Protocol(p) => decisions(&p.decisions, "", (&[], None), &mut out),
        Document::Directory(_) => {}
    }
    out
}

/// The ids of [`tasks`], in the same order, without the rest (what references are checked
/// against, for every document at each check).
pub fn task_ids(doc: &Document) -> Vec<&str> {
    fn decision_ids<'a>(list: &'a [crate::model::Decision], out: &mut Vec<&'a str>) {
        for d in list {
            out.push(&d.id);
            decision_ids(&d.decisions, out);
        }
    }
    let mut out = Vec::new();
    match doc {
        Document::Roadmap(r) => out.extend(r.sections.iter().flat_map(|s| s.activities.iter().map(|a| a.id.as_str()))),
        Document::Protocol(p) => decision_ids(&p.decisions, &mut out),
        Document::Directory(_) => {}
    }
    out
}

/// Decisions and their sub-points; a sub-point without addressees inherits its parent's.
fn decisions<'a>(
    list: &'a [crate::model::Decision],
    prefix: &str,
    parent: (&'a [String], Option<&'a String>),
    out: &mut Vec<Task<'a>>,
) {
    for (i, d) in list.iter().enumerate() {
        let pointer = format!("{prefix}/decisions/{i}");
        let own = !d.executors.is_empty() || d.for_each.is_some();
        let (executors, for_each) = if own { (d.executors.as_slice(), d.for_each.as_ref()) } else { parent };
        out.push(Task {
            id: &d.id,
            number: d.number.as_ref(),
            title: &d.text,
            section: None,
            reminders: None,
            pointer: pointer.clone(),
            executors,
            for_each,
            due: d.due.as_ref(),
            after: &d.after,
            shift: None,
            indicators: &[],
        });
        decisions(&d.decisions, &pointer, (executors, for_each), out);
    }
}

/// The period a document's deadlines are read in.
pub fn period_of(doc: &Document) -> Option<Period> {
    match doc {
        Document::Roadmap(r) => Some(r.period),
        Document::Protocol(p) => Some(p.period.unwrap_or_else(|| Period {
            from: p.date,
            to: NaiveDate::from_ymd_opt(p.date.year() + 1, 12, 31).unwrap_or(p.date),
        })),
        Document::Directory(_) => None,
    }
}

/// Executors and groups visible from one document: those of its included directories, then
/// its own — the maps themselves, looked through in turn (a directory of thousands of schools
/// is included by thousands of roadmaps and never copied).
struct Scope<'a> {
    layers: Vec<Layer<'a>>,
}

/// The executors and groups of one document.
type Layer<'a> = (&'a IndexMap<String, Executor>, &'a IndexMap<String, Group>);

impl<'a> Scope<'a> {
    fn executor(&self, id: &str) -> bool {
        self.layers.iter().any(|(e, _)| e.contains_key(id))
    }

    fn group(&self, id: &str) -> bool {
        self.layers.iter().any(|(_, g)| g.contains_key(id))
    }

    fn groups(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.layers.iter().flat_map(|(_, g)| g.keys().map(String::as_str))
    }

    fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.layers.iter().flat_map(|(e, _)| e.keys().map(String::as_str)).chain(self.groups())
    }
}

struct Ctx<'a> {
    loaded: &'a Loaded,
    out: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, code: Code, pointer: &str, message: Message) -> &mut Diagnostic {
        self.push(Diagnostic::error(code, message), pointer)
    }

    fn warning(&mut self, code: Code, pointer: &str, message: Message) -> &mut Diagnostic {
        self.push(Diagnostic::warning(code, message), pointer)
    }

    /// A warning pointing at the key of `pointer` (`target:`), not its first entry.
    fn warning_at_key(&mut self, code: Code, pointer: &str, message: Message) -> &mut Diagnostic {
        let span = self.loaded.spans.key(pointer);
        self.out.push(Diagnostic::warning(code, message).at(&self.loaded.source, span));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    fn push(&mut self, d: Diagnostic, pointer: &str) -> &mut Diagnostic {
        let span = self.loaded.spans.value(pointer);
        self.out.push(d.at(&self.loaded.source, span));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

/// Runs every per-document check.
pub(super) fn check_all(docs: &[Loaded], canonical: &Canonical, calendar: &Calendar) -> Vec<Diagnostic> {
    let by_path = by_path(docs, canonical);
    let activities = activities(docs);
    let (mut out, region) = across(docs);
    let calendar = calendar.for_region(region);
    // Each document is checked on its own: on all cores, the diagnostics in document order.
    let per_document: Vec<Vec<Diagnostic>> =
        docs.par_iter().map(|l| one(l, (&by_path, canonical), &activities, calendar)).collect();
    out.extend(per_document.into_iter().flatten());
    out
}

/// The documents by their files' canonical paths (what an `include:` resolves to).
pub(super) fn by_path<'a>(docs: &'a [Loaded], canonical: &Canonical) -> HashMap<PathBuf, &'a Loaded> {
    docs.par_iter().map(|l| (canonical.of(&l.source.path), l)).collect()
}

/// The activity ids of each document, by document id (the last of two with one id).
pub(super) fn activities(docs: &[Loaded]) -> Activities<'_> {
    docs.iter().map(|l| (l.document.id(), task_ids(&l.document).into_iter().collect())).collect()
}

/// Activity ids by document id: what a reference `roadmap/activity` is checked against.
pub(super) type Activities<'a> = HashMap<&'a str, HashSet<&'a str>>;

/// The checks across all documents: one id per document, one region for all. Returns their
/// diagnostics and the region, whose calendar the documents are checked with.
pub(super) fn across(docs: &[Loaded]) -> (Vec<Diagnostic>, Option<&str>) {
    let mut out = Vec::new();
    let mut ids: HashMap<&str, &Loaded> = HashMap::new();
    for l in docs {
        if let Some(first) = ids.insert(l.document.id(), l) {
            let first_path = first.source.path.display().to_string();
            let id = l.document.id();
            Ctx { loaded: l, out: &mut out }.error(
                Code::DuplicateId,
                "/id",
                msg!("документ `{}` уже есть: {}", id, first_path; "document `{}` already exists: {}", id, first_path),
            );
        }
    }

    // One run plans one region's calendar (the compiler takes one); roadmaps that name
    // different regions cannot share it.
    let region = docs.iter().find_map(|l| region_of(&l.document));
    for l in docs {
        if let Some(other) = region_of(&l.document).filter(|r| Some(*r) != region) {
            let first = region.unwrap_or_default();
            Ctx { loaded: l, out: &mut out }.error(
                Code::MixedRegions,
                "/region",
                msg!("регион `{}` отличается от региона других дорожных карт (`{}`): у них разные календари", other, first;
                "region `{}` differs from the other roadmaps' (`{}`): their calendars differ", other, first),
            )
            .hints
            .push(msg!("проверяйте и запускайте дорожные карты разных регионов по отдельности";
                "check and run roadmaps of different regions separately"));
        }
    }
    (out, region)
}

/// The checks of one document: against the files it includes and the activities of the
/// documents it refers to, nothing else (what [`super::incremental`] counts on).
pub(super) fn one(
    l: &Loaded,
    (by_path, canonical): (&HashMap<PathBuf, &Loaded>, &Canonical),
    activities: &Activities<'_>,
    calendar: &Calendar,
) -> Vec<Diagnostic> {
    let mut mine = Vec::new();
    let mut ctx = Ctx { loaded: l, out: &mut mine };
    let scope = scope_of(l, (by_path, canonical), &mut ctx);
    match &*l.document {
        Document::Directory(d) => {
            timezone(&mut ctx, "/timezone", d.timezone.as_deref());
            executors(&mut ctx, &scope, &d.executors, &d.groups);
        }
        Document::Roadmap(r) => {
            timezone(&mut ctx, "/timezone", Some(&r.timezone));
            executors(&mut ctx, &scope, &r.executors, &r.groups);
            region_known(&mut ctx, r.region.as_deref());
            period(&mut ctx, r.period);
            if let Some(a) = &r.approval {
                if a.date > r.period.to {
                    let (date, end) = (a.date.format("%d.%m.%Y"), r.period.to.format("%d.%m.%Y"));
                    ctx.error(
                        Code::ApprovalAfterPeriod,
                        "/approval/date",
                        msg!("документ утверждён {} — после окончания периода ({})", date, end;
                    "approved on {}, after the period ends ({})", date, end),
                    );
                }
                reference(&mut ctx, &scope, "/approval/issuer", a.issuer.as_deref());
                amendments(&mut ctx, a);
            }
            reference(&mut ctx, &scope, "/issuer", r.issuer.as_deref());
            reference(&mut ctx, &scope, "/controller", r.controller.as_deref());
            indicators(&mut ctx, &scope, &r.indicators);
            let known: HashSet<&str> = r.indicators.iter().map(|i| i.id.as_str()).collect();
            sections(&mut ctx, r);
            let depend =
                tasks_of(&mut ctx, &scope, &l.document, activities, &known, calendar, r.shift.unwrap_or_default());
            coverage(&mut ctx, r.period, calendar, &depend);
        }
        Document::Protocol(p) => {
            timezone(&mut ctx, "/timezone", Some(&p.timezone));
            executors(&mut ctx, &scope, &p.executors, &p.groups);
            region_known(&mut ctx, p.region.as_deref());
            if let Some(per) = period_of(&l.document) {
                period(&mut ctx, per);
            }
            reference(&mut ctx, &scope, "/issuer", p.issuer.as_deref());
            reference(&mut ctx, &scope, "/controller", p.controller.as_deref());
            let depend = tasks_of(
                &mut ctx,
                &scope,
                &l.document,
                activities,
                &HashSet::new(),
                calendar,
                p.shift.unwrap_or_default(),
            );
            if let Some(per) = period_of(&l.document) {
                coverage(&mut ctx, per, calendar, &depend);
            }
        }
    }
    mine
}

fn scope_of<'a>(
    l: &'a Loaded,
    (by_path, canonical): (&HashMap<PathBuf, &'a Loaded>, &Canonical),
    ctx: &mut Ctx<'_>,
) -> Scope<'a> {
    let mut scope = Scope { layers: Vec::new() };
    let declared = l.document.declared();
    for (i, include) in declared.include.iter().enumerate() {
        let key = canonical.include(&l.source.path, include);
        match by_path.get(&key).map(|inc| &*inc.document) {
            Some(Document::Directory(d)) => {
                let clash = d.executors.keys().chain(d.groups.keys()).find(|k| scope.executor(k) || scope.group(k));
                if let Some(id) = clash {
                    ctx.error(
                        Code::DuplicateId,
                        &format!("/include/{i}"),
                        msg!("`{}` объявлен в двух включённых справочниках", id; "`{}` is declared in two included directories", id),
                    );
                }
                scope.layers.push((&d.executors, &d.groups));
            }
            Some(_) => {
                ctx.error(
                    Code::BadInclude,
                    &format!("/include/{i}"),
                    msg!("`{}` — не справочник исполнителей (`kind: directory`)", include;
                    "`{}` is not a directory of executors (`kind: directory`)", include),
                );
            }
            None => {}
        }
    }
    for id in declared.executors.keys() {
        if scope.executor(id) {
            ctx.error(
                Code::DuplicateId,
                &format!("/executors/{id}"),
                msg!("исполнитель `{}` уже объявлен во включённом справочнике", id;
                "executor `{}` is already declared in an included directory", id),
            );
        }
    }
    for id in declared.groups.keys() {
        if scope.group(id) || scope.executor(id) || declared.executors.contains_key(id) {
            ctx.error(
                Code::DuplicateId,
                &format!("/groups/{id}"),
                msg!("группа `{}` совпадает по имени с другой группой или исполнителем", id;
                "group `{}` clashes with another group or executor", id),
            );
        }
    }
    scope.layers.push((declared.executors, declared.groups));
    scope
}

fn timezone(ctx: &mut Ctx<'_>, pointer: &str, tz: Option<&str>) {
    let Some(name) = tz else { return };
    if calendar::zone(name).is_none() {
        let near = did_you_mean(
            name,
            chrono_tz::TZ_VARIANTS
                .iter()
                .map(|z| z.name())
                .filter(|n| n.starts_with("Asia/") || n.starts_with("Europe/")),
        );
        ctx.error(
            Code::UnknownTimeZone,
            pointer,
            msg!("неизвестный часовой пояс `{}`", name; "unknown time zone `{}`", name),
        )
        .hints
        .push(near.map(suggestion).unwrap_or_else(|| {
            msg!("пояса IANA: Asia/Vladivostok (Хабаровск), Asia/Yakutsk (Благовещенск), Europe/Moscow";
                "IANA zones: Asia/Vladivostok (Khabarovsk), Asia/Yakutsk (Blagoveshchensk), Europe/Moscow")
        }));
    }
}

fn executors(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    list: &indexmap::IndexMap<String, Executor>,
    groups: &indexmap::IndexMap<String, Group>,
) {
    for (id, e) in list {
        timezone(ctx, &format!("/executors/{id}/timezone"), e.timezone.as_deref());
        if let Some(parent) = &e.parent {
            if !scope.executor(parent) {
                unknown_executor(ctx, scope, &format!("/executors/{id}/parent"), parent);
            }
        }
    }
    for (id, g) in groups {
        for (i, member) in g.members.iter().enumerate() {
            if !scope.executor(member) {
                unknown_executor(ctx, scope, &format!("/groups/{id}/members/{i}"), member);
            }
        }
    }
}

fn unknown_executor(ctx: &mut Ctx<'_>, scope: &Scope<'_>, pointer: &str, name: &str) {
    let near = did_you_mean(name, scope.names()).map(suggestion);
    ctx.error(Code::UnknownExecutor, pointer, msg!("неизвестный исполнитель `{}`", name; "unknown executor `{}`", name))
        .hints
        .push(near.unwrap_or_else(|| msg!("объявите его в `executors:` или во включённом справочнике"; "declare it under `executors:` or in an included directory")));
}

fn reference(ctx: &mut Ctx<'_>, scope: &Scope<'_>, pointer: &str, id: Option<&str>) {
    if let Some(id) = id {
        if !scope.executor(id) && !scope.group(id) {
            unknown_executor(ctx, scope, pointer, id);
        }
    }
}

fn period(ctx: &mut Ctx<'_>, p: Period) {
    if p.to < p.from {
        let (to, from) = (p.to.format("%d.%m.%Y"), p.from.format("%d.%m.%Y"));
        ctx.error(
            Code::ReversedPeriod,
            "/period",
            msg!("период заканчивается ({}) раньше, чем начинается ({})", to, from;
            "the period ends ({}) before it starts ({})", to, from),
        );
    }
}

fn sections(ctx: &mut Ctx<'_>, r: &crate::model::Roadmap) {
    let mut seen = HashSet::new();
    for (i, s) in r.sections.iter().enumerate() {
        if let Some(id) = &s.id {
            if !seen.insert(id.as_str()) {
                ctx.error(
                    Code::DuplicateId,
                    &format!("/sections/{i}/id"),
                    msg!("раздел `{}` уже есть", id; "section `{}` already exists", id),
                );
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn tasks_of<'d>(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    doc: &'d Document,
    activities: &HashMap<&str, HashSet<&str>>,
    indicators: &HashSet<&str>,
    calendar: &Calendar,
    default_shift: Shift,
) -> Vec<(&'d str, Depends)> {
    let mut depend = Vec::new();
    let Some(period) = period_of(doc) else { return depend };
    // A reversed period is reported once (K0403); reading deadlines in it would only add noise.
    let reversed = period.to < period.from;
    let own = activities.get(doc.id()).cloned().unwrap_or_default();
    let mut seen = HashSet::new();
    for task in tasks(doc) {
        let at = &task.pointer;
        if !seen.insert(task.id) {
            ctx.error(
                Code::DuplicateId,
                &format!("{at}/id"),
                msg!("мероприятие `{}` уже есть в этом документе", task.id;
                "activity `{}` already exists in this document", task.id),
            );
        }
        for (i, e) in task.executors.iter().enumerate() {
            if !scope.executor(e) && !scope.group(e) {
                unknown_executor(ctx, scope, &format!("{at}/executors/{i}"), e);
            }
        }
        if let Some(g) = task.for_each {
            if !scope.group(g) {
                let near = did_you_mean(g, scope.groups()).map(suggestion);
                ctx.error(
                    Code::NotAGroup,
                    &format!("{at}/for_each"),
                    msg!("`for_each` ожидает группу исполнителей, а `{}` — не группа", g;
                    "`for_each` takes a group of executors; `{}` is not one", g),
                )
                .hints
                .push(near.unwrap_or_else(|| msg!("объявите группу в `groups:`"; "declare the group under `groups:`")));
            }
        }
        if task.executors.is_empty() && task.for_each.is_none() && task.due.is_some() {
            ctx.warning(
                Code::NoExecutor,
                &format!("{at}/id"),
                msg!("у мероприятия `{}` не указан исполнитель", task.id;
                "activity `{}` has no executor", task.id),
            );
        }
        for (i, ind) in task.indicators.iter().enumerate() {
            if !indicators.contains(ind.as_str()) {
                let near = did_you_mean(ind, indicators.iter().copied()).map(suggestion);
                ctx.error(
                    Code::UnknownIndicator,
                    &format!("{at}/indicators/{i}"),
                    msg!("неизвестный показатель `{}`", ind; "unknown indicator `{}`", ind),
                )
                .hints
                .extend(near);
            }
        }
        for (i, dep) in task.after.iter().enumerate() {
            activity_ref(ctx, &format!("{at}/after/{i}"), dep, task.id, &own, activities);
        }
        if let (Some(due), false) = (task.due, reversed) {
            let why = deadline(
                ctx,
                &format!("{at}/due"),
                due,
                period,
                calendar,
                task.shift.unwrap_or(default_shift),
                &own,
                activities,
            );
            depend.extend(why.map(|w| (task.id, w)));
        }
    }
    depend
}

fn activity_ref(
    ctx: &mut Ctx<'_>,
    pointer: &str,
    dep: &str,
    me: &str,
    own: &HashSet<&str>,
    all: &HashMap<&str, HashSet<&str>>,
) {
    let known = match dep.split_once('/') {
        Some((doc, act)) => match all.get(doc) {
            Some(acts) => acts.contains(act),
            None => {
                let near = did_you_mean(doc, all.keys().copied()).map(suggestion);
                ctx.error(
                    Code::UnknownActivity,
                    pointer,
                    msg!("неизвестная дорожная карта `{}` в ссылке `{}`", doc, dep;
                    "unknown roadmap `{}` in reference `{}`", doc, dep),
                )
                .hints
                .push(near.unwrap_or_else(|| {
                    msg!("проверьте её `id` и передайте её файл в `karta check` вместе с этим";
                        "check its `id` and pass its file to `karta check` together with this one")
                }));
                return;
            }
        },
        None => own.contains(dep),
    };
    if !known {
        let candidates: Vec<&str> = match dep.split_once('/') {
            Some((doc, _)) => all.get(doc).map(|a| a.iter().copied().collect()).unwrap_or_default(),
            None => own.iter().copied().filter(|a| *a != me).collect(),
        };
        let name = dep.rsplit('/').next().unwrap_or(dep);
        let near = did_you_mean(name, candidates).map(suggestion);
        ctx.error(
            Code::UnknownActivity,
            pointer,
            msg!("неизвестное мероприятие `{}`", dep; "unknown activity `{}`", dep),
        )
        .hints
        .extend(near);
    }
}

/// The amending orders follow the approval and each other in time, each listed once: `karta
/// approve` takes them in this order (docs/amendments.md).
fn amendments(ctx: &mut Ctx<'_>, a: &crate::model::Approval) {
    let mut previous = (a.date, "утверждения".to_string(), "the approval".to_string());
    for (i, m) in a.amendments.iter().enumerate() {
        let pointer = format!("/approval/amendments/{i}/date");
        let date = m.date.format("%d.%m.%Y");
        let twice = a.amendments[..i].iter().any(|p| p.number == m.number && p.date == m.date);
        if twice {
            ctx.error(
                Code::AmendmentOutOfOrder,
                &pointer,
                msg!("приказ от {} № {} указан в `amendments` дважды", date, m.number;
                    "the order of {} No. {} is listed in `amendments` twice", date, m.number),
            );
        } else if m.date < previous.0 {
            let before = previous.0.format("%d.%m.%Y");
            ctx.error(
                Code::AmendmentOutOfOrder,
                &pointer,
                msg!("изменения от {} внесены раньше {} ({}): приказы в `amendments` идут по порядку дат", date, previous.1, before;
                    "the amendment of {} is dated before {} ({}): `amendments` lists the orders by date", date, previous.2, before),
            );
        }
        previous = (m.date, format!("изменений № {}", m.number), format!("amendment No. {}", m.number));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids references are checked against are those of the tasks every other check reads,
    /// in order: the bundled roadmaps and the protocol with its nested decisions.
    #[test]
    fn task_ids_are_the_ids_of_the_tasks() {
        let files = crate::check::collect_files(&[std::path::PathBuf::from("roadmaps")]).unwrap();
        let checked = crate::check::check_files(&files, crate::calendar::Calendar::russia());
        assert!(checked.documents.len() >= 5);
        for l in &checked.documents {
            let ids: Vec<&str> = tasks(&l.document).iter().map(|t| t.id).collect();
            assert_eq!(task_ids(&l.document), ids, "{}", l.source.path.display());
        }
        let protocol = checked.documents.iter().find(|l| matches!(*l.document, Document::Protocol(_))).unwrap();
        let nested = tasks(&protocol.document).iter().any(|t| t.pointer.matches("/decisions/").count() > 1);
        assert!(nested, "a decision with sub-points");
    }
}
