//! XML exports: one linear pass over damaged input, the computer of every event (a
//! forwarded-events export mixes machines), record identity and no record-id gaps
//! (an export is a selection of a log).

mod common;

use std::time::{Duration, Instant};

use exdoctor_parsers::event::{Coverage, EventLocation, LogState};
use exdoctor_parsers::event_export::{parse_event_xml, EventExport, RecordIds};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::fixtures_dir().join(name)).expect("fixture is readable")
}

fn good(record_id: u64) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
         <Provider Name='Service Control Manager'/><EventID Qualifiers='16384'>7036</EventID><Level>4</Level>\
         <TimeCreated SystemTime='2008-03-15T01:22:05.000Z'/><EventRecordID>{record_id}</EventRecordID>\
         <Channel>System</Channel><Computer>EX01</Computer></System>\
         <EventData><Data Name='param1'>Microsoft Exchange Information Store</Data>\
         <Data Name='param2'>running</Data></EventData></Event>\r\n"
    )
}

/// A well-formed event, `unclosed` copies of `piece` (an event element that never
/// closes), another well-formed event.
fn damaged(piece: &str, unclosed: usize) -> String {
    let mut text = good(100);
    text.reserve(piece.len() * unclosed + 1024);
    for _ in 0..unclosed {
        text.push_str(piece);
    }
    text.push_str(&good(200));
    text
}

/// The fastest of three runs (the machine is shared).
fn timed(text: &str) -> (EventExport, Duration) {
    let mut best = Duration::MAX;
    let mut export = None;
    for _ in 0..3 {
        let start = Instant::now();
        let parsed = parse_event_xml(text.as_bytes()).expect("an XML export");
        best = best.min(start.elapsed());
        export = Some(parsed);
    }
    (export.expect("parsed"), best)
}

const UNCLOSED: &str = "<Event><System><EventID>1</EventID></System>";

#[test]
fn unclosed_events_are_read_in_linear_time() {
    let small = damaged(UNCLOSED, 4_000);
    let big = damaged(UNCLOSED, 16_000);
    let (export, t_small) = timed(&small);
    let (big_export, t_big) = timed(&big);
    eprintln!(
        "4,000 unclosed events ({} KB): {t_small:?}; 16,000 ({} KB): {t_big:?}",
        small.len() / 1024,
        big.len() / 1024
    );
    // Linear: 4x the input takes well under 8x the time (the floor keeps tiny times from
    // flaking); the quadratic reader took 31 s for the small one.
    assert!(
        t_big <= t_small * 8 + Duration::from_millis(300),
        "4x input: {t_small:?} -> {t_big:?}"
    );
    assert!(t_big < Duration::from_secs(10), "{t_big:?}");

    for (export, unclosed) in [(&export, 4_000u64), (&big_export, 16_000)] {
        // The well-formed events before and after the damage are returned.
        let ids: Vec<u64> = export.events.iter().map(|e| e.record_id).collect();
        assert_eq!(ids, vec![100, 200]);
        assert_eq!(export.events[1].field("param2"), Some("running"));
        // Every unclosed element is one unreadable event, named with its position.
        assert_eq!(export.integrity.readable, 2);
        assert_eq!(export.integrity.unreadable, unclosed);
        assert_eq!(export.integrity.problems.len() as u64, unclosed);
        let first_bad = good(100).len();
        assert_eq!(
            export.integrity.problems[0].to_string(),
            format!("offset {first_bad:#x}: <Event> #2: no </Event> before the next <Event>; skipped")
        );
        assert_eq!(export.integrity.state(), LogState::Damaged);
    }
}

#[test]
fn unterminated_comments_do_not_make_it_quadratic() {
    // Each comment would run to the end of the input: a reader that starts over after
    // each error reads the rest of the file again for every one of them.
    let piece = "<Event><System><EventID>1</EventID><!-- ";
    let small = damaged(piece, 4_000);
    let big = damaged(piece, 16_000);
    let (export, t_small) = timed(&small);
    let (_, t_big) = timed(&big);
    eprintln!("4,000 unterminated comments: {t_small:?}; 16,000: {t_big:?}");
    assert!(
        t_big <= t_small * 8 + Duration::from_millis(300),
        "4x input: {t_small:?} -> {t_big:?}"
    );
    assert_eq!(export.events.len(), 2);
    assert_eq!(export.integrity.unreadable, 4_000);
    assert!(
        export.integrity.problems[0].to_string().contains("<Event> #2: bad XML"),
        "{}",
        export.integrity.problems[0]
    );
}

