//! Reports by replying to a notice: the library that reads an incoming e-mail and decides what
//! it says. [`message`] reads the bytes (charsets, encodings, HTML, attachments under
//! [`Limits`]); [`robot`] tells mail no one must answer (RFC 3834); [`token`] makes and checks
//! the reply token in the Reply-To address.
//!
//! This module reads and decides; it must not record events, send mail or know the store.

mod html;
pub mod message;
pub mod robot;
pub mod token;

pub use message::{Attachment, Dmarc, Drop, Dropped, Flaw, Forwarded, Incoming, Limits, Settings, Unreadable};
pub use robot::Robot;
pub use token::{Claim, Key, TokenError};
