//! The last compiled plan, kept beside the cache of files (`karta.cache.plan`) under the key
//! of what compiling reads besides reports: the build, the bytes and paths of every file of
//! the workspace in order and the calendar in force; and with the completions compiling
//! consulted (those of the prerequisites relative deadlines count from: a report on any other
//! occurrence changes nothing in the plan). The graph and the index are rebuilt from the
//! workspace; the occurrences are read in chunks, each with its own digest, on all cores.
//!
//! ```text
//! "karta-plan\n"  format version (u32)  key (32 bytes)
//! completions consulted: count (u32), each: occurrence, day or none (i32)
//! occurrences (u64)
//! time zones: count (u32), names          executor lists: count (u32), lists of names
//! chunks: count (u32), then per chunk: length (u64), BLAKE3 digest (32 bytes), occurrences
//!         (u32) and each occurrence
//! warnings: count (u32), each as `diagnostics` writes one
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Digest;
use super::diagnostics::{self, Diagnostics};
use super::file::{self, Reader, Writer};
use crate::check::Workspace;
use crate::compile::{Actuals, Occurrence, Plan};

const MAGIC: &[u8] = b"karta-plan\n";
const VERSION: u32 = 4;
/// Occurrences per chunk: enough to keep both cores busy, few enough digests.
const CHUNK: usize = 1 << 15;

/// The bytes of the plan's file under `key`; `None` when the plan is not kept (an occurrence's
/// id does not start with its activity's key, or a warning is not about a file).
pub fn write(plan: &Plan, key: &Digest, consulted: &Consulted) -> Option<Vec<u8>> {
    let n = plan.occurrences.len();
    if u32::try_from(n).is_err() || plan.occurrences.iter().any(|o| !o.id.starts_with(&*o.key)) {
        return None;
    }
    let mut zones: FxHashMap<chrono_tz::Tz, u32> = FxHashMap::default();
    let mut lists: FxHashMap<&[String], u32> = FxHashMap::default();
    let mut zone_names = Vec::new();
    let mut list_order: Vec<&[String]> = Vec::new();
    for o in &plan.occurrences {
        zones.entry(o.tz).or_insert_with(|| {
            zone_names.push(o.tz.name());
            zone_names.len() as u32 - 1
        });
        lists.entry(&o.executors).or_insert_with(|| {
            list_order.push(&o.executors);
            list_order.len() as u32 - 1
        });
    }
    let chunks: Vec<Vec<u8>> = plan
        .occurrences
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut w = Writer::default();
            w.u32(chunk.len() as u32);
            for o in chunk {
                occurrence(&mut w, o, zones[&o.tz], lists[&*o.executors]);
            }
            w.0
        })
        .collect();
    // Sized for the chunks, the bulk of it.
    let mut w = file::begun(MAGIC, VERSION, key, chunks.iter().map(|c| c.len() + 40).sum());
    let consulted = consulted.asked.lock().ok()?;
    let mut asked: Vec<(&String, &Option<NaiveDate>)> = consulted.iter().collect();
    asked.sort();
    w.u32(asked.len() as u32);
    for (occurrence, done) in asked {
        w.text(occurrence);
        w.i32(done.map_or(i32::MIN, |d| d.num_days_from_ce()));
    }
    w.u64(plan.occurrences.len() as u64);
    w.u32(zone_names.len() as u32);
    zone_names.iter().for_each(|z| w.text(z));
    w.u32(list_order.len() as u32);
    for list in list_order {
        w.u32(list.len() as u32);
        list.iter().for_each(|e| w.text(e));
    }
    w.u32(chunks.len() as u32);
    for chunk in &chunks {
        w.u64(chunk.len() as u64);
        w.bytes(blake3::hash(chunk).as_bytes());
        w.bytes(chunk);
    }
    w.u32(plan.warnings.len() as u32);
    for d in &plan.warnings {
        diagnostics::write(&mut w, d)?;
    }
    Some(w.sealed())
}

fn occurrence(w: &mut Writer, o: &Occurrence, zone: u32, list: u32) {
    w.u32(o.unit as u32);
    w.u32(o.task as u32);
    w.text(&o.id[o.key.len()..]);
    w.i32(o.opens.num_days_from_ce());
    w.i32(o.due_date.num_days_from_ce());
    w.i64(o.due.timestamp());
    w.u32(o.due.timestamp_subsec_nanos());
    w.i32(o.due.offset().local_minus_utc());
    w.u32(zone);
    match o.time {
        Some(t) => {
            w.u32(t.num_seconds_from_midnight());
            w.u32(t.nanosecond());
        }
        None => w.u32(u32::MAX),
    }
    // Per-executor work is that executor's alone: the name is the list's.
    match &o.executor {
        None => w.u8(0),
        Some(e) if *o.executors == [e.clone()] => w.u8(1),
        Some(e) => {
            w.u8(2);
            w.text(e);
        }
    }
    w.u32(o.member.map_or(u32::MAX, u32::from));
    w.u32(list);
    w.u32(o.depends_on.len() as u32);
    o.depends_on.iter().for_each(|&p| w.u32(p as u32));
    w.u32(o.counted_from as u32);
    w.u8(u8::from(o.relative));
    w.i64(o.slack_days);
    w.u8(u8::from(o.critical));
}

