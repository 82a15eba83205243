//! Loading every input in parallel: discover the files, open each (a `.zip` bundle
//! gives its entries), sniff the format and hand the bytes to its source adapter.
//! Results come back in path order whatever the thread count.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{archive, discover, sniff, InputFile};
use crate::model::{Diagnostic, LoadedFile};
use crate::sources::{load, LoadOptions};

/// Discovers and loads every file (in parallel), in path order, with the diagnostics.
pub fn load_all(paths: &[PathBuf], options: LoadOptions) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    load_all_with_progress(paths, options, None)
}

/// Called as files finish loading: (files done, files found). Must be cheap and `Sync`.
pub type Progress<'p> = &'p (dyn Fn(usize, usize) + Sync);

/// Counts loaded files for a [`Progress`] callback across several [`load_files`] calls.
pub struct LoadProgress<'p> {
    report: Option<Progress<'p>>,
    done: AtomicUsize,
    total: usize,
}

impl<'p> LoadProgress<'p> {
    /// Progress over `total` discovered files, reported to `report` when given.
    pub fn new(report: Option<Progress<'p>>, total: usize) -> LoadProgress<'p> {
        LoadProgress {
            report,
            done: AtomicUsize::new(0),
            total,
        }
    }

    fn tick(&self) {
        if let Some(report) = self.report {
            report(self.done.fetch_add(1, Ordering::Relaxed) + 1, self.total);
        }
    }
}

/// [`load_all`], reporting progress to `progress` (the CLI prints it on a terminal).
pub fn load_all_with_progress(
    paths: &[PathBuf],
    options: LoadOptions,
    progress: Option<Progress<'_>>,
) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    let discovered = discover(paths);
    let counter = LoadProgress::new(progress, discovered.files.len());
    let all: Vec<usize> = (0..discovered.files.len()).collect();
    let mut diagnostics = discovered.unreadable;
    let mut files = Vec::new();
    for input in load_files(&discovered.files, &all, options, &counter) {
        diagnostics.extend(input.diagnostics);
        files.extend(input.files);
    }
    (files, diagnostics)
}

/// What one discovered file gave: its loaded file(s) (several for a `.zip` bundle) and
/// its diagnostics, in the order they arose.
#[derive(Debug, Default)]
pub struct InputLoad {
    /// Index of the file in the discovered list.
    pub index: usize,
    /// The files read from it.
    pub files: Vec<LoadedFile>,
    /// Its problems (and those of its files).
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the discovered files at `indices` (in parallel), in the order given.
pub fn load_files(
    discovered: &[(PathBuf, bool)],
    indices: &[usize],
    options: LoadOptions,
    progress: &LoadProgress<'_>,
) -> Vec<InputLoad> {
    indices
        .par_iter()
        .filter_map(|&index| {
            let (path, explicit) = discovered.get(index)?;
            let mut load = InputLoad {
                index,
                ..InputLoad::default()
            };
            for outcome in load_path(path, *explicit, options) {
                match outcome {
                    Outcome::Loaded(file) => {
                        load.diagnostics.extend(file.loaded.summary.diagnostics.iter().cloned());
                        load.files.push(*file);
                    }
                    Outcome::Skipped(diag) => load.diagnostics.extend(diag),
                }
            }
            progress.tick();
            Some(load)
        })
        .collect()
}

enum Outcome {
    Loaded(Box<LoadedFile>),
    Skipped(Option<Diagnostic>),
}

/// Loads a file, or every file inside a `.zip` bundle.
fn load_path(path: &Path, explicit: bool, options: LoadOptions) -> Vec<Outcome> {
    let input = match InputFile::open(path) {
        Ok(input) => input,
        Err(err) => {
            let diag = Diagnostic::error(path.display().to_string(), format!("cannot read: {err}"));
            return vec![Outcome::Skipped(Some(diag))];
        }
    };
    if archive::is_zip(input.bytes()) {
        let (entries, diagnostics) = archive::entries(path, input.bytes());
        let mut out: Vec<Outcome> = diagnostics.into_iter().map(|d| Outcome::Skipped(Some(d))).collect();
        out.extend(entries.into_iter().map(|entry| load_input(entry, false, options)));
        return out;
    }
    vec![load_input(input, explicit, options)]
}

/// Sniffs and loads one input.
fn load_input(input: InputFile, explicit: bool, options: LoadOptions) -> Outcome {
    let path = input.path().to_path_buf();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match sniff(&name, input.bytes()) {
        Some(kind) => Outcome::Loaded(Box::new(LoadedFile {
            loaded: load(&input.as_input(), kind, options),
            path,
        })),
        None if explicit => Outcome::Skipped(Some(Diagnostic::warning(
            input.display(),
            "format not recognised; file skipped",
        ))),
        None => Outcome::Skipped(None),
    }
}
