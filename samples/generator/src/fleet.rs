//! Synthetic fleets for bulk triage: `N` host bundles shaped as administrators collect
//! them, written with this crate's own writers, reproducible from a seed.
//!
//! A host is a folder `<NAME>/` (or `<NAME>.zip`) holding
//! - `winevt/Logs/`: a whole Windows Server 2008 event-log folder, `System.evtx`,
//!   `Application.evtx` (`events_per_log` records each) and `Security.evtx` (one and a
//!   half times as many), and the other channels of a real collection, four of them always empty and
//!   a few more on some hosts (see `channels`); or on Windows Server 2003 hosts
//!   `EventLogs/SysEvent.Evt`, `AppEvent.Evt`, `SecEvent.Evt`;
//! - `ExchangeSetupLogs/ExchangeSetup.log` (and a task script) when the host's story has
//!   a setup run and the log was collected;
//! - `exchange.reg`, `services.reg`, `windows.reg` unless the host's registry was not
//!   exported.
//!
//! Which host has which problem, roles, build, zone, culture and name is decided by
//! [`plan`]; [`host_files`] builds one host in memory, [`write_host`] writes it.

mod channels;
mod host;
mod noise;
mod plan;
mod problems;
mod rng;
mod setup_log;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use host::{host_files, HostFile};
pub use plan::{distribution, plan, HostPlan, Locale, Org, Problem, Story, Windows, Zone, ORGS, ZONES};

/// `System.evtx` and `Application.evtx` records per host unless told otherwise; the
/// other channels are scaled by `events_per_log / DEFAULT_EVENTS_PER_LOG`.
pub const DEFAULT_EVENTS_PER_LOG: usize = 20_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Number of hosts.
    pub hosts: usize,
    /// Seed of everything random; the same hosts and seed give byte-identical files.
    pub seed: u64,
    /// Records of `System` and `Application` (Security gets one and a half times as many).
    pub events_per_log: usize,
    /// Write each host as `<NAME>.zip` instead of a folder.
    pub zip: bool,
    /// Pad `.evtx` files with unused chunks the way Windows grows them (1 MiB steps).
    pub preallocate: bool,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            hosts: 10,
            seed: 1,
            events_per_log: DEFAULT_EVENTS_PER_LOG,
            zip: false,
            preallocate: true,
        }
    }
}

/// What was written for one host.
#[derive(Debug, Clone)]
pub struct HostSummary {
    /// The host's name.
    pub name: String,
    /// The problem it was given.
    pub problem: Problem,
    /// The folder or zip written.
    pub path: PathBuf,
    /// Files written.
    pub files: usize,
    /// Bytes of all files (before compression).
    pub bytes: u64,
    /// Event records in all event logs.
    pub records: u64,
}

/// Writes `files` as the folder `dir/<name>/` or the archive `dir/<name>.zip`.
pub fn write_files(dir: &Path, name: &str, files: &[HostFile], zip: bool) -> Result<PathBuf> {
    if zip {
        let path = dir.join(format!("{name}.zip"));
        let out = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(false);
        for file in files {
            writer
                .start_file(file.path.as_str(), options)
                .with_context(|| format!("{}: {}", path.display(), file.path))?;
            writer
                .write_all(&file.bytes)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        writer
            .finish()
            .with_context(|| format!("finishing {}", path.display()))?;
        Ok(path)
    } else {
        let root = dir.join(name);
        for file in files {
            let path = root.join(&file.path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            fs::write(&path, &file.bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(root)
    }
}

/// Builds and writes one host of the fleet into `dir`.
pub fn write_host(dir: &Path, plan: &HostPlan, opts: &FleetOptions) -> Result<HostSummary> {
    let files = host_files(plan, opts).with_context(|| format!("host {}", plan.name))?;
    let path = write_files(dir, &plan.name, &files, opts.zip)?;
    Ok(HostSummary {
        name: plan.name.clone(),
        problem: plan.problem,
        path,
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        records: files.iter().filter_map(|f| f.records).sum(),
    })
}
