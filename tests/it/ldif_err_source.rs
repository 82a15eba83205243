//! `ldif.err` is a source (issue 10, item 9): sniffed by content or name, summarized,
//! parsed by `exdoctor parse`, and its failed entry joins the `ldifde-import-failed`
//! finding of the setup log that names the file. The real pair of the corpus: a
//! /PrepareSchema stopped with ldifde error 8245 and the ldif.err naming a duplicate OID.

use serde_json::Value;

use crate::common;

#[test]
fn the_real_ldif_err_joins_the_ldifde_finding_of_its_setup_log() {
    let Some(corpus) = common::corpus_dir() else { return };
    let dir = corpus.join("setup-logs/css-exchange/KnownIssues");
    let log = dir
        .join("ExchangeSetup-PrepareSchema-8245.log")
        .to_string_lossy()
        .into_owned();
    let err = dir.join("ldif.err").to_string_lossy().into_owned();
    let out = common::exdoctor(&["analyze", &log, &err, "--format", "json", "--quiet"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let hosts = doc["hosts"].as_array().cloned().unwrap_or_default();
    assert_eq!(hosts.len(), 1, "the ldif.err belongs to the setup log's host");
    let kinds: Vec<String> = common::all_sources(&doc)
        .iter()
        .filter_map(|s| s["kind"].as_str().map(str::to_string))
        .collect();
    assert_eq!(kinds, ["setup_log", "ldif_err"]);
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let f = findings
        .iter()
        .find(|f| f["rule"] == "ldifde-import-failed")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f["confidence"], "high");
    assert_eq!(
        f["details"]["failed_entry"],
        "CN=ms-Exch-Coexistence-Domains,CN=Schema,CN=Configuration,DC=Solo,DC=local"
    );
    assert_eq!(f["details"]["server_error_name"], "ERROR_DS_DUP_OID");
    assert!(
        f["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Schema update failed: duplicate OID (ERROR_DS_DUP_OID)")),
        "{f}"
    );
    let from_err: Vec<&Value> = f["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["source"].as_str().is_some_and(|s| s.ends_with("ldif.err")))
        .collect();
    assert_eq!(from_err.len(), 1, "{f}");
    assert!(from_err[0]["text"].as_str().is_some_and(|t| t
        .starts_with("Add error on entry starting on line 78 (CN=ms-Exch-Coexistence-Domains,")
        && t.contains("problem 5003 (WILL_NOT_PERFORM)")));
    assert!(f["remediation"][0]
        .as_str()
        .is_some_and(|s| s.starts_with("ldif.err names the entry that failed: CN=ms-Exch-Coexistence-Domains")));

    let out = common::exdoctor(&["parse", &err]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["ldif_line"], 78);
    assert_eq!(lines[0]["server_error"]["code"], 0x20bb);
}
