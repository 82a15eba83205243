//! The legacy EVT parser against the real SysEvent.Evt of the shared corpus, compared
//! with the figures libevt produced for it (corpus/evt/EXPECTED.tsv).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use exdoctor_parsers::evt::{parse_evt, read_events};

/// EXPECTED.tsv parsed: counts, first/last record fields and the top-20 table.
struct Expected {
    records: u64,
    recovered: u64,
    first: HashMap<String, String>,
    last: HashMap<String, String>,
    top: Vec<(String, u16, usize)>,
}

fn fields(columns: &[&str]) -> HashMap<String, String> {
    columns
        .iter()
        .filter_map(|c| c.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn expected(dir: &std::path::Path) -> Expected {
    let text = std::fs::read_to_string(dir.join("evt/EXPECTED.tsv")).expect("EXPECTED.tsv readable");
    let mut exp = Expected {
        records: 0,
        recovered: 0,
        first: HashMap::new(),
        last: HashMap::new(),
        top: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let columns: Vec<&str> = line.split('\t').collect();
        match columns[0] {
            "records" => exp.records = columns[1].parse().expect("record count"),
            "recovered_records" => exp.recovered = columns[1].parse().expect("recovered count"),
            "first_record" => exp.first = fields(&columns[1..]),
            "last_record" => exp.last = fields(&columns[1..]),
            source => exp.top.push((
                source.to_string(),
                columns[1].parse().expect("event id"),
                columns[2].parse().expect("count"),
            )),
        }
    }
    exp
}

fn corpus_file() -> Option<(PathBuf, Vec<u8>)> {
    let dir = common::corpus_dir()?;
    let bytes = std::fs::read(dir.join("evt/SysEvent.Evt")).expect("SysEvent.Evt readable");
    Some((dir, bytes))
}

#[test]
fn sysevent_matches_libevt_reference() {
    let Some((dir, bytes)) = corpus_file() else { return };
    let exp = expected(&dir);
    assert_eq!(exp.records, 6063, "reference file changed");
    assert_eq!(exp.top.len(), 20);

    let read = read_events(&bytes, "System");
    let live: Vec<_> = read.events.iter().filter(|e| !e.recovered).collect();
    let recovered = read.events.iter().filter(|e| e.recovered).count() as u64;
    assert_eq!(live.len() as u64, exp.records);
    assert_eq!(recovered, exp.recovered);
    assert_eq!(read.integrity.readable, exp.records + exp.recovered);
    assert_eq!(read.integrity.recovered, exp.recovered);
    assert_eq!(read.integrity.unreadable, 0);
    assert!(read.integrity.record_id_gaps.is_empty());
    assert!(read.integrity.problems.is_empty(), "{:?}", read.integrity.problems);

    for (event, want) in [(live[0], &exp.first), (live[live.len() - 1], &exp.last)] {
        assert_eq!(event.provider, want["source"]);
        assert_eq!(event.event_id.to_string(), want["event_id"]);
        assert_eq!(event.time.format("%Y-%m-%d %H:%M:%S").to_string(), want["created"]);
        if let Some(computer) = want.get("computer") {
            assert_eq!(&event.computer, computer);
        }
        assert_eq!(event.channel, "System");
    }

    let mut counts: HashMap<(&str, u16), usize> = HashMap::new();
    for event in &live {
        *counts.entry((event.provider.as_str(), event.event_id)).or_default() += 1;
    }
    for (source, id, count) in &exp.top {
        assert_eq!(counts.get(&(source.as_str(), *id)), Some(count), "{source} {id}");
    }
    let smallest = exp.top.iter().map(|t| t.2).min().unwrap_or(0);
    let above = counts.values().filter(|c| **c >= smallest).count();
    assert_eq!(above, exp.top.len(), "the top-20 set differs");
}

#[test]
fn sysevent_header_facts_and_wrap() {
    let Some((_, bytes)) = corpus_file() else { return };
    let log = parse_evt(&bytes);
    let facts = log.facts().expect("header readable");
    assert!(facts.wrapped && facts.dirty);
    assert_eq!((facts.oldest_record_number, facts.current_record_number), (1392, 7455));
    let header = log.header.expect("header");
    assert_eq!(header.start_offset, 0x1e0130);
    assert_eq!(header.end_offset, 0x1b81f0, "stale end offset of the dirty header");
    assert_eq!(log.eof.map(|e| e.offset), Some(0x1b9674));
    // Record 1572 is split across the wrap point (0x1f0000 -> 0x30) and reassembled.
    let split = log
        .records
        .iter()
        .find(|r| r.record_number == 1572)
        .expect("record 1572");
    assert_eq!((split.offset, split.length), (0x1eff10, 344));
    assert_eq!(split.source_name, "LSASRV");
    assert_eq!(split.strings.len(), 3);
    let next = log
        .records
        .iter()
        .find(|r| r.record_number == 1573)
        .expect("record 1573");
    assert_eq!(next.offset, 0x98);
    // SIDs are formatted, recovered records span 1135..=1572 in file order.
    let with_sid = log
        .records
        .iter()
        .find(|r| r.record_number == 2314)
        .expect("record 2314");
    assert_eq!(with_sid.user_sid.as_deref(), Some("S-1-5-18"));
    let recovered: Vec<u32> = log.recovered.iter().map(|r| r.record_number).collect();
    assert_eq!(recovered.first(), Some(&1135));
    assert_eq!(recovered.last(), Some(&1572));
    assert_eq!(log.recovered.first().map(|r| r.offset), Some(0x1b9718));
}
