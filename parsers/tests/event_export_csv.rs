//! Event Viewer "Save As CSV" exports: the message column is the rendered message, kept
//! as the entry's message; the insertion strings are recovered from it, so messages
//! rebuilt from a template no longer repeat themselves ("The The ...", "Process Process
//! MAD.EXE"); events are cited by row, not by a made-up record id.

mod common;

use exdoctor_parsers::event::{Coverage, Event, EventLocation, LogState};
use exdoctor_parsers::event_export::{parse_event_csv, CsvOptions, EventExport, RecordIds};

fn read(name: &str) -> EventExport {
    let bytes = std::fs::read(common::fixtures_dir().join(name)).expect("fixture is readable");
    let options = CsvOptions {
        utc_offset_minutes: None,
        channel: "System".into(),
    };
    parse_event_csv(&bytes, &options).expect("csv export")
}

fn params(event: &Event) -> Vec<&str> {
    event.data.iter().map(|f| f.value.as_str()).collect()
}

/// `%N` of `template` replaced by insertion string N, as the analyzer rebuilds messages.
fn fill(template: &str, event: &Event) -> String {
    let mut out = template.to_string();
    for n in (1..=event.data.len()).rev() {
        out = out.replace(&format!("%{n}"), event.param(n - 1).unwrap_or(""));
    }
    out
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn save_as_csv_messages_give_insertion_strings_and_stay_messages() {
    let export = read("eventviewer_system_saveas.csv");
    assert!(export.integrity.problems.is_empty(), "{:?}", export.integrity.problems);
    assert_eq!(export.events.len(), 8);

    let crash = &export.events[0];
    assert_eq!(
        (crash.provider.as_str(), crash.event_id),
        ("Service Control Manager", 7031)
    );
    assert_eq!(
        params(crash),
        vec![
            "Microsoft Exchange Information Store",
            "1",
            "60000",
            "",
            "Restart the service"
        ]
    );
    assert_eq!(
        export.message(0),
        Some(
            "The Microsoft Exchange Information Store service terminated unexpectedly.  It has done this 1 \
             time(s).  The following corrective action will be taken in 60000 milliseconds: Restart the service."
        )
    );
    // The analyzer's template filled with these strings is the message again, once.
    let rebuilt = fill(
        "The %1 service terminated unexpectedly. It has done this %2 time(s). The following corrective action \
         will be taken in %3 milliseconds: %5.",
        crash,
    );
    assert_eq!(rebuilt, squeezed(export.message(0).expect("message")));
    assert_eq!(rebuilt.matches("terminated unexpectedly").count(), 1);
    assert!(!rebuilt.starts_with("The The"));

    assert_eq!(
        params(&export.events[1]),
        vec!["Microsoft Exchange Information Store", "stopped"]
    );

    let topology = &export.events[2];
    assert_eq!(
        params(topology),
        vec!["MAD.EXE", "2552", "0x80040a02", "DSC_E_NO_SUITABLE_CDC"]
    );
    let rebuilt = fill(
        "Process %1 (PID=%2). Topology discovery failed, error %3 (%4).",
        topology,
    );
    assert_eq!(
        rebuilt,
        "Process MAD.EXE (PID=2552). Topology discovery failed, error 0x80040a02 (DSC_E_NO_SUITABLE_CDC)."
    );

    // The Win32 error text of an SCM event becomes the %%N code the event stores.
    assert_eq!(
        params(&export.events[3]),
        vec!["Microsoft Exchange Transport", "%%1053"]
    );
    assert_eq!(
        export.message(3),
        Some(
            "The Microsoft Exchange Transport service failed to start due to the following error: \nThe \
             service did not respond to the start or control request in a timely fashion."
        )
    );

    assert_eq!(
        params(&export.events[4]),
        vec![
            "Mailbox Role",
            "Service \"MSExchangeIS\" failed to reach status 'Running' on this server."
        ]
    );

    assert_eq!(
        params(&export.events[5]),
        vec![
            "MSExchangeTransport",
            "\"C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\MSExchangeTransport.exe\"",
            "user mode service",
            "auto start",
            "LocalSystem"
        ]
    );

    // Another language, an event whose text is not known: no insertion strings (none
    // invented), the message is kept.
    assert!(export.events[6].data.is_empty());
    assert_eq!(
        export.message(6),
        Some("Der Dienst \"Microsoft Exchange-Transport\" befindet sich jetzt im Status \"Wird ausgeführt\".")
    );
    assert!(export.events[7].data.is_empty());
    assert!(export
        .message(7)
        .is_some_and(|m| m.starts_with("The operating system started")));
}

#[test]
fn csv_events_are_cited_by_row_and_line() {
    let export = read("eventviewer_system_saveas.csv");
    assert_eq!(export.record_ids(), RecordIds::Ordinal);
    let locations: Vec<String> = export.entries.iter().map(|e| e.location.to_string()).collect();
    assert_eq!(
        locations,
        vec![
            "row 1 (line 2)",
            "row 2 (line 3)",
            "row 3 (line 4)",
            "row 4 (line 5)",
            "row 5 (line 7)",
            "row 6 (line 9)",
            "row 7 (line 16)",
            "row 8 (line 17)",
        ]
    );
    // record_id carries the row number, which the location says is not a record id.
    assert_eq!(export.events[4].record_id, 5);
    assert_eq!(export.location(4), Some(EventLocation::Row { row: 5, line: 7 }));
    assert_eq!(export.location(4).and_then(|l| l.record_id()), None);
    assert_eq!(export.integrity.coverage, Coverage::Selection);
    assert!(export.integrity.record_id_gaps.is_empty());
    assert_eq!(export.integrity.state(), LogState::Complete);
}

#[test]
fn older_fixture_full_event_id_and_bad_row() {
    let export = read("eventviewer_system.csv");
    assert_eq!(export.integrity.readable, 4);
    assert_eq!(export.integrity.unreadable, 1);
    assert_eq!(
        export.integrity.problems[0].to_string(),
        "line 7: row 4: unreadable date '15/03/2008 01:40:00 XM'; skipped"
    );
    assert_eq!(
        params(&export.events[0]),
        vec![
            "Microsoft Exchange Information Store",
            "1",
            "60000",
            "",
            "Restart the service"
        ]
    );
    // 3221226474 = 0xC00003EA: id 1002, qualifiers 0xC000.
    let setup = &export.events[2];
    assert_eq!(setup.event_id, 1002);
    assert_eq!(setup.qualifiers, Some(0xC000));
    assert_eq!(
        params(setup),
        vec![
            "Mailbox Role",
            "Service \"MSExchangeIS\" failed to reach status 'Running' on this server."
        ]
    );
    assert_eq!(
        export.message(2),
        Some(
            "Exchange Server component Mailbox Role failed.\nError: Service \"MSExchangeIS\" failed to reach \
             status 'Running' on this server.\n"
        )
    );
    assert_eq!(params(&export.events[3])[0], "MAD.EXE");
    assert_eq!(export.location(3), Some(EventLocation::Row { row: 5, line: 8 }));
    assert_eq!(export.events[3].record_id, 5);
    assert_eq!(export.integrity.state(), LogState::Damaged);
}
