//! The EVT writer of the sample generator and the EVT parser agree: events written
//! and read back are equal, also when the log wraps around.

use chrono::{TimeZone, Utc};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_parsers::evt::{parse_evt, read_events};
use exdoctor_samples::evt_writer::{write_evt, write_evt_wrapped, SPLIT_AT};

fn event(record_id: u64, provider: &str, event_id: u16, level: Level, strings: &[&str]) -> Event {
    Event {
        channel: "System".to_string(),
        provider: provider.to_string(),
        event_id,
        qualifiers: Some(if level == Level::Error { 0xC000 } else { 0x4000 }),
        level,
        record_id,
        time: Utc.with_ymd_and_hms(2007, 11, 30, 16, 12, 3).unwrap() + chrono::Duration::seconds(record_id as i64 * 7),
        computer: "EXMBX02".to_string(),
        user_sid: (record_id % 3 == 0).then(|| "S-1-5-21-3623811015-3361044348-30300820-1013".to_string()),
        data: strings
            .iter()
            .map(|s| EventField {
                name: None,
                value: s.to_string(),
            })
            .collect(),
        recovered: false,
    }
}

fn sample_events(first: u64, count: u64) -> Vec<Event> {
    (first..first + count)
        .map(|id| match id % 5 {
            0 => event(
                id,
                "Service Control Manager",
                7036,
                Level::Information,
                &["Microsoft Exchange Information Store", "running"],
            ),
            1 => event(
                id,
                "Service Control Manager",
                7003,
                Level::Error,
                &["Microsoft Exchange Information Store", "NtLmSsp"],
            ),
            2 => event(
                id,
                "EventLog",
                6008,
                Level::Error,
                &["17:41:02", "30.11.2007", "", "", "", "", ""],
            ),
            3 => event(
                id,
                "MsiInstaller",
                11708,
                Level::Warning,
                &["Produkt: Microsoft Exchange Server – Größe ✓ 日本"],
            ),
            _ => event(id, "EventLog", 6005, Level::AuditSuccess, &[]),
        })
        .collect()
}

#[test]
fn written_events_read_back_equal() {
    let events = sample_events(100, 250);
    let bytes = write_evt(&events);
    assert_eq!(bytes.len() % 0x10000, 0);
    let read = read_events(&bytes, "System");
    assert_eq!(read.events, events);
    assert_eq!(read.integrity.readable, 250);
    assert_eq!(read.integrity.recovered, 0);
    assert!(read.integrity.problems.is_empty(), "{:?}", read.integrity.problems);
    let facts = read.facts.expect("facts");
    assert!(!facts.wrapped && !facts.dirty);
    assert_eq!((facts.oldest_record_number, facts.current_record_number), (100, 350));
    assert_eq!(read.events[1].full_event_id(), 0xC000_1B5B);
    assert_eq!(
        read.events[3].param(0),
        Some("Produkt: Microsoft Exchange Server – Größe ✓ 日本")
    );
}

#[test]
fn empty_log_round_trips() {
    let bytes = write_evt(&[]);
    let read = read_events(&bytes, "Application");
    assert!(read.events.is_empty());
    assert!(read.integrity.problems.is_empty(), "{:?}", read.integrity.problems);
}

#[test]
fn wrapped_log_reads_in_order_and_recovers_stale_records() {
    let events = sample_events(1000, 301);
    let stale = sample_events(700, 40);
    let bytes = write_evt_wrapped(&events, &stale);
    let log = parse_evt(&bytes);
    let header = log.header.expect("header");
    assert!(header.is_wrapped());
    assert!(
        header.start_offset as usize > bytes.len() / 2,
        "live range starts late in the file"
    );
    let numbers: Vec<u32> = log.records.iter().map(|r| r.record_number).collect();
    assert_eq!(numbers, (1000..1301).collect::<Vec<u32>>());
    // The middle record straddles the wrap point and comes back whole.
    let split = &log.records[150];
    assert!(split.offset as usize + split.length as usize > bytes.len());
    assert_eq!(
        log.records[151].offset as usize,
        0x30 + split.length as usize - SPLIT_AT
    );
    assert_eq!(
        split.strings,
        events[150].data.iter().map(|f| f.value.clone()).collect::<Vec<_>>()
    );
    let recovered: Vec<u32> = log.recovered.iter().map(|r| r.record_number).collect();
    assert_eq!(recovered, (700..740).collect::<Vec<u32>>());
    assert!(log.integrity.problems.is_empty(), "{:?}", log.integrity.problems);

    let read = read_events(&bytes, "System");
    assert_eq!(&read.events[..301], &events[..]);
    let mut expected_stale = stale.clone();
    expected_stale.iter_mut().for_each(|e| e.recovered = true);
    assert_eq!(&read.events[301..], &expected_stale[..]);
}

fn le(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn wrap_padding_at_the_end_of_the_ring_is_skipped() {
    use exdoctor_samples::evt_writer::encode_record;
    let events = sample_events(50, 20);
    let before: Vec<u8> = events[..12].iter().flat_map(encode_record).collect();
    let after: Vec<u8> = events[12..].iter().flat_map(encode_record).collect();
    let size = 0x10000usize;
    let start = size - 0x10 - before.len();
    let end = 0x30 + after.len();
    let mut file = vec![0u8; size];
    file[..0x30].copy_from_slice(&le(&[
        0x30,
        0x654c_664c,
        1,
        1,
        start as u32,
        end as u32,
        70,
        50,
        size as u32,
        2,
        0,
        0x30,
    ]));
    file[start..start + before.len()].copy_from_slice(&before);
    file[size - 0x10..].copy_from_slice(&le(&[0x27; 4]));
    file[0x30..end].copy_from_slice(&after);
    let eof = le(&[
        0x28,
        0x1111_1111,
        0x2222_2222,
        0x3333_3333,
        0x4444_4444,
        start as u32,
        end as u32,
        70,
        50,
        0x28,
    ]);
    file[end..end + 0x28].copy_from_slice(&eof);
    let read = read_events(&file, "System");
    assert_eq!(read.events, events);
    assert!(read.integrity.problems.is_empty(), "{:?}", read.integrity.problems);
}

#[test]
fn a_growing_log_shorter_than_its_maximum_size_is_not_damage() {
    let events = sample_events(1, 30);
    let mut bytes = write_evt(&events);
    bytes[0x20..0x24].copy_from_slice(&0x80000u32.to_le_bytes()); // MaxSize 512 KiB, file 64 KiB
    let read = read_events(&bytes, "Application");
    assert_eq!(read.events.len(), 30);
    assert!(read.integrity.problems.is_empty(), "{:?}", read.integrity.problems);
    // The same file cut inside its last record is reported as truncated.
    let log = parse_evt(&bytes[..0x30 + 0x200]);
    assert!(log
        .integrity
        .problems
        .iter()
        .any(|p| p.to_string().contains("runs beyond the end of the file")));
}
