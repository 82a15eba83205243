//! `exdoctor analyze` over the sample bundles and the corpus: the rule ids each scenario
//! must yield, determinism across thread counts, and a corrupt file among good ones.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use serde_json::Value;

fn analyze_json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["analyze", "--format", "json", "--quiet"];
    all.extend_from_slice(args);
    let output = common::exdoctor(&all);
    let doc = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("JSON: {e}"));
    (output.status.code(), doc)
}

fn sample(relative: &str) -> String {
    common::samples_dir().join(relative).display().to_string()
}

/// Rule ids of one host's findings at warning or above.
fn serious_rules(doc: &Value, host: &str) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["host"] == host && f["severity"] != "info")
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn findings_of<'a>(doc: &'a Value, host: &str, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["host"] == host && f["rule"] == rule)
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_scenario_yields_its_rule_ids() {
    let (code, doc) = analyze_json(&[&sample("")]);
    assert_eq!(code, Some(0));
    let hosts: Vec<&str> = doc["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert_eq!(
        hosts,
        ["EXCAS03", "EXCAS11", "EXHUB04", "EXHUB13", "EXMBX01", "EXMBX02", "EXMBX05", "EXMBX12"]
    );
    // (a) in-place upgrade to Windows 2008: NtLmSsp and the crash loop.
    assert_eq!(
        serious_rules(&doc, "EXMBX01"),
        set(&["ntlmssp-dependency", "service-crash"])
    );
    let ntlm = &findings_of(&doc, "EXMBX01", "ntlmssp-dependency")[0];
    assert_eq!(ntlm["severity"], "critical");
    assert_eq!(ntlm["confidence"], "high");
    assert_eq!(findings_of(&doc, "EXMBX01", "service-crash").len(), 3);
    // (b) SP1 interrupted: one interruption, with the shutdown that caused it folded in;
    // the virus scanner the administrator disabled and stopped before SP1 is still stopped.
    assert_eq!(
        serious_rules(&doc, "EXMBX02"),
        set(&["service-left-stopped", "setup-interrupted"])
    );
    let interrupted = &findings_of(&doc, "EXMBX02", "setup-interrupted")[0];
    assert_eq!(interrupted["confidence"], "high");
    assert!(
        interrupted["summary"]
            .as_str()
            .is_some_and(|s| s.contains("an unexpected shutdown") && s.contains("2 min 15 s after the last setup line")),
        "{interrupted}"
    );
    assert_eq!(interrupted["details"]["shutdown_local"], "2007-11-30T17:41:02");
    assert!(interrupted["remediation"][0]
        .as_str()
        .is_some_and(|s| s.starts_with("Find out why the server went down")));
    let evidence: Vec<&str> = interrupted["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        evidence.iter().any(|t| t.contains("MSExchangeSetup 1000")),
        "{evidence:?}"
    );
    assert!(evidence.iter().any(|t| t.contains("EventLog 6008")), "{evidence:?}");
    assert_eq!(interrupted["details"]["unfinished_task"], "start-SetupService");
    // ... the registry's watermark and version mismatch, and the step the watermark names.
    assert!(interrupted["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .any(|e| e["location"] == "key HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\MailboxRole"));
    assert_eq!(interrupted["details"]["failed_step"], "Starting Information Store");
    assert!(
        findings_of(&doc, "EXMBX02", "setup-watermark").is_empty(),
        "folded into the interruption"
    );
    // ... and the Mailbox services setup stopped and the crash left stopped.
    assert_eq!(
        interrupted["details"]["services_left_stopped"],
        serde_json::json!([
            "msftesql-Exchange",
            "MSExchangeSearch",
            "MSExchangeRepl",
            "MSExchangeMailboxAssistants",
            "MSExchangeMailSubmission",
            "MSExchangeIS",
            "MSExchangeSA"
        ])
    );
    let [scanner] = &findings_of(&doc, "EXMBX02", "service-left-stopped")[..] else {
        panic!("one service left stopped")
    };
    assert_eq!(scanner["severity"], "warning");
    assert_eq!(scanner["details"]["service"], "PswAvExchange");
    assert_eq!(scanner["details"]["start_type_source"], "start-type change");
    assert_eq!(
        scanner["details"]["stopped_by"],
        "S-1-5-21-2947153102-1856723470-3154270581-500"
    );
    assert_eq!(scanner["details"]["window_from"], "2007-11-30T14:10:03Z");
    assert!(
        !doc["findings"].to_string().contains("Northwind"),
        "the backup agent started again with Windows"
    );
    // (c) readiness gaps: the registry state is the root, the failed setup run its history.
    assert_eq!(
        serious_rules(&doc, "EXCAS03"),
        set(&["pending-reboot", "prereq-missing", "single-label-domain"])
    );
    let missing: BTreeSet<&str> = findings_of(&doc, "EXCAS03", "prereq-missing")
        .iter()
        .filter_map(|f| f["details"]["check"].as_str())
        .collect();
    assert_eq!(missing, ["NetFramework20SP1", "PowerShell10"].into_iter().collect());
    assert!(doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["host"] == "EXCAS03")
        .all(|f| f["confidence"] == "high"));
    assert!(findings_of(&doc, "EXCAS03", "prereq-failed").is_empty());
    // (e) Mailbox and Hub went to SP1 while the Client Access server is on RTM: one
    // finding, on the server left behind, naming both.
    assert_eq!(serious_rules(&doc, "EXCAS11"), set(&["upgrade-order-violation"]));
    let f = &findings_of(&doc, "EXCAS11", "upgrade-order-violation")[0];
    assert!(
        f["summary"]
            .as_str()
            .is_some_and(|s| s.contains("EXHUB13") && s.contains("EXMBX12") && s.contains("8.0.685.25")),
        "{f}"
    );
    for host in ["EXMBX12", "EXHUB13"] {
        assert_eq!(serious_rules(&doc, host), set(&[]), "{host}");
    }
    for host in hosts.iter().copied().filter(|h| *h != "EXCAS03") {
        assert_eq!(findings_of(&doc, host, "build-inventory").len(), 1, "{host}");
    }
    // (d) CRL stall: the setup log's pauses and the SCM timeouts are one finding.
    assert_eq!(serious_rules(&doc, "EXHUB04"), set(&["setup-stall"]));
    let stall = &findings_of(&doc, "EXHUB04", "setup-stall")[0];
    assert_eq!(stall["confidence"], "high");
    assert_eq!(
        stall["first_seen"], "2008-09-28T16:50:03.000Z",
        "Romance time, daylight saving applied"
    );
    // (f) healthy: nothing at warning or above.
    assert_eq!(serious_rules(&doc, "EXMBX05"), set(&[]));
    // The System logs of (c) and (d) end before their setup runs ended: said per host.
    let gaps = |host: &str| -> Vec<Value> {
        doc["hosts"]
            .as_array()
            .expect("hosts")
            .iter()
            .find(|h| h["name"] == host)
            .and_then(|h| h["coverage_gaps"].as_array().cloned())
            .unwrap_or_default()
    };
    for host in ["EXMBX02", "EXMBX05", "EXMBX01", "EXCAS11"] {
        assert!(gaps(host).is_empty(), "{host}");
    }
    let stall = gaps("EXHUB04");
    assert_eq!(stall.len(), 1);
    assert_eq!(stall[0]["rule"], "service-left-stopped");
    assert_eq!(stall[0]["covered_until"], "2008-09-28T19:21:49.591Z");
    assert_eq!(stall[0]["needed_until"], "2008-09-28T20:12:02.000Z");
    assert_eq!(gaps("EXCAS03").len(), 1);
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let run =
        |threads: &str| common::exdoctor(&["analyze", &sample(""), "--format", "json", "--threads", threads]).stdout;
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    let jsonl =
        |threads: &str| common::exdoctor(&["analyze", &sample(""), "--format", "jsonl", "--threads", threads]).stdout;
    assert_eq!(jsonl("1"), jsonl("2"));
}

#[test]
fn jsonl_has_one_finding_per_line_then_a_summary() {
    let output = common::exdoctor(&["analyze", &sample("sp1-interrupted"), "--format", "jsonl"]);
    let lines: Vec<Value> = common::stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let (summary, findings) = lines.split_last().expect("lines");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["findings"].as_u64(), Some(findings.len() as u64));
    assert!(findings
        .iter()
        .all(|f| f["type"] == "finding" && f["host"] == "EXMBX02"));
}

