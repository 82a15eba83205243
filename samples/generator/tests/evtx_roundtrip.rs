//! Events written by `write_evtx` come back identical through the `evtx` crate (with
//! checksum validation on), across chunks and with non-ASCII text.

use chrono::{DateTime, Duration, TimeZone, Utc};
use evtx::{EvtxParser, ParserSettings};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_samples::evtx_writer::{
    empty_evtx, try_write_evtx, write_evtx, EvtxWriteError, CHUNK_SIZE, FILE_HEADER_SIZE,
};
use serde_json::Value;

/// Reads every record back into an `Event`: the System part from the JSON rendering
/// (typed values), the EventData items from the XML rendering (keeps their order).
fn read_back(bytes: &[u8]) -> Vec<Event> {
    let settings = || ParserSettings::new().validate_checksums(true).num_threads(1);
    let mut json = EvtxParser::from_buffer(bytes.to_vec())
        .unwrap()
        .with_configuration(settings());
    let mut xml = EvtxParser::from_buffer(bytes.to_vec())
        .unwrap()
        .with_configuration(settings());
    let json: Vec<_> = json.records_json_value().map(|r| r.expect("record parses")).collect();
    let xml: Vec<_> = xml.records().map(|r| r.expect("record parses")).collect();
    assert_eq!(json.len(), xml.len());
    json.iter()
        .zip(&xml)
        .map(|(j, x)| {
            assert_eq!(j.event_record_id, x.event_record_id);
            to_event(&j.data, &x.data, j.event_record_id)
        })
        .collect()
}

fn to_event(json: &Value, xml: &str, header_record_id: u64) -> Event {
    let system = &json["Event"]["System"];
    let event_id = &system["EventID"];
    let (event_id, qualifiers) = match event_id.get("#text") {
        Some(text) => (text, event_id["#attributes"].get("Qualifiers").and_then(Value::as_u64)),
        None => (event_id, None),
    };
    let time = system["TimeCreated"]["#attributes"]["SystemTime"].as_str().unwrap();
    let record_id = system["EventRecordID"].as_u64().unwrap();
    assert_eq!(record_id, header_record_id, "record header and BinXML agree");
    Event {
        channel: system["Channel"].as_str().unwrap().to_owned(),
        provider: system["Provider"]["#attributes"]["Name"].as_str().unwrap().to_owned(),
        event_id: event_id.as_u64().unwrap() as u16,
        qualifiers: qualifiers.map(|q| q as u16),
        level: Level::from_evtx(system["Level"].as_u64().unwrap() as u8),
        record_id,
        time: DateTime::parse_from_rfc3339(time).unwrap().with_timezone(&Utc),
        computer: system["Computer"].as_str().unwrap().to_owned(),
        user_sid: system["Security"]
            .get("#attributes")
            .and_then(|a| a["UserID"].as_str())
            .map(str::to_owned),
        data: data_items(xml),
        recovered: false,
    }
}

/// The `<Data>` items of the XML rendering, in order.
fn data_items(xml: &str) -> Vec<EventField> {
    let Some(start) = xml.find("<EventData>") else {
        return Vec::new();
    };
    let mut rest = &xml[start..];
    let mut items = Vec::new();
    while let Some(open) = rest.find("<Data") {
        rest = &rest[open + 5..];
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[..tag_end];
        let name = tag
            .trim()
            .strip_prefix("Name=\"")
            .map(|n| unescape(n.trim_end_matches('/').trim_end_matches('"')));
        let value = if tag.ends_with('/') {
            String::new()
        } else {
            let close = rest.find("</Data>").unwrap();
            unescape(&rest[tag_end + 1..close])
        };
        items.push(EventField { name, value });
        rest = &rest[tag_end..];
    }
    items
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2008, 3, 15, 8, 1, 2).unwrap() + Duration::nanoseconds(123_456_700)
}

fn named(pairs: &[(&str, &str)]) -> Vec<EventField> {
    pairs
        .iter()
        .map(|(n, v)| EventField {
            name: Some((*n).to_owned()),
            value: (*v).to_owned(),
        })
        .collect()
}

fn positional(values: &[&str]) -> Vec<EventField> {
    values
        .iter()
        .map(|v| EventField {
            name: None,
            value: (*v).to_owned(),
        })
        .collect()
}

