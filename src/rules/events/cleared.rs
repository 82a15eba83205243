//! `event-log-cleared`: an event log was cleared (System 104 "The X log file was
//! cleared", Security 1102 "The audit log was cleared", Security 517 on Windows Server
//! 2003), with the account that did it; the SCM 7040 that set the Windows Event Log
//! service to disabled is cited beside them. The events before a clear are gone: the
//! triage window may lack its evidence. One finding per host.

use std::collections::BTreeMap;

use exdoctor_parsers::event::Event;
use serde_json::json;

use super::services::shown;
use super::start_failure::who;
use super::{cited, listed, utc, SCM};
use crate::model::{Confidence, Finding, RuleId, RuleInfo, Severity};
use crate::model::{HostEvent, HostView};

/// The `event-log-cleared` rule.
pub(crate) const EVENT_LOG_CLEARED: RuleInfo = RuleInfo {
    id: RuleId::EventLogCleared,
    title: "An event log was cleared",
    severity: Severity::Warning,
    description: "System 104 (Microsoft-Windows-Eventlog: the X log file was cleared), Security 1102 (the audit \
                  log was cleared) or Security 517 (Windows Server 2003): someone cleared an event log, with the \
                  account named in the event. Every event before the clear is gone, so the evidence of the triage \
                  window may be missing; an SCM 7040 that set the Windows Event Log service to disabled is cited \
                  too. Clearing logs is also what an intruder does to hide activity.",
    remediation: &[
        "Ask who cleared the log and why (the account in the event); if nobody did it on purpose, treat the host as possibly compromised and preserve what is left.",
        "Collect the logs that remain (and any forwarded copies: a SIEM, Windows Event Forwarding) for the time before the clear.",
        "Make sure the Windows Event Log service runs and is set to Automatic (sc config EventLog start= auto).",
    ],
    references: &["Microsoft-Windows-Eventlog 104/1102", "Security 517 (Windows Server 2003)"],
};

const EVENTLOG: &str = "Microsoft-Windows-Eventlog";

/// `DOMAIN\user` of a clear event, from its named fields (else positions).
fn account(event: &Event) -> Option<String> {
    let (user, domain) = match event.event_id {
        517 => (
            event.field("ClientUserName").or(event.param(3)),
            event.field("ClientDomain").or(event.param(4)),
        ),
        _ => (
            event
                .field("SubjectUserName")
                .or(event.param(usize::from(event.event_id == 1102))),
            event
                .field("SubjectDomainName")
                .or(event.param(if event.event_id == 1102 { 2 } else { 1 })),
        ),
    };
    let user = user.map(str::trim).filter(|u| !u.is_empty())?;
    Some(match domain.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{}\\{}", shown(d), shown(user)),
        None => shown(user),
    })
}

/// The log a clear event is about: 104 names it, 1102/517 clear the Security log.
fn channel(event: &Event) -> String {
    match event.event_id {
        104 => event
            .field("Channel")
            .or(event.param(2))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map_or_else(|| "an event".to_string(), shown),
        _ => "Security".to_string(),
    }
}

/// `The System log was cleared by CONTOSO\admin.`
fn text(e: &HostEvent<'_>) -> String {
    let by = account(e.event).map_or_else(|| who(e.event), |a| format!("by {a}"));
    format!("{}: the {} log was cleared {by}", e.label(), channel(e.event))
}

