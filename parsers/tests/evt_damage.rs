//! Damaged `.evt` files: truncated, overwritten, zeroed and garbage. The parser never
//! panics, names the damage with its offset or record, and returns what is readable.

mod common;

use exdoctor_parsers::evt::{parse_evt, EvtLog};
use exdoctor_parsers::ParseError;

fn corpus() -> Option<Vec<u8>> {
    let dir = common::corpus_dir()?;
    Some(std::fs::read(dir.join("evt/SysEvent.Evt")).expect("SysEvent.Evt readable"))
}

fn numbers(log: &EvtLog<'_>) -> Vec<u32> {
    log.records.iter().map(|r| r.record_number).collect()
}

fn problem_texts(log: &EvtLog<'_>) -> Vec<String> {
    log.integrity.problems.iter().map(ToString::to_string).collect()
}

fn has_problem(log: &EvtLog<'_>, needle: &str) -> bool {
    problem_texts(log).iter().any(|p| p.contains(needle))
}

/// Deterministic pseudo-random bytes (xorshift).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn truncated_inside_the_header() {
    let Some(bytes) = corpus() else { return };
    for cut in [0, 4, 0x10, 0x2f] {
        let log = parse_evt(&bytes[..cut]);
        assert!(log.header.is_none());
        assert!(log.records.is_empty());
        assert!(
            matches!(log.integrity.problems[0], ParseError::WrongFormat { .. }),
            "cut {cut}"
        );
    }
}

#[test]
fn truncated_inside_the_first_live_record() {
    let Some(bytes) = corpus() else { return };
    // Record 1392 starts at 0x1e0130: cutting at 0x1e0200 loses 1392..=1572 (the rest
    // of the end of the file) but the records after the wrap (1573..) are still read.
    let log = parse_evt(&bytes[..0x1e0200]);
    let ids = numbers(&log);
    assert_eq!(ids.first(), Some(&1573));
    assert_eq!(ids.last(), Some(&7454));
    assert_eq!(ids.len(), 7454 - 1573 + 1);
    assert_eq!(log.integrity.unreadable, 1);
    assert!(has_problem(
        &log,
        "offset 0x1e0130: record of 0x1b8 bytes runs beyond the end of the file (truncated)"
    ));
    assert!(has_problem(&log, "reading resumes at 0x98"));
    assert!(has_problem(
        &log,
        "wrapped log ends before its maximum size 0x1f0000 (truncated)"
    ));
    assert!(has_problem(
        &log,
        "record 1573: first live record, the log declares 1392 as oldest"
    ));
}

#[test]
fn truncated_inside_the_record_split_at_the_wrap() {
    let Some(bytes) = corpus() else { return };
    // Record 1572 (0x1eff10, 344 bytes) straddles the wrap point at 0x1f0000.
    let log = parse_evt(&bytes[..0x1eff80]);
    let ids = numbers(&log);
    assert_eq!(ids.len(), 6063 - 1);
    assert_eq!(log.integrity.record_id_gaps.len(), 1);
    assert_eq!(
        (
            log.integrity.record_id_gaps[0].after,
            log.integrity.record_id_gaps[0].before
        ),
        (1571, 1573)
    );
    assert!(has_problem(
        &log,
        "offset 0x1eff10: record of 0x158 bytes runs beyond the end of the file"
    ));
    assert_eq!(log.recovered.len(), 438, "free space lies before the cut");
}

#[test]
fn truncated_in_the_middle_of_the_live_records() {
    let Some(bytes) = corpus() else { return };
    // The end-of-file record (0x1b9674) is lost: the header's offsets are used, the
    // records from 0x98 up to the cut are read.
    let log = parse_evt(&bytes[..0x100000]);
    assert!(log.eof.is_none());
    let ids = numbers(&log);
    assert_eq!(ids.first(), Some(&1573));
    assert_eq!(ids.len(), 2548);
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "consecutive up to the cut");
    assert!(has_problem(
        &log,
        "no end-of-file record; using the header's offsets 0x1e0130..0x1b81f0"
    ));
    assert!(has_problem(&log, "no readable record in the remaining"));
    assert!(log.integrity.unreadable >= 2);
}

#[test]
fn every_truncation_point_is_survived() {
    let Some(bytes) = corpus() else { return };
    let mut cut = 0x30;
    while cut < bytes.len() {
        let log = parse_evt(&bytes[..cut]);
        assert!(!log.integrity.problems.is_empty(), "truncation at {cut:#x} unnoticed");
        cut += 0xF00F;
    }
}

