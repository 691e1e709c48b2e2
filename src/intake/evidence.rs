//! Files attached to a reply, kept as evidence where the web app keeps uploads: each under a
//! fresh name (16 hex digits, a dash, its own name), written whole then renamed, and linked from
//! its events as `/files/NAME`, so the activity's page lists it like an uploaded file. Files are
//! written before the events are committed and removed when the commit fails; a crash between
//! the two leaves an unlinked file, never a link to a missing one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::IntakeError;
use crate::inbox::Attachment;

/// A file kept: where it is and the link its events carry.
pub struct Kept {
    pub path: PathBuf,
    pub link: String,
}

/// Writes `files` into `dir`.
pub fn keep(dir: &Path, files: &[Attachment]) -> Result<Vec<Kept>, IntakeError> {
    let mut kept = Vec::with_capacity(files.len());
    for file in files {
        match keep_one(dir, file) {
            Ok(k) => kept.push(k),
            Err(e) => {
                discard(&kept);
                return Err(e);
            }
        }
    }
    Ok(kept)
}

fn keep_one(dir: &Path, file: &Attachment) -> Result<Kept, IntakeError> {
    let failed = |source: std::io::Error| IntakeError::Evidence { path: dir.join(&file.name), source };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let name = format!("{}-{}", crate::web::auth::secret(8), file.name);
    let path = dir.join(&name);
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    temp.write_all(&file.bytes).map_err(failed)?;
    temp.persist(&path).map_err(|e| failed(e.error))?;
    Ok(Kept { path, link: format!("/files/{name}") })
}

/// Removes files kept for events that were not recorded.
pub fn discard(kept: &[Kept]) {
    for k in kept {
        let _ = std::fs::remove_file(&k.path);
    }
}
