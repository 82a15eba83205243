//! `service-start-failure`: SCM 7000/7009/7011/7022/7023/7024 grouped per service.
//! Several managed Exchange services timing out = the Authenticode CRL check (KB944752),
//! one finding; a failure next to AD topology errors is handed to `ad-topology-failure`;
//! services blocked by a missing dependency are left to that root.

use std::collections::BTreeSet;

use chrono::Duration;
use exdoctor_parsers::event::Event;
use serde_json::json;

use super::crash::is_start_timeout_report;
use super::exchange::{group_key, key_or_name, label, lookup};
use super::messages::{evidence_text, render, win32_code};
use super::{scm_service, topology, utc, SCM};
use crate::model::{Confidence, EventFact, Evidence, Fact, Finding, RuleId, RuleInfo, Severity};
use crate::model::{HostEvent, HostView};

/// Remediation of a start failure caused by the Authenticode CRL check (KB944752).
pub(crate) const CRL_REMEDIATION: &[&str] = &[
    "The managed Exchange services wait for the Authenticode certificate revocation (CRL) check of their signed assemblies; without internet access it times out and SCM gives up after 30 seconds (KB944752).",
    "Let the server reach the CRL URL (crl.microsoft.com) through the proxy: proxycfg -u (Windows 2003) or netsh winhttp set proxy (Windows 2008).",
    "Or disable publisher evidence: <generatePublisherEvidence enabled=\"false\"/> in the <runtime> section of each Exchange service's .exe.config, then start the services.",
    "Or turn off \"Check for publisher's certificate revocation\" (Internet Options, Advanced) for the accounts running setup and the services.",
];

/// The `service-start-failure` rule.
pub(crate) const SERVICE_START_FAILURE: RuleInfo = RuleInfo {
    id: RuleId::ServiceStartFailure,
    title: "A service failed to start",
    severity: Severity::Error,
    description: "SCM 7000/7009/7011/7022/7023/7024 grouped per service. When several managed Exchange services \
                  time out at start (%%1053, 30000 ms), the Authenticode CRL check is timing out on a server \
                  without internet access (KB944752); a single failure next to MSExchange ADAccess topology \
                  errors is reported as ad-topology-failure. Failures explained by a missing dependency are \
                  reported under that dependency.",
    remediation: &[
        "Read the error of the failure (%%1053 timeout, %%1069 logon failure, a service-specific error) and the events of the service just before it.",
        "Fix the cause (account password, disabled dependency, configuration) and start the service: net start <service>.",
        "If several Exchange services time out at start on a server without internet access, follow KB944752 (CRL check): allow crl.microsoft.com through the proxy or set generatePublisherEvidence to false.",
    ],
    references: &["KB944752", "netevent.mc (SCM 7000/7009/7011/7022/7023/7024)"],
};

/// The SCM start-failure events.
const START_FAILURES: &[u16] = &[7000, 7009, 7011, 7022, 7023, 7024];
/// At least this many managed Exchange services timing out = the CRL check.
const CRL_MIN_SERVICES: usize = 2;
/// A failure this close to an ADAccess topology error is explained by it.
const TOPOLOGY_WINDOW_MINUTES: i64 = 5;
/// Watson timeout reports this close to the timeouts are evidence of the CRL check.
const WATSON_WINDOW_MINUTES: i64 = 5;

/// Start-failure findings, and the evidence of failures explained by AD topology errors.
pub(crate) struct StartFailures {
    pub findings: Vec<Finding>,
    pub folded: Vec<Evidence>,
}

/// The failures of one service and the dependants that could not start because of it.
struct Group<'h, 'a> {
    name: String,
    events: Vec<&'h HostEvent<'a>>,
    dependants: Vec<&'h HostEvent<'a>>,
}

impl Group<'_, '_> {
    fn managed_exchange(&self) -> bool {
        lookup(&self.name).is_some_and(|s| s.managed)
    }

    fn timed_out(&self) -> bool {
        self.events.iter().any(|e| is_timeout(e.event))
    }

    fn evidence(&self) -> impl Iterator<Item = Evidence> + '_ {
        self.events
            .iter()
            .chain(&self.dependants)
            .map(|e| e.evidence(evidence_text(e)))
    }
}

/// A start that timed out: 7009/7011/7022, or 7000 with `%%1053`.
fn is_timeout(event: &Event) -> bool {
    match event.event_id {
        7009 | 7011 | 7022 => true,
        7000 => event.param(1).and_then(win32_code) == Some("1053"),
        _ => false,
    }
}

