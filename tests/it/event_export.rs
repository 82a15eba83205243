//! Event exports (tests/fixtures): wevtutil XML stream, Event Viewer "Save as XML" in
//! UTF-16 and UTF-8 with BOM, Event Viewer CSV with a quoted multi-line message; and the
//! `parse` / `analyze` commands over them and over an EVTX file.

use crate::common;

use std::path::PathBuf;

use exdoctor_parsers::event::Level;
use exdoctor_parsers::event_export::{parse_event_csv, parse_event_xml, CsvOptions, TimeBasis};
use exdoctor_parsers::text::TextEncoding;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture is readable")
}

#[test]
fn wevtutil_stream_without_root() {
    let export = parse_event_xml(&read("wevtutil_system.xml")).expect("xml export");
    assert_eq!(export.encoding, TextEncoding::Utf8);
    assert_eq!(export.time_basis, TimeBasis::Utc);
    assert_eq!(export.integrity.readable, 3);
    assert!(export.integrity.problems.is_empty());
    let e = &export.events[1];
    assert_eq!(e.provider, "Service Control Manager");
    assert_eq!(e.event_id, 7031);
    assert_eq!(e.qualifiers, Some(49152));
    assert_eq!(e.full_event_id(), 0xC000_1B77);
    assert_eq!(e.level, Level::Error);
    assert_eq!(e.record_id, 4711);
    assert_eq!(e.channel, "System");
    assert_eq!(e.computer, "EX01.contoso.local");
    assert_eq!(e.time.to_rfc3339(), "2008-03-15T01:22:05+00:00");
    assert_eq!(e.field("param1"), Some("Microsoft Exchange Information Store"));
    assert_eq!(e.param(4), Some("Restart the service"));
    // Classic EventLog 6008: positional items, Binary is not one.
    let shutdown = &export.events[0];
    assert_eq!(shutdown.event_id, 6008);
    assert_eq!(shutdown.data.len(), 5);
    assert_eq!(shutdown.data[0].name, None);
    assert_eq!(shutdown.param(1), Some("3/15/2008"));
    assert_eq!(export.events[2].field("param2"), Some("stopped"));
    assert_eq!(export.events[2].level, Level::Information);
}

#[test]
fn event_viewer_xml_in_utf16_and_utf8_bom() {
    for (name, encoding) in [
        ("eventviewer_application_utf16.xml", TextEncoding::Utf16Le),
        ("eventviewer_application_utf8bom.xml", TextEncoding::Utf8),
    ] {
        let export = parse_event_xml(&read(name)).expect("xml export");
        assert_eq!(export.encoding, encoding, "{name}");
        assert_eq!(export.events.len(), 2, "{name}");
        let started = &export.events[0];
        assert_eq!(started.event_id, 1000);
        assert_eq!(started.param(0), Some("08.01.0240.006"));
        assert_eq!(
            started.user_sid.as_deref(),
            Some("S-1-5-21-1004336348-1177238915-682003330-500")
        );
        let failed = &export.events[1];
        assert_eq!(failed.provider, "MSExchangeSetup");
        assert_eq!(failed.event_id, 1002);
        assert_eq!(failed.record_id, 9120);
        assert_eq!(failed.level, Level::Error);
        assert_eq!(failed.param(0), Some("Mailbox Role"));
        assert_eq!(
            failed.param(1),
            Some("Service 'MSExchangeIS' failed to reach status 'Running' on this server. & more")
        );
        // RenderingInfo (the message) is not an EventData item.
        assert_eq!(failed.data.len(), 2);
        // An export is a selection: its record ids jump by nature (9100 -> 9120), no gap.
        assert!(export.integrity.record_id_gaps.is_empty(), "{name}");
    }
}

