//! One huge line (an 8 MiB `[ERROR]` message here; 200 MiB in the field) must not be
//! copied into every finding, summary and record that quotes it: findings and source
//! summaries cut it at 4 KiB, `parse` and `timeline` at `--max-text` bytes.

use std::fs;

use crate::common;
use crate::measure::{self, assert_peak_memory};

const HUGE: usize = 8 << 20;

/// A failed setup run whose first error is one line of `HUGE` bytes.
fn huge_error_log() -> Vec<u8> {
    let mut log = b"[06/05/2008 23:20:11] [0] **********************************************\r\n\
        [06/05/2008 23:20:11] [0] Starting Microsoft Exchange Server 2007 Setup\r\n\
        [06/05/2008 23:20:11] [0] **********************************************\r\n\
        [06/05/2008 23:20:12] [1] [ERROR] "
        .to_vec();
    log.resize(log.len() + HUGE, b'x');
    log.extend_from_slice(
        b"\r\n[06/05/2008 23:20:13] [0] The Exchange Server setup operation did not complete.\r\n\
          [06/05/2008 23:20:13] [0] End of Setup\r\n",
    );
    log
}

#[test]
fn a_huge_line_is_cut_in_findings_summaries_parse_and_timeline() {
    let dir = common::scratch("hostile_huge_line");
    let log = dir.join("ExchangeSetup.log");
    fs::write(&log, huge_error_log()).expect("write");
    let log = log.to_str().expect("path");
    let marker = format!(" [... cut, {HUGE} bytes in all]");

    let run = measure::exdoctor(&["analyze", "--format", "json", log]);
    assert_eq!(run.output.status.code(), Some(0));
    assert!(
        run.output.stdout.len() < 64 << 10,
        "report of {} bytes",
        run.output.stdout.len()
    );
    let doc = measure::json(&run);
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule"], "setup-failed");
    let evidence = finding["evidence"][0]["text"].as_str().expect("evidence text");
    assert_eq!(evidence.len(), 4096 + marker.len());
    assert!(
        evidence.starts_with("xxxx") && evidence.ends_with(&marker),
        "{}",
        &evidence[4000..]
    );
    let summary = finding["summary"].as_str().expect("summary");
    assert!(summary.starts_with("The last setup run") && summary.ends_with(" bytes in all]"));
    assert!(summary.len() < 4200);
    let first_error = doc["hosts"][0]["sources"][0]["details"]["runs"][0]["first_error"]["message"]
        .as_str()
        .expect("first error of the run summary");
    assert!(first_error.ends_with(&marker) && first_error.len() == 4096 + marker.len());
    assert_peak_memory("analyze of an 8 MiB line", &run, HUGE as u64, 8, 64);

    let parse = measure::exdoctor(&["parse", log]);
    assert_eq!(parse.output.status.code(), Some(0));
    let records = String::from_utf8_lossy(&parse.output.stdout).into_owned();
    assert!(records.lines().all(|l| l.len() < 8192), "every record under 8 KiB");
    let error: serde_json::Value = records
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .find(|r: &serde_json::Value| r["tag"] == "error")
        .expect("the error record");
    assert_eq!(error["message"].as_str().map(str::len), Some(4096 + marker.len()));
    let whole = measure::exdoctor(&["parse", "--max-text", "0", log]);
    assert!(whole.output.stdout.len() > HUGE, "--max-text 0 prints the whole line");

    let timeline = measure::exdoctor(&["timeline", "--format", "jsonl", "--max-text", "100", log]);
    let lines = String::from_utf8_lossy(&timeline.output.stdout).into_owned();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    assert!(lines.lines().all(|l| l.len() < 500), "{lines}");
    assert!(lines.contains(" [... cut, "), "the [ERROR] milestone is cut and marked");
}
