//! Amendments (docs/amendments.md): a roadmap's approved versions as snapshots that check and
//! compile like the working files, the differences between two of them ([`diff`]), and where the
//! reports recorded under one version's occurrences go in the next ([`carry`]).
//!
//! A version is the exact text of the roadmap file and of the files it includes
//! ([`VersionFile`]): the working files collected by [`files_of`], or a version read back from
//! the store. [`Snapshot::of_files`] checks and compiles such a set in a folder of its own, so a
//! stored version means what it meant when it was approved, whatever the working files say now.

pub mod approve;
pub mod carry;
pub mod diff;
pub mod order;
pub mod sides;

use std::path::{Path, PathBuf};

use crate::calendar::Calendar;
use crate::check::{Unit, Workspace};
use crate::compile::Plan;
use crate::diag::Diagnostic;
pub use crate::store::VersionFile;

/// One roadmap at one version, checked and compiled.
pub struct Snapshot {
    pub workspace: Workspace,
    pub plan: Plan,
    /// The roadmap's place in `workspace.units`.
    pub unit: usize,
}

/// Why a version could not be read.
#[derive(Debug, Clone)]
pub enum SnapshotError {
    /// A file could not be written to or read from the scratch folder.
    Io(String),
    /// The version does not check or compile.
    Invalid(Vec<Diagnostic>),
    /// The files hold no roadmap with this id.
    Missing(String),
}

impl SnapshotError {
    pub fn message(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            SnapshotError::Invalid(d) => msg!(
                "утверждённая версия не проходит проверку этой версией karta ({} ошибок)", d.len();
                "the approved version no longer checks with this karta ({} errors)", d.len()),
            SnapshotError::Missing(r) => {
                msg!("в утверждённой версии нет дорожной карты {}", r; "the approved version holds no roadmap {}", r)
            }
            SnapshotError::Io(e) => {
                msg!("не удалось прочитать файлы версии: {}", e; "cannot read the version's files: {}", e)
            }
        }
    }
}

impl Snapshot {
    pub fn unit(&self) -> &Unit {
        &self.workspace.units[self.unit]
    }

    /// Checks and compiles a version's files (the roadmap file first) in a scratch folder.
    pub fn of_files(roadmap: &str, files: &[VersionFile], calendar: &Calendar) -> Result<Snapshot, SnapshotError> {
        let dir = tempfile::tempdir().map_err(|e| SnapshotError::Io(e.to_string()))?;
        let mut paths = Vec::new();
        let depth = climb(files);
        for f in files {
            let place =
                placed(&f.path, depth).ok_or_else(|| SnapshotError::Io(format!("недопустимый путь {}", f.path)))?;
            let path = dir.path().join(place);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| SnapshotError::Io(e.to_string()))?;
            }
            std::fs::write(&path, &f.text).map_err(|e| SnapshotError::Io(e.to_string()))?;
            paths.push(path);
        }
        let main = paths.first().cloned().ok_or_else(|| SnapshotError::Missing(roadmap.to_string()))?;
        let checked = crate::check::check_files(&[main], calendar);
        let workspace = checked.into_workspace().map_err(|c| SnapshotError::Invalid(c.diagnostics))?;
        let unit = workspace
            .units
            .iter()
            .position(|u| u.id == roadmap)
            .ok_or_else(|| SnapshotError::Missing(roadmap.into()))?;
        let plan = crate::compile::compile(&workspace, calendar).map_err(SnapshotError::Invalid)?;
        Ok(Snapshot { workspace, plan, unit })
    }
}

/// The files of the roadmap read from `path`: the file itself, then what it includes
/// (recursively, each once), with paths relative to `path`'s folder.
pub fn files_of(path: &Path) -> std::io::Result<Vec<VersionFile>> {
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out: Vec<VersionFile> = Vec::new();
    let mut queue: Vec<PathBuf> = vec![PathBuf::from(path.file_name().unwrap_or_default())];
    while let Some(rel) = queue.pop() {
        let name = rel.to_string_lossy().replace('\\', "/");
        if out.iter().any(|f| f.path == name) {
            continue;
        }
        let text = std::fs::read_to_string(base.join(&rel))?;
        if let Some(doc) = crate::load::json_of(&text)
            && let Some(includes) = doc.get("include").and_then(|v| v.as_array())
        {
            let folder = rel.parent().unwrap_or(Path::new("")).to_path_buf();
            queue.extend(includes.iter().filter_map(|i| i.as_str()).map(|i| normal(&folder.join(i))));
        }
        out.push(VersionFile { path: name, text });
    }
    Ok(out)
}

/// `a/../b` → `b`: include paths as one spelling.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Where a stored path goes inside the scratch folder: under as many folders as the deepest
/// `../` climbs, so an include of `../directory.yaml` finds its file and nothing leaves the folder.
fn placed(path: &str, depth: usize) -> Option<PathBuf> {
    if path.contains(':') || path.contains('\\') || path.starts_with('/') {
        return None;
    }
    let base: PathBuf = std::iter::repeat_n("v", depth).collect();
    let placed = normal(&base.join(path));
    (!placed.starts_with("..")).then_some(placed)
}

/// How many folders the stored paths climb above the roadmap's.
fn climb(files: &[VersionFile]) -> usize {
    files.iter().map(|f| f.path.split('/').take_while(|p| *p == "..").count()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled(name: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("roadmaps").join(name)).expect("bundled")
    }

    #[test]
    fn a_version_whose_include_climbs_out_of_its_folder_still_finds_it() {
        let roadmap = bundled("lazo-2023-2024.yaml").replacen(
            "  - khabarovsk-directory.yaml",
            "  - ../common/khabarovsk-directory.yaml",
            1,
        );
        let files = vec![
            VersionFile { path: "lazo-2023-2024.yaml".into(), text: roadmap },
            VersionFile {
                path: "../common/khabarovsk-directory.yaml".into(),
                text: bundled("khabarovsk-directory.yaml"),
            },
        ];
        let snapshot = Snapshot::of_files("lazo-2023-2024", &files, Calendar::russia()).expect("checks");
        assert_eq!(snapshot.unit().id, "lazo-2023-2024");
        assert!(!snapshot.plan.occurrences.is_empty());
    }

    #[test]
    fn a_stored_path_cannot_leave_the_scratch_folder() {
        for path in ["/etc/passwd", "C:\\x.yaml", "a:b.yaml"] {
            let files = vec![VersionFile { path: path.into(), text: "kind: directory\n".into() }];
            assert!(matches!(Snapshot::of_files("r", &files, Calendar::russia()), Err(SnapshotError::Io(_))), "{path}");
        }
        assert_eq!(placed("../../x.yaml", 2), Some(PathBuf::from("x.yaml")));
        assert_eq!(placed("a/../../x.yaml", 1), Some(PathBuf::from("x.yaml")));
        assert_eq!(placed("../../x.yaml", 1), None, "climbs above what the version holds");
    }

    #[test]
    fn the_files_of_a_roadmap_are_it_and_what_it_includes() {
        let files =
            files_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("roadmaps/lazo-2023-2024.yaml")).expect("read");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["lazo-2023-2024.yaml", "khabarovsk-directory.yaml"]);
    }
}
