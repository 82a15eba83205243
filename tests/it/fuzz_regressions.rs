//! Replays the committed fuzz regressions (fuzz/regressions/<target>/) through the real
//! binary: each must end in bounded time and memory, with exit 0, 1 or 2 and a valid
//! JSON report, never a panic. Parser-target inputs are given the file name that makes
//! the sniffer pick that parser; framed bundles are split into their files.

use std::fs;
use std::path::{Path, PathBuf};

use exdoctor_samples::hostile::split_frames;

use crate::common;
use crate::measure::{self, assert_peak_memory};

/// The file name under which an input of `target` is analysed.
fn name_for(target: &str) -> Option<&'static str> {
    Some(match target {
        "setup_log" => "ExchangeSetup.log",
        "reg" | "reg_host" => "fuzz.reg",
        "evt" => "SysEvent.Evt",
        "evtx" => "System.evtx",
        "event_export" => "export.xml",
        "task_script" => "Install-MailboxRole-20071130-1729400000.ps1",
        "zip_bundle" => "bundle.zip",
        "analyze_bundle" => "bundle",
        _ => return None,
    })
}

/// Writes the input of `target` into `dir` as exdoctor would meet it.
fn stage(target: &str, input: &[u8], dir: &Path) -> PathBuf {
    let name = name_for(target).unwrap_or_else(|| panic!("unknown fuzz target {target}"));
    let path = dir.join(name);
    match target {
        "evtx" => {
            let mut bytes = b"ElfFile\0".to_vec();
            bytes.extend_from_slice(input);
            fs::write(&path, bytes).expect("write");
        }
        "analyze_bundle" => {
            for (i, (file, bytes)) in split_frames(input).into_iter().enumerate() {
                // Names are the fuzzer's: keep them inside the folder.
                let safe: String = file
                    .chars()
                    .map(|c| if c.is_alphanumeric() || c == '.' { c } else { '_' })
                    .collect();
                let target = path.join(format!("{i:02}-{safe}"));
                fs::create_dir_all(&path).expect("folder");
                fs::write(target, bytes).expect("write");
            }
        }
        _ => fs::write(&path, input).expect("write"),
    }
    path
}

#[test]
fn every_committed_fuzz_regression_ends_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for folder in common::subfolders(&root) {
        let target = folder.file_name().expect("name").to_string_lossy().into_owned();
        let mut inputs: Vec<PathBuf> = fs::read_dir(&folder)
            .expect("folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        inputs.sort();
        for input in inputs {
            let bytes = fs::read(&input).expect("read");
            let dir = common::scratch(&format!("fuzz_regression_{target}_{replayed}"));
            let staged = stage(&target, &bytes, &dir);
            let run = measure::exdoctor(&["analyze", "--format", "json", staged.to_str().expect("path")]);
            let what = format!("{target}/{}", input.file_name().unwrap_or_default().to_string_lossy());
            let stderr = String::from_utf8_lossy(&run.output.stderr);
            assert!(
                matches!(run.output.status.code(), Some(0..=2)),
                "{what}: exit {:?}\n{stderr}",
                run.output.status.code()
            );
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            let doc = measure::json(&run);
            assert!(doc["schema_version"].is_number(), "{what}: a report");
            assert_peak_memory(&what, &run, bytes.len() as u64, 64, 256);
            replayed += 1;
        }
    }
    assert!(replayed >= 3, "the committed regressions are replayed ({replayed})");
}
