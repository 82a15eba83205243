//! Hostile archives: zip bombs (one huge member, several, overlapping members), zips
//! inside zips, names listed twice, gzip files. Every member is read within the
//! limits of the README ("Limits") or skipped with a diagnostic; the other inputs
//! are still analysed, in bounded memory.

use std::fs;
use std::path::Path;

use exdoctor_samples::hostile::{gzip, raw_zip, RawMember};

use crate::common;
use crate::measure::{self, assert_linear_time, assert_peak_memory};

fn sample(path: &str) -> Vec<u8> {
    fs::read(common::samples_dir().join(path)).expect("sample file")
}

/// Every file of a sample folder as deflated members under `prefix`.
fn members_of(folder: &str, prefix: &str) -> Vec<RawMember> {
    common::sample_files(folder)
        .iter()
        .map(|(name, path)| RawMember::deflated(&format!("{prefix}{name}"), &fs::read(path).expect("read")))
        .collect()
}

#[test]
fn zip_bombs_are_refused_without_inflating_them_and_the_rest_is_analysed() {
    let dir = common::scratch("hostile_zip_bombs");
    let mut members = vec![RawMember::deflated(
        "EX01/ExchangeSetupLogs/ExchangeSetup.log",
        &sample("healthy/ExchangeSetupLogs/ExchangeSetup.log"),
    )];
    // A 1 GiB setup log (the 1 MB zip of the issue: 2.6 GB peak before).
    members.push(RawMember::repeated(
        "EX01/ExchangeSetupLogs/ExchangeSetup_big.log",
        b'x',
        1024,
    ));
    // Three 1.5 GiB event logs (allocation failure and abort before).
    for n in 1..=3 {
        members.push(RawMember::repeated(&format!("EX01/logs/System{n}.evtx"), 0, 1536));
    }
    // Under the event-log cap, but a thousandfold compression.
    members.push(RawMember::repeated("EX01/logs/Application.evtx", 0, 900));
    // Twenty members sharing the data of the first one.
    for n in 0..20 {
        members.push(RawMember {
            same_data_as: Some(0),
            ..RawMember::stored(&format!("EX01/copy{n:02}.log"), b"")
        });
    }
    let bundle = raw_zip(&members);
    assert!(bundle.len() < 8 << 20, "{} bytes", bundle.len());
    let path = dir.join("bombs.zip");
    fs::write(&path, &bundle).expect("write");

    let run = measure::exdoctor(&["analyze", "--format", "json", path.to_str().expect("path")]);
    assert_eq!(
        run.output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    assert_peak_memory("a zip of bombs", &run, bundle.len() as u64, 8, 96);
    let doc = measure::json(&run);
    assert_eq!(
        common::host_names(&doc),
        ["EXMBX05"],
        "the healthy setup log is analysed"
    );
    let messages: Vec<String> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["path"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let about = |name: &str| -> Vec<&String> { messages.iter().filter(|m| m.contains(name)).collect() };
    assert!(about("ExchangeSetup_big.log")[0].ends_with(
        "a text log or export of 1 GiB inside an archive is suspicious (limit 256 MiB); extract it and analyse the file directly"
    ));
    for n in 1..=3 {
        let system = about(&format!("System{n}.evtx"));
        assert_eq!(system.len(), 1);
        assert!(system[0].contains("an event log of 1.5 GiB inside an archive is suspicious (limit 1 GiB)"));
    }
    assert!(about("Application.evtx")[0].contains("is a compression ratio above 100:1 (a zip bomb)"));
    assert_eq!(
        about("overlaps member 'EX01/ExchangeSetupLogs/ExchangeSetup.log'").len(),
        20
    );
    assert_eq!(messages.len(), 25, "{messages:#?}");
}

#[test]
fn zips_inside_zips_and_names_listed_twice_are_analysed() {
    let dir = common::scratch("hostile_nested_zips");
    let stored_inner = raw_zip(&members_of("sp1-interrupted", "EXMBX02/"));
    let deflated_inner = raw_zip(&members_of("crl-stall", ""));
    let mut outer = vec![
        RawMember::stored("hosts/exmbx02.zip", &stored_inner),
        RawMember::deflated("hosts/crl-stall.zip", &deflated_inner),
    ];
    // The same name twice with different content: both analysed.
    outer.push(RawMember::deflated(
        "EX9/ExchangeSetup.log",
        &sample("healthy/ExchangeSetupLogs/ExchangeSetup.log"),
    ));
    outer.push(RawMember::deflated(
        "EX9/ExchangeSetup.log",
        &sample("prereq-gaps/ExchangeSetupLogs/ExchangeSetup.log"),
    ));
    let path = dir.join("fleet.zip");
    fs::write(&path, raw_zip(&outer)).expect("write");
    let run = measure::exdoctor(&["analyze", "--format", "json", path.to_str().expect("path")]);
    assert_eq!(run.output.status.code(), Some(0));
    let doc = measure::json(&run);
    let sources: Vec<String> = common::all_sources(&doc)
        .iter()
        .filter_map(|s| s["path"].as_str().map(str::to_string))
        .collect();
    // Every member of both inner zips, and both copies of the twice-listed name.
    let expected = members_of("sp1-interrupted", "").len() + members_of("crl-stall", "").len() + 2;
    assert_eq!(sources.len(), expected, "{sources:#?}");
    assert!(sources
        .iter()
        .any(|s| s.ends_with("fleet.zip/hosts/exmbx02.zip/EXMBX02/ExchangeSetupLogs/ExchangeSetup.log")));
    assert!(sources.iter().any(|s| s.ends_with("fleet.zip/EX9/ExchangeSetup.log~2")));
    assert!(
        !sources.iter().any(|s| s.ends_with(".zip")),
        "no zip is read as a log: {sources:#?}"
    );
    let names = common::host_names(&doc);
    for host in ["EXMBX02", "EXMBX05"] {
        assert!(names.iter().any(|n| n == host), "{names:?}");
    }
    assert_eq!(
        common::diagnostics_of(&doc, "ExchangeSetup.log~2")
            .iter()
            .filter(|m| m.contains("lists 'EX9/ExchangeSetup.log' 2 times"))
            .count(),
        1
    );
}

#[test]
fn gzip_files_are_analysed_like_the_files_they_hold() {
    let dir = common::scratch("hostile_gzip");
    let plain = common::samples_dir().join("sp1-interrupted");
    for entry in fs::read_dir(&plain).expect("sample").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_file() {
            fs::write(dir.join(format!("{name}.gz")), gzip(&fs::read(&path).expect("read"))).expect("write");
        }
    }
    let logs = dir.join("ExchangeSetupLogs");
    fs::create_dir_all(&logs).expect("folder");
    for name in ["ExchangeSetup.log", "Install-MailboxRole-20071130-1729400000.ps1"] {
        let data = fs::read(plain.join("ExchangeSetupLogs").join(name)).expect("read");
        fs::write(logs.join(format!("{name}.gz")), gzip(&data)).expect("write");
    }
    let analyse = |p: &Path| {
        measure::json(&measure::exdoctor(&[
            "analyze",
            "--format",
            "json",
            p.to_str().expect("path"),
        ]))
    };
    let (original, compressed) = (analyse(&plain), analyse(&dir));
    assert_eq!(common::host_names(&compressed), common::host_names(&original));
    assert_eq!(common::finding_rules(&compressed), common::finding_rules(&original));
    let records = |doc: &serde_json::Value| -> Vec<u64> {
        common::all_sources(doc)
            .iter()
            .map(|s| s["records"].as_u64().unwrap_or(0))
            .collect()
    };
    assert_eq!(records(&compressed), records(&original));
    assert!(common::all_sources(&compressed)
        .iter()
        .all(|s| s["path"].as_str().is_some_and(|p| p.ends_with(".gz"))));
}

#[test]
fn reading_a_zip_of_many_members_takes_linear_time() {
    let dir = common::scratch("hostile_many_members");
    let log = sample("healthy/ExchangeSetupLogs/ExchangeSetup.log");
    let zip_of = |n: usize| {
        let mut members: Vec<RawMember> = (0..n)
            .map(|i| RawMember::deflated(&format!("bundle/notes/{i:06}.txt"), format!("note {i}\r\n").as_bytes()))
            .collect();
        members.push(RawMember::deflated("bundle/ExchangeSetup.log", &log));
        raw_zip(&members)
    };
    let (small, large) = (dir.join("small.zip"), dir.join("large.zip"));
    fs::write(&small, zip_of(5_000)).expect("write");
    fs::write(&large, zip_of(20_000)).expect("write");
    let run = |p: &Path| measure::exdoctor(&["analyze", "--format", "json", p.to_str().expect("path")]);
    let (a, b) = (run(&small), run(&large));
    assert_eq!(b.output.status.code(), Some(0));
    let doc = measure::json(&b);
    assert!(
        doc["diagnostics"].as_array().is_some_and(Vec::is_empty),
        "notes are passed over silently"
    );
    assert_eq!(
        common::all_sources(&doc).len(),
        1,
        "the setup log among them is analysed"
    );
    assert_linear_time("20,000 zip members", &a, &b, 4.0, 1.0);
}
