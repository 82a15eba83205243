//! Hostile command lines and special files: a FIFO named on the command line must not
//! block the run, and `--threads` must not start an absurd number of threads.

use std::time::{Duration, Instant};

use crate::common;
use crate::measure;

#[cfg(unix)]
#[test]
fn a_fifo_on_the_command_line_is_refused_and_the_other_input_is_reported() {
    let dir = measure::scratch("hostile_fifo");
    let fifo = dir.join("pipe.log");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let good = common::samples_dir().join("healthy/ExchangeSetupLogs/ExchangeSetup.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(["analyze", "--format", "json"])
        .arg(&fifo)
        .arg(&good)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("exdoctor starts");
    // A blocked open would never return: give it a generous minute, then fail.
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("exdoctor blocked on the FIFO");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    assert_eq!(output.status.code(), Some(2), "an input could not be read at all");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        measure::diagnostics_of(&doc, "pipe.log"),
        ["error: cannot read: not a regular file (a FIFO)"]
    );
    assert_eq!(common::all_sources(&doc).len(), 1, "the setup log is still analysed");
    // `parse` refuses it too, without blocking.
    let parse = common::exdoctor(&["parse", fifo.to_str().expect("path")]);
    assert_eq!(parse.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&parse.stderr).contains("not a regular file (a FIFO)"));
}

#[test]
fn threads_beyond_four_per_core_or_zero_are_a_usage_error() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let max = (cores * 4).min(256);
    let sample = common::samples_dir().join("healthy");
    let sample = sample.to_str().expect("path");
    for bad in [
        "0".to_string(),
        (max + 1).to_string(),
        u64::MAX.to_string(),
        "many".into(),
    ] {
        let output = common::exdoctor(&["analyze", sample, "--threads", &bad]);
        assert_eq!(output.status.code(), Some(2), "--threads {bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("1 to {max}")) || stderr.contains(&format!("between 1 and {max}")),
            "{stderr}"
        );
        assert!(output.stdout.is_empty(), "nothing analysed for --threads {bad}");
        let timeline = common::exdoctor(&["timeline", sample, "--threads", &bad]);
        assert_eq!(timeline.status.code(), Some(2), "timeline --threads {bad}");
    }
    let output = common::exdoctor(&["analyze", sample, "--threads", &max.to_string(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
}