/// Groups the host's start failures per service, except the `blocked` ones.
fn groups<'h, 'a>(host: &'h HostView<'a>, blocked: &BTreeSet<String>) -> Vec<Group<'h, 'a>> {
    let mut groups: Vec<Group<'h, 'a>> = Vec::new();
    for e in host.events_of(SCM, START_FAILURES) {
        let Some(name) = scm_service(e.event) else { continue };
        let key = group_key(name);
        if blocked.contains(&key) {
            continue;
        }
        match groups.iter_mut().find(|g| group_key(&g.name) == key) {
            Some(g) => g.events.push(e),
            None => groups.push(Group {
                name: name.to_string(),
                events: vec![e],
                dependants: Vec::new(),
            }),
        }
    }
    for e in host.events_of(SCM, &[7001]) {
        let (Some(dependant), Some(on)) = (e.event.param(0), e.event.param(1)) else {
            continue;
        };
        if blocked.contains(&group_key(dependant)) {
            continue;
        }
        if let Some(g) = groups.iter_mut().find(|g| group_key(&g.name) == group_key(on)) {
            g.dependants.push(e);
        }
    }
    groups
}

/// Runs the rule; `blocked` = services explained by a missing dependency.
pub(crate) fn check(host: &HostView<'_>, blocked: &BTreeSet<String>) -> StartFailures {
    let all = groups(host, blocked);
    let is_crl = |g: &Group<'_, '_>| g.managed_exchange() && g.timed_out();
    let crl_pattern = all.iter().filter(|g| is_crl(g)).count() >= CRL_MIN_SERVICES;
    let (crl, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|g| crl_pattern && is_crl(g));
    let mut findings = Vec::new();
    if !crl.is_empty() {
        findings.push(crl_finding(host, &crl));
    }
    let topology: Vec<_> = topology::failures(host).map(|e| e.event.time).collect();
    let window = Duration::minutes(TOPOLOGY_WINDOW_MINUTES);
    let mut folded = Vec::new();
    for g in rest {
        let near_topology = g
            .events
            .iter()
            .any(|e| topology.iter().any(|t| (e.event.time - *t).abs() <= window));
        if near_topology {
            folded.extend(g.evidence());
        } else {
            findings.push(service_finding(&g));
        }
    }
    StartFailures { findings, folded }
}

/// First and last time of a group's failures.
fn span(events: &[&HostEvent<'_>]) -> String {
    let first = events.iter().map(|e| e.event.time).min();
    let last = events.iter().map(|e| e.event.time).max();
    match (first, last) {
        (Some(f), Some(l)) if f != l => format!("between {} and {}", utc(f), utc(l)),
        (Some(f), _) => format!("at {}", utc(f)),
        _ => String::new(),
    }
}

/// One finding for the managed Exchange services that timed out at start (KB944752).
fn crl_finding(host: &HostView<'_>, crl: &[Group<'_, '_>]) -> Finding {
    let rule = &SERVICE_START_FAILURE;
    let events: Vec<&HostEvent<'_>> = crl.iter().flat_map(|g| g.events.iter().copied()).collect();
    let window = Duration::minutes(WATSON_WINDOW_MINUTES);
    let watson: Vec<&HostEvent<'_>> = host
        .events_of("MSExchange Common", &[4999])
        .filter(|w| is_start_timeout_report(w.event))
        .filter(|w| events.iter().any(|e| (e.event.time - w.event.time).abs() <= window))
        .collect();
    let services: Vec<String> = crl.iter().map(|g| key_or_name(&g.name)).collect();
    let mut summary = format!(
        "{} managed Exchange services timed out at start {} ({}): the Authenticode certificate revocation (CRL) check is timing out on a server without internet access (KB944752).",
        crl.len(),
        span(&events),
        services.join(", "),
    );
    if !watson.is_empty() {
        summary.push_str(&format!(
            " {} Watson report(s) (MSExchange Common 4999) show S.ServiceProcess.TimeoutException at the same time.",
            watson.len()
        ));
    }
    let mut finding = Finding::new(rule, summary)
        .title("Exchange services time out at start: certificate revocation (CRL) check (KB944752)")
        .count(events.len() as u64)
        .confidence(if watson.is_empty() {
            Confidence::Medium
        } else {
            Confidence::High
        })
        .remediation(CRL_REMEDIATION.iter().map(|s| s.to_string()).collect())
        .fact(Fact::Event(EventFact::CrlStartTimeout {
            services: services.clone(),
        }))
        .detail("cause", "crl-check-timeout")
        .detail("services", json!(services))
        .detail("watson_timeouts", watson.len());
    for g in crl {
        for e in g.evidence() {
            finding.push_evidence(e);
        }
    }
    for w in watson {
        finding.push_evidence(w.evidence(evidence_text(w)));
    }
    finding
}

/// Windows services Exchange 2007 needs (by key or display name, case-insensitive).
const EXCHANGE_DEPENDENCIES: &[&str] = &[
    "W3SVC",
    "World Wide Web Publishing Service",
    "IISADMIN",
    "IIS Admin Service",
    "RpcSs",
    "Remote Procedure Call (RPC)",
    "LanmanServer",
    "Server",
    "LanmanWorkstation",
    "Workstation",
    "Netlogon",
    "EventLog",
    "Event Log",
    "Windows Event Log",
    "WinMgmt",
    "Windows Management Instrumentation",
    "MSDTC",
    "Distributed Transaction Coordinator",
    "RemoteRegistry",
    "Remote Registry",
    "HTTPFilter",
    "HTTP SSL",
    "MpsSvc",
    "Windows Firewall",
    "NtLmSsp",
    "NT LM Security Support Provider",
    "ClusSvc",
    "Cluster Service",
    "WAS",
    "Windows Process Activation Service",
    "W32Time",
    "Windows Time",
];

/// Whether a failing service matters to Exchange: one of its own, or one it depends on.
pub(crate) fn exchange_related(name: &str) -> bool {
    lookup(name).is_some()
        || EXCHANGE_DEPENDENCIES
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name.trim()))
}

