//! Reports by replying to a notice: the library that reads an incoming e-mail and decides what
//! it says. [`message`] reads the bytes (charsets, encodings, HTML, attachments under
//! [`Limits`]); [`robot`] tells mail no one must answer (RFC 3834); [`token`] makes and checks
//! the reply token in the Reply-To address; [`reply`] reads the decisions in the reply's own
//! text.
//!
//! This module reads and decides; it must not record events, send mail or know the store.

mod dates;
mod html;
pub mod message;
pub mod reply;
pub mod robot;
mod strip;
pub mod token;

pub use message::{Attachment, Dmarc, Drop, Dropped, Flaw, Forwarded, Incoming, Limits, Settings, Unreadable};
pub use reply::{Context, Decision, Statement, Unclear};
pub use robot::Robot;
pub use token::{Claim, Key, TokenError};
