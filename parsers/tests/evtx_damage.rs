//! Damaged EVTX input: the corpus' damaged samples and truncations of a real log. No
//! panic, the damage is named, the readable records are still returned.

mod common;

use std::path::{Path, PathBuf};

use exdoctor_parsers::evtx::{parse_evtx, EvtxLog, EvtxOptions};
use exdoctor_parsers::ParseError;

fn corpus_file(dir: &Path, name: &str) -> PathBuf {
    dir.join("evtx").join(name)
}

fn parse_bytes(bytes: &[u8]) -> EvtxLog {
    parse_evtx(bytes, &EvtxOptions::default()).expect("starts with an EVTX signature")
}

fn problems_text(log: &EvtxLog) -> String {
    log.integrity
        .problems
        .iter()
        .map(ParseError::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_chunk_magic_is_named_and_the_other_chunks_are_read() {
    let Some(dir) = common::corpus_dir() else { return };
    let bytes = std::fs::read(corpus_file(
        &dir,
        "omerbenamram-evtx/sample_with_a_bad_chunk_magic.evtx",
    ))
    .expect("read");
    let log = parse_bytes(&bytes);
    let text = problems_text(&log);
    assert_eq!(log.integrity.readable, 301);
    assert!(
        text.contains("chunk 10: unreadable chunk header (Invalid EVTX chunk header magic"),
        "{text}"
    );
    assert!(
        text.contains("chunk 7: header declares records 47628..=47705 (78), 44 found; 34 lost"),
        "{text}"
    );
    assert!(text.contains("record 46741: no TimeCreated"), "{text}");
    assert_eq!(log.integrity.unreadable, 16 + 116 + 34 + 1);
    assert_eq!(log.integrity.record_id_gaps.len(), 3);
    assert_eq!(log.integrity.record_id_gaps[0].after, 45933);
    assert_eq!(log.integrity.record_id_gaps[0].before, 46728);
}

#[test]
fn zero_size_record_is_skipped_and_named() {
    let Some(dir) = common::corpus_dir() else { return };
    let bytes = std::fs::read(corpus_file(
        &dir,
        "omerbenamram-evtx/sample-with-zero-data-size-event.evtx",
    ))
    .expect("read");
    let log = parse_bytes(&bytes);
    let text = problems_text(&log);
    assert_eq!(log.integrity.readable, 449);
    assert_eq!(log.integrity.unreadable, 1);
    assert!(
        text.contains("record 3: chunk 0 offset 0x1820: record size 0 too small; skipped to the next record"),
        "{text}"
    );
    assert_eq!(log.integrity.record_id_gaps.len(), 1);
    assert_eq!(log.integrity.record_id_gaps[0].missing(), 1);
}

#[test]
fn log_without_crc32_flags_is_clean() {
    let Some(dir) = common::corpus_dir() else { return };
    let bytes = std::fs::read(corpus_file(&dir, "omerbenamram-evtx/Application_no_crc32.evtx")).expect("read");
    let log = parse_bytes(&bytes);
    assert_eq!(log.integrity.readable, 17);
    assert_eq!(log.integrity.unreadable, 0);
    assert!(log.integrity.problems.is_empty(), "{}", problems_text(&log));
}

/// Records (readable + counted unreadable) of the first `chunks` chunks of the full log.
fn records_in_first_chunks(full: &[u8], chunks: usize) -> u64 {
    (0..chunks)
        .map(|n| {
            let at = 4096 + n * 65536;
            let first = u64::from_le_bytes(full[at + 24..at + 32].try_into().expect("8 bytes"));
            let last = u64::from_le_bytes(full[at + 32..at + 40].try_into().expect("8 bytes"));
            last - first + 1
        })
        .sum()
}

#[test]
fn truncations_keep_what_precedes_the_cut() {
    let Some(dir) = common::corpus_dir() else { return };
    let full = std::fs::read(corpus_file(&dir, "omerbenamram-evtx/system.evtx")).expect("read");
    let whole = parse_bytes(&full);
    assert_eq!(whole.integrity.readable, 1881);

    // Inside the file header: nothing to read, said so.
    let log = parse_bytes(&full[..100]);
    assert_eq!(log.integrity.readable, 0);
    assert!(problems_text(&log).contains("file header truncated: 100 of 4096 bytes"));

    // Inside the header of chunk 1: chunk 0 is read whole, chunk 1 is named.
    let cut = 4096 + 65536 + 200;
    let log = parse_bytes(&full[..cut]);
    let text = problems_text(&log);
    assert!(text.contains("chunk 1 truncated: 200 of 65536 bytes"), "{text}");
    assert!(
        text.contains("chunk 1: unreadable chunk header (chunk header incomplete)"),
        "{text}"
    );
    assert!(
        text.contains("the header declares 3 chunks, the file holds 1 whole chunks and 200 bytes"),
        "{text}"
    );
    assert_eq!(
        log.integrity.unreadable,
        records_in_first_chunks(&full, 2) - log.integrity.readable
    );
    assert_eq!(log.integrity.readable, records_in_first_chunks(&full, 1));
    assert_eq!(log.events[..], whole.events[..log.events.len()]);

    // In the middle of a record of chunk 2: the records before the cut are returned, the
    // rest of the chunk is counted as lost.
    let cut = 4096 + 2 * 65536 + 30_000;
    let log = parse_bytes(&full[..cut]);
    let text = problems_text(&log);
    let before = records_in_first_chunks(&full, 2);
    assert!(log.integrity.readable > before, "some records of chunk 2 are read");
    assert_eq!(
        log.integrity.readable + log.integrity.unreadable,
        records_in_first_chunks(&full, 3)
    );
    assert!(text.contains("chunk 2 truncated: 30000 of 65536 bytes"), "{text}");
    assert!(text.contains("chunk 2: header declares records"), "{text}");
    assert_eq!(log.events[..], whole.events[..log.events.len()]);
}

#[test]
fn corrupted_bytes_never_panic() {
    let Some(dir) = common::corpus_dir() else { return };
    let full = std::fs::read(corpus_file(&dir, "omerbenamram-evtx/system.evtx")).expect("read");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..40 {
        let mut bytes = full[..4096 + 3 * 65536].to_vec();
        for _ in 0..(1 + round * 8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = 4096 + (seed as usize % (bytes.len() - 4096));
            bytes[at] = (seed >> 32) as u8;
        }
        let log = parse_bytes(&bytes);
        assert!(log.integrity.readable + log.integrity.unreadable > 0, "round {round}");
    }
}
