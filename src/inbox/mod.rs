//! Reports by replying to a notice: the library that reads an incoming e-mail and decides what
//! it says. [`token`] makes and checks the reply token in the Reply-To address.
//!
//! This module reads and decides; it must not record events, send mail or know the store.

pub mod token;

pub use token::{Claim, Key, TokenError};
