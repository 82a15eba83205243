//! EVTX adapter against the shared corpus: record counts and provider/EventID counts equal
//! the reference (evtx_dump 0.15.1, corpus/evtx/EXPECTED.tsv); the fast BinXML path gives
//! exactly the events of the XML rendering path; the filter keeps counting every record.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use exdoctor_parsers::event::Event;
use exdoctor_parsers::evtx::{parse_evtx, EvtxLog, EvtxOptions};

/// One row of EXPECTED.tsv.
struct Expected {
    file: PathBuf,
    records: u64,
    /// `Ser7036` -> 1176 etc.
    counts: BTreeMap<String, u64>,
}

fn expected_rows(dir: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(dir.join("evtx/EXPECTED.tsv")).expect("EXPECTED.tsv is readable");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let counts = cols
                .get(2)
                .unwrap_or(&"")
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| *k != "stderr_errors")
                .map(|(k, v)| (k.to_string(), v.parse().expect("count")))
                .collect();
            Expected {
                file: dir.join("evtx").join(cols[0]),
                records: cols[1].parse().expect("record count"),
                counts,
            }
        })
        .collect()
}

fn key_of(event: &Event) -> Option<String> {
    let prefix = match event.provider.as_str() {
        "Service Control Manager" => "Ser",
        "MsiInstaller" => "Msi",
        "Windows Error Reporting" => "Win",
        _ => return None,
    };
    Some(format!("{prefix}{}", event.event_id))
}

fn parse(path: &Path, options: &EvtxOptions<'_>) -> EvtxLog {
    let bytes = std::fs::read(path).expect("corpus file is readable");
    parse_evtx(&bytes, options).expect("an EVTX file")
}

#[test]
fn record_and_event_counts_match_the_reference() {
    let Some(dir) = common::corpus_dir() else { return };
    let rows = expected_rows(&dir);
    assert_eq!(rows.len(), 19, "EXPECTED.tsv rows");
    let mut failures = Vec::new();
    for row in &rows {
        let log = parse(&row.file, &EvtxOptions::default());
        if log.integrity.readable != row.records || log.events.len() as u64 != row.records {
            failures.push(format!(
                "{}: readable {} events {} expected {}",
                row.file.display(),
                log.integrity.readable,
                log.events.len(),
                row.records
            ));
        }
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for event in &log.events {
            if let Some(key) = key_of(event) {
                *counts.entry(key).or_default() += 1;
            }
        }
        for (key, want) in &row.counts {
            let got = counts.get(key).copied().unwrap_or(0);
            if got != *want {
                failures.push(format!("{}: {key} = {got}, expected {want}", row.file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The XML rendering replaces characters XML cannot hold (C0 controls but tab, CR, LF;
/// U+FFFE, U+FFFF) with `_`; the fast path keeps them.
fn as_xml_renders(event: &Event) -> Event {
    let mut event = event.clone();
    for field in &mut event.data {
        field.value = field
            .value
            .chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c,
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '_',
                c => c,
            })
            .collect();
    }
    event
}

#[test]
fn fast_path_equals_xml_rendering_on_the_whole_corpus() {
    let Some(dir) = common::corpus_dir() else { return };
    for row in expected_rows(&dir) {
        let fast = parse(&row.file, &EvtxOptions::default());
        let slow = parse(
            &row.file,
            &EvtxOptions {
                filter: None,
                fast: false,
            },
        );
        assert_eq!(
            fast.integrity.readable,
            slow.integrity.readable,
            "{}",
            row.file.display()
        );
        assert_eq!(fast.events.len(), slow.events.len(), "{}", row.file.display());
        for (f, s) in fast.events.iter().zip(&slow.events) {
            assert_eq!(&as_xml_renders(f), s, "{} record {}", row.file.display(), s.record_id);
        }
        assert_eq!(fast.stats.first_time, slow.stats.first_time);
        assert_eq!(fast.stats.computers, slow.stats.computers);
    }
}

#[test]
fn filter_keeps_counting_every_record() {
    let Some(dir) = common::corpus_dir() else { return };
    let path = dir.join("evtx/python-evtx/system.evtx");
    let only_7040 = |provider: &str, id: u16| provider == "Service Control Manager" && id == 7040;
    let log = parse(
        &path,
        &EvtxOptions {
            filter: Some(&only_7040),
            fast: true,
        },
    );
    assert_eq!(log.integrity.readable, 1601);
    assert_eq!(log.events.len(), 102);
    assert!(log.events.iter().all(|e| e.event_id == 7040));
    // 7040 "The start type of the %1 service was changed from %2 to %3."
    let first = &log.events[0];
    assert_eq!(first.channel, "System");
    assert!(first.data.len() >= 3, "{first:?}");
    assert_eq!(log.stats.channels.iter().collect::<Vec<_>>(), vec!["System"]);
    assert!(log.stats.first_time < log.stats.last_time);
}

#[test]
fn a_known_scm_record_has_its_fields() {
    let Some(dir) = common::corpus_dir() else { return };
    let path = dir.join("evtx/DFIRArtifactMuseum/Win2012R2-StolenSzechuan/System.evtx");
    let is_7031 = |provider: &str, id: u16| provider == "Service Control Manager" && id == 7031;
    let log = parse(
        &path,
        &EvtxOptions {
            filter: Some(&is_7031),
            fast: true,
        },
    );
    assert_eq!(log.integrity.readable, 60189);
    assert_eq!(log.integrity.unreadable, 0);
    assert_eq!(log.events.len(), 1);
    let event = &log.events[0];
    assert_eq!(event.qualifiers, Some(49152));
    assert_eq!(event.level, exdoctor_parsers::event::Level::Error);
    assert!(event.field("param1").is_some(), "{event:?}");
    assert_eq!(event.field("param2"), Some("1"), "{event:?}");
}
