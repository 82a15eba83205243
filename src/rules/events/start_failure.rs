//! `service-start-failure`: SCM 7000/7009/7011/7022/7023/7024 grouped per service, and
//! the services that failed on their own and kept others from starting (7001, following
//! `%%1068` chains to the root: a disabled service, a timeout, ...). Several managed
//! Exchange services timing out = the Authenticode CRL check (KB944752), one finding; a
//! failure next to AD topology errors is handed to `ad-topology-failure`; services
//! blocked by a missing dependency are left to that root. Exchange services and the
//! Windows services Exchange depends on keep a finding each; the other services are one
//! finding per cause (see `floods`).

use std::collections::HashMap;

use chrono::Duration;
use exdoctor_parsers::event::Event;
use serde_json::json;

use super::dependency::Dependencies;
use super::floods;
use super::messages::{evidence_text, win32_code, win32_meaning};
use super::reports::is_start_timeout_report;
use super::services::{Directory, Service};
use super::{cited, listed, scm_service, topology, utc, SCM};
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
    description: "SCM 7000/7009/7011/7022/7023/7024 grouped per service, and the service at the root of 7001 \
                  chains (a service that depends on one that failed; %%1068 = that one's own dependency failed, \
                  followed to the service that really failed, e.g. %%1058 disabled, with the SCM 7040 that changed \
                  its start type). When several managed Exchange services time out at start (%%1053, 30000 ms), \
                  the Authenticode CRL check is timing out on a server without internet access (KB944752); a \
                  single failure next to MSExchange ADAccess topology errors is reported as ad-topology-failure. \
                  Failures explained by a missing dependency are reported under that dependency. Exchange \
                  services and the Windows services Exchange depends on get a finding each (error); other \
                  services are one warning per cause, naming the services (and the SCM 7045 installs that \
                  preceded them).",
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
pub(crate) struct Group<'h, 'a> {
    pub service: Service,
    /// Its own start failures, in time order.
    pub events: Vec<&'h HostEvent<'a>>,
    /// The 7001 events of the services that could not start because of it.
    pub dependants: Vec<&'h HostEvent<'a>>,
    /// Why it failed as its dependants' 7001 say (`1058`), when it logged no failure itself.
    pub root_code: Option<String>,
    /// The SCM 7040 that set it to disabled, when it failed as disabled.
    pub disabled_by: Option<&'h HostEvent<'a>>,
}

impl Group<'_, '_> {
    fn managed_exchange(&self) -> bool {
        self.service.exchange.is_some_and(|s| s.managed)
    }

    fn timed_out(&self) -> bool {
        self.events.iter().any(|e| is_timeout(e.event))
    }

    /// The cause of its last failure: a Win32 code (`1053`), or `service-specific N`.
    pub(crate) fn cause(&self) -> String {
        match self.events.last() {
            Some(e) => cause_of(e.event),
            None => self.root_code.clone().unwrap_or_else(|| "1068".to_string()),
        }
    }

    /// How many failures the finding counts: its own, else its dependants'.
    pub(crate) fn occurrences(&self) -> usize {
        if self.events.is_empty() {
            self.dependants.len().max(1)
        } else {
            self.events.len()
        }
    }

    /// Whether it failed because it is disabled.
    fn disabled(&self) -> bool {
        self.cause() == "1058"
    }

    /// First and last time of its failures and its dependants' (time order).
    pub(crate) fn times(&self) -> impl Iterator<Item = chrono::DateTime<chrono::Utc>> + '_ {
        self.events.iter().chain(&self.dependants).map(|e| e.event.time)
    }

    /// The events as evidence: its 7040, its failures, its dependants' (at most the cited ones).
    pub(crate) fn evidence(&self) -> Vec<Evidence> {
        let mut out: Vec<Evidence> = self.disabled_by.iter().map(|e| e.evidence(evidence_text(e))).collect();
        for list in [&self.events, &self.dependants] {
            let (head, tail) = cited(list);
            out.extend(head.iter().chain(tail).map(|e| e.evidence(evidence_text(e))));
        }
        out
    }

    /// The names of its dependants, each with its count: `Network List Service x3`.
    fn dependant_counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for e in &self.dependants {
            let Some(name) = e.event.param(0).map(str::trim) else {
                continue;
            };
            let i = *index.entry(name.to_ascii_lowercase()).or_insert_with(|| {
                counts.push((name.to_string(), 0));
                counts.len() - 1
            });
            counts[i].1 += 1;
        }
        counts
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

