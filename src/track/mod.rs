//! Tracking: the append-only progress log (an embedded SQLite file by default), the state of
//! every occurrence at any instant, and bulk import of districts' reports.

mod accounts;
mod event;
pub mod import;
mod outbox;
mod request;
mod status;
mod store;

pub use accounts::{MoveRequest, NewUser, Role, User};
pub use event::{Action, Event, NewEvent};
pub use outbox::{Notice, Outgoing, Stored};
pub use request::{Refusal, Request, check};
pub use status::{OccurrenceStatus, Report, Rollup, State, completions, effective, moves, plan_at, status};
pub use store::{Sqlite, Store, StoreError};
