//! Host identity, clocks and integrity on real data (issue "one host per machine, the
//! right clock, and silence on healthy logs"): the two complete winevt\Logs folders of
//! ../shared/corpus/evtx-collections against their EXPECTED.md, the 2013+ setup logs of
//! the corpus against their own bracket times, and fixtures of renamed machines and of
//! an export holding several computers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_samples::evtx_writer::write_evtx;
use serde_json::Value;

use crate::common;

/// `analyze --format json` of `paths` with `extra` arguments: exit code and document.
fn analyze(paths: &[&Path], extra: &[&str]) -> (Option<i32>, Value) {
    let mut args: Vec<String> = vec!["analyze".into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::exdoctor(&refs);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    (out.status.code(), doc)
}

fn host_names(doc: &Value) -> Vec<String> {
    doc["hosts"]
        .as_array()
        .map(|hosts| {
            hosts
                .iter()
                .filter_map(|h| h["name"].as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn each_real_collection_is_one_host_with_healthy_empty_channels() {
    let Some(corpus) = common::corpus_dir() else { return };
    let expected: [(&str, &str, &[&str], usize); 2] = [
        ("Server2022-APTSimulatorVM", "WIN-FUDU2CKJOE8", &[], 4),
        ("Win10-RathbunVM", "DESKTOP-GNCCVRK", &["WIN-28GFHAGEV4P"], 9),
    ];
    for (folder, name, aliases, empty) in expected {
        let dir = corpus.join("evtx-collections").join(folder);
        let (code, doc) = analyze(&[&dir], &[]);
        assert_eq!(code, Some(0), "{folder}: a healthy collection exits 0");
        assert_eq!(host_names(&doc), [name], "{folder}");
        let host = &doc["hosts"][0];
        assert_eq!(strings(&host["aliases"]), aliases, "{folder}");
        let findings = doc["findings"].as_array().cloned().unwrap_or_default();
        assert!(
            findings.iter().all(|f| f["rule"] != "event-log-gap"),
            "{folder}: no integrity finding on healthy logs"
        );
        assert!(
            findings
                .iter()
                .all(|f| f["severity"] != "error" && f["severity"] != "critical"),
            "{folder}: {findings:#?}"
        );
        let diagnostics = doc["diagnostics"].as_array().cloned().unwrap_or_default();
        assert!(
            diagnostics.iter().all(|d| d["level"] != "error"),
            "{folder}: {diagnostics:#?}"
        );
        let sources = host["sources"].as_array().cloned().unwrap_or_default();
        let empties = sources.iter().filter(|s| s["details"]["state"] == "empty").count();
        assert_eq!(empties, empty, "{folder}: every empty channel summarized as empty");
    }
    // The rename is shown with what proves it.
    let dir = corpus.join("evtx-collections/Win10-RathbunVM");
    let (_, doc) = analyze(&[&dir], &[]);
    let rename = &doc["hosts"][0]["renames"][0];
    assert_eq!(
        (rename["old"].as_str(), rename["new"].as_str()),
        (Some("WIN-28GFHAGEV4P"), Some("DESKTOP-GNCCVRK"))
    );
    assert_eq!(rename["time"].as_str(), Some("2022-02-05T22:18:47.914365200Z"));
    assert!(rename["how"].as_str().is_some_and(|h| h.contains("EventLog 6011")));
    // --host finds the machine by its old name too.
    let (_, by_alias) = analyze(&[&dir], &["--host", "win-28gfhagev4p"]);
    assert_eq!(host_names(&by_alias), ["DESKTOP-GNCCVRK"]);
}

#[test]
fn damaged_corpus_logs_are_still_reported_as_damaged() {
    let Some(corpus) = common::corpus_dir() else { return };
    let damaged = corpus.join("evtx/omerbenamram-evtx/sample_with_a_bad_chunk_magic.evtx");
    if !damaged.is_file() {
        // The set names its damaged samples in EXPECTED.tsv; take the ones with errors.
        panic!("corpus sample missing: {}", damaged.display());
    }
    let (_, doc) = analyze(&[&damaged], &[]);
    let gaps: Vec<&Value> = doc["findings"]
        .as_array()
        .map(|f| f.iter().filter(|f| f["rule"] == "event-log-gap").collect())
        .unwrap_or_default();
    assert_eq!(gaps.len(), 1, "{doc:#?}");
}

/// The bracket time of a setup-log line as UTC (month-first 2013+ form).
fn bracket_utc(line: &str) -> Option<DateTime<Utc>> {
    let inner = line.strip_prefix('[')?.split(']').next()?;
    let (date, time) = inner.split_once(' ')?;
    let mut d = date.split(['/', '.', '-']);
    let (month, day, year): (u32, u32, i32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let mut t = time.split([':', '.']);
    let (h, m, s): (u32, u32, u32) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    Utc.with_ymd_and_hms(year, month, day, h, m, s).single()
}

/// Every `.log` of the corpus' CSS-Exchange set.
fn css_logs(corpus: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus.join("setup-logs/css-exchange")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "log") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `(rule, evidence location, evidence time)` of the findings about `log`.
fn evidence_times(doc: &Value, log: &Path) -> BTreeSet<(String, String, String)> {
    let name = log.display().to_string();
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| {
            let rule = f["rule"].as_str().unwrap_or_default().to_string();
            f["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["source"] == name.as_str())
                .map(|e| {
                    (
                        rule.clone(),
                        e["location"].as_str().unwrap_or_default().to_string(),
                        e["time"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn setup_logs_of_exchange_2013_and_later_keep_their_utc_bracket_times() {
    let Some(corpus) = common::corpus_dir() else { return };
    let logs = css_logs(&corpus);
    assert_eq!(logs.len(), 11);
    let everything = analyze(&[&corpus.join("setup-logs")], &[]).1;
    let mut checked = 0;
    for log in &logs {
        let text = String::from_utf8_lossy(&std::fs::read(log).expect("log")).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let (_, alone) = analyze(&[log], &[]);
        let source = &alone["hosts"][0]["sources"][0]["details"];
        assert_eq!(source["clock"]["clock"], "utc", "{}: {source:#}", log.display());
        // A measured clock agrees with the header: local minus bracket = the zone offset.
        if let Some(offset) = source["clock"]["evidence"]["offset_minutes"].as_i64() {
            assert_ne!(offset, 0, "{}: a measured UTC clock", log.display());
        }
        for (_, location, time) in evidence_times(&alone, log) {
            let Some(n) = location.strip_prefix("line ").and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            if time.is_empty() {
                continue;
            }
            let Some(bracket) = lines.get(n - 1).and_then(|l| bracket_utc(l)) else {
                continue;
            };
            let given = DateTime::parse_from_rfc3339(&time)
                .map(|t| t.with_timezone(&Utc))
                .expect("time");
            assert_eq!(
                given.format("%Y-%m-%dT%H:%M:%S").to_string(),
                bracket.format("%Y-%m-%dT%H:%M:%S").to_string(),
                "{} line {n}",
                log.display()
            );
            checked += 1;
        }
        // The same findings at the same times with the rest of the corpus beside it.
        assert_eq!(
            evidence_times(&alone, log),
            evidence_times(&everything, log),
            "{}",
            log.display()
        );
    }
    assert!(checked > 20, "only {checked} timed evidence lines checked");
}

#[test]
fn the_role_invocation_measurement_agrees_with_the_header_zone() {
    let Some(corpus) = common::corpus_dir() else { return };
    let mut measured = 0;
    for log in css_logs(&corpus) {
        let (_, doc) = analyze(&[&log], &[]);
        let details = &doc["hosts"][0]["sources"][0]["details"];
        let Some(offset) = details["clock"]["evidence"]["offset_minutes"].as_i64() else {
            continue;
        };
        measured += 1;
        let zone = details["runs"][0]["header"]["time_zone"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let standard = exdoctor_parsers::setup_log::utc_offset_minutes(&zone).expect("header zone") as i64;
        // Daylight saving may add an hour to the standard offset of the header.
        assert!(
            offset == standard || offset == standard + 60,
            "{}: {offset} vs {zone}",
            log.display()
        );
    }
    // PrepareSchema-8245 (UTC-06:00, -360) and ADServiceNotStarted (UTC-05:00 in March:
    // daylight saving, -240) carry it.
    assert_eq!(measured, 2, "logs of the corpus measured by $RoleInvocationID");
}

fn event(computer: &str, record: u64, time: DateTime<Utc>, provider: &str, id: u16, data: &[&str]) -> Event {
    Event {
        channel: "System".into(),
        provider: provider.into(),
        event_id: id,
        qualifiers: None,
        level: Level::Information,
        record_id: record,
        time,
        computer: computer.into(),
        user_sid: None,
        data: data
            .iter()
            .map(|v| EventField {
                name: None,
                value: (*v).to_string(),
            })
            .collect(),
        recovered: false,
    }
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 6, day, hour, 0, 0)
        .single()
        .unwrap_or_default()
}

#[test]
fn a_machine_renamed_twice_is_one_host_found_by_any_of_its_names() {
    let dir = tempdir("renamed");
    let host = dir.join("CITADEL-DC01");
    std::fs::create_dir_all(&host).expect("dir");
    // System: installed as WIN-HRJHA99CCDO, renamed twice (6011 each time).
    let system = vec![
        event("WIN-HRJHA99CCDO", 1, at(1, 8), "EventLog", 6005, &[]),
        event(
            "WIN-HRJHA99CCDO",
            2,
            at(1, 9),
            "EventLog",
            6011,
            &["WIN-HRJHA99CCDO", "WIN-E0PO207ERMD"],
        ),
        event("WIN-E0PO207ERMD", 3, at(1, 10), "EventLog", 6005, &[]),
        event(
            "WIN-E0PO207ERMD",
            4,
            at(2, 9),
            "EventLog",
            6011,
            &["WIN-E0PO207ERMD", "CITADEL-DC01"],
        ),
        event("CITADEL-DC01.C137.local", 5, at(2, 10), "EventLog", 6005, &[]),
    ];
    std::fs::write(host.join("System.evtx"), write_evtx(&system)).expect("write");
    // Application: its early records carry the first name, no 6011 in it.
    let application = vec![
        event("WIN-HRJHA99CCDO", 1, at(1, 8), "Application Error", 1000, &["x.exe"]),
        event(
            "CITADEL-DC01.C137.local",
            2,
            at(3, 8),
            "Application Error",
            1000,
            &["y.exe"],
        ),
    ];
    std::fs::write(host.join("Application.evtx"), write_evtx(&application)).expect("write");
    std::fs::write(host.join("Empty%4Operational.evtx"), write_evtx(&[])).expect("write");
    let (code, doc) = analyze(&[&host], &[]);
    assert_eq!(code, Some(0));
    assert_eq!(host_names(&doc), ["CITADEL-DC01"], "{doc:#}");
    let h = &doc["hosts"][0];
    assert_eq!(h["fqdn"], "CITADEL-DC01.C137.local");
    assert_eq!(strings(&h["aliases"]), ["WIN-E0PO207ERMD", "WIN-HRJHA99CCDO"]);
    assert_eq!(h["renames"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        h["sources"].as_array().map(Vec::len),
        Some(3),
        "the empty channel joins its folder's host"
    );
    for asked in [
        "WIN-HRJHA99CCDO",
        "win-e0po207ermd",
        "citadel-dc01.c137.local",
        "CITADEL-DC01",
    ] {
        let (_, doc) = analyze(&[&host], &["--host", asked]);
        assert_eq!(host_names(&doc), ["CITADEL-DC01"], "--host {asked}");
    }
    let timeline = common::exdoctor(&["timeline", "--host", "WIN-HRJHA99CCDO", &host.display().to_string()]);
    let text = common::stdout_text(&timeline);
    assert!(
        text.lines().count() >= 5 && text.lines().all(|l| l.contains("CITADEL-DC01")),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_export_of_several_computers_gives_one_host_per_computer() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forwarded_events.xml");
    let (_, doc) = analyze(&[&fixture], &[]);
    assert_eq!(host_names(&doc), ["FS03", "IE10WIN7"], "{doc:#}");
    for host in doc["hosts"].as_array().into_iter().flatten() {
        let how = host["attribution"][0]["how"].as_str().unwrap_or_default();
        assert!(how.contains("records belong to this host"), "{how}");
    }
}

/// A fresh folder under the target directory.
fn tempdir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("real-collections-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn csv_export_times_are_local_until_the_host_zone_converts_them() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventviewer_system_saveas.csv");
    let csv = std::fs::read(&fixture).expect("fixture");
    let first_time = |doc: &Value| -> String {
        let finding = doc["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["rule"] == "service-crash"))
            .cloned()
            .unwrap_or_default();
        finding["evidence"][0]["time"].as_str().unwrap_or_default().to_string()
    };
    // Alone: the exporting machine's local time, zone unknown (no `Z`).
    let (_, alone) = analyze(&[&fixture], &[]);
    assert_eq!(first_time(&alone), "2008-03-15T01:22:05.000");
    // Beside the host's registry export (W. Europe, UTC+1 in March 2008): UTC.
    let dir = tempdir("csv-zone").join("EX01");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("System.csv"), &csv).expect("csv");
    let reg = "REGEDIT4\r\n\r\n\
        [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\
        \"Hostname\"=\"EX01\"\r\n\"Domain\"=\"contoso.com\"\r\n\r\n\
        [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation]\r\n\
        \"Bias\"=dword:ffffffc4\r\n\"StandardName\"=\"W. Europe Standard Time\"\r\n";
    std::fs::write(dir.join("windows.reg"), reg).expect("reg");
    let (_, with_zone) = analyze(&[&dir], &[]);
    assert_eq!(host_names(&with_zone), ["EX01"]);
    assert_eq!(first_time(&with_zone), "2008-03-15T00:22:05.000Z");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
}