/// The cause of one failure event: `1053` for timeouts, the `%%N` of 7000/7023,
/// `service-specific N` for 7024.
pub(crate) fn cause_of(event: &Event) -> String {
    let raw = event.param(1).map(str::trim).unwrap_or_default();
    match event.event_id {
        7009 | 7011 | 7022 => "1053".to_string(),
        7024 => format!("service-specific {raw}"),
        _ => win32_code(raw).unwrap_or(raw).to_string(),
    }
}

/// `1058 (the service is disabled)`, `service-specific 5`.
pub(crate) fn cause_text(cause: &str) -> String {
    match win32_meaning(cause) {
        Some(meaning) => format!("%%{cause} ({meaning})"),
        None if cause.starts_with("service-specific") => format!("{cause} (see the service's own log)"),
        None if cause.is_empty() => "an unspecified error".to_string(),
        None => format!("%%{cause}"),
    }
}

/// The start type a 7040 sets (`%3`), lowercase.
fn new_start_type(event: &Event) -> String {
    event.param(2).unwrap_or_default().trim().to_ascii_lowercase()
}

/// The host's 7040 events that set a service to disabled, by group key, in time order.
fn disabled_changes<'h, 'a>(host: &'h HostView<'a>, dir: &Directory<'_>) -> HashMap<String, Vec<&'h HostEvent<'a>>> {
    let mut out: HashMap<String, Vec<&HostEvent<'_>>> = HashMap::new();
    for e in host.events_of(SCM, &[7040]) {
        if !new_start_type(e.event).contains("disabled") {
            continue;
        }
        let name = e.event.param(3).filter(|k| !k.trim().is_empty()).or(e.event.param(0));
        if let Some(name) = name {
            out.entry(dir.resolve(name).group_key()).or_default().push(e);
        }
    }
    out
}

/// Groups the host's start failures per service (except the `blocked` ones) and the
/// roots of 7001 chains, in the order of their first event.
fn groups<'h, 'a>(host: &'h HostView<'a>, dir: &Directory<'_>, deps: &Dependencies<'h, 'a>) -> Vec<Group<'h, 'a>> {
    let mut groups: Vec<Group<'h, 'a>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut slot = |groups: &mut Vec<Group<'h, 'a>>, name: &str| -> usize {
        let service = dir.resolve(name);
        *index.entry(service.group_key()).or_insert_with(|| {
            groups.push(Group {
                service,
                events: Vec::new(),
                dependants: Vec::new(),
                root_code: None,
                disabled_by: None,
            });
            groups.len() - 1
        })
    };
    for e in host.events_of(SCM, START_FAILURES) {
        let Some(name) = scm_service(e.event) else { continue };
        if deps.blocked.contains(&dir.resolve(name).group_key()) {
            continue;
        }
        let i = slot(&mut groups, name);
        groups[i].events.push(e);
    }
    for root in &deps.failed {
        let i = slot(&mut groups, &root.name);
        groups[i].dependants.extend(root.dependants.iter().copied());
        groups[i].root_code = root.code.clone();
    }
    let changes = disabled_changes(host, dir);
    for g in groups.iter_mut().filter(|g| g.disabled()) {
        let first = g.times().min();
        g.disabled_by = changes.get(&g.service.group_key()).and_then(|list| {
            let before = first.map_or(list.len(), |t| list.partition_point(|e| e.event.time <= t));
            before.checked_sub(1).and_then(|i| list.get(i)).or(list.last()).copied()
        });
    }
    groups
}

