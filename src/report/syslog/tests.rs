use chrono::TimeZone;
use regex::Regex;

use super::*;
use crate::model::{Evidence, Location, RuleId, Status};
use crate::rules;

fn finding(rule: RuleId, severity: Severity, subject: &str) -> Finding {
    let mut f = Finding::new(rules::info(rule), "The service terminated 3 time(s).")
        .subject(subject)
        .severity(severity)
        .evidence(Evidence::new("System.evtx", Location::Record(18517), None, "7031"));
    f.host = "EXMBX01".into();
    f.identify();
    f
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 24, 10, 30, 12).single().expect("a time")
}

/// The parts of a message checked against RFC 5424: PRI, HOSTNAME, MSGID, the SD
/// parameters (unescaped) and the MSG after its BOM.
fn parts(message: &[u8]) -> (u8, String, String, Vec<(String, String)>, Value) {
    let text = std::str::from_utf8(message).expect("UTF-8");
    let grammar = Regex::new(
        r#"^<(\d{1,3})>1 2024-05-24T10:30:12\.000000Z ([!-~]{1,255}) exdoctor 4242 ([!-~]{1,32}) \[exdoctor@32473((?: [a-z]{1,32}="(?:[^"\\\]]|\\["\\\]])*")+)\] \x{feff}(\{.*\})$"#,
    )
    .expect("regex");
    let caps = grammar.captures(text).unwrap_or_else(|| panic!("not RFC 5424: {text}"));
    let param = Regex::new(r#" ([a-z]+)="((?:[^"\\\]]|\\["\\\]])*)""#).expect("regex");
    let params = param
        .captures_iter(&caps[4])
        .map(|p| {
            let value = p[2].replace("\\\"", "\"").replace("\\]", "]").replace("\\\\", "\\");
            (p[1].to_string(), value)
        })
        .collect();
    let json: Value = serde_json::from_str(&caps[5]).expect("the MSG is JSON");
    (
        caps[1].parse().expect("PRI"),
        caps[2].to_string(),
        caps[3].to_string(),
        params,
        json,
    )
}

#[test]
fn a_finding_is_one_rfc5424_message_with_its_identity_in_structured_data() {
    let mut f = finding(RuleId::ServiceCrash, Severity::Error, "MSExchange\"IS] \\x");
    f.status = Some(Status::New);
    let (pri, host, msgid, params, json) = parts(&syslog_message(&f, now(), 4242));
    assert_eq!(pri, 8 + 3);
    assert_eq!((host.as_str(), msgid.as_str()), ("EXMBX01", "service-crash"));
    let expected: Vec<(String, String)> = [
        ("host", "EXMBX01"),
        ("rule", "service-crash"),
        ("fingerprint", f.fingerprint.as_str()),
        ("status", "new"),
        ("severity", "error"),
        ("subject", "MSExchange\"IS] \\x"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(params, expected);
    assert_eq!(json, serde_json::to_value(&f).expect("JSON"));
}

#[test]
fn severities_map_to_syslog_and_resolved_is_a_notice() {
    for (severity, level) in [
        (Severity::Critical, 2),
        (Severity::Error, 3),
        (Severity::Warning, 4),
        (Severity::Info, 6),
    ] {
        let f = finding(RuleId::ServiceCrash, severity, "x");
        assert_eq!(parts(&syslog_message(&f, now(), 4242)).0, 8 + level);
    }
    let mut gone = finding(RuleId::ServiceCrash, Severity::Critical, "x");
    gone.status = Some(Status::Resolved);
    let (pri, _, _, params, _) = parts(&syslog_message(&gone, now(), 4242));
    assert_eq!(pri, 8 + 5);
    assert!(params.contains(&("status".into(), "resolved".into())));
}

#[test]
fn header_fields_are_printable_ascii_within_their_limits() {
    let mut f = finding(RuleId::WellKnownObjectWrongGroupType, Severity::Error, "x");
    f.host = "EX MBX\n01".into();
    let (_, host, msgid, params, _) = parts(&syslog_message(&f, now(), 4242));
    assert_eq!(host, "EX_MBX_01");
    assert_eq!(msgid, "well-known-object-wrong-group-ty");
    assert!(params.contains(&("rule".into(), "well-known-object-wrong-group-type".into())));
    assert!(params.contains(&("host".into(), "EX MBX 01".into())));
}

#[test]
fn a_large_finding_loses_evidence_from_the_end_to_fit() {
    let mut f = finding(RuleId::ServiceCrash, Severity::Error, "x");
    for i in 0..200 {
        f.push_evidence(Evidence::new("System.evtx", Location::Record(i), None, "x".repeat(200)));
    }
    let message = syslog_message(&f, now(), 4242);
    assert!(message.len() <= MAX_MESSAGE, "{}", message.len());
    let (_, _, _, _, json) = parts(&message);
    let kept = json["evidence"].as_array().map(Vec::len).unwrap_or_default();
    assert!(kept > 10, "{kept}");
    assert_eq!(json["evidence_omitted"].as_u64(), Some(201 - kept as u64));
    assert_eq!(json["evidence"][0]["location"], "record 18517");
    assert!(json.get("truncated").is_none());

    f.summary = "é".repeat(10_000);
    let message = syslog_message(&f, now(), 4242);
    assert!(message.len() <= MAX_MESSAGE, "{}", message.len());
    let (_, _, _, _, json) = parts(&message);
    assert_eq!(json["truncated"], true);
    assert!(json["evidence"].as_array().is_some_and(Vec::is_empty));
    assert!(json["summary"]
        .as_str()
        .is_some_and(|s| s.len() > 1000 && s.chars().all(|c| c == 'é')));
}

#[test]
fn control_characters_of_inputs_never_reach_the_wire_raw() {
    let mut f = finding(
        RuleId::ServiceCrash,
        Severity::Error,
        "spooler\r\n<13>1 forged\u{1b}[2J\u{0}",
    );
    f.title = "Print Spooler\u{1b}]0;x\u{7} terminated".into();
    f.summary = "line one\nline two\r".into();
    let message = syslog_message(&f, now(), 4242);
    assert!(
        !message.iter().any(|&b| b < 0x20 || b == 0x7f),
        "{}",
        String::from_utf8_lossy(&message)
    );
    let (_, _, _, params, json) = parts(&message);
    assert!(params.contains(&("subject".into(), "spooler  <13>1 forged [2J ".into())));
    // The JSON keeps the texts exactly, escaped.
    assert_eq!(json["subject"], "spooler\r\n<13>1 forged\u{1b}[2J\u{0}");
    assert_eq!(json["title"], "Print Spooler\u{1b}]0;x\u{7} terminated");
    assert_eq!(json["summary"], "line one\nline two\r");
}