fn event(record_id: u64, provider: &str, event_id: u16, data: Vec<EventField>) -> Event {
    Event {
        channel: "System".to_owned(),
        provider: provider.to_owned(),
        event_id,
        qualifiers: Some(16384),
        level: Level::Information,
        record_id,
        time: base_time() + Duration::seconds(record_id as i64),
        computer: "EXMBX01.contoso.com".to_owned(),
        user_sid: None,
        data,
        recovered: false,
    }
}

fn varied_events() -> Vec<Event> {
    let mut scm = event(
        4711,
        "Service Control Manager",
        7003,
        named(&[
            ("param1", "Microsoft Exchange-Informationsspeicher"),
            ("param2", "NtLmSsp"),
        ]),
    );
    scm.qualifiers = Some(49152);
    scm.level = Level::Error;
    scm.time = base_time();

    let mut app_error = event(
        4712,
        "Application Error",
        1000,
        positional(&[
            "MSExchangeRepl.exe",
            "8.1.240.6",
            "4745fb4a",
            "kernel32.dll",
            "6.0.6001.18000",
            "4791ada5",
            "e0434f4d",
            "000000000002649d",
            "",
        ]),
    );
    app_error.channel = "Application".to_owned();
    app_error.qualifiers = Some(0);
    app_error.level = Level::Error;

    let mut manifest = event(
        4713,
        "Microsoft-Windows-Kernel-General",
        12,
        named(&[("MajorVersion", "6")]),
    );
    manifest.qualifiers = None;

    let mut with_sid = event(
        4714,
        "MsiInstaller",
        1033,
        positional(&[
            "Größenänderung – Übersicht für Änderungen (ÄÖÜäöüß)",
            "8.1.240.6",
            "1031",
            "0",
            "Microsoft",
        ]),
    );
    with_sid.user_sid = Some("S-1-5-21-1004336348-1177238915-682003330-500".to_owned());
    with_sid.channel = "Application".to_owned();

    let mut markup = event(
        4715,
        "MSExchange Common",
        4999,
        positional(&["a <b> & \"c\" 'd'", "😀 ☃"]),
    );
    markup.level = Level::Warning;

    let mut empty = event(4716, "EventLog", 6005, Vec::new());
    empty.qualifiers = Some(32768);

    let mut critical = event(
        4717,
        "Microsoft-Windows-Kernel-Power",
        41,
        named(&[("BugcheckCode", "0")]),
    );
    critical.level = Level::Critical;
    critical.qualifiers = None;
    critical.user_sid = Some("S-1-5-18".to_owned());

    let mut verbose = event(4720, "Tcpip", 4201, positional(&["Local Area Connection"]));
    verbose.level = Level::Verbose;

    let mut mixed = event(
        4721,
        "Custom",
        1,
        vec![
            EventField {
                name: Some("First".to_owned()),
                value: "1".to_owned(),
            },
            EventField {
                name: None,
                value: "two".to_owned(),
            },
            EventField {
                name: Some("Third".to_owned()),
                value: String::new(),
            },
        ],
    );
    mixed.time = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap() + Duration::nanoseconds(999_999_900);

    vec![
        scm, app_error, manifest, with_sid, markup, empty, critical, verbose, mixed,
    ]
}

#[test]
fn varied_events_round_trip_identically() {
    let events = varied_events();
    let bytes = write_evtx(&events);
    assert_eq!(bytes.len(), FILE_HEADER_SIZE + CHUNK_SIZE);
    assert_eq!(read_back(&bytes), events);
}

#[test]
fn output_is_deterministic() {
    let events = varied_events();
    assert_eq!(write_evtx(&events), write_evtx(&events));
}

fn many_events(count: u64) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let mut e = event(
                10_000 + i,
                if i % 3 == 0 {
                    "Service Control Manager"
                } else {
                    "MSExchangeSetup"
                },
                7036,
                if i % 2 == 0 {
                    named(&[
                        ("param1", &format!("Dienst Nr. {i} für Öl & Gas")),
                        ("param2", "Ausgeführt"),
                    ])
                } else {
                    positional(&[&format!("Wert {i}"), "ä", "ö", "ü"])
                },
            );
            e.time = base_time() + Duration::milliseconds(i as i64 * 1501);
            e
        })
        .collect()
}

