//! The whole log folded into the last plan (`karta.cache.fold`), so that a status with nothing
//! recorded since reads what each occurrence's events say instead of grouping and folding
//! hundreds of thousands of events again (`track::fold`). Kept under the key of everything a
//! fold is made of: the build; the plan, by the digest of its kept file (its occurrences in
//! order); the log, by its store, its largest id, how many events it holds and the digest of
//! the last one (the log is append-only, so these name every event in it); and the approved
//! versions' carries, which move events to other occurrences. It holds for a `now` at or after
//! the last event recorded (before that, some events do not count yet).
//!
//! ```text
//! "karta-fold\n"  format version (u32)  key (32 bytes)
//! last recorded: seconds (i64, i64::MIN for an empty log), nanoseconds (u32), offset (i32)
//! the log: store (text), largest id (i64), events (u64), digest of the last event (32 bytes)
//! occurrences (u64), each 22 bytes: done on, moved to (i32 days, i32::MIN none),
//!   percent (u8), flags (u8: 1 cancelled, 2 accepted, 4 a percent), reasons not done and
//!   rejected (u32 places among the texts, u32::MAX none), events (u32)
//! texts: count (u32), each text
//! orphans, then removed: count (u64), ids (i64 each)
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone};
use rayon::prelude::*;

use super::file::{self, Bytes, Reader};
use super::log::{self, Head};
use super::{Cache, Digest, fingerprint, fold_path, plan, plan_path, replace, set, sum_of};
use crate::calendar::Calendar;
use crate::check::Workspace;
use crate::compile::Plan;
use crate::store::EventLog;
use crate::track::{Event, Fold, Folded, KeptFold};

const MAGIC: &[u8] = b"karta-fold\n";
const VERSION: u32 = 1;
const RECORD: usize = 22;

/// The bytes of the file keeping `folded` under `key`: the fold of the log `head` names, whose
/// last event was recorded at `last`.
pub fn write(key: &Digest, head: &Head, last: Option<DateTime<FixedOffset>>, folded: &Folded) -> Option<Vec<u8>> {
    let mut w = file::begun(MAGIC, VERSION, key, folded.each.len() * RECORD + 256);
    w.i64(last.map_or(i64::MIN, |t| t.timestamp()));
    w.u32(last.map_or(0, |t| t.timestamp_subsec_nanos()));
    w.i32(last.map_or(0, |t| t.offset().local_minus_utc()));
    head.write(&mut w);
    w.u64(folded.each.len() as u64);
    let day = |d: Option<NaiveDate>| d.map_or(i32::MIN, |d| d.num_days_from_ce());
    for f in folded.each.iter() {
        w.i32(day(f.done_on));
        w.i32(day(f.moved_to));
        w.u8(f.percent.unwrap_or(0));
        w.u8(u8::from(f.cancelled) | u8::from(f.accepted) << 1 | u8::from(f.percent.is_some()) << 2);
        w.u32(f.not_done_reason.unwrap_or(u32::MAX));
        w.u32(f.rejected_reason.unwrap_or(u32::MAX));
        w.u32(f.events);
    }
    w.u32(u32::try_from(folded.texts.len()).ok()?);
    folded.texts.iter().for_each(|t| w.text(t));
    for ids in [&folded.orphans, &folded.removed] {
        w.u64(ids.len() as u64);
        ids.iter().for_each(|&id| w.i64(id));
    }
    Some(w.sealed())
}

/// The log the fold kept at `path` was made of and when its last event was recorded, as its
/// header says, read without the rest of the file and not trusted: only what to ask the store
/// (the key the whole file is checked under names the log too).
pub fn head(path: &Path) -> Option<(Head, Option<DateTime<FixedOffset>>)> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(4096).read_to_end(&mut bytes).ok()?;
    let mut r = Reader(&bytes);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    r.take(32)?;
    let last = last_recorded(&mut r)?;
    Some((Head::read(&mut r)?, last))
}

/// When the last event was recorded, as [`write`] writes it.
fn last_recorded(r: &mut Reader) -> Option<Option<DateTime<FixedOffset>>> {
    let (seconds, nanos, offset) = (r.i64()?, r.u32()?, r.i32()?);
    match seconds {
        i64::MIN => Some(None),
        _ => FixedOffset::east_opt(offset)?.timestamp_opt(seconds, nanos).single().map(Some),
    }
}

/// A kept fold whose digest and key held.
#[derive(Debug)]
pub struct Kept {
    bytes: Bytes,
    /// When the last event of the log it folds was recorded (`None` for an empty log): the fold
    /// holds for a status at or after it.
    pub last: Option<DateTime<FixedOffset>>,
}

/// The fold kept in `bytes` under `key`, when the file holds whole.
pub fn open(bytes: Bytes, key: &Digest) -> Option<Kept> {
    let last = last_recorded(&mut file::opened(&bytes, MAGIC, VERSION, key)?)?;
    Some(Kept { bytes, last })
}

