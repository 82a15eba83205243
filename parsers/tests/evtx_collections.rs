//! Whole winevt\Logs folders of two real machines (corpus/evtx-collections): every file
//! parses; the 13 channels without records (EXPECTED.md) are empty and healthy; every
//! other file holds exactly the records evtx_dump 0.15.1 finds
//! (tests/fixtures/evtx_collections_records.tsv) and reports no damage, like evtx_dump.

mod common;

use std::collections::BTreeMap;

use exdoctor_parsers::event::{Coverage, LogState};
use exdoctor_parsers::evtx::{parse_evtx, EvtxLog, EvtxOptions};

const FOLDERS: [(&str, u64); 2] = [("Server2022-APTSimulatorVM", 7_660), ("Win10-RathbunVM", 42_409)];

/// The channels without records, as EXPECTED.md lists them.
const EMPTY: [(&str, &str); 13] = [
    (
        "Server2022-APTSimulatorVM",
        "Microsoft-Windows-Crypto-DPAPI%4BackUpKeySvc.evtx",
    ),
    (
        "Server2022-APTSimulatorVM",
        "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider%4Autopilot.evtx",
    ),
    (
        "Server2022-APTSimulatorVM",
        "Microsoft-Windows-Diagnosis-Scheduled%4Operational.evtx",
    ),
    ("Server2022-APTSimulatorVM", "Microsoft-Windows-PowerShell%4Admin.evtx"),
    (
        "Win10-RathbunVM",
        "Microsoft-Windows-AppXDeploymentServer%4Restricted.evtx",
    ),
    ("Win10-RathbunVM", "Microsoft-Windows-Audio%4CaptureMonitor.evtx"),
    ("Win10-RathbunVM", "Microsoft-Windows-IKE%4Operational.evtx"),
    (
        "Win10-RathbunVM",
        "Microsoft-Windows-ModernDeployment-Diagnostics-Provider%4Admin.evtx",
    ),
    ("Win10-RathbunVM", "Microsoft-Windows-PowerShell%4Admin.evtx"),
    ("Win10-RathbunVM", "Microsoft-Windows-RestartManager%4Operational.evtx"),
    ("Win10-RathbunVM", "Microsoft-Windows-VPN%4Operational.evtx"),
    ("Win10-RathbunVM", "Parameters.evtx"),
    ("Win10-RathbunVM", "State.evtx"),
];

/// (folder, file) -> records, from the evtx_dump reference.
fn reference() -> BTreeMap<(String, String), u64> {
    let text = std::fs::read_to_string(common::fixtures_dir().join("evtx_collections_records.tsv"))
        .expect("reference table is readable");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "{line}");
            (
                (cols[0].to_string(), cols[1].to_string()),
                cols[2].parse().expect("record count"),
            )
        })
        .collect()
}

/// Every record counted, none turned into an event (the counts are what is checked).
fn count_only(bytes: &[u8]) -> EvtxLog {
    let none = |_: &str, _: u16| false;
    parse_evtx(
        bytes,
        &EvtxOptions {
            filter: Some(&none),
            fast: true,
        },
    )
    .expect("an EVTX file")
}

