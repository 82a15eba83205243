//! Loading every input in parallel: discover the files, open each (a `.zip` bundle
//! gives its entries), sniff the format and hand the bytes to its source adapter.
//! Results come back in path order whatever the thread count.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{archive, discover, sniff, InputFile, STDIN};
use crate::model::{ContentId, Diagnostic, LoadedFile};
use crate::sources::{load, LoadOptions};

/// Discovers and loads every file (in parallel), in path order, with the diagnostics.
pub fn load_all(paths: &[PathBuf], options: LoadOptions) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    load_all_with_progress(paths, options, None)
}

/// Where loading stands, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Files loaded so far.
    pub files_done: usize,
    /// Files found.
    pub files_total: usize,
    /// Bytes of the files loaded so far (a `.zip` counts with its own size).
    pub bytes_done: u64,
    /// Bytes of all files found.
    pub bytes_total: u64,
}

/// Called as files finish loading. Must be cheap and `Sync`.
pub type Progress<'p> = &'p (dyn Fn(&LoadProgress) + Sync);

/// Counts loaded files and bytes for a [`Progress`] callback across several
/// [`load_files`] calls.
pub struct ProgressCounter<'p> {
    report: Option<Progress<'p>>,
    /// Sizes of the discovered files (stat only when progress is shown).
    sizes: Vec<u64>,
    files_total: usize,
    bytes_total: u64,
    files_done: AtomicUsize,
    bytes_done: AtomicU64,
}

impl<'p> ProgressCounter<'p> {
    /// Progress over the `discovered` files, reported to `report` when given.
    pub fn new(report: Option<Progress<'p>>, discovered: &[(PathBuf, bool)]) -> ProgressCounter<'p> {
        let sizes: Vec<u64> = match report {
            Some(_) => discovered
                .iter()
                .map(|(path, _)| std::fs::metadata(path).map_or(0, |m| m.len()))
                .collect(),
            None => Vec::new(),
        };
        ProgressCounter {
            report,
            bytes_total: sizes.iter().sum(),
            sizes,
            files_total: discovered.len(),
            files_done: AtomicUsize::new(0),
            bytes_done: AtomicU64::new(0),
        }
    }

    /// A counter that reports nothing.
    pub fn silent() -> ProgressCounter<'static> {
        ProgressCounter {
            report: None,
            sizes: Vec::new(),
            files_total: 0,
            bytes_total: 0,
            files_done: AtomicUsize::new(0),
            bytes_done: AtomicU64::new(0),
        }
    }

    /// The discovered file `index` is loaded.
    fn tick(&self, index: usize) {
        if let Some(report) = self.report {
            let size = self.sizes.get(index).copied().unwrap_or(0);
            report(&LoadProgress {
                files_done: self.files_done.fetch_add(1, Ordering::Relaxed) + 1,
                files_total: self.files_total,
                bytes_done: self.bytes_done.fetch_add(size, Ordering::Relaxed) + size,
                bytes_total: self.bytes_total,
            });
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
    let counter = ProgressCounter::new(progress, &discovered.files);
    let all: Vec<usize> = (0..discovered.files.len()).collect();
    let mut diagnostics = discovered.unreadable;
    let mut files = Vec::new();
    for input in load_files(&discovered.files, &all, options, &counter) {
        diagnostics.extend(input.diagnostics);
        files.extend(input.files);
    }
    if files.is_empty() {
        diagnostics.push(nothing_found(paths));
    }
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
    let loads: Vec<InputLoad> = inputs
        .into_par_iter()
        .enumerate()
        .map(|(index, input)| InputLoad::of(index, load_opened(input, true, limits, options)))
        .collect();
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for load in loads {
        diagnostics.extend(load.diagnostics);
        files.extend(load.files);
    }
    (files, diagnostics)
}

/// The error of a run that found nothing it reads.
pub fn nothing_found(paths: &[PathBuf]) -> Diagnostic {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let shown = shown.join(", ");
    Diagnostic::error(
        shown.clone(),
        format!("no ExchangeSetup.log, event log, registry export or task script under {shown}"),
    )
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
    progress: &ProgressCounter<'_>,
) -> Vec<InputLoad> {
    indices
        .par_iter()
        .filter_map(|&index| {
            let (path, explicit) = discovered.get(index)?;
            let load = InputLoad::of(index, load_path(path, *explicit, options));
            progress.tick(index);
            Some(load)
        })
        .collect()
}

impl InputLoad {
    /// The files and diagnostics of the input `index`, from its `outcomes` in order.
    fn of(index: usize, outcomes: Vec<Outcome>) -> InputLoad {
        let mut load = InputLoad {
            index,
            ..InputLoad::default()
        };
        for outcome in outcomes {
            match outcome {
                Outcome::Loaded(file) => {
                    load.diagnostics.extend(file.loaded.summary.diagnostics.iter().cloned());
                    load.files.push(*file);
                }
                Outcome::Skipped(diag) => load.diagnostics.extend(diag),
            }
        }
        load
    }
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

/// Opens and loads a file found on disk (`-`: standard input).
fn load_path(path: &Path, explicit: bool, options: LoadOptions) -> Vec<Outcome> {
    let opened = if path == Path::new(STDIN) {
        InputFile::from_stdin()
    } else {
        InputFile::open(path)
    };
    match opened {
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
    if input.bytes().is_empty() {
        // Empty: nothing to read, whatever its name says. Worth a word when it was
        // named, or its name is one of an input's.
        let named_input = explicit || sniff(&name, b"").is_some();
        return Outcome::Skipped(named_input.then(|| Diagnostic::warning(input.display(), "empty file (0 bytes)")));
    }
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