#[test]
fn filters_and_fail_on_choose_findings_and_exit_code() {
    let (_, doc) = analyze_json(&[&sample(""), "--min-severity", "critical"]);
    let rules: BTreeSet<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["ntlmssp-dependency"].into_iter().collect());
    let (_, doc) = analyze_json(&[&sample(""), "--host", "exhub04", "--rule", "setup-stall"]);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(1));
    let fail = common::exdoctor(&["analyze", &sample("sp1-interrupted"), "--fail-on", "error", "--quiet"]);
    assert_eq!(fail.status.code(), Some(1));
    let pass = common::exdoctor(&["analyze", &sample("healthy"), "--fail-on", "warning", "--quiet"]);
    assert_eq!(pass.status.code(), Some(0));
}

#[test]
fn a_corrupt_file_in_the_middle_of_a_folder() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corrupt_in_folder");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("ExchangeSetupLogs")).expect("scratch");
    let src = common::samples_dir().join("sp1-interrupted");
    for name in ["AppEvent.Evt", "SysEvent.Evt", "exchange.reg", "services.reg"] {
        fs::copy(src.join(name), dir.join(name)).expect("copy");
    }
    fs::copy(
        src.join("ExchangeSetupLogs/ExchangeSetup.log"),
        dir.join("ExchangeSetupLogs/ExchangeSetup.log"),
    )
    .expect("copy");
    // Sorts between AppEvent.Evt and SysEvent.Evt; an EVTX header followed by garbage.
    let mut corrupt = b"ElfFile\0".to_vec();
    corrupt.extend((0..70_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    fs::write(dir.join("Broken.evtx"), corrupt).expect("write");
    let (code, doc) = analyze_json(&[dir.to_str().expect("path")]);
    assert_eq!(code, Some(2), "an input that could not be read at all");
    let diagnostics = doc["diagnostics"].as_array().expect("diagnostics");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["path"].as_str().is_some_and(|p| p.ends_with("Broken.evtx")) && d["level"] == "error"),
        "{diagnostics:?}"
    );
    // The other files' findings are all still there; the broken log adds its integrity finding.
    assert_eq!(
        serious_rules(&doc, "EXMBX02"),
        set(&["event-log-gap", "service-left-stopped", "setup-interrupted"])
    );
    let gap = &findings_of(&doc, "EXMBX02", "event-log-gap")[0];
    assert!(gap["evidence"][0]["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("Broken.evtx")));
}

#[test]
fn evtx_corpus_spooler_crash_and_no_false_alarms() {
    let Some(corpus) = common::corpus_dir() else { return };
    let szechuan = corpus.join("evtx/DFIRArtifactMuseum/Win2012R2-StolenSzechuan/System.evtx");
    let (_, doc) = analyze_json(&[szechuan.to_str().expect("path")]);
    let crashes: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "service-crash")
        .collect();
    assert!(
        crashes
            .iter()
            .any(|f| f["title"].as_str().is_some_and(|t| t.contains("Print Spooler"))
                || f["summary"].as_str().is_some_and(|s| s.contains("Print Spooler"))),
        "{crashes:#?}"
    );
    let (_, doc) = analyze_json(&[corpus.join("evtx").to_str().expect("path")]);
    let critical: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "critical")
        .collect();
    assert!(critical.is_empty(), "{critical:#?}");
}