#[test]
fn every_file_of_both_collections_matches_evtx_dump_and_empty_channels_are_healthy() {
    let Some(dir) = common::corpus_dir() else { return };
    let reference = reference();
    let mut failures = Vec::new();
    let mut seen = 0usize;
    let mut empty_seen = Vec::new();
    for (folder, total) in FOLDERS {
        let mut sum = 0u64;
        let mut paths: Vec<_> = std::fs::read_dir(dir.join("evtx-collections").join(folder))
            .expect("collection folder")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "evtx"))
            .collect();
        paths.sort();
        for path in paths {
            seen += 1;
            let name = path.file_name().expect("file name").to_string_lossy().into_owned();
            let log = count_only(&std::fs::read(&path).expect("readable"));
            let i = &log.integrity;
            sum += i.readable;
            let want = reference.get(&(folder.to_string(), name.clone())).copied();
            if want != Some(i.readable) {
                failures.push(format!("{folder}/{name}: {} records, evtx_dump {want:?}", i.readable));
            }
            if i.unreadable != 0 || !i.problems.is_empty() || !i.record_id_gaps.is_empty() {
                failures.push(format!(
                    "{folder}/{name}: damage reported, evtx_dump none: {} unreadable, {:?}, gaps {:?}",
                    i.unreadable, i.problems, i.record_id_gaps
                ));
            }
            assert_eq!(i.coverage, Coverage::WholeLog);
            let is_listed_empty = EMPTY.contains(&(folder, name.as_str()));
            match i.state() {
                LogState::Empty => {
                    empty_seen.push((folder, name.clone()));
                    assert_eq!(log.stats.empty_chunks, 1, "{name}");
                    assert_eq!(log.stats.chunks, 0, "{name}");
                    assert_eq!(log.stats.first_time, None, "{name}");
                    assert!(log.stats.channels.is_empty(), "{name}");
                }
                LogState::Complete => assert_eq!(log.stats.empty_chunks, 0, "{name}"),
                LogState::Damaged => failures.push(format!("{folder}/{name}: damaged")),
            }
            if is_listed_empty != (i.state() == LogState::Empty) {
                failures.push(format!("{folder}/{name}: state {:?}", i.state()));
            }
        }
        assert_eq!(sum, total, "{folder}: records (EXPECTED.md)");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(seen, 85 + 109);
    assert_eq!(seen, reference.len());
    assert_eq!(empty_seen.len(), 13);
}

#[test]
fn cleared_channel_is_empty_although_stale_records_follow_its_chunk_header() {
    let Some(dir) = common::corpus_dir() else { return };
    // Cleared (or never written) channels keep old bytes after the "no records" chunk
    // header: Server2022's PowerShell Admin log has a stale record 1 at offset 512 of its
    // chunk, Win10's State log a stale record 70. Neither is a record of the log.
    for (folder, file, stale_id) in [
        (
            "Server2022-APTSimulatorVM",
            "Microsoft-Windows-PowerShell%4Admin.evtx",
            1u64,
        ),
        ("Win10-RathbunVM", "State.evtx", 70),
    ] {
        let bytes = std::fs::read(dir.join("evtx-collections").join(folder).join(file)).expect("readable");
        let chunk = &bytes[4096..4096 + 65536];
        assert_eq!(&chunk[..8], b"ElfChnk\0");
        let u64_at = |o: usize| u64::from_le_bytes(chunk[o..o + 8].try_into().expect("8 bytes"));
        let u32_at = |o: usize| u32::from_le_bytes(chunk[o..o + 4].try_into().expect("4 bytes"));
        // The "no records" chunk header, as Windows writes it.
        assert_eq!(u64_at(8), 1, "first event record number");
        assert_eq!(u64_at(16), u64::MAX, "last event record number");
        assert_eq!(u64_at(24), u64::MAX, "first event record id");
        assert_eq!(u64_at(32), u64::MAX, "last event record id");
        assert_eq!(u32_at(44), 0, "last event record offset");
        assert_eq!(u32_at(48), 512, "free space offset");
        assert_eq!(u32_at(52), 0, "events checksum");
        // The stale record right after the header.
        assert_eq!(&chunk[512..516], b"**\0\0");
        assert_eq!(u64_at(512 + 8), stale_id);

        let log = parse_evtx(&bytes, &EvtxOptions::default()).expect("an EVTX file");
        assert_eq!(log.integrity.state(), LogState::Empty, "{file}");
        assert_eq!(log.integrity.readable, 0);
        assert_eq!(log.integrity.unreadable, 0);
        assert!(log.integrity.problems.is_empty(), "{:?}", log.integrity.problems);
        assert!(log.events.is_empty());
        assert_eq!(log.stats.header_next_record_id, 1);
        // Serialized, the state is explicit.
        let json = serde_json::to_value(&log.integrity).expect("json");
        assert_eq!(json["state"], "empty");
        assert_eq!(json["coverage"], "whole_log");
    }
}
