//! Writes the seed inputs of every fuzz target (see `fuzz/`), one folder per target:
//! the sample bundles' files and the shared corpus sorted by format, cut to the fuzzer's
//! input size; EVTX files without their signature (the `evtx` target adds it); zips of
//! the sample folders and of hostile shapes (names listed twice, overlapping members,
//! nested zips, a gzip member); framed bundles for the `analyze_bundle` target; and the
//! committed crash fixtures of `fuzz/regressions/<target>/`.
//!
//! Usage: `cargo run -p exdoctor-samples --bin gen-fuzz-seeds OUT_DIR [CORPUS_DIR]`
//! (CORPUS_DIR: the shared corpus, e.g. `../shared/corpus`; without it, samples only).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use exdoctor_samples::hostile::{frames, gzip, raw_zip, RawMember};

/// Largest seed written (the fuzzers run with `-max_len` of 1 MiB).
const MAX_SEED: usize = 1 << 20;
/// Largest EVTX seed: the file header and the first chunks are what the parser needs.
const MAX_EVTX_SEED: usize = 256 << 10;
/// Largest file put into a zip or framed bundle seed.
const MAX_MEMBER: usize = 128 << 10;

/// Every file below `dir`, in path order.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The fuzz target whose parser reads `path`, if any.
fn target_of(path: &Path) -> Option<&'static str> {
    match extension(path).as_str() {
        "reg" => Some("reg"),
        "evt" => Some("evt"),
        "evtx" => Some("evtx"),
        "xml" | "csv" => Some("event_export"),
        "ps1" => Some("task_script"),
        "log" => Some("setup_log"),
        "err" => Some("ldif_err"),
        _ => None,
    }
}

struct Seeds {
    out: PathBuf,
    written: usize,
}

impl Seeds {
    fn write(&mut self, target: &str, name: &str, bytes: &[u8]) -> Result<()> {
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
        let file = dir.join(name.replace(['/', '\\'], "_"));
        fs::write(&file, &bytes[..bytes.len().min(MAX_SEED)]).with_context(|| file.display().to_string())?;
        self.written += 1;
        Ok(())
    }

    /// A file as a seed of its parser's target (and of `reg_host` for `.reg`).
    fn file(&mut self, label: &str, path: &Path) -> Result<()> {
        let Some(target) = target_of(path) else {
            return Ok(());
        };
        let bytes = fs::read(path).with_context(|| path.display().to_string())?;
        let name = format!("{label}-{}", path.file_name().unwrap_or_default().to_string_lossy());
        match target {
            // The evtx target puts the signature in front of its input.
            "evtx" => {
                let body = bytes.get(8..).unwrap_or_default();
                self.write(target, &name, &body[..body.len().min(MAX_EVTX_SEED)])
            }
            "reg" => {
                self.write("reg", &name, &bytes)?;
                self.write("reg_host", &name, &bytes)
            }
            _ => self.write(target, &name, &bytes),
        }
    }
}

/// The files of a sample folder small enough for a bundle seed, as (relative name, bytes).
fn bundle_files(folder: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for path in files_below(folder) {
        let bytes = fs::read(&path)?;
        if bytes.len() <= MAX_MEMBER {
            let name = path.strip_prefix(folder)?.to_string_lossy().replace('\\', "/");
            out.push((name, bytes));
        }
    }
    Ok(out)
}

fn zip_seeds(seeds: &mut Seeds, samples: &Path) -> Result<()> {
    let log = b"[1/1/2008 1:00:00 AM] [0] Starting Microsoft Exchange Server 2007 Setup\r\n";
    let reg = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"EX01\"\r\n";
    for folder in ["crl-stall", "prereq-gaps", "sp1-interrupted", "healthy"] {
        let files = bundle_files(&samples.join(folder))?;
        let members: Vec<RawMember> = files
            .iter()
            .map(|(name, bytes)| RawMember::deflated(&format!("{folder}/{name}"), bytes))
            .collect();
        let zip = raw_zip(&members);
        seeds.write("zip_bundle", &format!("{folder}.zip"), &zip)?;
        let framed: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        seeds.write("analyze_bundle", &format!("{folder}.frames"), &frames(&framed))?;
    }
    let inner = raw_zip(&[RawMember::stored("EX02/ExchangeSetup.log", log)]);
    let mut overlapping = RawMember::stored("EX01/copy.log", b"");
    overlapping.same_data_as = Some(0);
    let shapes = raw_zip(&[
        RawMember::deflated("EX01/ExchangeSetup.log", log),
        overlapping,
        RawMember::deflated("EX01/ExchangeSetup.log", reg),
        RawMember::stored("nested/ex02.zip", &inner),
        RawMember::stored("EX01/windows.reg.gz", &gzip(reg)),
        RawMember::repeated("EX01/big.evtx", 0, 2),
    ]);
    seeds.write("zip_bundle", "shapes.zip", &shapes)?;
    seeds.write("zip_bundle", "windows.reg.gz", &gzip(reg))?;
    seeds.write(
        "analyze_bundle",
        "archives.frames",
        &frames(&[("EX01/bundle.zip", &shapes), ("EX01/ExchangeSetup.log", log)]),
    )?;
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(args.next().context("usage: gen-fuzz-seeds OUT_DIR [CORPUS_DIR]")?);
    let corpus = args.next().map(PathBuf::from);
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let samples = repository.join("samples");
    let mut seeds = Seeds { out, written: 0 };
    for path in files_below(&samples)
        .iter()
        .filter(|p| !p.starts_with(samples.join("generator")))
    {
        seeds.file("sample", path)?;
    }
    for path in files_below(&repository.join("tests/fixtures")) {
        seeds.file("fixture", &path)?;
    }
    if let Some(corpus) = &corpus {
        for path in files_below(corpus) {
            seeds.file("corpus", &path)?;
        }
    }
    zip_seeds(&mut seeds, &samples)?;
    // Committed crash fixtures: each target's own.
    let regressions = repository.join("fuzz/regressions");
    for path in files_below(&regressions) {
        // regressions/<target>/<file>: files beside the folders (the README) are no seeds.
        let parts: Vec<String> = path
            .strip_prefix(&regressions)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if let [target, _] = parts.as_slice() {
            let name = format!("regression-{}", path.file_name().unwrap_or_default().to_string_lossy());
            seeds.write(target, &name, &fs::read(&path)?)?;
        }
    }
    eprintln!("{} seed files in {}", seeds.written, seeds.out.display());
    Ok(())
}
