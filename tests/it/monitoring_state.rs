//! `--state FILE` across runs: new, ongoing and resolved (once), `--only-changes`,
//! concurrent runs on one state file, and state files that cannot be used.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;

use serde_json::Value;

use crate::common::{copy_dir, exdoctor, samples_dir, scratch, stdout_text};

/// A wevtutil XML export with a crash of the transport service on EXMBX01.
const TRANSPORT_CRASH: &str = "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Service Control Manager'/><EventID Qualifiers='49152'>7031</EventID><Level>2</Level>\
<TimeCreated SystemTime='2008-03-22T09:14:02.000Z'/><EventRecordID>20001</EventRecordID><Channel>System</Channel>\
<Computer>EXMBX01.contoso.com</Computer></System><EventData><Data Name='param1'>Microsoft Exchange Transport</Data>\
<Data Name='param2'>1</Data><Data Name='param3'>60000</Data><Data Name='param4'>1</Data>\
<Data Name='param5'>Restart the service</Data></EventData></Event></Events>\n";

/// `analyze --format jsonl --quiet --state STATE EXTRA... DIR`: exit code and findings.
fn run(dir: &Path, state: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let dir = dir.to_string_lossy();
    let state = state.to_string_lossy();
    let mut args = vec!["analyze", "--format", "jsonl", "--quiet", "--state", &state];
    args.extend_from_slice(extra);
    args.push(&dir);
    let output = exdoctor(&args);
    (output.status.code(), findings_of(&output))
}

fn findings_of(output: &Output) -> Vec<Value> {
    stdout_text(output)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "finding")
        .collect()
}

/// `"rule subject" -> status` of findings.
fn statuses(findings: &[Value]) -> BTreeMap<String, String> {
    findings
        .iter()
        .map(|f| {
            (
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap_or("?"),
                    f["subject"].as_str().unwrap_or("?")
                ),
                f["status"].as_str().unwrap_or("(none)").to_string(),
            )
        })
        .collect()
}

fn count(statuses: &BTreeMap<String, String>, status: &str) -> usize {
    statuses.values().filter(|s| *s == status).count()
}

#[test]
fn a_crash_is_new_then_ongoing_then_resolved_once_when_its_log_is_gone() {
    let root = scratch("state_runs");
    let dir = root.join("EXMBX01");
    copy_dir(&samples_dir().join("ntlmssp-inplace-upgrade"), &dir);
    let state = root.join("exdoctor-state.json");
    let transport = "service-crash MSExchangeTransport";

    let (code, first) = run(&dir, &state, &[]);
    assert_eq!(code, Some(0));
    let first = statuses(&first);
    assert_eq!(first.len(), 6, "{first:#?}");
    assert_eq!(count(&first, "new"), 6);

    fs::write(dir.join("System-2008-03-22.xml"), TRANSPORT_CRASH).expect("write");
    let (_, second) = run(&dir, &state, &[]);
    let second = statuses(&second);
    assert_eq!(second.get(transport).map(String::as_str), Some("new"), "{second:#?}");
    assert_eq!(count(&second, "ongoing"), 6);
    assert_eq!(second.len(), 7);

    fs::remove_file(dir.join("System-2008-03-22.xml")).expect("remove the log");
    let (_, third) = run(&dir, &state, &[]);
    let resolved: Vec<&Value> = third.iter().filter(|f| f["status"] == "resolved").collect();
    assert_eq!(resolved.len(), 1, "{third:#?}");
    assert_eq!(resolved[0]["rule"], "service-crash");
    assert_eq!(resolved[0]["host"], "EXMBX01");
    assert_eq!(resolved[0]["subject"], "MSExchangeTransport");
    assert_eq!(resolved[0]["evidence"], serde_json::json!([]));
    assert!(
        resolved[0]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("No longer found (last reported ")),
        "{}",
        resolved[0]
    );
    assert_eq!(count(&statuses(&third), "ongoing"), 6);

    let (_, fourth) = run(&dir, &state, &[]);
    let fourth = statuses(&fourth);
    assert_eq!(
        (fourth.len(), count(&fourth, "ongoing")),
        (6, 6),
        "resolved once: {fourth:#?}"
    );

    // --only-changes: nothing changed now; the crash comes back as new.
    let (code, quiet) = run(&dir, &state, &["--only-changes"]);
    assert_eq!((code, quiet.len()), (Some(0), 0));
    fs::write(dir.join("System-2008-03-22.xml"), TRANSPORT_CRASH).expect("write");
    let (_, changes) = run(&dir, &state, &["--only-changes", "--fail-on", "error"]);
    assert_eq!(
        statuses(&changes),
        BTreeMap::from([(transport.to_string(), "new".to_string())])
    );

    let saved: Value = serde_json::from_slice(&fs::read(&state).expect("state file")).expect("JSON");
    assert_eq!(saved["format"], "exdoctor-state");
    assert_eq!(saved["findings"].as_object().map(|m| m.len()), Some(7));
}

