//! Walks the paths given on the command line and lists the files to analyse.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::Diagnostic;

/// Files found under the given paths, sorted for deterministic output, plus the paths
/// that could not be read at all.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Regular files, in sorted order, each with a flag telling whether it was named
    /// explicitly on the command line (then an unknown format is worth a diagnostic).
    pub files: Vec<(PathBuf, bool)>,
    /// Paths that do not exist or cannot be listed.
    pub unreadable: Vec<Diagnostic>,
}

/// Expands files and folders (recursively) into a sorted list of files.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        if path.as_os_str() == super::STDIN {
            found.files.push((path.clone(), true));
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut found),
            Ok(_) => found.files.push((path.clone(), true)),
            Err(err) => found.unreadable.push(Diagnostic::error(
                path.display().to_string(),
                format!("cannot read: {err}"),
            )),
        }
    }
    found.files.sort();
    found.files.dedup_by(|a, b| a.0 == b.0);
    found
}

fn walk(dir: &Path, found: &mut Discovered) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            found.unreadable.push(Diagnostic::error(
                dir.display().to_string(),
                format!("cannot list folder: {err}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        // Not `entry.path()`: on Windows that joins with `\` even below `C:/logs`.
        let path = crate::platform::join_as_typed(dir, &entry.file_name());
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, found),
            Ok(t) if t.is_file() => found.files.push((path, false)),
            // Symlinks: follow to files only, never into folders (no cycles).
            Ok(t) if t.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file()) => {
                found.files.push((path, false));
            }
            _ => {}
        }
    }
}
