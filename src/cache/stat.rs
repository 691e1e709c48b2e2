//! What a file's metadata vouches for. A process that reads the same files over and over (`karta
//! serve` reloading after an edit) need not read 2,452 files and hash 23 MB to learn that one
//! changed: as git's index and rsync do, it compares each file's size, modification and change
//! times, inode and device with those it saw when it last read the file, and reads only the
//! files where one differs.
//!
//! Writing a file sets its change time to the system's current time, which no program can set
//! back; but file times advance in ticks (a few milliseconds), so a file written again in the
//! tick it was read in could keep every field. A stat vouches for the bytes read only when the
//! file last changed at least [`SETTLED`] before it was read (git calls the other "racily
//! clean"); a file changed more recently is read again each time until it settles.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long before it was read a file must have last changed for its metadata to vouch for its
/// bytes: many ticks of file times, and the clock skew of a network file system's server.
pub const SETTLED: Duration = Duration::from_secs(2);

/// A file's metadata, as compared between two reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    len: u64,
    modified: SystemTime,
    /// The change time (seconds, nanoseconds): set by every write, rename or change of mode.
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl Stat {
    /// The metadata of the file at `path` (following links); `None` when there is none.
    pub fn of(path: &Path) -> Option<Stat> {
        let meta = std::fs::metadata(path).ok()?;
        let (len, modified) = (meta.len(), meta.modified().ok()?);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stat {
                len,
                modified,
                changed: (meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            })
        }
        // No change time to vouch with: size and modification time tell a change apart for the
        // service's watch, and [`Stat::settled`] never vouches.
        #[cfg(not(unix))]
        Some(Stat { len, modified, changed: (i64::MIN, 0), inode: 0, device: 0 })
    }

    /// This stat, taken just before the file was read at `read_at`, when it vouches for the
    /// bytes read: the file last changed (and was last modified) [`SETTLED`] or longer before.
    pub fn settled(self, read_at: SystemTime) -> Option<Stat> {
        let before = read_at.checked_sub(SETTLED)?;
        let changed = u64::try_from(self.changed.0).ok().map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        // Seconds compared whole, rounded up by one: a change within the second of `before` is not
        // settled.
        let changed_by = changed.and_then(|c| c.checked_add(Duration::from_secs(1)))?;
        (changed_by <= before && self.modified <= before).then_some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_vouches_for_the_bytes_only_once_the_file_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "id: a\n").unwrap();
        let stat = Stat::of(&path).unwrap();
        let now = crate::clock::files();
        assert_eq!(stat.settled(now), None, "just written");
        assert_eq!(stat.settled(now + Duration::from_secs(4)), Some(stat), "long before the read");
        // Changed a second and a half before the read: within the margin.
        let changed = now.duration_since(SystemTime::UNIX_EPOCH).unwrap() - Duration::from_millis(1500);
        let recent = Stat { changed: (changed.as_secs() as i64, 0), modified: now - Duration::from_secs(60), ..stat };
        assert_eq!(recent.settled(now), None);
        let old = Stat { changed: (changed.as_secs() as i64 - 5, 0), ..recent };
        assert_eq!(old.settled(now), Some(old));
        // Modified (set by hand) after the read began: not settled either.
        let touched = Stat { modified: now, ..old };
        assert_eq!(touched.settled(now), None);
        assert_eq!(Stat::of(&dir.path().join("none.yaml")), None);
    }
}
