//! Loading every input in parallel: discover the files, open each (a `.zip` bundle
//! gives its entries), sniff the format and hand the bytes to its source adapter.
//! Results come back in path order whatever the thread count.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{archive, discover, sniff, InputFile};
use crate::model::{ContentId, Diagnostic, LoadedFile};
use crate::sources::{load, LoadOptions};

/// Discovers and loads every file (in parallel), in path order, with the diagnostics.
pub fn load_all(paths: &[PathBuf], options: LoadOptions) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    load_all_with_progress(paths, options, None)
}

/// Called as files finish loading: (files done, files found). Must be cheap and `Sync`.
pub type Progress<'p> = &'p (dyn Fn(usize, usize) + Sync);

/// [`load_all`], reporting progress to `progress` (the CLI prints it on a terminal).
pub fn load_all_with_progress(
    paths: &[PathBuf],
    options: LoadOptions,
    progress: Option<Progress<'_>>,
) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    let discovered = discover(paths);
    let total = discovered.files.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut diagnostics = discovered.unreadable;
    let outcomes: Vec<Outcome> = discovered
        .files
        .par_iter()
        .flat_map_iter(|(path, explicit)| {
            let outcomes = load_path(path, *explicit, options);
            if let Some(report) = progress {
                report(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            }
            outcomes
        })
        .collect();
    let (files, more) = collect(outcomes);
    diagnostics.extend(more);
    (files, diagnostics)
}

/// Loads inputs already in memory (each counts as named on the command line), in path
/// order, exactly as files are loaded: archives opened within `limits`, formats
/// sniffed, each handed to its source adapter. For callers that hold the bytes
/// themselves: tests, fuzzing, an embedding program.
pub fn load_inputs(
    mut inputs: Vec<InputFile>,
    limits: &archive::Limits,
    options: LoadOptions,
) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    inputs.sort_by(|a, b| (a.path(), a.display()).cmp(&(b.path(), b.display())));
    let outcomes: Vec<Outcome> = inputs
        .into_par_iter()
        .flat_map_iter(|input| load_opened(input, true, limits, options))
        .collect();
    collect(outcomes)
}

/// The loaded files of `outcomes` and the diagnostics, both in order.
fn collect(outcomes: Vec<Outcome>) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Loaded(file) => {
                diagnostics.extend(file.loaded.summary.diagnostics.iter().cloned());
                files.push(*file);
            }
            Outcome::Skipped(diag) => diagnostics.extend(diag),
        }
    }
    (files, diagnostics)
}

enum Outcome {
    Loaded(Box<LoadedFile>),
    Skipped(Option<Diagnostic>),
}

impl Outcome {
    /// Path, then the path as shown (two members listed under one name differ there).
    fn sort_key(&self) -> (Option<&Path>, Option<&str>) {
        match self {
            Outcome::Loaded(file) => (Some(file.path.as_path()), Some(file.loaded.summary.path.as_str())),
            Outcome::Skipped(_) => (None, None),
        }
    }
}

/// Opens and loads a file found on disk.
fn load_path(path: &Path, explicit: bool, options: LoadOptions) -> Vec<Outcome> {
    match InputFile::open(path) {
        Ok(input) => load_opened(input, explicit, &archive::Limits::default(), options),
        Err(err) => {
            let diag = Diagnostic::error(path.display().to_string(), format!("cannot read: {err}"));
            vec![Outcome::Skipped(Some(diag))]
        }
    }
}

/// Loads an opened input, or every file inside it when it is an archive (a `.zip`
/// bundle, a `.gz` file): the members in path order after the archive's diagnostics.
fn load_opened(input: InputFile, explicit: bool, limits: &archive::Limits, options: LoadOptions) -> Vec<Outcome> {
    if !archive::is_archive(input.bytes()) {
        return vec![load_input(input, explicit, options)];
    }
    let mut members = Vec::new();
    let diagnostics = archive::unpack(
        limits,
        input.path(),
        input.display(),
        input.bytes(),
        explicit,
        &mut |member| {
            members.push(load_input(member, false, options));
        },
    );
    members.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut out: Vec<Outcome> = diagnostics.into_iter().map(|d| Outcome::Skipped(Some(d))).collect();
    out.extend(members);
    out
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
            content: ContentId::of(input.bytes()),
            path,
        })),
        None if explicit => Outcome::Skipped(Some(Diagnostic::warning(
            input.display(),
            "format not recognised; file skipped",
        ))),
        None => Outcome::Skipped(None),
    }
}
