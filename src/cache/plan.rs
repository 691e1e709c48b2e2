//! The last compiled plan, kept beside the cache of files (`karta.cache.plan`) under the key
//! of what compiling reads besides reports: the build, the paths of every file of the
//! workspace in order with each document as compiling reads it ([`crate::compile::as_read`]:
//! an edited title keeps the plan) and the calendar in force; and with the completions
//! compiling consulted (those of the prerequisites relative deadlines count from: a report on
//! any other occurrence changes nothing in the plan). Each warning is located again at its JSON
//! pointer in the file as it reads now; each occurrence's place in the file is listed, so that
//! all cores decode them straight into the plan's list.
//!
//! ```text
//! "karta-plan\n"  format version (u32)  key (32 bytes)
//! completions consulted: count (u32), each: occurrence, day or none (i32)
//! occurrences (u64)
//! time zones: count (u32), names          executor lists: count (u32), lists of names
//! where each occurrence starts in the occurrences' bytes (u32 each)
//! the occurrences' bytes: length (u64), each occurrence
//! warnings: count (u32), each: unit (u32), JSON pointer (text), as `diagnostics` writes one
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Digest;
use super::diagnostics::{self, Diagnostics};
use super::file::{self, Reader, Writer};
use crate::check::Workspace;
use crate::compile::{Actuals, Consulted, Occurrence, Plan, Warning};

const MAGIC: &[u8] = b"karta-plan\n";
const VERSION: u32 = 7;
/// Occurrences encoded per task when writing: enough to keep all cores busy.
const CHUNK: usize = 1 << 15;

/// The bytes of the plan's file under `key`; `None` when the plan is not kept (more than
/// 4 GiB, or a warning not about a file).
pub fn write(plan: &Plan, key: &Digest, consulted: &[(String, Option<NaiveDate>)]) -> Option<Vec<u8>> {
    let n = plan.occurrences.len();
    if u32::try_from(n).is_err() {
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
    // Encoded on all cores, each chunk with where its occurrences start in it.
    let chunks: Vec<(Vec<u8>, Vec<u32>)> = plan
        .occurrences
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut w = Writer::default();
            let mut starts = Vec::with_capacity(chunk.len());
            for o in chunk {
                starts.push(w.0.len() as u32);
                occurrence(&mut w, o, zones[&o.tz], lists[&*o.executors]);
            }
            (w.0, starts)
        })
        .collect();
    let length: usize = chunks.iter().map(|(bytes, _)| bytes.len()).sum();
    // Places are 32-bit: a plan of more than 4 GiB is compiled each time.
    u32::try_from(length).ok()?;
    let mut w = file::begun(MAGIC, VERSION, key, length + 4 * n);
    w.u32(consulted.len() as u32);
    for (occurrence, done) in consulted {
        w.text(occurrence);
        w.i32(done.map_or(i32::MIN, |d| d.num_days_from_ce()));
    }
    w.u64(n as u64);
    w.u32(zone_names.len() as u32);
    zone_names.iter().for_each(|z| w.text(z));
    w.u32(list_order.len() as u32);
    for list in list_order {
        w.u32(list.len() as u32);
        list.iter().for_each(|e| w.text(e));
    }
    let mut before = 0;
    for (bytes, starts) in &chunks {
        starts.iter().for_each(|&start| w.u32(before + start));
        before += bytes.len() as u32;
    }
    w.u64(length as u64);
    chunks.iter().for_each(|(bytes, _)| w.bytes(bytes));
    w.u32(plan.warnings.len() as u32);
    for ((unit, pointer), d) in plan.located() {
        w.u32(u32::try_from(*unit).ok()?);
        w.text(pointer);
        diagnostics::write(&mut w, d)?;
    }
    Some(w.sealed())
}

fn occurrence(w: &mut Writer, o: &Occurrence, zone: u32, list: u32) {
    w.u32(o.unit as u32);
    w.u32(o.task as u32);
    w.text(&o.id[o.key().len()..]);
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
    w.u8(u8::from(o.own));
    w.u32(o.member.map_or(u32::MAX, u32::from));
    w.u32(list);
    w.u32(o.depends_on.len() as u32);
    o.depends_on.iter().for_each(|&p| w.u32(p as u32));
    w.u32(o.counted_from as u32);
    w.u8(u8::from(o.relative));
    w.i64(o.slack_days);
    w.u8(u8::from(o.critical));
}

/// The bytes of the plan kept at `path`, when it is kept under `key`.
pub fn kept(path: &Path, key: &Digest) -> Option<file::Bytes> {
    file::read_keyed(path, MAGIC, VERSION, key)
}

