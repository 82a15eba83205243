//! The services and event-log rules over the sample hosts' events (as the generator
//! builds them, filtered to the events the analyzer keeps for the rules).

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use exdoctor::model::RunFacts;
use exdoctor::model::{Confidence, Finding, Location, RuleId, Severity};
use exdoctor::model::{HostEvent, HostView, RunWindow};
use exdoctor::rules::check_host;
use exdoctor::rules::events::is_rule_event;
use exdoctor_parsers::event::Event;
use exdoctor_parsers::setup_log::RunResult;
use exdoctor_samples::scenarios::sample_logs;

/// The rule events of every log of one sample folder, with their paths.
fn host_logs(folder: &str) -> Vec<(&'static str, Vec<Event>)> {
    sample_logs()
        .into_iter()
        .filter(|l| l.path.rsplit_once('/').is_some_and(|(dir, _)| dir == folder))
        .map(|l| {
            let events = l
                .events
                .into_iter()
                .filter(|e| is_rule_event(&e.provider, e.event_id))
                .collect();
            (l.path, events)
        })
        .collect()
}

/// A host view over `logs`, events sorted by (time, source, record) like the analyzer's.
fn view<'a>(name: &str, logs: &'a [(&'static str, Vec<Event>)], runs: Vec<RunWindow<'a>>) -> HostView<'a> {
    let mut events: Vec<HostEvent<'a>> = logs
        .iter()
        .flat_map(|(source, events)| events.iter().map(move |event| HostEvent::new(source, event)))
        .collect();
    events.sort_by_key(|e| (e.event.time, e.source, e.event.record_id));
    HostView {
        name: name.into(),
        events,
        runs,
        ..HostView::default()
    }
}

fn findings(folder: &str) -> Vec<Finding> {
    let logs = host_logs(folder);
    assert!(!logs.is_empty(), "no sample logs for {folder}");
    check_host(&view(folder, &logs, Vec::new()), Vec::new())
}

fn of(findings: &[Finding], rule: RuleId) -> Vec<&Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(y, mo, d).and_then(|d| d.and_hms_opt(h, mi, s))
}

