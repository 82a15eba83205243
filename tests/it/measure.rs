//! Runs the binary on generated hostile inputs and measures it: CPU seconds and peak
//! memory through `/usr/bin/time -v` (Linux), for the "bounded and linear" tests of
//! hostile input. The machines are shared: tests compare runs of one shape at two
//! sizes with generous ratios, never absolute seconds.

use std::process::{Command, Output};
use std::time::Instant;

/// One run of the binary.
pub(crate) struct Measured {
    /// What it printed and how it exited.
    pub output: Output,
    /// User + system CPU seconds (wall seconds without `/usr/bin/time`).
    pub cpu_seconds: f64,
    /// Peak resident memory in KiB, when `/usr/bin/time -v` is there to tell.
    pub peak_kib: Option<u64>,
}

const TIME: &str = "/usr/bin/time";

/// Runs exdoctor with `args`, measured.
pub(crate) fn exdoctor(args: &[&str]) -> Measured {
    let binary = env!("CARGO_BIN_EXE_exdoctor");
    let timed = std::path::Path::new(TIME).exists();
    let mut command = if timed {
        let mut c = Command::new(TIME);
        c.arg("-v").arg(binary);
        c
    } else {
        Command::new(binary)
    };
    let started = Instant::now();
    let output = command
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the exdoctor binary runs");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let cpu_seconds = match (field("User time (seconds):"), field("System time (seconds):")) {
        (Some(user), Some(system)) => user + system,
        _ => wall,
    };
    let peak_kib = field("Maximum resident set size (kbytes):").map(|k| k as u64);
    Measured {
        output,
        cpu_seconds,
        peak_kib,
    }
}

/// Asserts that the larger run (`factor` times the input) took less than
/// `2 * factor` times the CPU of the smaller one, plus `slack` seconds for the noise
/// of a shared machine and the fixed start-up cost.
pub(crate) fn assert_linear_time(what: &str, small: &Measured, large: &Measured, factor: f64, slack: f64) {
    let limit = small.cpu_seconds * factor * 2.0 + slack;
    assert!(
        large.cpu_seconds < limit,
        "{what}: {factor}x the input took {:.2} s of CPU, more than {limit:.2} s (the small input took {:.2} s)",
        large.cpu_seconds,
        small.cpu_seconds
    );
}

/// Asserts that a run's peak memory stayed under `per_input_byte` bytes per byte of
/// input plus `base_mib` MiB (skipped where `/usr/bin/time` is missing).
pub(crate) fn assert_peak_memory(what: &str, run: &Measured, input_bytes: u64, per_input_byte: u64, base_mib: u64) {
    let Some(peak) = run.peak_kib else {
        eprintln!("{what}: /usr/bin/time not available, peak memory not checked");
        return;
    };
    let limit = (input_bytes * per_input_byte) / 1024 + base_mib * 1024;
    assert!(
        peak < limit,
        "{what}: peak memory {peak} KiB for {input_bytes} input bytes, limit {limit} KiB"
    );
}

/// The report of a `--format json` run.
pub(crate) fn json(run: &Measured) -> serde_json::Value {
    serde_json::from_slice(&run.output.stdout).expect("one JSON document on stdout")
}
