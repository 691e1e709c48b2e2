//! Tracking: progress events and their log's interface, the state of every occurrence at any
//! instant, and bulk import of districts' reports. The log itself is kept by a backend in
//! `store`; tracking reads and appends through [`EventLog`](crate::store::EventLog) only.

pub mod answer;
pub mod carry;
mod event;
pub mod fold;
pub mod import;
mod request;
mod rollup;
mod status;

pub use carry::Carries;
pub use event::{Action, Carried, Event, NewEvent};
pub use fold::{Fold, Folded, KeptFold, fold};
pub use request::{Refusal, Request, check};
pub use rollup::{Rollup, Rollups};
pub use status::{
    Completions, OccurrenceStatus, Reading, Report, State, States, amended, completions, effective, moves, orphans,
    plan_at, status,
};
