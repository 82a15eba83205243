//! Finding identity: the fingerprint of a problem is the same for any thread count,
//! input order, unrelated host or newer log, and different for different services and
//! setup runs; every finding has a subject and a unique fingerprint.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{self, copy_dir, jsonl_findings, jsonl_findings_exit, samples_dir, scratch};

/// `(host, rule, subject) -> fingerprint` of findings.
fn identities(findings: &[Value]) -> BTreeMap<(String, String, String), String> {
    findings
        .iter()
        .map(|f| {
            let key = (
                f["host"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["subject"].as_str().unwrap_or_default().to_string(),
            );
            (key, f["fingerprint"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn sample(name: &str) -> String {
    samples_dir().join(name).to_string_lossy().into_owned()
}

/// The one finding of `rule` about `subject`.
fn the<'a>(findings: &'a [Value], rule: &str, subject: &str) -> &'a Value {
    let hits: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == rule && f["subject"] == subject)
        .collect();
    assert_eq!(hits.len(), 1, "{rule} {subject}: {findings:#?}");
    hits[0]
}

#[test]
fn fingerprints_are_equal_for_any_thread_count_and_input_order() {
    let folders: Vec<String> = [
        "ntlmssp-inplace-upgrade",
        "sp1-interrupted",
        "prereq-gaps",
        "crl-stall",
        "upgrade-order",
        "healthy",
    ]
    .iter()
    .map(|f| sample(f))
    .collect();
    let mut forward: Vec<&str> = vec!["--threads", "1"];
    forward.extend(folders.iter().map(String::as_str));
    let mut shuffled: Vec<&str> = vec!["--threads", "2"];
    shuffled.extend([3, 0, 5, 1, 4, 2].iter().map(|&i| folders[i].as_str()));
    let one = identities(&jsonl_findings(&forward));
    let two = identities(&jsonl_findings(&shuffled));
    assert_eq!(one.len(), 21, "{one:#?}");
    assert_eq!(one, two);
}

#[test]
fn fingerprints_stay_when_an_unrelated_host_is_added() {
    let alone = identities(&jsonl_findings(&[
        &sample("ntlmssp-inplace-upgrade"),
        &sample("sp1-interrupted"),
    ]));
    let more = identities(&jsonl_findings(&[
        &sample("prereq-gaps"),
        &sample("ntlmssp-inplace-upgrade"),
        &sample("healthy"),
        &sample("sp1-interrupted"),
    ]));
    assert!(alone.len() >= 8, "{alone:#?}");
    for (key, fingerprint) in &alone {
        assert_eq!(more.get(key), Some(fingerprint), "{key:?}");
    }
    assert!(more.keys().any(|(host, _, _)| host == "EXCAS03"));
}

/// A wevtutil XML export with one more crash of the replication service, a week later.
const NEWER_CRASH: &str = "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Service Control Manager'/><EventID Qualifiers='49152'>7031</EventID><Level>2</Level>\
<TimeCreated SystemTime='2008-03-22T09:14:02.000Z'/><EventRecordID>20001</EventRecordID><Channel>System</Channel>\
<Computer>EXMBX01.contoso.com</Computer></System><EventData><Data Name='param1'>Microsoft Exchange Replication Service</Data>\
<Data Name='param2'>3</Data><Data Name='param3'>60000</Data><Data Name='param4'>1</Data>\
<Data Name='param5'>Restart the service</Data></EventData></Event></Events>\n";

#[test]
fn a_recurring_crash_keeps_its_fingerprint_when_newer_logs_are_added() {
    let dir = scratch("identity_recurring_crash");
    copy_dir(&samples_dir().join("ntlmssp-inplace-upgrade"), &dir);
    let path = dir.to_string_lossy().into_owned();
    let before = jsonl_findings(&[&path]);
    let crash = the(&before, "service-crash", "MSExchangeRepl");
    assert_eq!(crash["count"], 10);
    fs::write(dir.join("System-2008-03-22.xml"), NEWER_CRASH).expect("write");
    let after = jsonl_findings(&[&path]);
    let again = the(&after, "service-crash", "MSExchangeRepl");
    assert_eq!(again["count"], 11);
    assert_eq!(again["last_seen"], "2008-03-22T09:14:02.000Z");
    assert_eq!(again["fingerprint"], crash["fingerprint"]);
    assert_eq!(identities(&before), identities(&after));
}

#[test]
fn different_services_and_runs_have_different_fingerprints() {
    let crashes: BTreeSet<String> = jsonl_findings(&[&sample("ntlmssp-inplace-upgrade")])
        .iter()
        .filter(|f| f["rule"] == "service-crash")
        .map(|f| f["fingerprint"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(crashes.len(), 3, "{crashes:?}");

    // The same run collected twice (another folder) is one problem; a run started on
    // another day is another.
    let dir = scratch("identity_runs");
    let copy = dir.join("collected-again/EXMBX02");
    let later = dir.join("later-run/EXMBX02");
    copy_dir(&samples_dir().join("sp1-interrupted"), &copy);
    copy_dir(&samples_dir().join("sp1-interrupted"), &later);
    let log = later.join("ExchangeSetupLogs/ExchangeSetup.log");
    let text = fs::read(&log).expect("sample log");
    let moved = String::from_utf8_lossy(&text).replace("30.11.2007", "07.12.2007");
    fs::write(&log, moved).expect("write");
    let interrupted = |folder: &Path| -> (String, String) {
        let findings = jsonl_findings(&[&folder.to_string_lossy()]);
        let f = findings
            .iter()
            .find(|f| f["rule"] == "setup-interrupted")
            .unwrap_or_else(|| panic!("{findings:#?}"));
        (
            f["subject"].as_str().unwrap_or_default().to_string(),
            f["fingerprint"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (sample_subject, sample_fp) = interrupted(&samples_dir().join("sp1-interrupted"));
    assert_eq!(sample_subject, "setup run 2007-11-30T17:12:03 ExchangeSetup.log");
    assert_eq!(interrupted(&copy), (sample_subject, sample_fp.clone()));
    let (later_subject, later_fp) = interrupted(&later);
    assert_eq!(later_subject, "setup run 2007-12-07T17:12:03 ExchangeSetup.log");
    assert_ne!(later_fp, sample_fp);
}

/// Every finding of `findings` has a subject and a fingerprint of 32 lower-case hex
/// digits, unique in the report.
fn assert_identified(findings: &[Value], what: &str) {
    let mut seen = BTreeSet::new();
    for f in findings {
        let fp = f["fingerprint"].as_str().unwrap_or_default();
        assert!(
            fp.len() == 32 && fp.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{what}: {f}"
        );
        assert!(
            !f["subject"].as_str().unwrap_or_default().trim().is_empty(),
            "{what}: {f}"
        );
        assert!(seen.insert(fp.to_string()), "{what}: fingerprint twice: {f}");
    }
}

#[test]
fn every_finding_has_a_subject_and_a_unique_fingerprint() {
    let samples = jsonl_findings(&[&samples_dir().to_string_lossy()]);
    assert_eq!(samples.len(), 21);
    assert_identified(&samples, "samples");
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    // Exit 2: the corpus holds files that cannot be read at all (on purpose).
    let all = jsonl_findings_exit(&[&corpus.to_string_lossy()], 2);
    assert!(all.len() >= 50, "{}", all.len());
    assert_identified(&all, "corpus");
}

/// The statement of `code` that starts at byte `start`: up to the `;` that ends it, or
/// the `}` that closes the block it is in.
fn statement_at(code: &str, start: usize) -> &str {
    let mut depth = 0i32;
    for (i, c) in code[start..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return &code[start..start + i];
                }
            }
            ';' if depth == 0 => return &code[start..start + i],
            _ => {}
        }
    }
    &code[start..]
}

/// Every `Finding::new` of src/rules (outside tests) is followed by its `.subject(...)`
/// in the same statement: the rule that makes a finding says what it is about.
#[test]
fn every_finding_a_rule_creates_names_its_subject() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules")];
    let mut created = 0;
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("src/rules").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let text = fs::read_to_string(&path).expect("a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (at, _) in code.match_indices("Finding::new(") {
                created += 1;
                let statement = statement_at(code, at);
                assert!(
                    statement.contains(".subject("),
                    "{}: a finding without .subject(...): {statement}",
                    path.display()
                );
            }
        }
    }
    assert!(created >= 30, "{created} creations found");
}
