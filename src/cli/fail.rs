//! How a command ends when it cannot do its work: one type, [`Failure`], one mapping to exit
//! codes and one printer. A command returns `Err(Failure)` and never prints an error or picks a
//! code itself.
//!
//! | exit | kind | when |
//! |---|---|---|
//! | 0 | — | done |
//! | 1 | [`Kind::Input`] | the input has errors: a roadmap, a report, a file or an id the user gave |
//! | 2 | [`Kind::Usage`] | the command cannot run here: a missing path, an unreadable file, the database or the mail server out of reach |
//! | 75 | [`Kind::TempFail`] | `karta inbox --stdin` could not reach the store: the mail server keeps the message and tries again (EX_TEMPFAIL) |
//!
//! Messages are [`Message`]s, Russian and English, printed in the language of `--lang`.

use std::path::Path;

use karta::diag::{Explain, Lang, Message};
use karta::msg;

/// Which of the two kinds of failure, and so the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The input has errors (exit 1).
    Input,
    /// Usage or environment: the command cannot run here (exit 2).
    Usage,
    /// Try again later (exit 75, sysexits' EX_TEMPFAIL): a mail server's pipe delivery keeps
    /// the message and retries.
    TempFail,
}

/// Why a command failed: its kind and what to tell the user. Without a message the user has
/// been told already (diagnostics printed with their locations).
#[derive(Debug)]
pub struct Failure {
    kind: Kind,
    message: Option<Message>,
    hint: Option<Message>,
}

/// How a subcommand ends.
pub type Exit = Result<(), Failure>;

impl Failure {
    /// The input has errors.
    pub fn input(message: Message) -> Failure {
        Failure { kind: Kind::Input, message: Some(message), hint: None }
    }

    /// The command cannot run here.
    pub fn usage(message: Message) -> Failure {
        Failure { kind: Kind::Usage, message: Some(message), hint: None }
    }

    /// Nothing done; the caller should try again later.
    pub fn temporary(message: Message) -> Failure {
        Failure { kind: Kind::TempFail, message: Some(message), hint: None }
    }

    /// The input has errors, printed already as diagnostics.
    pub fn reported() -> Failure {
        Failure { kind: Kind::Input, message: None, hint: None }
    }

    /// An error of the input, told in both languages.
    pub fn bad(e: &impl Explain) -> Failure {
        Failure::input(e.explain())
    }

    /// An error of the environment, told in both languages.
    pub fn env(e: &impl Explain) -> Failure {
        Failure::usage(e.explain())
    }

    /// A file that could not be read or written: the path and what the system said, in words.
    pub fn file(path: &Path, e: &std::io::Error) -> Failure {
        let why = e.explain();
        Failure::usage(msg!("{}: {}", path.display(), why.ru; "{}: {}", path.display(), why.en))
    }

    /// What the user can do about it.
    pub fn hint(self, hint: Option<Message>) -> Failure {
        Failure { hint, ..self }
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self.kind {
            Kind::Input => 1,
            Kind::Usage => 2,
            Kind::TempFail => 75,
        }
    }

    /// Prints the failure on standard error: `ошибка: …` (`error: …` in English).
    pub fn print(&self, lang: Lang) {
        if let Some(m) = &self.message {
            super::err_line!("{}", said(lang, m));
        }
        if let Some(h) = &self.hint {
            super::err_line!("  = {}: {}", lang.pick("подсказка", "hint"), h.get(lang));
        }
    }
}

/// A store's failure is the environment's (the database out of reach, a write refused), but
/// for a conflict with what it holds (a login taken, a target store not empty): the input's.
impl From<karta::store::StoreError> for Failure {
    fn from(e: karta::store::StoreError) -> Failure {
        match e {
            karta::store::StoreError::Conflict(_) => Failure::bad(&e),
            _ => Failure::env(&e),
        }
    }
}

/// The configuration: what it says is the input's fault, reading it the environment's.
impl From<karta::config::Error> for Failure {
    fn from(e: karta::config::Error) -> Failure {
        match e {
            karta::config::Error::Invalid { .. } => Failure::bad(&e),
            karta::config::Error::Unreadable { .. } => Failure::env(&e),
        }
    }
}

/// An error message line as printed: the prefix of its language, then the message.
pub fn said(lang: Lang, m: &Message) -> String {
    match lang {
        Lang::Ru => format!("ошибка: {}", m.ru),
        Lang::En => format!("error: {}", m.en),
    }
}

/// A warning on standard error: the command goes on.
pub fn warn(lang: Lang, m: &Message) {
    match lang {
        Lang::Ru => super::err_line!("предупреждение: {}", m.ru),
        Lang::En => super::err_line!("warning: {}", m.en),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_documented_codes() {
        assert_eq!(Failure::input(msg!("а"; "a")).code(), 1);
        assert_eq!(Failure::reported().code(), 1);
        assert_eq!(Failure::usage(msg!("а"; "a")).code(), 2);
        assert_eq!(Failure::temporary(msg!("а"; "a")).code(), 75);
        let missing = std::fs::read("/no/such/file").unwrap_err();
        let f = Failure::file(Path::new("/no/such/file"), &missing);
        assert_eq!(f.code(), 2);
        assert_eq!(said(Lang::En, f.message.as_ref().unwrap()), "error: /no/such/file: no such file or directory");
        assert_eq!(said(Lang::Ru, f.message.as_ref().unwrap()), "ошибка: /no/such/file: нет такого файла или каталога");
    }
}