#[test]
fn event_viewer_csv_with_multiline_message_and_a_bad_row() {
    let options = CsvOptions {
        utc_offset_minutes: None,
        channel: "System".into(),
    };
    let export = parse_event_csv(&read("eventviewer_system.csv"), &options).expect("csv export");
    assert_eq!(export.time_basis, TimeBasis::LocalUnknownOffset);
    assert_eq!(export.integrity.readable, 4);
    assert_eq!(export.integrity.unreadable, 1);
    assert_eq!(export.integrity.problems.len(), 1);
    assert_eq!(
        export.integrity.problems[0].to_string(),
        "line 7: row 4: unreadable date '15/03/2008 01:40:00 XM'; skipped"
    );
    let crash = &export.events[0];
    assert_eq!(crash.record_id, 1);
    assert_eq!(crash.level, Level::Error);
    assert_eq!(crash.provider, "Service Control Manager");
    assert_eq!(crash.event_id, 7031);
    assert_eq!(crash.channel, "System");
    assert_eq!(crash.computer, "");
    assert_eq!(crash.time.to_rfc3339(), "2008-03-15T01:22:05+00:00");
    // The message stays the message; the insertion strings are recovered from it.
    assert!(export.message(0).is_some_and(|m| m.ends_with("Restart the service.")));
    assert_eq!(crash.param(0), Some("Microsoft Exchange Information Store"));
    let setup = &export.events[2];
    assert_eq!(setup.record_id, 3);
    // 3221226474 = 0xC00003EA: the low 16 bits are the event id.
    assert_eq!(setup.event_id, 1002);
    assert_eq!(setup.time.to_rfc3339(), "2008-03-15T13:35:12+00:00");
    assert_eq!(
        export.message(2),
        Some(
            "Exchange Server component Mailbox Role failed.\nError: Service \"MSExchangeIS\" failed to reach \
             status 'Running' on this server.\n"
        )
    );
    assert_eq!(setup.param(0), Some("Mailbox Role"));
    assert_eq!(export.events[3].record_id, 5);
    assert_eq!(export.events[3].event_id, 2114);

    // With the offset known (UTC+1) the times move back one hour.
    let cet = CsvOptions {
        utc_offset_minutes: Some(60),
        channel: String::new(),
    };
    let export = parse_event_csv(&read("eventviewer_system.csv"), &cet).expect("csv export");
    assert_eq!(export.events[0].time.to_rfc3339(), "2008-03-15T00:22:05+00:00");
}

#[test]
fn parse_command_prints_events_as_jsonl() {
    let path = fixture("wevtutil_system.xml");
    let output = common::exdoctor(&["parse", path.to_str().expect("utf-8 path")]);
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = common::stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["provider"], "Service Control Manager");
    assert_eq!(lines[1]["event_id"], 7031);
    assert_eq!(lines[1]["qualifiers"], 49152);
    assert_eq!(lines[1]["level"], "error");
    assert_eq!(lines[1]["time"], "2008-03-15T01:22:05Z");
    assert_eq!(lines[1]["data"][0]["name"], "param1");

    let csv = fixture("eventviewer_system.csv");
    let output = common::exdoctor(&["parse", csv.to_str().expect("utf-8 path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("times are local times"), "{stderr}");
    assert!(stderr.contains("row 4: unreadable date"), "{stderr}");
    assert_eq!(common::stdout_text(&output).lines().count(), 4);
}

#[test]
fn analyze_summarizes_exports_and_evtx() {
    let mut args = vec![
        "analyze".to_string(),
        "--format".into(),
        "json".into(),
        fixture("eventviewer_application_utf16.xml").display().to_string(),
    ];
    let corpus = common::corpus_dir();
    if let Some(dir) = &corpus {
        args.push(dir.join("evtx/python-evtx/system.evtx").display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = common::exdoctor(&args);
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json document");
    let sources = common::all_sources(&doc);
    let xml = sources
        .iter()
        .find(|s| s["kind"] == "event_xml")
        .expect("the XML export");
    assert_eq!(xml["records"], 2);
    assert_eq!(xml["details"]["computers"][0], "EX01.contoso.local");
    assert_eq!(xml["details"]["first_time"], "2008-03-15T01:30:02Z");
    assert_eq!(xml["details"]["rule_events"][0]["event_id"], 1000);
    assert_eq!(xml["details"]["rule_events"][1]["event_id"], 1002);
    if corpus.is_some() {
        let evtx = sources.iter().find(|s| s["kind"] == "evtx").expect("the evtx file");
        assert_eq!(evtx["records"], 1601);
        assert_eq!(evtx["errors"], 0);
        assert_eq!(evtx["details"]["channels"][0], "System");
        let counts = evtx["details"]["rule_events"].as_array().expect("counts");
        let count_of = |id: u64| {
            counts
                .iter()
                .find(|c| c["provider"] == "Service Control Manager" && c["event_id"] == id)
                .map(|c| c["count"].clone())
        };
        assert_eq!(count_of(7036), Some(serde_json::json!(1288)));
        assert_eq!(count_of(7045), Some(serde_json::json!(12)));
    }
}