/// Whether a group is about Exchange: its service, or a dependant, matters to Exchange.
fn matters_to_exchange(g: &Group<'_, '_>, dir: &Directory<'_>) -> bool {
    g.service.subject.matters_to_exchange()
        || g.dependants
            .iter()
            .filter_map(|e| e.event.param(0))
            .any(|d| dir.resolve(d).subject.matters_to_exchange())
}

/// Runs the rule; `deps` = the dependency roots of the host.
pub(crate) fn check(host: &HostView<'_>, dir: &Directory<'_>, deps: &Dependencies<'_, '_>) -> StartFailures {
    let all = groups(host, dir, deps);
    let is_crl = |g: &Group<'_, '_>| g.managed_exchange() && g.timed_out();
    let crl_pattern = all.iter().filter(|g| is_crl(g)).count() >= CRL_MIN_SERVICES;
    let (crl, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|g| crl_pattern && is_crl(g));
    let mut findings = Vec::new();
    if !crl.is_empty() {
        findings.push(crl_finding(host, &crl));
    }
    let topology: Vec<_> = topology::failures(host).map(|e| e.event.time).collect();
    let window = Duration::minutes(TOPOLOGY_WINDOW_MINUTES);
    let near_topology = |t| {
        let after = topology.partition_point(|x| *x < t - window);
        topology.get(after).is_some_and(|x| *x <= t + window)
    };
    let mut folded = Vec::new();
    let mut others = Vec::new();
    for g in rest {
        if g.events.iter().any(|e| near_topology(e.event.time)) {
            folded.extend(g.evidence());
        } else if matters_to_exchange(&g, dir) {
            findings.push(service_finding(&g, dir));
        } else {
            others.push(g);
        }
    }
    findings.extend(floods::findings(host, dir, others));
    StartFailures { findings, folded }
}

/// First and last time of a list of times.
pub(crate) fn span(times: impl Iterator<Item = chrono::DateTime<chrono::Utc>>) -> String {
    let (mut first, mut last) = (None, None);
    for t in times {
        first = Some(first.map_or(t, |f: chrono::DateTime<chrono::Utc>| f.min(t)));
        last = Some(last.map_or(t, |l: chrono::DateTime<chrono::Utc>| l.max(t)));
    }
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
    let mut times: Vec<_> = events.iter().map(|e| e.event.time).collect();
    times.sort_unstable();
    let watson: Vec<&HostEvent<'_>> = host
        .events_of("MSExchange Common", &[4999])
        .filter(|w| is_start_timeout_report(w.event))
        .filter(|w| {
            let after = times.partition_point(|t| *t < w.event.time - window);
            times.get(after).is_some_and(|t| *t <= w.event.time + window)
        })
        .collect();
    let services: Vec<String> = crl.iter().map(|g| g.service.key.clone()).collect();
    let mut summary = format!(
        "{} managed Exchange services timed out at start {} ({}): the Authenticode certificate revocation (CRL) check is timing out on a server without internet access (KB944752).",
        crl.len(),
        span(times.iter().copied()),
        services.join(", "),
    );
    if !watson.is_empty() {
        summary.push_str(&format!(
            " {} Watson report(s) (MSExchange Common 4999) show S.ServiceProcess.TimeoutException at the same time.",
            watson.len()
        ));
    }
    let mut finding = Finding::new(rule, summary)
        .subject("certificate revocation check")
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

/// `by S-1-5-18 (SYSTEM)`, `by the built-in Administrator (S-1-5-21-...-500)`.
pub(crate) fn who(event: &Event) -> String {
    let Some(sid) = event.user_sid.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return "by an account the event does not name".to_string();
    };
    let known = match sid {
        "S-1-5-18" => Some("SYSTEM"),
        "S-1-5-19" => Some("LOCAL SERVICE"),
        "S-1-5-20" => Some("NETWORK SERVICE"),
        s if s.starts_with("S-1-5-21-") && s.ends_with("-500") => Some("the built-in Administrator"),
        _ => None,
    };
    match known {
        Some(name) => format!("by {name} ({sid})"),
        None => format!("by {sid}"),
    }
}

