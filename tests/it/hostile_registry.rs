//! Hostile registry exports: a key path far deeper than Windows allows must not crash
//! the run (it overflowed the stack when the key tree was dropped), and many deep keys
//! must take time and memory linear in the file (memory grew with the square of the
//! depth).

use std::fs;

use crate::common;
use crate::measure::{self, assert_linear_time, assert_peak_memory};

/// A regedit v5 export of `keys` keys, each `depth` levels deep below its own branch.
fn deep_export(keys: usize, depth: usize) -> String {
    let mut text = String::from("Windows Registry Editor Version 5.00\r\n\r\n");
    for k in 0..keys {
        text.push_str(&format!("[HKEY_LOCAL_MACHINE\\SOFTWARE\\k{k}"));
        for _ in 0..depth {
            text.push_str("\\a");
        }
        text.push_str("]\r\n\"v\"=\"1\"\r\n\r\n");
    }
    text
}

#[test]
fn a_key_15000_levels_deep_is_a_diagnostic_and_the_other_inputs_are_reported() {
    let dir = common::scratch("hostile_deep_reg_key");
    fs::write(dir.join("deep.reg"), deep_export(1, 15_000)).expect("write");
    let healthy = common::samples_dir().join("healthy");
    let run = measure::exdoctor(&[
        "analyze",
        "--format",
        "json",
        dir.to_str().expect("path"),
        healthy.to_str().expect("path"),
    ]);
    assert_eq!(
        run.output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    let doc = measure::json(&run);
    assert_eq!(
        common::diagnostics_of(&doc, "deep.reg"),
        ["warning: line 3: key path 15002 levels deep (Windows allows 512); key and values skipped"]
    );
    let healthy = doc["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| h["name"] == "EXMBX05")
        .expect("the healthy sample host is still reported");
    assert_eq!(healthy["sources"].as_array().map(Vec::len), Some(6));
}

#[test]
fn many_keys_at_the_deepest_allowed_level_take_linear_time_and_memory() {
    let dir = common::scratch("hostile_many_deep_reg_keys");
    let small = dir.join("small.reg");
    let large = dir.join("large.reg");
    fs::write(&small, deep_export(500, 500)).expect("write");
    let large_text = deep_export(2000, 500);
    fs::write(&large, &large_text).expect("write");
    let run =
        |path: &std::path::Path| measure::exdoctor(&["analyze", "--format", "json", path.to_str().expect("path")]);
    let (a, b) = (run(&small), run(&large));
    for r in [&a, &b] {
        assert_eq!(r.output.status.code(), Some(0));
    }
    let doc = measure::json(&b);
    assert_eq!(
        common::all_sources(&doc)[0]["records"],
        2000,
        "every value of the 2,000 keys is read"
    );
    assert_linear_time("2,000 keys 500 levels deep", &a, &b, 4.0, 1.0);
    // About 4 MB of input: a few bytes of memory per input byte, not the gigabytes of a
    // tree that copies every key's full path into each of its levels.
    assert_peak_memory("2,000 keys 500 levels deep", &b, large_text.len() as u64, 16, 48);
}
