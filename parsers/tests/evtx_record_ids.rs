//! An EVTX event's `record_id` is the record's EventRecordID, the number Event Viewer,
//! wevtutil, Chainsaw and Hayabusa show: on the fast path and on the XML (slow) path it
//! equals the `<EventRecordID>` the `evtx` crate renders, record for record, over the
//! corpus files of EXPECTED.tsv (the slow path gives the same events as the fast one on
//! the whole corpus: evtx_corpus.rs). It is the record header's id except in a log of
//! forwarded events, where the rendered id is the one of the source log.

mod common;

use std::collections::BTreeMap;

use evtx::{EvtxParser, ParserSettings};
use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};

/// EventRecordID -> (EventID text) of every record the `evtx` crate renders, and the
/// number of records whose header id differs from it.
fn rendered_ids(bytes: &[u8]) -> (BTreeMap<u64, String>, usize) {
    let mut parser = EvtxParser::from_buffer(bytes.to_vec())
        .expect("an EVTX file")
        .with_configuration(ParserSettings::new().num_threads(1));
    let mut out = BTreeMap::new();
    let mut differ = 0;
    for record in parser.records().flatten() {
        let xml = &record.data;
        let between = |open: &str, close: &str| -> Option<String> {
            let start = xml.find(open)? + open.len();
            let rest = &xml[start..];
            let start = rest.find('>')? + 1;
            let end = rest.find(close)?;
            Some(rest[start..end].trim().to_string())
        };
        // A damaged record may render without it (sample_with_a_bad_chunk_magic.evtx,
        // record 46741): the record header's id stands in, as in the parser.
        let id: u64 = between("<EventRecordID", "</EventRecordID>")
            .and_then(|t| t.parse().ok())
            .unwrap_or(record.event_record_id);
        differ += usize::from(id != record.event_record_id);
        let event_id = between("<EventID", "</EventID>").unwrap_or_default();
        out.insert(id, event_id);
    }
    (out, differ)
}

#[test]
fn record_id_is_the_rendered_event_record_id() {
    let Some(dir) = common::corpus_dir() else { return };
    let table = std::fs::read_to_string(dir.join("evtx/EXPECTED.tsv")).expect("EXPECTED.tsv");
    let mut files = 0;
    for line in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let name = line.split('\t').next().expect("file column");
        let bytes = std::fs::read(dir.join("evtx").join(name)).expect("corpus file");
        let (rendered, differ) = rendered_ids(&bytes);
        // Both hold the same forwarded event (omerbenamram/evtx issue 201).
        let forwarded = name.ends_with("MSExchange_Management_wec.evtx") || name.ends_with("issue_201.evtx");
        assert_eq!(
            differ,
            usize::from(forwarded),
            "{name}: header ids differing from EventRecordID"
        );
        let log = parse_evtx(&bytes, &EvtxOptions::default()).expect("an EVTX file");
        let ours: BTreeMap<u64, String> = log
            .events
            .iter()
            .map(|e| (e.record_id, e.event_id.to_string()))
            .collect();
        assert_eq!(ours.len(), log.events.len(), "{name}: record ids are unique");
        assert_eq!(ours, rendered, "{name}");
        files += 1;
    }
    assert_eq!(files, 19);
}

#[test]
fn forwarded_event_keeps_its_source_record_id_and_the_log_its_own_numbering() {
    let Some(dir) = common::corpus_dir() else { return };
    for name in ["MSExchange_Management_wec.evtx", "issue_201.evtx"] {
        let bytes = std::fs::read(dir.join("evtx/omerbenamram-evtx").join(name)).expect("corpus file");
        // The record header says 1 (this log's numbering), the event says 3229 (the source
        // log's EventRecordID, what Event Viewer and wevtutil show).
        assert_eq!(
            u64::from_le_bytes(bytes[4096 + 512 + 8..4096 + 512 + 16].try_into().expect("8 bytes")),
            1
        );
        for fast in [true, false] {
            let log = parse_evtx(&bytes, &EvtxOptions { filter: None, fast }).expect("an EVTX file");
            assert_eq!(log.events.len(), 1);
            assert_eq!(log.events[0].record_id, 3229, "fast path: {fast}");
            assert_eq!(log.events[0].computer, "WEC.ave.local");
            // Continuity is judged on the log's own numbering: no gap, no problem.
            assert!(log.integrity.record_id_gaps.is_empty());
            assert!(log.integrity.problems.is_empty(), "{:?}", log.integrity.problems);
        }
    }
}
