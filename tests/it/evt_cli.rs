//! `exdoctor parse` and `exdoctor analyze` on legacy `.evt` files (real binary).

use crate::common;

use std::path::PathBuf;

use serde_json::Value;

fn sysevent() -> Option<PathBuf> {
    Some(common::corpus_dir()?.join("evt/SysEvent.Evt"))
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exdoctor-evt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file written");
    path
}

#[test]
fn parse_prints_one_json_line_per_event() {
    let Some(path) = sysevent() else { return };
    let output = common::exdoctor(&["parse", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<Value> = common::stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 6063 + 438);
    let first = &lines[0];
    assert_eq!(first["channel"], "System");
    assert_eq!(first["provider"], "LSASRV");
    assert_eq!(first["event_id"], 40961);
    assert_eq!(first["record_id"], 1392);
    assert_eq!(first["time"], "2011-07-27T06:41:47Z");
    assert_eq!(first["computer"], "WKS-WINXP32BIT");
    assert_eq!(first["data"][0]["value"], "cifs/CONTROLLER");
    assert!(first.get("recovered").is_none());
    assert_eq!(lines[6062]["record_id"], 7454);
    assert_eq!(lines[6063]["recovered"], true);
    assert_eq!(lines[6063]["record_id"], 1135);
}

#[test]
fn analyze_summarizes_the_log() {
    let Some(path) = sysevent() else { return };
    let output = common::exdoctor(&["analyze", "--format", "json", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let doc: Value = serde_json::from_str(&common::stdout_text(&output)).expect("JSON document");
    let source = &doc["hosts"][0]["sources"][0];
    assert_eq!(source["kind"], "evt");
    assert_eq!(source["records"], 6501);
    assert_eq!(source["errors"], 0);
    let details = &source["details"];
    assert_eq!(details["channel"], "System");
    assert_eq!(details["live_records"], 6063);
    assert_eq!(details["recovered_records"], 438);
    assert_eq!(details["first"], "2011-07-22T10:01:46Z");
    assert_eq!(details["last"], "2012-04-07T04:58:01Z");
    assert_eq!(details["computers"], serde_json::json!(["WKS-WINXP32BIT"]));
    assert_eq!(details["wrapped"], true);
    assert_eq!(details["dirty"], true);
    assert_eq!(details["oldest_record_number"], 1392);
    assert_eq!(details["current_record_number"], 7455);
    let rule_events = details["rule_events"].as_array().expect("rule events");
    let count = |provider: &str, id: u64| {
        rule_events
            .iter()
            .find(|r| r["provider"] == provider && r["event_id"] == id)
            .map(|r| r["count"].clone())
    };
    assert_eq!(count("Service Control Manager", 7000), Some(Value::from(109)));
    assert_eq!(count("EventLog", 6009), Some(Value::from(24)));
    assert_eq!(count("Service Control Manager", 7035), None, "7035 is not a rule event");
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn damaged_log_reports_offsets_and_gaps() {
    let Some(path) = sysevent() else { return };
    let mut bytes = std::fs::read(&path).expect("corpus readable");
    bytes[0x80000..0x90000].fill(0);
    let damaged = scratch("SysEvent.Evt", &bytes);
    let output = common::exdoctor(&["analyze", "--format", "json", damaged.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let doc: Value = serde_json::from_str(&common::stdout_text(&output)).expect("JSON document");
    assert_eq!(doc["hosts"][0]["sources"][0]["records"], 6501 - 29);
    assert_eq!(doc["hosts"][0]["sources"][0]["errors"], 1);
    let messages: Vec<String> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| format!("{} {}", d["level"], d["message"]))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("warning") && m.contains("offset 0x7fc30")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("record ids 2875..2903 missing (29 records)")),
        "{messages:?}"
    );
}

#[test]
fn written_sample_log_is_read_with_its_channel() {
    use chrono::{TimeZone, Utc};
    use exdoctor_parsers::event::{Event, EventField, Level};
    let event = Event {
        channel: "Application".to_string(),
        provider: "MSExchangeSetup".to_string(),
        event_id: 1000,
        qualifiers: Some(0x4000),
        level: Level::Information,
        record_id: 41,
        time: Utc.with_ymd_and_hms(2007, 11, 30, 16, 12, 5).unwrap(),
        computer: "EXMBX02".to_string(),
        user_sid: None,
        data: vec![EventField {
            name: None,
            value: "8.1.240.6".to_string(),
        }],
        recovered: false,
    };
    let path = scratch(
        "AppEvent.Evt",
        &exdoctor_samples::evt_writer::write_evt(std::slice::from_ref(&event)),
    );
    let output = common::exdoctor(&["parse", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let line: Value = serde_json::from_str(common::stdout_text(&output).trim()).expect("one JSON line");
    assert_eq!(line, serde_json::to_value(&event).expect("event as JSON"));
}
