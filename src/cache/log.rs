//! The progress log as the last run read it (`karta.cache.log`), so that the next run reads
//! from the store only what was recorded since. The log is append-only: an event is never
//! changed or removed, so the events a run read stay the events with those ids. The file
//! names the store it was read from (its random identity) and how far it was read (the largest
//! id, and how many events had an id up to it); a run whose store is another, or which finds
//! another number of events up to that id (an event with a smaller id committed since), reads
//! the whole log. The events are kept as the store has them, before approved versions carry
//! them to other occurrences (that is applied on every read).
//!
//! ```text
//! "karta-log\n"  format version (u32)  build fingerprint (32 bytes)  store identity (text)
//! largest id (i64)  events (u64), each:
//!   id (i64)  kind (text)  occurrence (text or none)
//!   date (i32 days, i32::MIN none)  percent (u8 flag, i64)  reason, approved_by, indicator,
//!   executor, period (text or none each)  value (u8 flag, f64)  source (text or none)
//!   supersedes (u8 flag, i64)  note (text or none)  evidence (u32, texts)  author (text)
//!   recorded at: seconds (i64), nanoseconds (u32), offset (i32)  batch (text or none)
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};

use super::Digest;
use super::file::{self, Reader, Writer};
use crate::store::columns::Columns;
use crate::track::{Event, NewEvent};

const MAGIC: &[u8] = b"karta-log\n";
const VERSION: u32 = 1;

/// The events of one store as a run read them.
pub struct Kept {
    /// The largest id among them (0 for none).
    pub last: i64,
    pub events: Vec<Event>,
}

/// The bytes of the file keeping `events` (all of the log of `store`, in the order recorded).
pub fn write(fingerprint: &Digest, store: &str, events: &[Event]) -> Vec<u8> {
    let mut w = file::begun(MAGIC, VERSION, fingerprint, events.len() * 128);
    w.text(store);
    w.i64(events.iter().map(|e| e.id).max().unwrap_or(0));
    w.u64(events.len() as u64);
    for e in events {
        event(&mut w, e);
    }
    w.sealed()
}

fn event(w: &mut Writer, e: &Event) {
    let NewEvent { occurrence, action, note, evidence, author, recorded_at, batch } = &e.event;
    let raw = Columns::of(action);
    w.i64(e.id);
    w.text(action.name());
    w.opt_text(occurrence.as_deref());
    w.i32(raw.date.map_or(i32::MIN, |d| d.num_days_from_ce()));
    w.opt_i64(raw.percent);
    for text in [&raw.reason, &raw.approved_by, &raw.indicator, &raw.executor, &raw.period] {
        w.opt_text(text.as_deref());
    }
    match raw.value {
        None => w.u8(0),
        Some(v) => {
            w.u8(1);
            w.bytes(&v.to_le_bytes());
        }
    }
    w.opt_text(raw.source.as_deref());
    w.opt_i64(raw.supersedes);
    w.opt_text(note.as_deref());
    w.u32(evidence.len() as u32);
    evidence.iter().for_each(|e| w.text(e));
    w.text(author);
    w.i64(recorded_at.timestamp());
    w.u32(recorded_at.timestamp_subsec_nanos());
    w.i32(recorded_at.offset().local_minus_utc());
    w.opt_text(batch.as_deref());
}

/// What names a store's log whole: the store, the largest id, how many events, and the digest of
/// the event with the largest id. The log is append-only: an event is added with a larger id or
/// raises the count; a store put back from a copy and written to again has another event under
/// the same number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub store: String,
    pub last: i64,
    pub count: u64,
    pub event: Digest,
}

impl Head {
    /// The head of the log of `store` holding `events`.
    pub fn of(store: &str, events: &[Event]) -> Head {
        let last = events.iter().max_by_key(|e| e.id);
        Head {
            store: store.to_string(),
            last: last.map_or(0, |e| e.id),
            count: events.len() as u64,
            event: last.map_or([0; 32], digest_of),
        }
    }

    pub fn digest(&self) -> Digest {
        let mut w = Writer::default();
        self.write(&mut w);
        blake3::hash(&w.0).into()
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.text(&self.store);
        w.i64(self.last);
        w.u64(self.count);
        w.bytes(&self.event);
    }

    pub(super) fn read(r: &mut Reader) -> Option<Head> {
        let store = r.text()?.to_string();
        let (last, count) = (r.i64()?, r.u64()?);
        Some(Head { store, last, count, event: r.take(32)?.try_into().ok()? })
    }
}

/// The digest of one event as the log keeps it.
pub fn digest_of(e: &Event) -> Digest {
    let mut w = Writer::default();
    event(&mut w, e);
    blake3::hash(&w.0).into()
}

