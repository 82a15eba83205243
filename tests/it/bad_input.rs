//! Bad input never panics and never aborts the run: each bad file gets a diagnostic and
//! the good files of the same `analyze` are still reported.

use crate::common;

use std::fs;

use common::scratch;

fn healthy_log() -> Vec<u8> {
    fs::read(common::samples_dir().join("healthy/ExchangeSetupLogs/ExchangeSetup.log")).expect("sample")
}

#[test]
fn bad_setup_logs_get_diagnostics_and_good_ones_are_still_reported() {
    let dir = scratch("bad_setup_logs");
    let good = healthy_log();
    fs::write(dir.join("ExchangeSetup_good.log"), &good).expect("write");
    fs::write(dir.join("ExchangeSetup_empty.log"), b"").expect("write");
    // Deterministic pseudo-random bytes.
    let mut x: u32 = 0x1234_5678;
    let random: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    fs::write(dir.join("ExchangeSetup_random.log"), &random).expect("write");
    // A 50 MB single line that starts like a record.
    let mut huge = b"[06/05/2008 23:20:11] [0] ".to_vec();
    huge.resize(50 * 1024 * 1024, b'x');
    fs::write(dir.join("ExchangeSetup_huge_line.log"), &huge).expect("write");
    // Truncated in the middle of a record.
    let cut = good.len() / 2;
    fs::write(dir.join("ExchangeSetup_truncated.log"), &good[..cut]).expect("write");
    // CRLF and LF mixed.
    let text = String::from_utf8(good.clone()).expect("sample is UTF-8");
    let mixed: String = text
        .split("\r\n")
        .enumerate()
        .map(|(i, l)| {
            if i % 2 == 0 {
                format!("{l}\n")
            } else {
                format!("{l}\r\n")
            }
        })
        .collect();
    fs::write(dir.join("ExchangeSetup_mixed.log"), mixed.trim_end()).expect("write");
    // UTF-16LE with BOM.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(dir.join("ExchangeSetup_utf16.log"), utf16).expect("write");

    let output = common::exdoctor(&["analyze", dir.to_str().expect("path"), "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "inputs that could not be read at all: exit 2"
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let sources: Vec<serde_json::Value> = doc["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .flat_map(|h| h["sources"].as_array().cloned().unwrap_or_default())
        .collect();
    let by_name = |name: &str| {
        sources
            .iter()
            .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("{name} reported"))
    };
    let diag = |name: &str| common::diagnostics_of(&doc, name);
    let runs = |name: &str| by_name(name)["details"]["runs"].as_array().cloned().unwrap_or_default();
    // The good file and the decodable variants are fully reported.
    for name in [
        "ExchangeSetup_good.log",
        "ExchangeSetup_mixed.log",
        "ExchangeSetup_utf16.log",
    ] {
        assert_eq!(
            by_name(name)["records"],
            by_name("ExchangeSetup_good.log")["records"],
            "{name}"
        );
        assert_eq!(runs(name)[0]["result"], "completed", "{name}");
    }
    assert_eq!(
        diag("ExchangeSetup_utf16.log"),
        ["warning: file is Utf16Le; decoded before parsing"]
    );
    assert_eq!(diag("ExchangeSetup_empty.log"), ["warning: empty file (0 bytes)"]);
    assert_eq!(
        diag("ExchangeSetup_random.log"),
        ["error: binary content, not a text setup log: no records read"]
    );
    // The huge line is one record of a run without result.
    assert_eq!(by_name("ExchangeSetup_huge_line.log")["records"], 1);
    assert!(diag("ExchangeSetup_huge_line.log")[0].contains("no result and no End of Setup"));
    // Truncation: the records before the cut are there, the run is incomplete.
    assert_eq!(runs("ExchangeSetup_truncated.log")[0]["result"], "incomplete");
    assert!(diag("ExchangeSetup_truncated.log")[0].contains("interrupted or truncated"));
}

#[test]
fn a_missing_path_is_a_diagnostic_and_the_rest_is_analysed() {
    let good = common::samples_dir().join("healthy/ExchangeSetupLogs/ExchangeSetup.log");
    let output = common::exdoctor(&[
        "analyze",
        "/nonexistent/exdoctor-input",
        good.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["hosts"][0]["sources"].as_array().map(Vec::len), Some(1));
    assert!(doc["diagnostics"][0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("cannot read")));
}

#[test]
fn unknown_file_named_explicitly_is_skipped_with_a_warning() {
    let dir = scratch("unknown_file");
    let path = dir.join("notes.txt");
    fs::write(&path, "just some notes").expect("write");
    let good = common::samples_dir().join("healthy/ExchangeSetupLogs/ExchangeSetup.log");
    let output = common::exdoctor(&[
        "analyze",
        path.to_str().expect("path"),
        good.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["diagnostics"][0]["level"], "warning");
    assert_eq!(doc["diagnostics"][0]["message"], "format not recognised; file skipped");
}
