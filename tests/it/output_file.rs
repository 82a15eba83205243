//! `-o/--output FILE`: the report goes to the file (replaced by rename), not to stdout.

use std::fs;

use crate::common::{exdoctor, samples_dir, scratch};

#[test]
fn the_report_is_written_to_the_output_file_and_replaces_the_old_one() {
    let dir = scratch("output_file");
    let path = dir.join("report.json");
    fs::write(&path, "an older report\n").expect("write");
    let sample = samples_dir().join("healthy");
    let output = exdoctor(&[
        "analyze",
        &sample.to_string_lossy(),
        "--format",
        "json",
        "--quiet",
        "-o",
        &path.to_string_lossy(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&path).expect("report")).expect("JSON");
    assert_eq!(doc["hosts"][0]["name"], "EXMBX05");
    assert_eq!(fs::read_dir(&dir).expect("list").count(), 1, "no temporary file left");

    let missing = dir.join("no-such-folder/report.txt");
    let output = exdoctor(&[
        "analyze",
        &sample.to_string_lossy(),
        "--output",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-folder"), "{stderr}");
}