#[test]
fn forwarded_events_keep_the_computer_of_each_event() {
    let export = parse_event_xml(&fixture("forwarded_events.xml")).expect("xml export");
    assert!(export.integrity.problems.is_empty(), "{:?}", export.integrity.problems);
    let seen: Vec<(&str, &str, u16, u64)> = export
        .events
        .iter()
        .map(|e| (e.computer.as_str(), e.channel.as_str(), e.event_id, e.record_id))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("FS03.offsec.lan", "System", 7036, 20411),
            ("IE10Win7", "System", 7036, 3127),
            ("IE10Win7", "Application", 1000, 1688),
            ("FS03.offsec.lan", "Security", 4624, 884102),
        ]
    );
    // Each event's own data, not the first event's.
    assert_eq!(
        export.events[1].field("param1"),
        Some("Windows Error Reporting Service")
    );
    assert_eq!(export.events[1].field("param2"), Some("stopped"));
    assert_eq!(export.events[2].param(0), Some("iexplore.exe"));
    assert_eq!(export.events[2].data.len(), 13);
    assert_eq!(export.events[3].field("TargetUserName"), Some("Administrator"));
    // RenderingInfo is not event data; the XML carries no message for the entries.
    assert_eq!(export.events[0].data.len(), 2);
    assert_eq!(export.message(0), None);
    // Record ids of two machines' logs: native, and no gap between them.
    assert_eq!(export.record_ids(), RecordIds::Native);
    assert_eq!(export.location(3), Some(EventLocation::Record { record_id: 884102 }));
    assert_eq!(export.integrity.coverage, Coverage::Selection);
    assert!(export.integrity.record_id_gaps.is_empty());
    assert_eq!(export.integrity.state(), LogState::Complete);
}

#[test]
fn filtered_export_has_no_false_gap() {
    // wevtutil_system.xml holds records 4709, 4711 and 4712 of a System log (a filtered
    // query): the missing 4710 is not damage.
    let export = parse_event_xml(&fixture("wevtutil_system.xml")).expect("xml export");
    let ids: Vec<u64> = export.events.iter().map(|e| e.record_id).collect();
    assert_eq!(ids, vec![4709, 4711, 4712]);
    assert!(export.integrity.record_id_gaps.is_empty());
    assert!(export.integrity.problems.is_empty());
    assert_eq!(export.integrity.state(), LogState::Complete);
    assert_eq!(
        export
            .entries
            .iter()
            .map(|e| e.location.to_string())
            .collect::<Vec<_>>(),
        vec!["record 4709", "record 4711", "record 4712"]
    );
}

#[test]
fn events_without_event_record_id_are_cited_by_position() {
    let text = good(7).replace("<EventRecordID>7</EventRecordID>", "");
    let text = format!("<Events>{text}{text}</Events>");
    let export = parse_event_xml(text.as_bytes()).expect("xml export");
    assert_eq!(export.record_ids(), RecordIds::Ordinal);
    assert_eq!(
        export.entries.iter().map(|e| e.location).collect::<Vec<_>>(),
        vec![
            EventLocation::Element { ordinal: 1 },
            EventLocation::Element { ordinal: 2 }
        ]
    );
    assert_eq!(export.location(1).map(|l| l.to_string()).as_deref(), Some("event #2"));
    assert!(export.integrity.record_id_gaps.is_empty());
}

#[test]
fn event_viewer_save_as_xml_in_utf16_and_utf8() {
    for name in [
        "eventviewer_application_utf16.xml",
        "eventviewer_application_utf8bom.xml",
    ] {
        let export = parse_event_xml(&fixture(name)).expect("xml export");
        assert!(
            export.integrity.problems.is_empty(),
            "{name}: {:?}",
            export.integrity.problems
        );
        assert_eq!(export.events.len(), 2, "{name}");
        assert_eq!(
            export.entries.iter().map(|e| e.location).collect::<Vec<_>>(),
            vec![
                EventLocation::Record { record_id: 9100 },
                EventLocation::Record { record_id: 9120 }
            ],
            "{name}"
        );
        // 9100 -> 9120 in an export is no gap.
        assert!(export.integrity.record_id_gaps.is_empty(), "{name}");
        assert_eq!(export.events[1].param(0), Some("Mailbox Role"));
        // RenderingInfo (the message) is not an EventData item.
        assert_eq!(export.events[1].data.len(), 2);
        assert_eq!(export.integrity.state(), LogState::Complete);
    }
}
