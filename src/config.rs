//! The workspace configuration, `karta.toml`: `[notify]` (rules, sender, SMTP, sending hours),
//! `[store]` (the database and the roadmaps), `[web]` (the web app), `[calendar]` (the
//! calendar's files and region) and `[inbox]` (replies to notices). A missing file is the defaults; `KARTA_*` variables and the
//! commands' flags override what it says (each command says which).

use std::path::{Path, PathBuf};

/// karta.toml as read.
#[derive(Debug, serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub notify: crate::notify::Config,
    #[serde(default)]
    pub store: Store,
    /// Present when the file configures the web app (then messages link to its pages).
    #[serde(default)]
    pub web: Option<crate::web::Config>,
    #[serde(default)]
    pub calendar: crate::calendar::Config,
    /// Replies to notices: the mailbox, the tokens' key and lifetime.
    #[serde(default)]
    pub inbox: crate::intake::Config,
}

/// `[store]`: where the database and the roadmaps are. The database is `path` or, the same
/// thing under the name a database server's address goes by, `url`.
#[derive(Debug, serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Store {
    #[serde(alias = "url")]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub roadmaps: Vec<PathBuf>,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file says something karta does not understand (the input's fault).
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The file could not be read (the environment's).
    #[error("не удалось прочитать {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
}

impl crate::diag::Explain for Error {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            Error::Invalid { path, message } => {
                msg!("{}: {}", path.display(), message; "{}: {}", path.display(), message)
            }
            Error::Unreadable { path, source } => {
                let why = crate::diag::os_error(source);
                msg!("не удалось прочитать {}: {}", path.display(), why.ru; "cannot read {}: {}", path.display(), why.en)
            }
        }
    }
}

impl File {
    /// Reads `path`; a missing file is the defaults. The calendar's files are taken relative to
    /// the configuration's directory.
    pub fn read(path: &Path) -> Result<File, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(File::default()),
            Err(source) => return Err(Error::Unreadable { path: path.to_path_buf(), source }),
        };
        let mut file: File =
            toml::from_str(&text).map_err(|e| Error::Invalid { path: path.to_path_buf(), message: e.to_string() })?;
        let base = path.parent().unwrap_or(Path::new(""));
        for f in &mut file.calendar.files {
            if f.is_relative() {
                *f = base.join(&*f);
            }
        }
        Ok(file)
    }
}