#[test]
fn setup_corpus_through_the_cli() {
    let Some(corpus) = common::corpus_dir() else { return };
    let dir = corpus.join("setup-logs/css-exchange/KnownIssues/ExchangeSetup-PrepareSchema-8245.log");
    let (_, doc) = analyze_json(&[dir.to_str().expect("path")]);
    let f = &doc["findings"].as_array().expect("findings")[0];
    assert_eq!(f["rule"], "ldifde-import-failed");
    assert_eq!(f["details"]["error_code"], "8245");
    assert!(f["evidence"][0]["location"]
        .as_str()
        .is_some_and(|l| l.starts_with("line ")));
}

#[test]
fn rules_command_lists_and_explains() {
    let list = common::stdout_text(&common::exdoctor(&["rules"]));
    for id in [
        "setup-interrupted",
        "ntlmssp-dependency",
        "ldifde-import-failed",
        "service-crash",
        "prereq-failed",
        "event-log-cleared",
    ] {
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} listed");
    }
    let cleared = common::stdout_text(&common::exdoctor(&["rules", "event-log-cleared"]));
    assert!(cleared.contains("1102") && cleared.contains("104"), "{cleared}");
    let one = common::exdoctor(&["rules", "setup-stall"]);
    assert_eq!(one.status.code(), Some(0));
    assert!(common::stdout_text(&one).contains("KB944752"));
    assert_eq!(common::exdoctor(&["rules", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn timeline_merges_sources_in_utc_order() {
    let output = common::exdoctor(&["timeline", &sample("sp1-interrupted"), "--format", "jsonl"]);
    let entries: Vec<Value> = common::stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let times: Vec<&str> = entries.iter().filter_map(|e| e["time"].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let stop = entries
        .iter()
        .position(|e| e["text"].as_str().is_some_and(|t| t.contains("stops here")))
        .expect("stop");
    let shutdown = entries
        .iter()
        .position(|e| e["text"].as_str().is_some_and(|t| t.contains("EventLog 6008")))
        .expect("6008");
    assert!(stop < shutdown);
    assert_eq!(entries[stop]["time"], "2007-11-30T16:38:47.000Z");
}

/// The files of a sample folder packed into a zip (as an admin would send them).
fn zip_sample(folder: &str, target: &std::path::Path) {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(fs::File::create(target).expect("zip file"));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, path) in common::sample_files(folder) {
        writer.start_file(name, options).expect("entry");
        writer.write_all(&fs::read(&path).expect("read")).expect("write");
    }
    writer.finish().expect("finish");
}

#[test]
fn a_zip_bundle_is_analysed_like_its_folder() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("zip_bundle");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch");
    let bundle = dir.join("EXMBX02-bundle.zip");
    zip_sample("sp1-interrupted", &bundle);
    let (code, doc) = analyze_json(&[bundle.to_str().expect("path")]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["hosts"][0]["name"], "EXMBX02");
    assert_eq!(
        serious_rules(&doc, "EXMBX02"),
        set(&["service-left-stopped", "setup-interrupted"])
    );
    let interrupted = &findings_of(&doc, "EXMBX02", "setup-interrupted")[0];
    assert!(interrupted["evidence"][0]["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("EXMBX02-bundle.zip/ExchangeSetupLogs/ExchangeSetup.log")));
    // A damaged archive: a diagnostic and exit 2, the good input beside it still analysed.
    let bytes = fs::read(&bundle).expect("zip");
    let broken = dir.join("broken.zip");
    fs::write(&broken, &bytes[..bytes.len() / 3]).expect("write");
    let (code, doc) = analyze_json(&[broken.to_str().expect("path"), &sample("healthy")]);
    assert_eq!(code, Some(2));
    assert!(doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .any(|d| d["path"].as_str().is_some_and(|p| p.ends_with("broken.zip"))));
    assert_eq!(doc["hosts"].as_array().map(Vec::len), Some(1));
}
