use chrono::TimeZone;

use super::*;
use crate::model::RuleInfo;

const CRASH: RuleInfo = RuleInfo {
    id: RuleId::ServiceCrash,
    title: "A service terminated unexpectedly",
    severity: Severity::Error,
    description: "",
    remediation: &["Restart it."],
    references: &[],
};

fn crash(host: &str, service: &str) -> Finding {
    let mut f = Finding::new(&CRASH, format!("{service} crashed")).subject(service);
    f.host = host.to_string();
    f.identify();
    f
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, 6, 0, 0)
        .single()
        .expect("a valid time")
}

fn statuses(findings: &[Finding]) -> Vec<(String, String, Option<Status>)> {
    findings
        .iter()
        .map(|f| (f.host.clone(), f.subject.clone(), f.status))
        .collect()
}

#[test]
fn new_then_ongoing_then_resolved_once() {
    let (first, state) = track(&State::empty(), vec![crash("EX1", "MSExchangeIS")], &["EX1"], at(1));
    assert_eq!(
        statuses(&first),
        [("EX1".into(), "MSExchangeIS".into(), Some(Status::New))]
    );

    let (second, state) = track(
        &state,
        vec![crash("EX1", "MSExchangeIS"), crash("EX1", "MSExchangeRepl")],
        &["EX1"],
        at(2),
    );
    assert_eq!(
        statuses(&second),
        [
            ("EX1".into(), "MSExchangeIS".into(), Some(Status::Ongoing)),
            ("EX1".into(), "MSExchangeRepl".into(), Some(Status::New)),
        ]
    );
    let entry = &state.findings[&second[0].fingerprint];
    assert_eq!((entry.first_reported, entry.last_reported), (at(1), at(2)));

    let (third, state) = track(&state, vec![crash("EX1", "MSExchangeRepl")], &["EX1"], at(3));
    assert_eq!(
        statuses(&third),
        [
            ("EX1".into(), "MSExchangeRepl".into(), Some(Status::Ongoing)),
            ("EX1".into(), "MSExchangeIS".into(), Some(Status::Resolved)),
        ]
    );
    let resolved = &third[1];
    assert_eq!(resolved.fingerprint, second[0].fingerprint);
    assert_eq!(resolved.rule, RuleId::ServiceCrash);
    assert_eq!(resolved.severity, Severity::Error);
    assert_eq!(resolved.title, "A service terminated unexpectedly");
    assert_eq!(
        resolved.summary,
        "No longer found (last reported 2024-05-02T06:00:00Z): MSExchangeIS crashed"
    );
    assert!(resolved.evidence.is_empty() && resolved.remediation.is_empty());
    assert_eq!(state.findings.len(), 1);

    let (fourth, _) = track(&state, vec![crash("EX1", "MSExchangeRepl")], &["EX1"], at(4));
    assert_eq!(
        statuses(&fourth),
        [("EX1".into(), "MSExchangeRepl".into(), Some(Status::Ongoing))],
        "resolved is reported once"
    );
}

#[test]
fn the_findings_of_a_host_missing_from_this_run_are_kept_not_resolved() {
    let (_, state) = track(
        &State::empty(),
        vec![crash("EX1", "MSExchangeIS"), crash("EX2", "MSExchangeIS")],
        &["EX1", "EX2"],
        at(1),
    );
    let (now, state) = track(&state, Vec::new(), &["ex2"], at(2));
    assert_eq!(
        statuses(&now),
        [("EX2".into(), "MSExchangeIS".into(), Some(Status::Resolved))]
    );
    assert_eq!(state.findings.len(), 1);
    let kept = state.findings.values().next().expect("EX1's entry");
    assert_eq!((kept.host.as_str(), kept.last_reported), ("EX1", at(1)));
}

#[test]
fn the_file_reads_back_and_bad_files_are_errors() {
    let (_, state) = track(&State::empty(), vec![crash("EX1", "MSExchangeIS")], &["EX1"], at(1));
    let bytes = state.to_bytes();
    assert_eq!(State::parse(&bytes).expect("its own file"), state);
    assert_eq!(State::parse(b"").expect("empty"), State::empty());
    assert!(matches!(
        State::parse(b"{\"format\": \"exdoctor-state\", \"vers"),
        Err(StateError::Corrupt(_))
    ));
    assert!(matches!(State::parse(b"\x00\x01garbage"), Err(StateError::Corrupt(_))));
    assert!(matches!(State::parse(b"{\"findings\": {}}"), Err(StateError::Foreign)));
    assert!(matches!(State::parse(b"[1, 2, 3]"), Err(StateError::Foreign)));
    let newer = String::from_utf8_lossy(&bytes).replace("\"version\": 1", "\"version\": 2");
    assert!(matches!(State::parse(newer.as_bytes()), Err(StateError::Newer(2))));
    let wrong_shape = String::from_utf8_lossy(&bytes).replace("\"count\": 1", "\"count\": \"one\"");
    assert!(matches!(
        State::parse(wrong_shape.as_bytes()),
        Err(StateError::Corrupt(_))
    ));
}

#[test]
fn an_entry_of_an_unknown_rule_is_dropped_not_reported() {
    let (_, mut state) = track(&State::empty(), vec![crash("EX1", "MSExchangeIS")], &["EX1"], at(1));
    for entry in state.findings.values_mut() {
        entry.rule = "rule-of-a-newer-exdoctor".into();
    }
    let (now, next) = track(&state, Vec::new(), &["EX1"], at(2));
    assert!(now.is_empty() && next.findings.is_empty());
}