#[test]
fn record_length_beyond_the_file() {
    let Some(mut bytes) = corpus() else { return };
    let original = parse_evt(&bytes);
    let victim = original
        .records
        .iter()
        .find(|r| r.record_number == 3000)
        .expect("record 3000");
    let at = victim.offset as usize;
    bytes[at..at + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let log = parse_evt(&bytes);
    assert_eq!(log.records.len(), 6062);
    assert_eq!(log.integrity.unreadable, 1);
    let gap = log.integrity.record_id_gaps[0];
    assert_eq!((gap.after, gap.before, gap.missing()), (2999, 3001, 1));
    assert!(has_problem(
        &log,
        &format!("offset {at:#x}: implausible record length 0x7ffffff0")
    ));
    assert_eq!(numbers(&log).last(), Some(&7454));
}

#[test]
fn length_pointing_past_the_end_of_a_small_file() {
    let Some(bytes) = corpus() else { return };
    // Keep the header and the records after the wrap up to record 1600, make the
    // last kept record claim 0x10000 bytes.
    let original = parse_evt(&bytes);
    let last = original
        .records
        .iter()
        .find(|r| r.record_number == 1600)
        .expect("record 1600");
    let end = (last.offset + last.length) as usize;
    let mut small = bytes[..end].to_vec();
    let at = last.offset as usize;
    small[at..at + 4].copy_from_slice(&0x10000u32.to_le_bytes());
    let log = parse_evt(&small);
    assert_eq!(numbers(&log), (1573..1600).collect::<Vec<u32>>());
    assert!(has_problem(
        &log,
        &format!("offset {at:#x}: record of 0x10000 bytes runs beyond the end of the file")
    ));
}

#[test]
fn zeroed_region_inside_the_live_records() {
    let Some(mut bytes) = corpus() else { return };
    let original = parse_evt(&bytes);
    let (from, to) = (0x80000usize, 0x90000usize);
    let lost: Vec<u32> = original
        .records
        .iter()
        .filter(|r| (r.offset as usize) < to && (r.offset + r.length) as usize > from)
        .map(|r| r.record_number)
        .collect();
    assert_eq!(
        (lost.len(), lost[0]),
        (29, 2875),
        "records 2875..=2903 overlap the region"
    );
    let first_lost = original
        .records
        .iter()
        .find(|r| r.record_number == lost[0])
        .map(|r| r.offset);
    drop(original);
    bytes[from..to].fill(0);
    let log = parse_evt(&bytes);
    assert_eq!(log.records.len(), 6063 - lost.len());
    let gap = log.integrity.record_id_gaps[0];
    assert_eq!(gap.after, u64::from(lost[0]) - 1);
    assert_eq!(gap.before, u64::from(*lost.last().unwrap()) + 1);
    assert_eq!(log.integrity.unreadable, 1);
    let first_lost = first_lost.expect("offset of the first lost record");
    assert!(has_problem(
        &log,
        &format!("offset {first_lost:#x}: trailing length 0x0 differs from length 0x8fc")
    ));
    assert!(has_problem(
        &log,
        "offset 0x7fc30: 0x1048c unreadable bytes skipped, reading resumes at 0x900bc"
    ));
    assert_eq!(numbers(&log).first(), Some(&1392));
    assert_eq!(numbers(&log).last(), Some(&7454));
}

#[test]
fn zeroed_header_falls_back_to_scanning() {
    let Some(mut bytes) = corpus() else { return };
    bytes[..0x30].fill(0);
    let log = parse_evt(&bytes);
    assert!(log.header.is_none());
    assert!(has_problem(&log, "not a EVT file"));
    assert!(has_problem(&log, "records found by scanning the whole file"));
    let ids = numbers(&log);
    assert!(ids.contains(&1392) && ids.contains(&1572) && ids.contains(&7454));
    assert_eq!(ids.len(), 6063 + 438);
}

#[test]
fn random_bytes_after_a_valid_header() {
    let Some(bytes) = corpus() else { return };
    let mut garbage = bytes[..0x30].to_vec();
    garbage.extend(noise(0x40000, 0x9E37_79B9_7F4A_7C15));
    let log = parse_evt(&garbage);
    assert!(log.header.is_some());
    assert!(log.records.is_empty());
    assert!(has_problem(
        &log,
        "no live record readable, the log declares records 1392..7429"
    ));
    assert!(has_problem(&log, "wrapped log ends before its maximum size"));
}

#[test]
fn random_byte_flips_never_panic() {
    let Some(bytes) = corpus() else { return };
    let positions = noise(32 * 4, 42);
    for chunk in positions.chunks_exact(4) {
        let mut damaged = bytes.clone();
        let at = (u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize) % damaged.len();
        for (i, b) in damaged[at..].iter_mut().take(16).enumerate() {
            *b ^= 0x5A ^ i as u8;
        }
        let log = parse_evt(&damaged);
        assert!(log.records.len() >= 6063 - 3, "flip at {at:#x}: {}", log.records.len());
    }
}
