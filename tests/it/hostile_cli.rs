//! Hostile command lines and special files: a FIFO named on the command line must not
//! block the run, and `--threads` must not start an absurd number of threads.

use std::time::{Duration, Instant};

use crate::common;

#[cfg(unix)]
#[test]
fn a_fifo_on_the_command_line_is_refused_and_the_other_input_is_reported() {
    let dir = common::scratch("hostile_fifo");
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
        common::diagnostics_of(&doc, "pipe.log"),
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
        // The Nagios check says UNKNOWN (3) on stdout, as plugins do for usage errors.
        let check = common::exdoctor(&["check", sample, "--threads", &bad]);
        assert_eq!(check.status.code(), Some(3), "check --threads {bad}");
        let status = common::stdout_text(&check);
        assert!(
            status.starts_with("EXDOCTOR UNKNOWN - invalid value") && status.contains("--threads"),
            "{status}"
        );
    }
    let output = common::exdoctor(&["analyze", sample, "--threads", &max.to_string(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
}

/// A failed setup run whose first error carries terminal control sequences.
const ESCAPING_LOG: &str = "[06/05/2008 23:20:11] [0] **********************************************\r\n\
    [06/05/2008 23:20:11] [0] Starting Microsoft Exchange Server 2007 Setup\r\n\
    [06/05/2008 23:20:11] [0] **********************************************\r\n\
    [06/05/2008 23:20:12] [1] [ERROR] The \u{1b}]0;PWNED\u{7} \u{1b}[2J task failed\rOK\r\n\
    [06/05/2008 23:20:13] [0] The Exchange Server setup operation did not complete.\r\n\
    [06/05/2008 23:20:13] [0] End of Setup\r\n\
    [06/05/2008 23:20:13] [0] **********************************************\r\n";

#[cfg(unix)]
#[test]
fn terminal_escapes_from_log_content_and_file_names_are_not_printed_raw() {
    let dir = common::scratch("hostile_escapes");
    let name = "ExchangeSetup\u{1b}[5m.log";
    std::fs::write(dir.join(name), ESCAPING_LOG).expect("write");
    // Unreadable in the same folder: a diagnostic that names the file.
    std::fs::write(dir.join("ExchangeSetup\u{7}.log"), b"").expect("write");
    let dir_arg = dir.to_str().expect("path");
    let text = common::exdoctor(&["analyze", dir_arg]);
    let stdout = common::stdout_text(&text);
    assert!(
        !stdout.contains(['\u{1b}', '\u{7}', '\r']),
        "raw control characters in:\n{stdout}"
    );
    assert!(
        stdout.contains("first error at line 4: The \\e]0;PWNED\\x07 \\e[2J task failed\\rOK"),
        "{stdout}"
    );
    assert!(stdout.contains("ExchangeSetup\\e[5m.log line 4"), "{stdout}");
    assert!(
        stdout.contains("warning: ") && stdout.contains("ExchangeSetup\\x07.log: empty file"),
        "{stdout}"
    );
    // JSON keeps the text exactly (serde escapes it); stderr diagnostics are escaped.
    let json = common::exdoctor(&["analyze", dir_arg, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let evidence = doc["findings"][0]["evidence"][0]["text"].as_str().unwrap_or_default();
    assert_eq!(evidence, "The \u{1b}]0;PWNED\u{7} \u{1b}[2J task failed\rOK");
    let stderr = String::from_utf8_lossy(&json.stderr);
    assert!(!stderr.contains(['\u{1b}', '\u{7}']), "{stderr}");
    assert!(
        stderr.contains("warning: ") && stderr.contains("ExchangeSetup\\x07.log: empty file"),
        "{stderr}"
    );
    // The timeline prints the same content escaped.
    let timeline = common::stdout_text(&common::exdoctor(&["timeline", dir_arg]));
    assert!(!timeline.contains(['\u{1b}', '\u{7}']), "{timeline}");
    assert!(
        timeline.contains("ExchangeSetup\\e[5m.log line 4  [ERROR] The \\e]0;PWNED\\x07"),
        "{timeline}"
    );
}

#[cfg(unix)]
#[test]
fn control_characters_of_inputs_stay_out_of_the_overview_csv_and_check_lines() {
    let dir = common::scratch("hostile_escapes_fleet");
    // A host named after its folder, whose name retitles the terminal.
    let host_dir = dir.join("EX\u{1b}]0;T\u{7}01");
    std::fs::create_dir_all(&host_dir).expect("folder");
    std::fs::write(host_dir.join("ExchangeSetup.log"), ESCAPING_LOG).expect("write");
    let healthy = common::samples_dir().join("healthy");
    let paths = [dir.to_str().expect("path"), healthy.to_str().expect("path")];

    // Two hosts: the overview table comes first.
    let text = common::stdout_text(&common::exdoctor(&["analyze", paths[0], paths[1]]));
    assert!(text.contains("Hosts (2), most severe first"), "{text}");
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\r']),
        "raw control characters in:\n{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("EX\\e]0;T\\x0701"))
        .unwrap_or_else(|| panic!("the host's row, escaped:\n{text}"));
    assert!(row.contains("error"), "{row}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("setup-failed ") && l.ends_with(" 1 host: EX\\e]0;T\\x0701")),
        "the per-rule line names the host escaped:\n{text}"
    );

    // CSV keeps the texts exactly and stays one record per finding.
    let csv = common::exdoctor(&["analyze", "--format", "csv", paths[0], paths[1]]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a valid CSV record")).collect();
    let failed = rows
        .iter()
        .find(|r| r.get(2) == Some("setup-failed"))
        .expect("the setup-failed row");
    assert_eq!(failed.get(0), Some("EX\u{1b}]0;T\u{7}01"));
    assert!(failed
        .get(12)
        .is_some_and(|e| e.ends_with(": The \u{1b}]0;PWNED\u{7} \u{1b}[2J task failed\rOK")));

    // The Nagios check: a status line and one line per finding, nothing raw.
    let check = common::exdoctor(&["check", paths[0], paths[1]]);
    assert_eq!(check.status.code(), Some(2), "an error finding is CRITICAL");
    let plugin = common::stdout_text(&check);
    assert!(!plugin.contains(['\u{1b}', '\u{7}', '\r']), "{plugin}");
    assert!(plugin.starts_with("EXDOCTOR CRITICAL - "), "{plugin}");
    assert!(
        plugin
            .lines()
            .any(|l| l.starts_with("[CRITICAL] EX\\e]0;T\\x0701 error setup-failed: ")),
        "{plugin}"
    );
}