/// The plan kept under `key` for `workspace`, when `bytes` hold it whole.
pub fn read(bytes: &[u8], key: &Digest, workspace: &Workspace, actuals: &dyn Actuals) -> Option<Plan> {
    // The header is read before the whole is digested: a plan under another key (an edit)
    // costs nothing. The warnings come last and are checked with the whole (the chunks have
    // their own digests).
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION || r.take(32)? != key.as_slice() {
        return None;
    }
    for _ in 0..r.u32()? {
        let (occurrence, day) = (r.text()?, r.i32()?);
        let was = (day != i32::MIN).then(|| NaiveDate::from_num_days_from_ce_opt(day)).flatten();
        if actuals.completed(occurrence) != was {
            return None;
        }
    }
    let count = usize::try_from(r.u64()?).ok()?;
    let zones: Vec<chrono_tz::Tz> = (0..r.u32()?).map(|_| r.text()?.parse().ok()).collect::<Option<_>>()?;
    let lists: Vec<Arc<[String]>> = (0..r.u32()?)
        .map(|_| (0..r.u32()?).map(|_| r.text().map(String::from)).collect::<Option<Vec<_>>>().map(Arc::from))
        .collect::<Option<_>>()?;
    let mut chunks = Vec::new();
    for _ in 0..r.u32()? {
        let len = usize::try_from(r.u64()?).ok()?;
        let sum = r.take(32)?;
        chunks.push((sum, r.take(len)?));
    }
    let sources = Diagnostics::new(workspace.units.iter().map(|u| &u.source));
    let warnings = (0..r.u32()?).map(|_| sources.read(&mut r)).collect::<Option<Vec<_>>>()?;
    if !r.0.is_empty() || blake3::hash(body).as_bytes() != sum {
        return None;
    }
    let keys: Vec<Vec<Arc<str>>> =
        workspace.units.iter().map(|u| u.tasks.iter().map(|t| Arc::from(t.key(u))).collect()).collect();
    let read = Tables { zones: &zones, lists: &lists, keys: &keys, count };
    let parts: Vec<Vec<Occurrence>> = chunks
        .par_iter()
        .map(|(sum, chunk)| {
            if blake3::hash(chunk).as_bytes() != *sum {
                return None;
            }
            let mut r = Reader(chunk);
            let n = r.u32()? as usize;
            let mut out = Vec::with_capacity(n.min(CHUNK));
            for _ in 0..n {
                out.push(read.occurrence(&mut r)?);
            }
            r.0.is_empty().then_some(out)
        })
        .collect::<Option<_>>()?;
    if parts.iter().map(Vec::len).sum::<usize>() != count {
        return None;
    }
    // One chunk (a workspace of up to 32,768 occurrences) is the plan as it is: not copied.
    let occurrences = match <[Vec<Occurrence>; 1]>::try_from(parts) {
        Ok([one]) => one,
        Err(parts) => {
            let mut all = Vec::with_capacity(count);
            parts.into_iter().for_each(|part| all.extend(part));
            all
        }
    };
    let (graph, nodes, _) = crate::compile::graph(workspace);
    Some(Plan::new(graph, nodes, occurrences, warnings))
}

/// What the occurrences refer to.
struct Tables<'a> {
    zones: &'a [chrono_tz::Tz],
    lists: &'a [Arc<[String]>],
    /// The key of each task of each unit.
    keys: &'a [Vec<Arc<str>>],
    count: usize,
}

impl Tables<'_> {
    fn occurrence(&self, r: &mut Reader) -> Option<Occurrence> {
        let unit = r.u32()? as usize;
        let task = r.u32()? as usize;
        let key = self.keys.get(unit)?.get(task)?.clone();
        let suffix = r.text()?;
        let mut id = String::with_capacity(key.len() + suffix.len());
        id.push_str(&key);
        id.push_str(suffix);
        let opens = NaiveDate::from_num_days_from_ce_opt(r.i32()?)?;
        let due_date = NaiveDate::from_num_days_from_ce_opt(r.i32()?)?;
        let (seconds, nanos) = (r.i64()?, r.u32()?);
        let offset = FixedOffset::east_opt(r.i32()?)?;
        let due: DateTime<FixedOffset> = offset.timestamp_opt(seconds, nanos).single()?;
        let tz = *self.zones.get(r.u32()? as usize)?;
        let time = match r.u32()? {
            u32::MAX => None,
            seconds => Some(NaiveTime::from_num_seconds_from_midnight_opt(seconds, r.u32()?)?),
        };
        let (whose, named) = match r.u8()? {
            0 => (0, None),
            1 => (1, None),
            _ => (2, Some(r.text()?.to_string())),
        };
        let member = match r.u32()? {
            u32::MAX => None,
            m => Some(u16::try_from(m).ok()?),
        };
        let executors = self.lists.get(r.u32()? as usize)?.clone();
        let executor = match whose {
            1 => Some(executors.first()?.clone()),
            _ => named,
        };
        let depends_on = (0..r.u32()?).map(|_| r.u32().map(|p| p as usize)).collect::<Option<Vec<_>>>()?;
        if depends_on.iter().any(|&p| p >= self.count) {
            return None;
        }
        Some(Occurrence {
            id,
            unit,
            task,
            key,
            opens,
            due_date,
            due,
            tz,
            time,
            executor,
            member,
            executors,
            counted_from: r.u32()? as usize,
            depends_on,
            relative: r.u8()? != 0,
            slack_days: r.i64()?,
            critical: r.u8()? != 0,
        })
    }
}

/// The completions a compile asked for, and what it was told.
pub struct Consulted<'a> {
    actuals: &'a dyn Actuals,
    asked: std::sync::Mutex<FxHashMap<String, Option<NaiveDate>>>,
}

impl<'a> Consulted<'a> {
    pub fn new(actuals: &'a dyn Actuals) -> Consulted<'a> {
        Consulted { actuals, asked: std::sync::Mutex::default() }
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
