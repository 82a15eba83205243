//! `--format ecs`: one Elastic Common Schema document per finding and line, with the ECS
//! field names and types a Filebeat or Elastic Agent index template expects.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde_json::Value;

use crate::common::{exdoctor, jsonl_findings, samples_dir, stdout_text};

#[test]
fn every_finding_is_an_ecs_alert_with_its_identity() {
    let samples = samples_dir().to_string_lossy().into_owned();
    let output = exdoctor(&["analyze", "--format", "ecs", "--quiet", &samples]);
    assert_eq!(output.status.code(), Some(0));
    let docs: Vec<Value> = stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect();
    let findings: BTreeMap<String, Value> = jsonl_findings(&[&samples])
        .into_iter()
        .map(|f| (f["fingerprint"].as_str().unwrap_or_default().to_string(), f))
        .collect();
    assert_eq!(docs.len(), 21);
    assert_eq!(findings.len(), 21);
    let severity = |s: &str| match s {
        "info" => 1,
        "warning" => 2,
        "error" => 3,
        _ => 4,
    };
    for doc in &docs {
        let finding = &findings[doc["labels"]["fingerprint"].as_str().expect("labels.fingerprint")];
        assert!(
            DateTime::parse_from_rfc3339(doc["@timestamp"].as_str().unwrap_or_default()).is_ok(),
            "{doc}"
        );
        assert_eq!(doc["@timestamp"], doc["event"]["created"]);
        assert_eq!(doc["ecs"]["version"], "8.11.0");
        assert_eq!(doc["event"]["kind"], "alert");
        assert_eq!(doc["event"]["category"], serde_json::json!(["host"]));
        assert_eq!(doc["event"]["type"], serde_json::json!(["info"]));
        assert_eq!(
            doc["event"]["severity"],
            severity(finding["severity"].as_str().unwrap_or_default())
        );
        assert_eq!(doc["event"]["reason"], finding["title"]);
        assert_eq!(doc["log"]["level"], finding["severity"]);
        assert_eq!(doc["rule"]["id"], finding["rule"]);
        assert!(doc["rule"]["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert_eq!(doc["host"]["name"], finding["host"]);
        assert_eq!(doc["message"], finding["summary"]);
        assert_eq!(doc["labels"]["subject"], finding["subject"]);
        assert_eq!(doc["exdoctor"]["evidence"], finding["evidence"]);
        assert_eq!(doc["exdoctor"]["count"], finding["count"]);
        // ECS labels are keywords: strings only.
        assert!(
            doc["labels"]
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_string)),
            "{doc}"
        );
        if let Some(start) = finding["first_seen"].as_str().filter(|t| t.ends_with('Z')) {
            assert_eq!(doc["event"]["start"], start);
        }
    }
    let mbx01 = docs
        .iter()
        .find(|d| d["rule"]["id"] == "ntlmssp-dependency")
        .expect("the NtLmSsp finding");
    assert_eq!(mbx01["host"]["domain"], "contoso.com");
    assert_eq!(mbx01["event"]["severity"], 4);
}
