//! Empty, complete and damaged logs: a legacy `.evt` with only its header and
//! end-of-file record is empty and healthy (also after a clear, also with records
//! recovered from its free space); the EVTX "no records" chunk is recognized by its exact
//! header, and any other shape stays damage.

mod common;

use exdoctor_parsers::event::{Coverage, LogState};
use exdoctor_parsers::evt::{parse_evt, read_events};
use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};

const EOF_MARKER: [u32; 4] = [0x1111_1111, 0x2222_2222, 0x3333_3333, 0x4444_4444];

/// A `.evt` file of `size` bytes: header, the end-of-file record at 0x30 (nothing live),
/// `oldest` = `current` record number, then `free` bytes, then zeros.
fn empty_evt(number: u32, size: usize, free: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // ELF_LOGFILE_HEADER: size, LfLe, 1.1, start, end, current, oldest, max size, flags,
    // retention, end size.
    for v in [
        0x30u32,
        0x654c_664c,
        1,
        1,
        0x30,
        0x30,
        number,
        number,
        size as u32,
        0,
        0,
        0x30,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    // ELF_EOF_RECORD: size, markers, begin, end, current, oldest, size.
    out.extend_from_slice(&0x28u32.to_le_bytes());
    for v in EOF_MARKER {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [0x30u32, 0x30, number, number, 0x28] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(free);
    out.resize(size, 0);
    out
}

#[test]
fn evt_with_only_header_and_end_of_file_record_is_empty() {
    let bytes = empty_evt(1, 0x10000, &[]);
    let log = parse_evt(&bytes);
    assert!(log.records.is_empty());
    assert!(log.recovered.is_empty());
    assert!(log.eof.is_some());
    assert!(log.integrity.problems.is_empty(), "{:?}", log.integrity.problems);
    assert_eq!(log.integrity.unreadable, 0);
    assert_eq!(log.integrity.coverage, Coverage::WholeLog);
    assert_eq!(log.integrity.state(), LogState::Empty);
    let facts = log.facts().expect("header");
    assert_eq!((facts.oldest_record_number, facts.current_record_number), (1, 1));

    // Cleared later in its life: the numbers go on from where they were.
    let events = read_events(&empty_evt(5_000, 0x10000, &[]), "System");
    assert!(events.events.is_empty());
    assert_eq!(events.integrity.state(), LogState::Empty);
}

#[test]
fn cleared_evt_with_a_recovered_record_is_still_empty() {
    let Some(dir) = common::corpus_dir() else { return };
    let full = std::fs::read(dir.join("evt/SysEvent.Evt")).expect("SysEvent.Evt readable");
    // Record 1392 (0x1b8 bytes at 0x1e0130) left in the free space of a cleared log.
    let stale = &full[0x1e0130..0x1e0130 + 0x1b8];
    let events = read_events(&empty_evt(7_455, 0x10000, stale), "System");
    assert_eq!(events.integrity.recovered, 1);
    assert_eq!(events.integrity.readable, 1);
    assert_eq!(events.events.len(), 1);
    assert!(events.events[0].recovered);
    assert_eq!(events.events[0].record_id, 1392);
    assert!(events.integrity.problems.is_empty(), "{:?}", events.integrity.problems);
    assert_eq!(events.integrity.state(), LogState::Empty);
}

#[test]
fn evt_declaring_records_it_does_not_hold_is_damaged() {
    let mut bytes = empty_evt(1, 0x10000, &[]);
    // The end-of-file record says records 1..=9 are live, but nothing is there.
    bytes[0x30 + 0x1c..0x30 + 0x20].copy_from_slice(&10u32.to_le_bytes());
    let log = parse_evt(&bytes);
    assert_eq!(log.integrity.state(), LogState::Damaged);
    assert_eq!(
        log.integrity.problems[0].to_string(),
        "no live record readable, the log declares records 1..9"
    );
}

/// State.evtx of the Win10 collection: a channel without records.
fn empty_evtx() -> Option<Vec<u8>> {
    let dir = common::corpus_dir()?;
    Some(std::fs::read(dir.join("evtx-collections/Win10-RathbunVM/State.evtx")).expect("State.evtx readable"))
}

/// Sets the chunk header's CRC32 to match its (edited) bytes.
fn fix_chunk_crc(bytes: &mut [u8]) {
    let chunk = &bytes[4096..4096 + 512];
    let mut head = chunk[..120].to_vec();
    head.extend_from_slice(&chunk[128..512]);
    let crc = evtx::checksum_ieee(&head);
    bytes[4096 + 124..4096 + 128].copy_from_slice(&crc.to_le_bytes());
}

fn parse(bytes: &[u8]) -> exdoctor_parsers::evtx::EvtxLog {
    parse_evtx(bytes, &EvtxOptions::default()).expect("EVTX signature")
}

#[test]
fn evtx_no_records_chunk_is_recognized_by_its_exact_header() {
    let Some(bytes) = empty_evtx() else { return };
    let log = parse(&bytes);
    assert_eq!(log.integrity.state(), LogState::Empty);
    assert_eq!(log.stats.empty_chunks, 1);

    // Free space not at 512: not the "no records" header; the chunk is walked and its
    // records checksum no longer matches.
    let mut moved = bytes.clone();
    moved[4096 + 48..4096 + 52].copy_from_slice(&600u32.to_le_bytes());
    fix_chunk_crc(&mut moved);
    let log = parse(&moved);
    assert_eq!(log.integrity.state(), LogState::Damaged);
    assert_eq!(log.stats.empty_chunks, 0);
    assert_eq!(
        log.integrity.problems[0].to_string(),
        "offset 0x1000: chunk 0: records CRC32 mismatch (records damaged or not flushed)"
    );

    // A last record number that is not all ones: not the shape either.
    let mut numbered = bytes.clone();
    numbered[4096 + 16..4096 + 24].copy_from_slice(&5u64.to_le_bytes());
    fix_chunk_crc(&mut numbered);
    let log = parse(&numbered);
    assert_eq!(log.integrity.state(), LogState::Damaged);
    assert_eq!(log.integrity.unreadable, 1);
    assert_eq!(
        log.integrity.problems[0].to_string(),
        format!(
            "offset 0x1000: chunk 0: header declares records {m}..={m} (1), 0 found; 1 lost",
            m = u64::MAX
        )
    );

    // The right shape with a damaged header CRC32: damage, said so.
    let mut bad_crc = bytes.clone();
    bad_crc[4096 + 124] ^= 0xff;
    let log = parse(&bad_crc);
    assert_eq!(log.integrity.state(), LogState::Damaged);
    assert_eq!(
        log.integrity.problems[0].to_string(),
        "offset 0x1000: chunk 0: chunk header CRC32 mismatch"
    );

    // Cut inside the chunk: truncation, not an empty log.
    let log = parse(&bytes[..4096 + 300]);
    assert_eq!(log.integrity.state(), LogState::Damaged);

    // A bad chunk magic: unreadable chunk, as before.
    let mut magic = bytes.clone();
    magic[4096] = b'X';
    let log = parse(&magic);
    assert_eq!(log.integrity.state(), LogState::Damaged);
    assert!(log.integrity.problems[0]
        .to_string()
        .contains("chunk 0: unreadable chunk header"));
}
