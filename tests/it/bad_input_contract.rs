//! The bad-input contract of bulk triage, one test each: grouped diagnostics, no
//! supported input, empty files, standard input, unknown rule ids and host names, a
//! closed pipe.

use std::fs;
use std::io::Read;
use std::process::{Command, Stdio};

use crate::common::{self, scratch, stdout_text};

#[test]
fn text_groups_diagnostics_by_kind_with_the_first_five_files_and_json_has_each() {
    let dir = scratch("grouped_diagnostics");
    fs::copy(
        common::samples_dir().join("healthy/ExchangeSetupLogs/ExchangeSetup.log"),
        dir.join("ExchangeSetup.log"),
    )
    .expect("copy");
    for i in 0..7 {
        fs::write(dir.join(format!("Channel{i}.evtx")), b"").expect("write");
    }
    let dir = dir.to_str().expect("path");
    let text = stdout_text(&common::exdoctor(&["analyze", dir]));
    assert!(
        text.contains("Input diagnostics (0 error(s), 7 warning(s); every one in --format json)"),
        "{text}"
    );
    assert!(text.contains("  warning x7: empty file (0 bytes)\n"), "{text}");
    let files_line = text
        .lines()
        .skip_while(|l| !l.contains("warning x7"))
        .nth(1)
        .unwrap_or_default();
    assert_eq!(files_line.matches("Channel").count(), 5, "{files_line}");
    assert!(files_line.ends_with("Channel4.evtx (+2 more files)"), "{files_line}");
    let doc = common::json_doc(&common::exdoctor(&["analyze", dir, "--format", "json"]));
    let diagnostics = doc["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diagnostics.len(), 7);
    assert!(diagnostics.iter().all(|d| d["message"] == "empty file (0 bytes)"));
}

#[test]
fn no_supported_input_says_so_and_exits_2() {
    let dir = scratch("no_supported_input");
    fs::write(dir.join("notes.txt"), "shopping list").expect("write");
    let dir = dir.to_str().expect("path");
    let output = common::exdoctor(&["analyze", dir, "--format", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let expected = format!("no ExchangeSetup.log, event log, registry export or task script under {dir}");
    let doc = common::json_doc(&output);
    assert_eq!(doc["diagnostics"][0]["message"], expected.as_str());
    assert_eq!(doc["diagnostics"][0]["level"], "error");
    assert!(String::from_utf8_lossy(&output.stderr).contains(&expected));
    let text = common::exdoctor(&["analyze", dir]);
    assert_eq!(text.status.code(), Some(2));
    assert!(stdout_text(&text).contains(&expected));
}

#[test]
fn an_empty_file_is_reported_as_empty_not_as_unrecognised() {
    let dir = scratch("empty_named_file");
    let empty = dir.join("notes.txt");
    fs::write(&empty, b"").expect("write");
    let good = common::samples_dir().join("healthy/System.evtx");
    let doc = common::json_doc(&common::exdoctor(&[
        "analyze",
        empty.to_str().expect("path"),
        good.to_str().expect("path"),
        "--format",
        "json",
    ]));
    let messages: Vec<&str> = doc["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["message"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(messages, ["empty file (0 bytes)"]);
}

#[test]
fn dash_reads_one_file_from_standard_input() {
    let evtx = fs::read(common::samples_dir().join("crl-stall/System.evtx")).expect("sample");
    let from_file = common::json_doc(&common::exdoctor(&[
        "analyze",
        common::samples_dir()
            .join("crl-stall/System.evtx")
            .to_str()
            .expect("path"),
        "--format",
        "json",
    ]));
    let output = common::exdoctor_with_stdin(&["analyze", "-", "--format", "json"], &evtx);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = common::json_doc(&output);
    let source = &doc["hosts"][0]["sources"][0];
    assert_eq!(source["path"], "<stdin>");
    assert_eq!(source["kind"], "evtx");
    assert_eq!(source["records"], from_file["hosts"][0]["sources"][0]["records"]);
    assert_eq!(doc["hosts"][0]["name"], from_file["hosts"][0]["name"]);
}

#[test]
fn unknown_rule_ids_are_a_usage_error_naming_the_closest_and_ids_ignore_case() {
    let samples = common::samples_dir();
    let samples = samples.to_str().expect("path");
    let output = common::exdoctor(&["analyze", samples, "--rule", "service-crsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no rule with id 'service-crsh'; closest: service-crash"),
        "{stderr}"
    );
    let upper = common::json_doc(&common::exdoctor(&[
        "analyze",
        samples,
        "--rule",
        "SERVICE-CRASH",
        "--format",
        "json",
    ]));
    let rules: Vec<&str> = upper["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["rule"].as_str()).collect())
        .unwrap_or_default();
    assert!(!rules.is_empty());
    assert!(rules.iter().all(|r| *r == "service-crash"), "{rules:?}");
}

#[test]
fn host_names_that_match_nothing_are_a_usage_error_naming_the_closest() {
    let samples = common::samples_dir();
    let samples = samples.to_str().expect("path");
    let output = common::exdoctor(&["analyze", samples, "--host", "exmbx1", "--host", "EXCAS03"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no host named 'exmbx1' (closest: EXMBX12"), "{stderr}");
    assert!(
        !stderr.contains("'EXCAS03'"),
        "a host that exists is not reported: {stderr}"
    );
    // Case-insensitive, and the FQDN names the host too.
    let doc = common::json_doc(&common::exdoctor(&[
        "analyze", samples, "--host", "excas03", "--format", "json",
    ]));
    assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(1));
    let fqdn = doc["hosts"][0]["fqdn"].as_str().unwrap_or_default().to_string();
    assert!(!fqdn.is_empty());
    let by_fqdn = common::json_doc(&common::exdoctor(&[
        "analyze", samples, "--host", &fqdn, "--format", "json",
    ]));
    assert_eq!(by_fqdn["hosts"][0]["name"], "EXCAS03");
    let timeline = common::exdoctor(&["timeline", samples, "--host", "EXMBX1"]);
    assert_eq!(timeline.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&timeline.stderr).contains("closest: EXMBX12"));
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let fleet = common::generated_fleet(20);
    let mut child = Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(["analyze", fleet.to_str().expect("path"), "--view", "full"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("exdoctor runs");
    let mut head = [0u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut head)
        .expect("the report starts");
    // The reader is gone (as `| head -c 64` would be); the report of 20 hosts with their
    // inventories is far longer than a pipe buffer, so the writer meets the closed pipe.
    let output = child.wait_with_output().expect("exdoctor ends");
    assert!(head.starts_with(b"exdoctor "));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
