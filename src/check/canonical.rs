//! Files are known by their canonical paths where it matters which file a path names (a file
//! given twice, an `include:` resolved). `std::fs::canonicalize` asks the system about every
//! folder above the file, and one check needs the canonical path of every file several times
//! over (to load it once, to resolve includes, to check, to make the workspace). [`Canonical`]
//! finds each path's once per check, and each folder's once: a file that is not a link is its
//! folder's canonical path joined with its name.

use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;

use rustc_hash::FxHashMap;

/// The canonical paths found in one check (not longer: a link may be changed between checks).
#[derive(Debug, Default)]
pub struct Canonical(RwLock<FxHashMap<PathBuf, PathBuf>>);

impl Canonical {
    /// What `std::fs::canonicalize` makes of `path`, or `path` itself when that fails.
    pub fn of(&self, path: &Path) -> PathBuf {
        if let Some(found) = self.0.read().ok().and_then(|known| known.get(path).cloned()) {
            return found;
        }
        let found = self.find(path);
        if let Ok(mut known) = self.0.write() {
            known.insert(path.to_path_buf(), found.clone());
        }
        found
    }

    /// The file an `include:` entry of `from` names (relative to `from`'s folder).
    pub fn include(&self, from: &Path, include: &str) -> PathBuf {
        self.of(&from.parent().unwrap_or(Path::new(".")).join(include))
    }

    fn find(&self, path: &Path) -> PathBuf {
        let whole = || std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let Some(Component::Normal(name)) = path.components().next_back() else { return whole() };
        // A link is followed by the system; anything else is its folder's path and its name.
        if !std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink()) {
            return whole();
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let folder = self.of(folder);
        if folder.is_absolute() { folder.join(name) } else { whole() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_made_canonical_as_the_system_makes_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/f.yaml"), "").unwrap();
        std::fs::write(root.join("a/g.yaml"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("a/b"), root.join("link")).unwrap();
            std::os::unix::fs::symlink(root.join("a/g.yaml"), root.join("a/b/to-g.yaml")).unwrap();
            std::os::unix::fs::symlink(root.join("none.yaml"), root.join("dangling.yaml")).unwrap();
        }
        let canonical = Canonical::default();
        let paths = [
            "a/b/f.yaml",
            "a/b/../g.yaml",
            "a/./b/f.yaml",
            "link/f.yaml",
            "link/../g.yaml",
            "a/b/to-g.yaml",
            "link/to-g.yaml",
            "dangling.yaml",
            "none.yaml",
            "a/b",
            "a/b/",
            "a/b/f.yaml/",
        ];
        for _ in 0..2 {
            for p in paths {
                let path = root.join(p);
                let expected = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                assert_eq!(canonical.of(&path), expected, "{p}");
            }
        }
        assert_eq!(
            canonical.include(&root.join("link/f.yaml"), "../g.yaml"),
            root.join("a/g.yaml").canonicalize().unwrap()
        );
    }
}