#[test]
fn the_exit_code_of_fail_on_counts_new_findings_not_resolved_ones() {
    let root = scratch("state_fail_on");
    let dir = root.join("EXMBX01");
    copy_dir(&samples_dir().join("ntlmssp-inplace-upgrade"), &dir);
    fs::write(dir.join("System-2008-03-22.xml"), TRANSPORT_CRASH).expect("write");
    let state = root.join("state.json");
    let (code, _) = run(&dir, &state, &["--only-changes", "--fail-on", "error"]);
    assert_eq!(code, Some(1), "new errors");
    fs::remove_file(dir.join("System-2008-03-22.xml")).expect("remove");
    let (code, shown) = run(&dir, &state, &["--only-changes", "--fail-on", "error"]);
    assert_eq!(statuses(&shown).values().collect::<Vec<_>>(), ["resolved"]);
    assert_eq!(code, Some(0), "a resolved error does not fail the run");
}

/// Starts `analyze` with the state file without waiting for it.
fn spawn(dir: &Path, state: &Path, wait: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(["analyze", "--format", "jsonl", "--state-wait", wait, "--state"])
        .arg(state)
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("exdoctor starts")
}

#[test]
fn concurrent_runs_on_one_state_file_take_turns() {
    let dir = scratch("state_concurrent");
    let state = dir.join("state.json");
    let samples = samples_dir();
    // Each run's output is read by its own thread: a run that holds the lock must not
    // block on a full pipe while the others wait.
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let child = spawn(&samples, &state, "120");
            thread::spawn(move || child.wait_with_output().expect("the run ends"))
        })
        .collect();
    let outputs: Vec<Output> = runs.into_iter().map(|t| t.join().expect("reader thread")).collect();
    let mut all_new = 0;
    for output in &outputs {
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let findings = findings_of(output);
        assert_eq!(findings.len(), 21);
        let with = |status: &str| findings.iter().filter(|f| f["status"] == status).count();
        match (with("new"), with("ongoing")) {
            (21, 0) => all_new += 1,
            (0, 21) => {}
            other => panic!("a run saw a half-written state: {other:?}"),
        }
    }
    assert_eq!(all_new, 1, "exactly one run came first");
    let saved: Value = serde_json::from_slice(&fs::read(&state).expect("state file")).expect("valid JSON");
    assert_eq!(saved["findings"].as_object().map(|m| m.len()), Some(21));
}

#[test]
fn a_run_waits_for_a_held_lock_or_gives_up_naming_it() {
    let dir = scratch("state_locked");
    let state = dir.join("state.json");
    let lock_path = dir.join("state.json.lock");
    let healthy = samples_dir().join("healthy");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .expect("lock file");
    let mut lock = fd_lock::RwLock::new(file);
    let guard = lock.try_write().expect("the test takes the lock");

    let output = spawn(&healthy, &state, "1").wait_with_output().expect("the run ends");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("another exdoctor run holds its lock") && stderr.contains(&*lock_path.to_string_lossy()),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no report without the state");
    assert!(!state.exists());

    // The lock is released once the run says it waits for it.
    let mut waiting = spawn(&healthy, &state, "120");
    let stderr = waiting.stderr.take().expect("stderr piped");
    let said = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("waiting for another run to release"));
    assert!(said.is_some_and(|l| l.contains(&*lock_path.to_string_lossy())));
    drop(guard);
    let output = waiting.wait_with_output().expect("the run ends");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(count(&statuses(&findings_of(&output)), "new"), 2);
    assert!(state.exists());
}