/// The events of `store` kept in `bytes` by this build, when they hold them whole.
pub fn read(bytes: &[u8], fingerprint: &Digest, store: &str) -> Option<Kept> {
    let mut r = file::opened(bytes, MAGIC, VERSION, fingerprint)?;
    if r.text()? != store {
        return None;
    }
    let last = r.i64()?;
    let count = usize::try_from(r.u64()?).ok()?;
    let mut events = Vec::with_capacity(count.min(r.0.len() / 32));
    for _ in 0..count {
        events.push(read_event(&mut r)?);
    }
    (r.0.is_empty() && events.iter().all(|e| e.id <= last)).then_some(Kept { last, events })
}

fn read_event(r: &mut Reader) -> Option<Event> {
    let owned = |t: Option<&str>| t.map(str::to_string);
    let id = r.i64()?;
    let kind = r.text()?;
    let occurrence = owned(r.opt_text()?);
    let date = match r.i32()? {
        i32::MIN => None,
        days => Some(NaiveDate::from_num_days_from_ce_opt(days)?),
    };
    let percent = r.opt_i64()?;
    let mut texts = [None, None, None, None, None];
    for text in &mut texts {
        *text = owned(r.opt_text()?);
    }
    let [reason, approved_by, indicator, executor, period] = texts;
    let value = match r.u8()? {
        0 => None,
        1 => Some(f64::from_le_bytes(r.take(8)?.try_into().ok()?)),
        _ => return None,
    };
    let source = owned(r.opt_text()?);
    let supersedes = r.opt_i64()?;
    let raw = Columns { date, percent, reason, approved_by, indicator, executor, period, value, source, supersedes };
    let action = raw.action(kind).ok()?;
    let note = owned(r.opt_text()?);
    let evidence = (0..r.u32()?).map(|_| r.text().map(str::to_string)).collect::<Option<Vec<_>>>()?;
    let author = r.text()?.to_string();
    let (seconds, nanos) = (r.i64()?, r.u32()?);
    let recorded_at = FixedOffset::east_opt(r.i32()?)?.timestamp_opt(seconds, nanos).single()?;
    let batch = owned(r.opt_text()?);
    Some(Event {
        id,
        event: NewEvent { occurrence, action, note, evidence, author, recorded_at, batch },
        carried: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::Action;
    use chrono::DateTime;

    fn events() -> Vec<Event> {
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let actions = [
            Action::Done { on: day },
            Action::Partial { percent: Some(40) },
            Action::Partial { percent: None },
            Action::NotDone { reason: "нет связи".into() },
            Action::Cancelled { document: "приказ № 401".into() },
            Action::Moved {
                to: day, reason: "каникулы".into(), approved_by: "Черепанов Д.Г.".into()
            },
            Action::Value {
                indicator: "ege".into(),
                executor: Some("mo".into()),
                period: "2024".into(),
                value: 0.625,
                source: None,
            },
            Action::Accepted,
            Action::Rejected { reason: "нет акта".into() },
            Action::Correction { supersedes: 3, reason: "ошибка".into() },
        ];
        actions
            .into_iter()
            .enumerate()
            .map(|(i, action)| Event {
                id: i as i64 + 1,
                event: NewEvent {
                    occurrence: (i % 3 != 0).then(|| format!("r/a{i}@2024-02-29")),
                    action,
                    note: (i % 2 == 0).then(|| "комментарий".to_string()),
                    evidence: vec!["https://example.org/акт.pdf".into(); i % 3],
                    author: "Иванова".into(),
                    recorded_at: DateTime::parse_from_rfc3339(&format!("2024-02-29T09:0{i}:00.25+0{}:00", i % 7))
                        .unwrap(),
                    batch: (i > 4).then(|| "b1".to_string()),
                },
                carried: None,
            })
            .collect()
    }

    #[test]
    fn reads_what_it_wrote_and_nothing_cut_flipped_or_of_another_build() {
        let events = events();
        let bytes = write(&[1; 32], "store", &events);
        let kept = read(&bytes, &[1; 32], "store").unwrap();
        assert!(read(&bytes, &[1; 32], "another").is_none(), "another store's");
        assert_eq!(kept.last, 10);
        assert_eq!(kept.events, events);
        assert!(read(&bytes, &[2; 32], "store").is_none(), "another build");
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len], &[1; 32], "store").is_none(), "cut at {len}");
        }
        for i in (0..bytes.len()).step_by(7) {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(read(&bad, &[1; 32], "store").is_none(), "byte {i} flipped");
        }
    }
}
