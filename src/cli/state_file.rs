//! The state file of `--state FILE`: locked for the whole read-compare-report-write of
//! a run (an exclusive lock on `FILE.lock`, so two runs on one state take turns), read
//! strictly (a corrupt or foreign file is an error that names it, never a silent reset),
//! and replaced by rename only after the report went out.

use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fd_lock::RwLock;

use super::output::write_atomically;
use crate::state::State;

/// How often a waiting run tries the lock again.
const RETRY: Duration = Duration::from_millis(50);

/// `FILE.lock`: the file the lock is taken on. It stays after the run (removing it
/// could let two runs lock two different files); a lock dies with its process.
pub(super) fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Runs `body` with the previous state read from `path` while holding its lock
/// (waiting up to `wait` for another run to finish, saying so unless `quiet`), then
/// writes the state `body` returns. Nothing is written when `body` fails.
pub(super) fn with_state<T>(
    path: &Path,
    wait: Duration,
    quiet: bool,
    body: impl FnOnce(&State) -> Result<(T, State)>,
) -> Result<T> {
    let lock_file = lock_path(path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_file)
        .with_context(|| format!("cannot open the lock file {}", lock_file.display()))?;
    let mut lock = RwLock::new(file);
    let started = Instant::now();
    let mut said = false;
    let _guard = loop {
        match lock.try_write() {
            Ok(guard) => break guard,
            Err(err) if err.kind() == ErrorKind::WouldBlock => {}
            Err(err) => {
                return Err(err).with_context(|| format!("cannot lock {}", lock_file.display()));
            }
        }
        if started.elapsed() >= wait {
            bail!(
                "state file {}: another exdoctor run holds its lock {} (waited {} s; see --state-wait)",
                path.display(),
                lock_file.display(),
                wait.as_secs()
            );
        }
        if !said && !quiet {
            eprintln!("exdoctor: waiting for another run to release {}", lock_file.display());
            said = true;
        }
        thread::sleep(RETRY);
    };
    let previous = read(path)?;
    let (value, next) = body(&previous)?;
    let bytes = next.to_bytes();
    write_atomically(path, |out| out.write_all(&bytes))
        .with_context(|| format!("cannot write the state file {}", path.display()))?;
    Ok(value)
}

/// The state in `path`; an empty state when the file does not exist yet.
fn read(path: &Path) -> Result<State> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(State::empty()),
        Err(err) => return Err(err).with_context(|| format!("cannot read the state file {}", path.display())),
    };
    State::parse(&bytes).with_context(|| format!("state file {}", path.display()))
}
