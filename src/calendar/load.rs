//! Builds the calendar in force from the operator's settings: `[calendar]` in karta.toml, the
//! `--calendar FILE` and `--region` flags, and the `calendar/` directory beside the roadmaps.
//! Every local file is checked first; one with errors is refused (a calendar silently missing
//! a day off would move deadlines without anyone noticing).

use std::path::{Path, PathBuf};

use super::layer::{Layer, regions};
use super::{Calendar, check};
use crate::diag::{Code, Diagnostic, Source, did_you_mean, suggestion};
use crate::msg;

/// `[calendar]` in karta.toml (plus the flags, appended by the CLI).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The region used for roadmaps that name none: an ISO 3166-2 code (`RU-TA`).
    #[serde(default)]
    pub region: Option<String>,
    /// Local calendar files, applied after the federal and regional layers, in order.
    #[serde(default)]
    pub files: Vec<PathBuf>,
}

/// The calendar in force: the federal layer, the shipped regions, then the local files: the
/// `*.tsv` files of a `calendar/` directory inside each roadmap directory in `roadmap_dirs`
/// (a file's own directory for a file; sorted by name), then `config.files`. Returns the calendar and the files' warnings, or
/// every error found.
pub fn load(config: &Config, roadmap_dirs: &[PathBuf]) -> Result<(Calendar, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs: Vec<&Path> = Vec::new();
    for path in roadmap_dirs {
        // A roadmap file given alone: the directory it is in.
        let dir = if path.is_dir() { Some(path.as_path()) } else { path.parent() };
        if let Some(dir) = dir.filter(|d| !dirs.contains(d)) {
            dirs.push(dir);
            files.extend(directory_files(&dir.join("calendar")));
        }
    }
    files.extend(config.files.iter().cloned());
    let mut diagnostics = Vec::new();
    let mut layers = Vec::new();
    for path in &files {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let source = Source::new(path.clone(), text);
                diagnostics.extend(check::check(&source));
                layers.push(Layer::local(path, &source.text));
            }
            Err(e) => {
                let path = path.display().to_string();
                diagnostics.push(Diagnostic::error(
                    Code::Unreadable,
                    msg!("не удалось прочитать файл календаря {}: {}", path, e; "cannot read calendar file {}: {}", path, e),
                ));
            }
        }
    }
    if let Some(region) = &config.region {
        if let Some(d) = unknown_region(region) {
            diagnostics.push(d);
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok((Calendar::layered(layers, config.region.clone()), diagnostics))
}

/// The `*.tsv` files of a directory, sorted; none when it does not exist.
fn directory_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    files
}

/// K0520 for a region karta ships no calendar for, or `None` when it has one.
pub fn unknown_region(code: &str) -> Option<Diagnostic> {
    if regions().any(|(c, _)| c.eq_ignore_ascii_case(code)) {
        return None;
    }
    let known: Vec<&str> = regions().map(|(c, _)| c).collect();
    let list = known.join(", ");
    let near = did_you_mean(code, known.iter().copied()).map(suggestion);
    Some(
        Diagnostic::error(
            Code::UnknownRegion,
            msg!("нет календаря региона `{}`; есть: {}", code, list; "no calendar for region `{}`; karta has: {}", code, list),
        )
        .hint(near.unwrap_or_else(|| {
            msg!("регион — код ISO 3166-2 (RU-TA); праздники другого региона добавьте своим файлом (`--calendar`)";
                "a region is an ISO 3166-2 code (RU-TA); add another region's holidays as a local file (`--calendar`)")
        })),
    )
}