#[test]
fn thousands_of_events_span_several_chunks() {
    let events = many_events(2000);
    let bytes = write_evtx(&events);
    let chunks = (bytes.len() - FILE_HEADER_SIZE) / CHUNK_SIZE;
    assert!(chunks >= 3, "{chunks} chunks");
    assert_eq!((bytes.len() - FILE_HEADER_SIZE) % CHUNK_SIZE, 0);
    // File header: chunk count, last chunk number, next record id.
    assert_eq!(u16::from_le_bytes([bytes[42], bytes[43]]) as usize, chunks);
    assert_eq!(
        u64::from_le_bytes(bytes[16..24].try_into().unwrap()) as usize,
        chunks - 1
    );
    assert_eq!(u64::from_le_bytes(bytes[24..32].try_into().unwrap()), 12_000);
    assert_eq!(read_back(&bytes), events);
}

#[test]
fn too_large_record_and_bad_ids_are_errors() {
    let huge = "x".repeat(30_000);
    let big = event(1, "Big", 1, positional(&[&huge, &huge]));
    assert!(matches!(
        try_write_evtx(&[big]),
        Err(EvtxWriteError::RecordTooLarge { record_id: 1, .. })
    ));
    let err = try_write_evtx(&[event(5, "A", 1, vec![]), event(5, "A", 1, vec![])]).unwrap_err();
    assert_eq!(
        err,
        EvtxWriteError::RecordIdsNotIncreasing {
            previous: 5,
            record_id: 5
        }
    );
    let mut bad_sid = event(1, "A", 1, vec![]);
    bad_sid.user_sid = Some("S-1-five".to_owned());
    assert!(matches!(
        try_write_evtx(&[bad_sid]),
        Err(EvtxWriteError::InvalidSid { .. })
    ));
}

#[test]
fn no_events_give_the_empty_channel_file_windows_writes() {
    let bytes = write_evtx(&[]);
    assert_eq!(bytes, empty_evtx());
    assert_eq!(bytes.len(), FILE_HEADER_SIZE + CHUNK_SIZE);
    // File header: chunks 0..0, next record id 1, format 3.2, one chunk, clean.
    assert_eq!(
        &bytes[..48],
        b"ElfFile\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x80\0\0\0\x02\0\x03\0\0\x10\x01\0\0\0\0\0"
    );
    // Chunk header: first record number 1, the rest all ones, free space at 512, flags 1.
    let chunk = &bytes[FILE_HEADER_SIZE..FILE_HEADER_SIZE + 512];
    assert_eq!(&chunk[..8], b"ElfChnk\0");
    assert_eq!(u64::from_le_bytes(chunk[8..16].try_into().unwrap()), 1);
    for at in [16, 24, 32] {
        assert_eq!(u64::from_le_bytes(chunk[at..at + 8].try_into().unwrap()), u64::MAX);
    }
    assert_eq!(u32::from_le_bytes(chunk[48..52].try_into().unwrap()), 512);
    assert_eq!(u32::from_le_bytes(chunk[120..124].try_into().unwrap()), 1);
    assert!(
        bytes[FILE_HEADER_SIZE + 128..].iter().all(|b| *b == 0),
        "no tables, no records"
    );
    assert!(read_back(&bytes).is_empty());
}

/// The writer's empty file is byte for byte a real empty channel of a Windows Server
/// 2022 collection (when the shared corpus is present).
#[test]
fn empty_file_equals_a_real_empty_channel() {
    let dir = std::env::var_os("EXDOCTOR_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let path = dir.join(
        "evtx-collections/Server2022-APTSimulatorVM/Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider%4Autopilot.evtx",
    );
    let Ok(real) = std::fs::read(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    assert!(real == empty_evtx(), "differs from {}", path.display());
}

#[test]
fn checksums_are_real() {
    let mut bytes = write_evtx(&varied_events());
    let settings = ParserSettings::new().validate_checksums(true).num_threads(1);
    // Flip one byte of the first record's BinXML: the chunk's records CRC32 no longer matches.
    bytes[FILE_HEADER_SIZE + 512 + 40] ^= 0x01;
    let mut parser = EvtxParser::from_buffer(bytes).unwrap().with_configuration(settings);
    assert!(parser.records().any(|r| r.is_err()));
}

#[test]
fn sample_logs_read_back_as_their_scenarios() {
    for log in exdoctor_samples::scenarios::sample_logs() {
        if !log.path.ends_with(".evtx") {
            continue;
        }
        let bytes = log.encode();
        assert_eq!(read_back(&bytes), log.events, "{}", log.path);
    }
}