impl Kept {
    /// The fold, for a plan of `occurrences` occurrences.
    pub fn fold(&self, occurrences: usize) -> Option<KeptFold> {
        let bytes = &self.bytes;
        let mut r = Reader(bytes.get(MAGIC.len() + 36 + 16..bytes.len().checked_sub(32)?)?);
        Head::read(&mut r)?;
        if usize::try_from(r.u64()?).ok()? != occurrences {
            return None;
        }
        let records = r.take(occurrences.checked_mul(RECORD)?)?;
        let texts: Vec<String> = (0..r.u32()?).map(|_| r.text().map(str::to_string)).collect::<Option<_>>()?;
        let mut ids = || -> Option<Vec<i64>> {
            let n = usize::try_from(r.u64()?).ok()?;
            (0..n).map(|_| r.i64()).collect()
        };
        let (orphans, removed) = (ids()?, ids()?);
        if !r.0.is_empty() {
            return None;
        }
        let day = |d: i32| match d {
            i32::MIN => Some(None),
            d => NaiveDate::from_num_days_from_ce_opt(d).map(Some),
        };
        let text = |at: u32| match at {
            u32::MAX => Some(None),
            at => ((at as usize) < texts.len()).then_some(Some(at)),
        };
        let each = records
            .par_chunks_exact(RECORD)
            .map(|b| {
                let mut r = Reader(b);
                let (done_on, moved_to) = (day(r.i32()?)?, day(r.i32()?)?);
                let (percent, flags) = (r.u8()?, r.u8()?);
                if flags > 7 {
                    return None;
                }
                Some(Fold {
                    done_on,
                    moved_to,
                    percent: (flags & 4 != 0).then_some(percent),
                    cancelled: flags & 1 != 0,
                    accepted: flags & 2 != 0,
                    not_done_reason: text(r.u32()?)?,
                    rejected_reason: text(r.u32()?)?,
                    events: r.u32()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(KeptFold { each, texts, orphans, removed })
    }
}

impl Cache {
    /// Whether the log of `store` is the one the kept fold was made of, no file of `files` was
    /// written since the fold was, and `now` is not before the log's last event: then a status
    /// at `now` need not read the log
    /// ([`Cache::kept_with_fold`] takes the fold when the plan is the one it was made for). Asks
    /// the store for the events from the last one the fold names on: the log is unchanged when
    /// that event is all there is, and is the one the fold named. A file written since may
    /// change the plan, and the log is then read beside the files as for any command: what
    /// compiling again needs is there in time (the key the fold is taken under decides, this
    /// only which way is likelier quicker).
    pub fn log_unchanged(
        &self,
        store: &(impl EventLog + ?Sized),
        files: &[PathBuf],
        now: DateTime<FixedOffset>,
    ) -> bool {
        let Some(path) = self.path.as_ref().map(|path| fold_path(path)) else { return false };
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let Some(kept_at) = modified(&path) else { return false };
        if files.iter().any(|f| modified(f).is_none_or(|at| at >= kept_at)) {
            return false;
        }
        // A status before the last report folds fewer events: the log is read for it.
        let Some((head, _)) = head(&path).filter(|(_, last)| last.is_none_or(|l| l <= now)) else { return false };
        // The largest id first: an event recorded since is told without reading it.
        if store.identity().ok().as_ref() != Some(&head.store) || store.last_event().ok() != Some(head.last) {
            return false;
        }
        let Ok(Some(since)) = store.events_since(head.last, usize::try_from(head.count).unwrap_or(usize::MAX)) else {
            return false;
        };
        let unchanged = match since.as_slice() {
            [] => head.count == 0,
            [last] => last.id == head.last && log::digest_of(last) == head.event,
            _ => false,
        };
        if unchanged {
            set(&self.head, head);
        }
        unchanged
    }

    /// The kept plan of `workspace` and the fold of the log into it, for a status at `now` of the
    /// log [`Cache::log_unchanged`] found unchanged, as the approved versions whose carries have
    /// the digest `carried` carry it: when both are kept and the fold holds at `now`. The run
    /// that kept the fold used this plan with the completions of the same log, so the plan is
    /// read without consulting them.
    pub fn kept_with_fold(
        &self,
        workspace: &Workspace,
        calendar: &Calendar,
        carried: &Digest,
        now: DateTime<FixedOffset>,
    ) -> Option<(Plan, KeptFold)> {
        let path = self.path.as_ref()?;
        let key = self.plan_key(workspace, calendar)?;
        let bytes = plan::kept(&plan_path(path), &key)?;
        let sum = sum_of(&bytes);
        let kept = open(Bytes::of(&fold_path(path))?, &self.fold_key(&sum, carried)?)?;
        if kept.last.is_some_and(|last| last > now) {
            return None;
        }
        let plan = plan::read(&bytes, &key, workspace, None)?;
        let folded = kept.fold(plan.occurrences.len())?;
        set(&self.plan_sum, sum);
        Some((plan, folded))
    }

    /// The key of the fold of this run's log into the plan whose kept file has the digest
    /// `plan`, with the carries `carried`: when this run read the log through the cache.
    fn fold_key(&self, plan: &Digest, carried: &Digest) -> Option<Digest> {
        let head = self.head.lock().ok()?.as_ref()?.digest();
        let mut hasher = blake3::Hasher::new();
        hasher.update(&fingerprint());
        hasher.update(plan);
        hasher.update(&head);
        hasher.update(carried);
        Some(hasher.finalize().into())
    }

    /// Where to keep the fold of `events` (the log read through this cache, as the carries
    /// with the digest `carried` carry it) into this run's plan, for a status at `now`. `None`
    /// without a cache, a kept plan, or the log read through the cache, and when events are
    /// recorded after `now` (a fold of what was recorded by then is not the log's).
    pub fn fold_keeping(&self, carried: &Digest, events: &[Event], now: DateTime<FixedOffset>) -> Option<FoldKeeping> {
        let path = fold_path(self.path.as_ref()?);
        let key = self.fold_key(&(*self.plan_sum.lock().ok()?)?, carried)?;
        let head = self.head.lock().ok()?.clone()?;
        let last = events.iter().map(|e| e.event.recorded_at).max();
        if last.is_some_and(|last| last > now) {
            return None;
        }
        Some(FoldKeeping { path, key, head, last, written: AtomicBool::new(false) })
    }
}

/// Where the fold of the log into the plan a status reads is kept for the next run
/// ([`Cache::fold_keeping`]).
pub struct FoldKeeping {
    path: PathBuf,
    key: Digest,
    head: log::Head,
    /// When the last event of the log was recorded.
    last: Option<DateTime<FixedOffset>>,
    written: AtomicBool,
}

impl FoldKeeping {
    /// The fold kept under this key for the plan of `occurrences` occurrences, when one is (the
    /// log read after an edit that kept the plan).
    pub fn kept(&self, occurrences: usize) -> Option<KeptFold> {
        let kept = open(Bytes::of(&self.path)?, &self.key)?.fold(occurrences)?;
        // Still this log's and this plan's: marked as made now, so that the files written
        // before (the edit that kept the plan) do not count as written since it was.
        let _ =
            std::fs::File::options().write(true).open(&self.path).and_then(|f| f.set_modified(crate::clock::files()));
        Some(kept)
    }

    /// Keeps `folded` (made of the whole log, when none is kept under this key) for the next
    /// run, once.
    pub fn keep(&self, folded: &Folded) {
        if self.written.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Some(bytes) = write(&self.key, &self.head, self.last, folded) {
            // As for the plan: a fold that cannot be kept is made again next time.
            let _ = replace(&self.path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> KeptFold {
        let day = NaiveDate::from_ymd_opt(2024, 3, 1);
        let each = vec![
            Fold::default(),
            Fold { done_on: day, events: 2, accepted: true, ..Fold::default() },
            Fold { moved_to: day, percent: Some(40), not_done_reason: Some(0), events: 3, ..Fold::default() },
            Fold { cancelled: true, rejected_reason: Some(0), percent: None, events: 1, ..Fold::default() },
            Fold { percent: Some(0), rejected_reason: Some(1), events: 4, ..Fold::default() },
        ];
        let texts = vec!["нет средств".to_string(), "не тот отчёт".to_string()];
        KeptFold { each, texts, orphans: vec![7, 9], removed: vec![11] }
    }

    fn head() -> Head {
        Head { store: "store".into(), last: 12, count: 10, event: [5; 32] }
    }

    #[test]
    fn reads_what_it_wrote() {
        let at = FixedOffset::east_opt(36_000).and_then(|z| z.with_ymd_and_hms(2024, 3, 1, 12, 0, 5).single());
        let dir = tempfile::tempdir().expect("temp dir");
        for last in [at, None] {
            let bytes = write(&[3; 32], &head(), last, &sample().folded()).expect("written");
            let path = dir.path().join("fold");
            std::fs::write(&path, &bytes).expect("written");
            assert_eq!(super::head(&path), Some((head(), last)));
            let kept = open(Bytes::from(bytes.clone()), &[3; 32]).expect("opened");
            assert_eq!(kept.last, last);
            assert_eq!(kept.fold(5), Some(sample()));
            assert_eq!(kept.fold(4), None, "another plan's length");
            assert!(open(Bytes::from(bytes), &[4; 32]).is_none(), "another key");
        }
    }

    #[test]
    fn refuses_every_cut_and_every_flipped_byte() {
        let bytes = write(&[3; 32], &head(), None, &sample().folded()).expect("written");
        for len in 0..bytes.len() {
            assert!(open(Bytes::from(bytes[..len].to_vec()), &[3; 32]).is_none(), "cut at {len}");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(open(Bytes::from(bad), &[3; 32]).is_none(), "byte {i} flipped");
        }
    }
}