/// `. Windows Event Log was set to disabled on 2020-...Z by SYSTEM (S-1-5-18) (SCM 7040:
/// auto start -> disabled)`.
fn disabled_sentence(g: &Group<'_, '_>) -> String {
    match g.disabled_by {
        Some(e) => format!(
            " Its start type was set to disabled at {} {} (SCM 7040: {} -> {}).",
            utc(e.event.time),
            who(e.event),
            e.event.param(1).map_or("?", str::trim),
            e.event.param(2).map_or("?", str::trim)
        ),
        None if g.disabled() => " It is disabled; no SCM 7040 in the logs says when or by whom.".to_string(),
        None => String::new(),
    }
}

/// What happened to one group: `X failed to start 2 time(s) between A and B: %%1058
/// (the service is disabled).`, with the 7040 that disabled it and its dependants.
pub(crate) fn group_summary(g: &Group<'_, '_>, dir: &Directory<'_>) -> String {
    let label = g.service.label();
    let cause = cause_text(&g.cause());
    let mut summary = if g.events.is_empty() {
        format!("{label} could not run {}: {cause}.", span(g.times()))
    } else {
        format!(
            "{label} failed to start {} time(s) {}: {cause}.",
            g.events.len(),
            span(g.events.iter().map(|e| e.event.time))
        )
    };
    summary.push_str(&disabled_sentence(g));
    if let Some(list) = dependants_text(g, dir) {
        summary.push_str(&format!(" Services that could not start because of it: {list}."));
    }
    summary
}

/// `X failed to start`, or `X is disabled: the services that depend on it could not start`.
pub(crate) fn group_title(g: &Group<'_, '_>) -> String {
    let label = g.service.label();
    match (g.disabled(), g.dependants.is_empty()) {
        (true, false) => format!("{label} is disabled: the services that depend on it could not start"),
        (true, true) => format!("{label} is disabled"),
        _ => format!("{label} failed to start"),
    }
}

/// `Network Location Awareness x3 and Network List Service x3`.
fn dependants_text(g: &Group<'_, '_>, dir: &Directory<'_>) -> Option<String> {
    let counts = g.dependant_counts();
    if counts.is_empty() {
        return None;
    }
    let names: Vec<String> = counts
        .iter()
        .map(|(name, n)| format!("{} x{n}", dir.resolve(name).label()))
        .collect();
    Some(listed(&names))
}

/// The finding of one Exchange-related service's start failures (or of the root its
/// dependants' 7001 chains end at).
fn service_finding(g: &Group<'_, '_>, dir: &Directory<'_>) -> Finding {
    let rule = &SERVICE_START_FAILURE;
    let summary = group_summary(g, dir);
    let title = group_title(g);
    let dependants: Vec<String> = g
        .dependant_counts()
        .into_iter()
        .map(|(n, _)| dir.resolve(&n).key)
        .collect();
    let remediation = if g.service.exchange.is_some() {
        rule.remediation.iter().map(|s| s.to_string()).collect()
    } else {
        windows_steps(g)
    };
    let mut finding = Finding::new(rule, summary)
        .subject(g.service.key.clone())
        .title(title)
        .count(g.occurrences() as u64)
        .remediation(remediation)
        .detail("service", g.service.key.clone())
        .detail("cause", g.cause())
        .detail("dependants", json!(dependants))
        .detail("disabled_by", g.disabled_by.and_then(|e| e.event.user_sid.clone()));
    if g.service.exchange.is_none() {
        finding.references = vec!["netevent.mc (SCM 7000/7001/7023/7040)".to_string()];
    }
    for e in g.evidence() {
        finding.push_evidence(e);
    }
    finding
}