/// The finding of one service's start failures.
fn service_finding(g: &Group<'_, '_>) -> Finding {
    let rule = &SERVICE_START_FAILURE;
    let last = g.events.last().map(|e| render(e.event)).unwrap_or_default();
    let mut summary = format!(
        "{} failed to start {} time(s) {}; last: {last}",
        label(&g.name),
        g.events.len(),
        span(&g.events)
    );
    let dependants: BTreeSet<String> = g
        .dependants
        .iter()
        .filter_map(|e| e.event.param(0))
        .map(key_or_name)
        .collect();
    if !dependants.is_empty() {
        let list: Vec<&str> = dependants.iter().map(String::as_str).collect();
        summary.push_str(&format!(" Dependants that could not start: {}.", list.join(", ")));
    }
    let related = exchange_related(&g.name) || !dependants.is_empty();
    if !related {
        summary.push_str(" Not an Exchange service nor one Exchange depends on: a warning for this triage.");
    }
    let mut finding = Finding::new(rule, summary)
        .severity(if related { rule.severity } else { Severity::Warning })
        .title(format!("{} failed to start", label(&g.name)))
        .count(g.events.len() as u64)
        .detail("service", key_or_name(&g.name))
        .detail("dependants", json!(dependants));
    for e in g.evidence() {
        finding.push_evidence(e);
    }
    finding
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, topology_failure, view};

    const TRANSPORT: &str = "Microsoft Exchange Transport";

    #[test]
    fn a_single_timeout_is_a_per_service_finding_not_the_crl_check() {
        let events = [
            event(SCM, 7009, 1, "2008-09-28T18:00:30Z", &["30000", TRANSPORT]),
            event(SCM, 7000, 2, "2008-09-28T18:00:30Z", &[TRANSPORT, "%%1053"]),
            event(
                SCM,
                7001,
                3,
                "2008-09-28T18:00:31Z",
                &["Microsoft Exchange EdgeSync", TRANSPORT, "%%1053"],
            ),
            event(SCM, 7000, 4, "2008-09-28T19:00:00Z", &["Print Spooler", "%%1069"]),
        ];
        let host = view(&events);
        let result = check(&host, &BTreeSet::new());
        assert!(result.folded.is_empty());
        let [transport, spooler] = &result.findings[..] else {
            panic!("{:#?}", result.findings);
        };
        assert_eq!((transport.count, transport.evidence.len()), (2, 3));
        assert_eq!(transport.details["service"], "MSExchangeTransport");
        assert_eq!(transport.details["dependants"], json!(["MSExchangeEdgeSync"]));
        assert!(transport.details.get("cause").is_none());
        assert!(
            spooler
                .summary
                .contains("%%1069 (the service did not start due to a logon failure)"),
            "{}",
            spooler.summary
        );
        // Exchange's own service is an error; an unrelated one only a warning.
        assert_eq!(
            (transport.severity, spooler.severity),
            (Severity::Error, Severity::Warning)
        );
        assert!(spooler.summary.contains("Not an Exchange service"));
        assert!(exchange_related("World Wide Web Publishing Service") && exchange_related("w3svc"));
    }

    #[test]
    fn a_failure_next_to_topology_errors_is_folded_and_blocked_services_are_skipped() {
        let events = [
            topology_failure(1, "2008-09-28T18:00:00Z"),
            event(SCM, 7024, 2, "2008-09-28T18:01:00Z", &[TRANSPORT, "-2147221226"]),
            event(
                SCM,
                7000,
                3,
                "2008-09-28T18:02:00Z",
                &["Microsoft Exchange Information Store", "%%1053"],
            ),
        ];
        let host = view(&events);
        let blocked: BTreeSet<String> = ["msexchangeis".to_string()].into();
        let result = check(&host, &blocked);
        assert!(result.findings.is_empty(), "{:#?}", result.findings);
        assert_eq!(result.folded.len(), 1);
        assert!(result.folded[0].text.starts_with("Service Control Manager 7024"));
    }
}
