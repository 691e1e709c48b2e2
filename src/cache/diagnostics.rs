//! A diagnostic as the cache's files hold it (the plan's warnings, the checks' findings):
//!
//! ```text
//! severity (u8: 0 error, 1 warning)  code (text)
//! file: 0 (u8) when about no file, else 1 and its path (text, one of the workspace's files)
//! line, column, length (u64 each)  messages (u32), each: Russian, English (text each);
//! the first is the message, the rest its hints
//! ```

use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::file::{Reader, Writer};
use crate::diag::{Code, Diagnostic, Message, Severity, Source, Span};

/// Appends `d`; `None` when its file's path is not UTF-8 (then the whole is not kept).
pub fn write(w: &mut Writer, d: &Diagnostic) -> Option<()> {
    w.u8(match d.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    });
    w.text(d.code.as_str());
    match &d.source {
        None => w.u8(0),
        Some(source) => {
            w.u8(1);
            w.text(source.path.to_str()?);
        }
    }
    [d.span.line, d.span.col, d.span.len].iter().for_each(|&n| w.u64(n as u64));
    w.u32(1 + d.hints.len() as u32);
    for m in std::iter::once(&d.message).chain(&d.hints) {
        w.text(&m.ru);
        w.text(&m.en);
    }
    Some(())
}

/// Reads diagnostics back, finding each one's file among the workspace's sources.
pub struct Diagnostics<'a> {
    sources: FxHashMap<&'a Path, &'a Arc<Source>>,
    codes: FxHashMap<&'static str, Code>,
}

impl<'a> Diagnostics<'a> {
    pub fn new(sources: impl Iterator<Item = &'a Arc<Source>>) -> Diagnostics<'a> {
        Diagnostics {
            sources: sources.map(|s| (s.path.as_path(), s)).collect(),
            codes: Code::ALL.iter().map(|c| (c.as_str(), *c)).collect(),
        }
    }

    /// The next diagnostic; `None` when the bytes do not hold one, or it is about a file the
    /// workspace does not have.
    pub fn read(&self, r: &mut Reader) -> Option<Diagnostic> {
        let severity = match r.u8()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            _ => return None,
        };
        let code = *self.codes.get(r.text()?)?;
        let source = match r.u8()? {
            0 => None,
            1 => Some(*self.sources.get(Path::new(r.text()?))?),
            _ => return None,
        };
        let mut n = || usize::try_from(r.u64()?).ok();
        let span = Span::new(n()?, n()?, n()?);
        let count = r.u32()?;
        let mut messages = Vec::with_capacity(count.min(16) as usize);
        for _ in 0..count {
            messages.push(Message::new(r.text()?, r.text()?));
        }
        let mut messages = messages.into_iter();
        let message = messages.next()?;
        let d = Diagnostic { severity, code, source: None, span, message, hints: messages.collect() };
        Some(match source {
            Some(source) => d.at(source, span),
            None => d,
        })
    }
}