/// Runs the rule.
pub(crate) fn check(host: &HostView<'_>) -> Vec<Finding> {
    let clears: Vec<&HostEvent<'_>> = host
        .events_of(EVENTLOG, &[104, 1102])
        .chain(host.events_of("Security", &[517]))
        .collect();
    if clears.is_empty() {
        return Vec::new();
    }
    let mut clears = clears;
    clears.sort_by_key(|e| (e.event.time, e.source, e.event.record_id));
    let disabled: Vec<&HostEvent<'_>> = host
        .events_of(SCM, &[7040])
        .filter(|e| {
            let service = e.event.param(3).filter(|k| !k.trim().is_empty()).or(e.event.param(0));
            service.is_some_and(|s| {
                ["eventlog", "windows event log", "event log"].contains(&s.trim().to_ascii_lowercase().as_str())
            }) && e
                .event
                .param(2)
                .is_some_and(|t| t.to_ascii_lowercase().contains("disabled"))
        })
        .collect();
    let mut per_log: BTreeMap<String, usize> = BTreeMap::new();
    for e in &clears {
        *per_log.entry(channel(e.event)).or_default() += 1;
    }
    let logs: Vec<String> = per_log
        .iter()
        .map(|(log, n)| {
            if *n == 1 {
                log.clone()
            } else {
                format!("{log} ({n} times)")
            }
        })
        .collect();
    let (head, tail) = cited(&clears);
    let sentences: Vec<String> = head
        .iter()
        .chain(tail)
        .take(3)
        .map(|e| {
            format!(
                "the {} log at {} {}",
                channel(e.event),
                utc(e.event.time),
                account(e.event).map_or_else(|| who(e.event), |a| format!("by {a}"))
            )
        })
        .collect();
    let mut summary = format!(
        "Event logs were cleared {} time(s): {}{}. Events before each clear are gone, so the evidence of the triage window may be missing.",
        clears.len(),
        listed(&sentences),
        if clears.len() > sentences.len() { ", ..." } else { "" }
    );
    if let Some(e) = disabled.last() {
        summary.push_str(&format!(
            " The Windows Event Log service was also set to disabled at {} {} (SCM 7040).",
            utc(e.event.time),
            who(e.event)
        ));
    }
    let accounts: Vec<String> = clears.iter().filter_map(|e| account(e.event)).collect();
    let mut accounts_unique = accounts.clone();
    accounts_unique.sort();
    accounts_unique.dedup();
    let mut finding = Finding::new(&EVENT_LOG_CLEARED, summary)
        .subject(format!("cleared: {}", listed(&logs)))
        .title(format!("Event logs were cleared: {}", listed(&logs)))
        .confidence(Confidence::High)
        .count(clears.len() as u64)
        .detail("logs", json!(per_log))
        .detail("accounts", json!(accounts_unique));
    for e in head.iter().chain(tail) {
        finding.push_evidence(e.evidence(text(e)));
    }
    for e in disabled {
        finding.push_evidence(e.evidence(super::messages::evidence_text(e)));
    }
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, view};

    fn named(mut e: Event, names: &[&str]) -> Event {
        for (field, name) in e.data.iter_mut().zip(names) {
            field.name = Some((*name).to_string());
        }
        e
    }

    #[test]
    fn system_104_and_security_1102_are_one_finding_naming_who_cleared_what() {
        let system = named(
            event(
                EVENTLOG,
                104,
                10,
                "2020-09-19T04:00:00Z",
                &["admin", "C137", "System", ""],
            ),
            &["SubjectUserName", "SubjectDomainName", "Channel", "BackupPath"],
        );
        let mut security = named(
            event(
                EVENTLOG,
                1102,
                11,
                "2020-09-19T04:00:05Z",
                &["S-1-5-21-1-2-3-500", "Administrator", "C137", "0x3e7"],
            ),
            &[
                "SubjectUserSid",
                "SubjectUserName",
                "SubjectDomainName",
                "SubjectLogonId",
            ],
        );
        security.channel = "Security".into();
        let mut off = event(
            SCM,
            7040,
            12,
            "2020-09-19T04:01:00Z",
            &["Windows Event Log", "auto start", "disabled", "EventLog"],
        );
        off.user_sid = Some("S-1-5-21-1-2-3-500".into());
        let events = [system, security, off];
        let findings = check(&view(&events));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            (f.rule, f.severity, f.count),
            (RuleId::EventLogCleared, Severity::Warning, 2)
        );
        assert_eq!(f.title, "Event logs were cleared: Security and System");
        assert!(
            f.summary
                .contains("the System log at 2020-09-19T04:00:00Z by C137\\admin")
                && f.summary
                    .contains("the Security log at 2020-09-19T04:00:05Z by C137\\Administrator")
                && f.summary
                    .contains("set to disabled at 2020-09-19T04:01:00Z by the built-in Administrator"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), 3);
        assert_eq!(
            f.evidence[0].text,
            "Microsoft-Windows-Eventlog 104: the System log was cleared by C137\\admin"
        );
        assert_eq!(f.details["accounts"], json!(["C137\\Administrator", "C137\\admin"]));
    }

    #[test]
    fn no_clear_no_finding() {
        let events = [event(
            SCM,
            7040,
            1,
            "2020-09-19T04:01:00Z",
            &["Print Spooler", "auto start", "disabled", "Spooler"],
        )];
        assert!(check(&view(&events)).is_empty());
    }
}