#[test]
fn a_corrupt_or_foreign_state_file_is_an_error_that_names_it() {
    let dir = scratch("state_bad");
    let healthy = samples_dir().join("healthy");
    for (name, bytes, message) in [
        (
            "corrupt.json",
            &b"{\"format\": \"exdoctor-state\", \"findings\": {\"ab"[..],
            "not a valid state file",
        ),
        ("garbage.json", &b"\x00\x17PK\x03\x04"[..], "not a valid state file"),
        ("foreign.json", &b"{\"hosts\": []}\n"[..], "not an exdoctor state file"),
        (
            "newer.json",
            &b"{\"format\": \"exdoctor-state\", \"version\": 9, \"findings\": {}}"[..],
            "state version 9 is newer",
        ),
    ] {
        let state = dir.join(name);
        fs::write(&state, bytes).expect("write");
        let output = spawn(&healthy, &state, "5").wait_with_output().expect("the run ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("state file {}", state.display())) && stderr.contains(message),
            "{name}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{name}");
        assert_eq!(fs::read(&state).expect("still there"), bytes, "{name}: never reset");
    }
}

#[test]
fn the_text_report_tags_statuses_and_counts_resolved_apart() {
    let root = scratch("state_text");
    let dir = root.join("EXMBX05");
    copy_dir(&samples_dir().join("healthy"), &dir);
    let state = root.join("state.json").to_string_lossy().into_owned();
    let path = dir.to_string_lossy().into_owned();
    let first = stdout_text(&exdoctor(&["analyze", "--quiet", "--state", &state, &path]));
    let head = format!("exdoctor {}: 1 host(s), 2 finding(s)", env!("CARGO_PKG_VERSION"));
    assert!(first.starts_with(&format!("{head} (2 info)\n")), "{first}");
    assert!(
        first.contains(" INFO     build-inventory  EXMBX05: Exchange 2007 SP1  [new]\n"),
        "{first}"
    );
    fs::remove_file(dir.join("exchange.reg")).expect("remove the registry export");
    let second = stdout_text(&exdoctor(&["analyze", "--quiet", "--state", &state, &path]));
    assert!(second.starts_with(&format!("{head} (2 resolved)\n")), "{second}");
    assert!(
        second.contains(" INFO     build-inventory  EXMBX05: Exchange 2007 SP1  [resolved]\n"),
        "{second}"
    );
}

/// A state entry of `host` as a state file holds it.
fn entry(host: &str, subject: &str) -> Value {
    serde_json::json!({
        "rule": "service-crash", "host": host, "subject": subject, "severity": "error",
        "title": format!("{subject} terminated unexpectedly"), "summary": "It crashed.", "count": 2,
        "first_reported": "2024-05-01T06:00:00Z", "last_reported": "2024-05-02T06:00:00Z"
    })
}

#[test]
fn findings_under_a_renamed_hosts_earlier_name_are_resolved_and_absent_hosts_kept() {
    let Some(corpus) = crate::common::corpus_dir() else {
        return;
    };
    // Win10-RathbunVM is DESKTOP-GNCCVRK, earlier named WIN-28GFHAGEV4P.
    let collection = corpus.join("evtx-collections/Win10-RathbunVM");
    let dir = scratch("state_renamed");
    let state = dir.join("state.json");
    let previous = serde_json::json!({
        "format": "exdoctor-state", "version": 1, "written_by": "exdoctor 0.1.0",
        "updated": "2024-05-02T06:00:00Z",
        "findings": {
            "0123456789abcdef0123456789abcdef": entry("WIN-28GFHAGEV4P", "Spooler"),
            "fedcba9876543210fedcba9876543210": entry("EXMBX99", "MSExchangeIS"),
        }
    });
    fs::write(&state, serde_json::to_vec_pretty(&previous).expect("JSON")).expect("write");
    let (code, findings) = run(&collection, &state, &[]);
    assert_eq!(code, Some(0));
    let got: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                format!(
                    "{} {}",
                    f["host"].as_str().unwrap_or("?"),
                    f["subject"].as_str().unwrap_or("?")
                ),
                f["status"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("DESKTOP-GNCCVRK netprofm".to_string(), "new".to_string()),
            ("WIN-28GFHAGEV4P Spooler".to_string(), "resolved".to_string()),
        ]
    );
    let saved: Value = serde_json::from_slice(&fs::read(&state).expect("state")).expect("JSON");
    let hosts: Vec<&str> = saved["findings"]
        .as_object()
        .map(|m| m.values().filter_map(|e| e["host"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(hosts.len(), 2, "{saved:#}");
    assert!(
        hosts.contains(&"EXMBX99") && hosts.contains(&"DESKTOP-GNCCVRK"),
        "{saved:#}"
    );
}