/// Remediation for a Windows service (not Exchange's own): no CRL advice.
pub(crate) fn windows_steps(g: &Group<'_, '_>) -> Vec<String> {
    let key = &g.service.key;
    let mut steps = Vec::new();
    if g.disabled() {
        steps.push(format!(
            "Set {key} back to its start type (sc config {key} start= auto, or demand for a manual service) and start it: net start {key}; then start the services that depend on it."
        ));
        steps.push(
            "Find out who disabled it and why (the SCM 7040 account; a disabled Windows Event Log or firewall can be an attacker hiding activity)."
                .to_string(),
        );
    } else {
        steps.push(format!(
            "Look up the error, {}, and the service's configuration: sc qc {key} (image path, account, dependencies) and sc query {key}.",
            cause_text(&g.cause())
        ));
        steps.push(format!(
            "Fix the cause (missing or blocked image, the account's password or rights, a failed dependency) and start it: net start {key}."
        ));
    }
    if g.service.subject.matters_to_exchange() {
        steps.push(format!(
            "Exchange needs {key}: start the Exchange services again once it runs."
        ));
    }
    steps
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
        let dir = Directory::new(&host);
        let result = check(&host, &dir, &super::super::dependency::analyze(&host, &dir));
        assert!(result.folded.is_empty());
        let [transport, spooler] = &result.findings[..] else {
            panic!("{:#?}", result.findings);
        };
        assert_eq!((transport.count, transport.evidence.len()), (2, 3));
        assert_eq!(transport.details["service"], "MSExchangeTransport");
        assert_eq!(transport.details["dependants"], json!(["MSExchangeEdgeSync"]));
        assert_eq!(transport.details["cause"], "1053", "the error code, not the CRL check");
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
        assert!(dir
            .resolve("World Wide Web Publishing Service")
            .subject
            .matters_to_exchange());
        assert!(dir.resolve("w3svc").subject.matters_to_exchange());
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
        let dir = Directory::new(&host);
        let mut deps = super::super::dependency::analyze(&host, &dir);
        deps.blocked.insert("msexchangeis".to_string());
        let result = check(&host, &dir, &deps);
        assert!(result.findings.is_empty(), "{:#?}", result.findings);
        assert_eq!(result.folded.len(), 1);
        assert!(result.folded[0].text.starts_with("Service Control Manager 7024"));
    }

    #[test]
    fn exchange_services_keep_their_own_findings_beside_a_flood_of_one_cause() {
        let mut events = vec![event(SCM, 7000, 1, "2019-03-01T02:00:00Z", &[TRANSPORT, "%%1053"])];
        for i in 0..12u64 {
            let name = format!("random{i:02}");
            events.push(event(SCM, 7000, 2 + i, "2019-03-01T02:00:01Z", &[&name, "%%1053"]));
        }
        events.push(event(SCM, 7000, 20, "2019-03-01T02:00:02Z", &["W3SVC", "%%1053"]));
        let host = view(&events);
        let dir = Directory::new(&host);
        let result = check(&host, &dir, &super::super::dependency::analyze(&host, &dir));
        let titles: Vec<(&str, Severity)> = result.findings.iter().map(|f| (f.title.as_str(), f.severity)).collect();
        assert_eq!(
            titles,
            vec![
                ("Microsoft Exchange Transport (MSExchangeTransport) failed to start", Severity::Error),
                ("World Wide Web Publishing Service (W3SVC) failed to start", Severity::Error),
                (
                    "12 services failed to start: %%1053 (the service did not respond to the start or control request in a timely fashion)",
                    Severity::Warning
                ),
            ]
        );
        let flood = &result.findings[2];
        assert!(flood.summary.contains("random09 and 2 more"), "{}", flood.summary);
        let advice = flood.remediation.join(" ");
        assert!(!advice.contains("KB944752") && !advice.contains("Exchange"), "{advice}");
    }
}