/// The plan kept under `key` for `workspace`, when `bytes` hold it whole and the completions it
/// consulted are what `actuals` tell (`None`: known to be, see `Cache::kept_with_fold`).
pub fn read(bytes: &[u8], key: &Digest, workspace: &Workspace, actuals: Option<&dyn Actuals>) -> Option<Plan> {
    // The header is read before the whole is digested: a plan under another key (an edit)
    // costs nothing. The warnings come last and are checked with the whole (the chunks have
    // their own digests).
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION || r.take(32)? != key.as_slice() {
        return None;
    }
    let consulted: Vec<(&str, Option<NaiveDate>)> = (0..r.u32()?)
        .map(|_| {
            let (occurrence, day) = (r.text()?, r.i32()?);
            Some((occurrence, (day != i32::MIN).then(|| NaiveDate::from_num_days_from_ce_opt(day)).flatten()))
        })
        .collect::<Option<_>>()?;
    if actuals.is_some_and(|actuals| !Consulted::still(&consulted, actuals)) {
        return None;
    }
    let count = usize::try_from(r.u64()?).ok()?;
    let zones: Vec<chrono_tz::Tz> = (0..r.u32()?).map(|_| r.text()?.parse().ok()).collect::<Option<_>>()?;
    let lists: Vec<Arc<[String]>> = (0..r.u32()?)
        .map(|_| (0..r.u32()?).map(|_| r.text().map(String::from)).collect::<Option<Vec<_>>>().map(Arc::from))
        .collect::<Option<_>>()?;
    let starts = r.take(count.checked_mul(4)?)?;
    let length = usize::try_from(r.u64()?).ok()?;
    let encoded = r.take(length)?;
    let sources = Diagnostics::new(workspace.units.iter().map(|u| &u.source));
    let warnings = (0..r.u32()?)
        .map(|_| {
            let (u, pointer) = (r.u32()? as usize, r.text()?.to_string());
            let unit = workspace.units.get(u)?;
            Some(Warning::at((u, unit), sources.read(&mut r)?, pointer))
        })
        .collect::<Option<Vec<_>>>()?;
    if !r.0.is_empty() || file::digest(body).as_bytes() != sum {
        return None;
    }
    let read = Tables { zones: &zones, workspace, count };
    // Each occurrence decoded on any core straight into its place in the plan (no list per
    // core joined after). The digest held, so nothing fails here but a bug of this build; an
    // occurrence that does not decode, or does not end where the next starts, stands in as a
    // blank and the plan is compiled again.
    let blank = read.blank()?;
    let damaged = AtomicBool::new(false);
    let place = |i: usize| -> Option<usize> {
        match starts.get(4 * i..4 * i + 4) {
            Some(b) => usize::try_from(u32::from_le_bytes(b.try_into().ok()?)).ok(),
            None => Some(length),
        }
    };
    let mut occurrences = Vec::with_capacity(count);
    // Each task of decoding has its own copy of the executor lists: a million occurrences
    // counting their references to the same few thousand lists from every core would pass
    // those counters from core to core at each one.
    let own = || lists.iter().map(|l| Arc::from(l.to_vec())).collect::<Vec<Arc<[String]>>>();
    (0..count)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map_init(own, |lists, i| {
            let (start, end) = (place(i)?, place(i + 1)?);
            let mut r = Reader(encoded.get(start..end)?);
            read.occurrence(&mut r, lists).filter(|_| r.0.is_empty())
        })
        .map(|o| {
            o.unwrap_or_else(|| {
                damaged.store(true, Ordering::Relaxed);
                blank.clone()
            })
        })
        .collect_into_vec(&mut occurrences);
    if damaged.into_inner() {
        return None;
    }
    Some(Plan::new(occurrences, warnings))
}

/// What the occurrences refer to.
struct Tables<'a> {
    zones: &'a [chrono_tz::Tz],
    /// Whose units and tasks the occurrences are: each id begins with the task's key
    /// (`roadmap/activity`).
    workspace: &'a Workspace,
    count: usize,
}

impl Tables<'_> {
    /// An occurrence standing in for one that did not decode: no allocation to clone.
    fn blank(&self) -> Option<Occurrence> {
        let day = NaiveDate::MIN;
        Some(Occurrence {
            id: String::new(),
            unit: 0,
            task: 0,
            key_len: 0,
            opens: day,
            due_date: day,
            due: FixedOffset::east_opt(0)?.from_utc_datetime(&day.and_time(NaiveTime::MIN)),
            tz: chrono_tz::UTC,
            time: None,
            own: false,
            member: None,
            executors: Arc::from(Vec::new()),
            depends_on: Vec::new(),
            counted_from: 0,
            relative: false,
            slack_days: 0,
            critical: false,
        })
    }

    /// The next occurrence, its executors one of `lists`.
    fn occurrence(&self, r: &mut Reader, lists: &[Arc<[String]>]) -> Option<Occurrence> {
        let unit = r.u32()? as usize;
        let task = r.u32()? as usize;
        let (roadmap, activity) = self.workspace.units.get(unit).and_then(|u| Some((&u.id, &u.tasks.get(task)?.id)))?;
        let suffix = r.text()?;
        let key_len = roadmap.len() + 1 + activity.len();
        let mut id = String::with_capacity(key_len + suffix.len());
        id.push_str(roadmap);
        id.push('/');
        id.push_str(activity);
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
        let own = match r.u8()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let member = match r.u32()? {
            u32::MAX => None,
            m => Some(u16::try_from(m).ok()?),
        };
        let executors = lists.get(r.u32()? as usize)?.clone();
        let depends_on = (0..r.u32()?).map(|_| r.u32().map(|p| p as usize)).collect::<Option<Vec<_>>>()?;
        if depends_on.iter().any(|&p| p >= self.count) {
            return None;
        }
        Some(Occurrence {
            id,
            unit,
            task,
            key_len: u32::try_from(key_len).ok()?,
            opens,
            due_date,
            due,
            tz,
            time,
            own,
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