fn records(f: &Finding) -> Vec<u64> {
    f.evidence
        .iter()
        .filter_map(|e| match e.location {
            Location::Record(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn ntlmssp_in_place_upgrade_is_one_critical_root_with_the_crashes_beside_it() {
    let all = findings("ntlmssp-inplace-upgrade");
    let ntlm = of(&all, RuleId::NtlmsspDependency);
    assert_eq!(ntlm.len(), 1, "{all:#?}");
    let f = ntlm[0];
    assert_eq!((f.severity, f.confidence), (Severity::Critical, Confidence::High));
    assert_eq!(f.host, "ntlmssp-inplace-upgrade");
    assert_eq!(
        f.details["services"],
        serde_json::json!([
            "MSExchangeSA",
            "MSExchangeIS",
            "MSExchangeServiceHost",
            "MSExchangeRepl",
            "MSExchangeSearch"
        ])
    );
    assert_eq!(
        f.details["dependants"],
        serde_json::json!(["MSExchangeMailSubmission", "MSExchangeMailboxAssistants"])
    );
    assert!(
        f.summary.contains("(MSExchangeIS)") && f.summary.contains("(MSExchangeSA)"),
        "{}",
        f.summary
    );
    assert!(f.references.iter().any(|r| r == "KB951402"));
    // 7003: 5 at the first 2008 boot, 1 manual start, 2 at each of three later boots;
    // 7001 %%1075: 2 per 2008 boot.
    let scm = f
        .evidence
        .iter()
        .filter(|e| e.text.starts_with("Service Control Manager"))
        .count();
    assert_eq!(f.count, 20);
    assert_eq!(scm, 20);
    assert!(f.evidence.iter().any(|e| e.text
        == "Service Control Manager 7003: The Microsoft Exchange Information Store service depends on the following nonexistent service: NtLmSsp"));
    let banners: Vec<&str> = f
        .evidence
        .iter()
        .filter(|e| e.text.starts_with("EventLog 6009"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(banners.len(), 2);
    assert!(
        banners[0].contains("5.02.") && banners[1].contains("6.00."),
        "{banners:?}"
    );
    assert_eq!(f.details["in_place_upgrade"], true);

    // No second finding for the same root, nor start failures of the blocked services.
    assert!(of(&all, RuleId::ServiceDependencyMissing).is_empty());
    assert!(of(&all, RuleId::ServiceStartFailure).is_empty());

    let crashes = of(&all, RuleId::ServiceCrash);
    let mut crashed: Vec<(&str, u64)> = crashes
        .iter()
        .map(|f| (f.details["service"].as_str().unwrap_or(""), f.count))
        .collect();
    crashed.sort_unstable();
    assert_eq!(
        crashed,
        vec![
            ("MSExchangeRepl", 10),
            ("MSExchangeSearch", 9),
            ("MSExchangeServiceHost", 10)
        ]
    );
    for c in &crashes {
        assert_eq!((c.severity, c.confidence), (Severity::Error, Confidence::High));
        assert_eq!(c.details["module"], "kernel32.dll");
        assert_eq!(c.details["exception_code"], "0xe0434f4d");
        assert_eq!(c.details["exception"], "System.InvalidOperationException");
        assert!(c.summary.contains("kernel32.dll") && c.summary.contains("unhandled .NET exception"));
        // Every SCM termination, plus the three reports of the first and of the last crash.
        assert_eq!(c.evidence.len() as u64, c.count + 6, "{:#?}", c.evidence);
    }
    assert_eq!(all.len(), 4, "{all:#?}");
}

#[test]
fn sp1_interrupted_reports_the_shutdown_and_the_missing_completion() {
    let logs = host_logs("sp1-interrupted");
    let facts = RunFacts {
        index: 0,
        first_line: 1,
        last_line: 2400,
        start: local(2007, 11, 30, 17, 12, 3),
        end: local(2007, 11, 30, 17, 38, 47),
        result: RunResult::Incomplete,
        ended: false,
        mode: Some("Upgrade".into()),
        setup_version: Some("08.01.0240.006".into()),
        unfinished_task: Some("Install-MailboxRole".into()),
    };
    let window = RunWindow {
        source: "sp1-interrupted/ExchangeSetupLogs/ExchangeSetup.log",
        run: &facts,
        start: Some(Utc.with_ymd_and_hms(2007, 11, 30, 16, 12, 3).unwrap()),
        end: Some(Utc.with_ymd_and_hms(2007, 11, 30, 16, 38, 47).unwrap()),
        zone_known: true,
        slack: chrono::Duration::minutes(2),
    };
    let all = check_host(&view("EXMBX02", &logs, vec![window]), Vec::new());

    let shutdown = of(&all, RuleId::UnexpectedShutdownDuringSetup);
    assert_eq!(shutdown.len(), 1, "{all:#?}");
    let f = shutdown[0];
    assert_eq!(
        (f.severity, f.confidence, f.count),
        (Severity::Error, Confidence::High, 1)
    );
    assert_eq!(f.details["shutdown_local"], "2007-11-30T17:41:02");
    assert!(
        f.summary.contains("2 min 15 s after the last setup line"),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence.len(), 2);
    assert!(f.evidence[0]
        .text
        .starts_with("EventLog 6008: The previous system shutdown at 5:41:02 PM on 11/30/2007"));
    assert_eq!(f.evidence[1].location, Location::Line(1));
    assert!(f.evidence[1].text.contains("unfinished task: Install-MailboxRole"));

    let setup = of(&all, RuleId::ExchangeSetupComponentFailed);
    assert_eq!(setup.len(), 1, "{all:#?}");
    let f = setup[0];
    assert_eq!(f.confidence, Confidence::Medium);
    assert!(
        f.summary.contains("build 8.1.240.6") && f.summary.contains("1000 without 1001"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("setup run 1 (mode Upgrade"), "{}", f.summary);
    assert!(f.evidence[0].text.starts_with("MSExchangeSetup 1000"));

    // The MSI transaction of the run succeeded; the stops and starts are not failures.
    assert_eq!(all.len(), 2, "{all:#?}");
}

#[test]
fn sp1_interrupted_without_a_setup_log_still_reports_the_missing_completion_only() {
    let all = findings("sp1-interrupted");
    let rules: Vec<&str> = all.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, vec![RuleId::ExchangeSetupComponentFailed]);
}

#[test]
fn crl_stall_is_one_start_failure_naming_the_crl_check_and_no_crash() {
    let all = findings("crl-stall");
    assert!(of(&all, RuleId::ServiceCrash).is_empty(), "{all:#?}");
    let starts = of(&all, RuleId::ServiceStartFailure);
    assert_eq!(starts.len(), 1, "{all:#?}");
    let f = starts[0];
    assert_eq!(
        f.details["services"],
        serde_json::json!([
            "MSExchangeADTopology",
            "MSExchangeServiceHost",
            "MSExchangeTransport",
            "MSExchangeEdgeSync"
        ])
    );
    assert_eq!(f.details["cause"], "crl-check-timeout");
    assert_eq!((f.count, f.confidence), (8, Confidence::High));
    assert_eq!(f.details["watson_timeouts"], 4);
    assert!(f.summary.contains("KB944752") && f.summary.contains("4 managed Exchange services"));
    assert!(f.references.iter().any(|r| r == "KB944752"));
    assert!(f.remediation.iter().any(|s| s.contains("generatePublisherEvidence")));
    let watson = f
        .evidence
        .iter()
        .filter(|e| e.text.starts_with("MSExchange Common 4999"))
        .count();
    assert_eq!(watson, 4);
    assert!(f.evidence.iter().any(|e| e.text
        == "Service Control Manager 7009: A timeout was reached (30000 milliseconds) while waiting for the Microsoft Exchange Transport service to connect."));
    assert_eq!(all.len(), 1, "{all:#?}");
}

#[test]
fn healthy_host_has_no_finding_at_warning_or_above() {
    let all = findings("healthy");
    let loud: Vec<&Finding> = all.iter().filter(|f| f.severity >= Severity::Warning).collect();
    assert!(loud.is_empty(), "{loud:#?}");
    let logs = host_logs("healthy");
    assert!(
        logs.iter().map(|(_, e)| e.len()).sum::<usize>() > 50,
        "the healthy host has rule events"
    );
}

#[test]
fn other_sample_hosts_have_no_service_findings() {
    for folder in ["prereq-gaps", "upgrade-order/EXCAS11", "upgrade-order/EXMBX12"] {
        let all = findings(folder);
        assert!(all.is_empty(), "{folder}: {all:#?}");
    }
}

#[test]
fn record_ids_of_the_evidence_are_the_events_records() {
    let all = findings("ntlmssp-inplace-upgrade");
    let f = of(&all, RuleId::NtlmsspDependency)[0];
    let logs = host_logs("ntlmssp-inplace-upgrade");
    let first_7003 = logs
        .iter()
        .flat_map(|(_, e)| e)
        .find(|e| e.event_id == 7003)
        .map(|e| e.record_id);
    assert_eq!(records(f).first().copied(), first_7003);
}

#[test]
fn ntlmssp_finding_takes_more_evidence_from_other_sources() {
    use exdoctor::model::Evidence;
    use exdoctor::rules::events::{ntlmssp_finding, AffectedService, DependencyRoot};
    let registry = Evidence::new(
        "EXMBX01/services.reg",
        Location::Key(r"HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeIS\DependOnService".into()),
        None,
        "DependOnService = NtLmSsp, MSExchangeSA",
    );
    let root = DependencyRoot {
        missing: Some("NtLmSsp".into()),
        services: vec![AffectedService {
            name: "MSExchangeIS".into(),
            evidence: vec![registry],
        }],
        dependants: Vec::new(),
    };
    let f = ntlmssp_finding(&root, Vec::new());
    assert_eq!(
        (f.rule, f.severity, f.confidence),
        (RuleId::NtlmsspDependency, Severity::Critical, Confidence::Medium)
    );
    assert!(
        f.summary
            .starts_with("Microsoft Exchange Information Store (MSExchangeIS) depend"),
        "{}",
        f.summary
    );
    assert_eq!(f.details["in_place_upgrade"], false);
    assert_eq!(f.evidence.len(), 1);
}
