//! `event-log-gap`: record-id gaps, unreadable records and damage in an event log file
//! (input integrity: events may be missing from the analysis). One finding per log.

use exdoctor_parsers::event::LogIntegrity;
use exdoctor_parsers::ParseError;
use serde_json::json;

use crate::model::{file_name, HostLog, HostView};
use crate::model::{Confidence, Evidence, Finding, Location, RuleId, RuleInfo, Severity};

/// The `event-log-gap` rule.
pub(crate) const EVENT_LOG_GAP: RuleInfo = RuleInfo {
    id: RuleId::EventLogGap,
    title: "Event log has missing or unreadable records",
    severity: Severity::Warning,
    description: "Record numbers of the event log are not continuous, or records or chunks could not be \
                  decoded: events may be missing from the analysis (input integrity, not a server problem).",
    remediation: &[
        "Collect the log again from the server (wevtutil epl System System.evtx, or Save As in Event Viewer) and analyze the new copy.",
        "If the log on the server itself is damaged, also export it as XML (wevtutil qe System /f:xml) so the readable records survive.",
    ],
    references: &[],
};

/// At most this many gap and problem lines as evidence; the rest are counted.
const MAX_EVIDENCE: usize = 20;

/// Runs the rule.
pub(crate) fn check(host: &HostView<'_>) -> Vec<Finding> {
    host.logs.iter().filter_map(finding).collect()
}

fn damaged(i: &LogIntegrity) -> bool {
    !i.record_id_gaps.is_empty() || i.unreadable > 0 || !i.problems.is_empty()
}

fn finding(log: &HostLog<'_>) -> Option<Finding> {
    let i = log.integrity;
    if !damaged(i) {
        return None;
    }
    let missing: u64 = i.record_id_gaps.iter().map(|g| g.missing()).sum();
    let mut parts = Vec::new();
    if !i.record_id_gaps.is_empty() {
        parts.push(format!(
            "{missing} record id(s) missing in {} gap(s)",
            i.record_id_gaps.len()
        ));
    }
    if i.unreadable > 0 {
        parts.push(format!("{} unreadable record(s)", i.unreadable));
    }
    if !i.problems.is_empty() {
        parts.push(format!("{} damaged place(s)", i.problems.len()));
    }
    let channel = if log.channel.trim().is_empty() {
        "event".to_string()
    } else {
        log.channel.to_string()
    };
    let summary = format!(
        "The {channel} log {} is incomplete: {}; {} record(s) were read. Events in the missing ranges are not analyzed.",
        log.source,
        parts.join(", "),
        i.readable
    );
    let mut evidence: Vec<Evidence> = i
        .record_id_gaps
        .iter()
        .map(|g| {
            let text = format!(
                "records {}-{} missing ({} record(s)) between record {} and record {}",
                g.after.saturating_add(1),
                g.before.saturating_sub(1),
                g.missing(),
                g.after,
                g.before
            );
            Evidence::new(log.source, Location::File, None, text)
        })
        .chain(i.problems.iter().map(|p| problem(log.source, p)))
        .collect();
    let total = evidence.len();
    evidence.truncate(MAX_EVIDENCE);
    if total > MAX_EVIDENCE {
        let text = format!("... and {} more gap(s) or damaged place(s)", total - MAX_EVIDENCE);
        evidence.push(Evidence::new(log.source, Location::File, None, text));
    }
    let gaps: Vec<[u64; 2]> = i
        .record_id_gaps
        .iter()
        .map(|g| [g.after.saturating_add(1), g.before.saturating_sub(1)])
        .collect();
    let mut finding = Finding::new(&EVENT_LOG_GAP, summary)
        .subject(format!("{} {}", log.channel, file_name(log.source)))
        .title(if log.channel.trim().is_empty() {
            "Event log has missing or unreadable records".to_string()
        } else {
            format!("{} event log has missing or unreadable records", log.channel)
        })
        .confidence(Confidence::High)
        .count((missing + i.unreadable).max(1))
        .detail("log", log.source)
        .detail("missing_records", missing)
        .detail("unreadable_records", i.unreadable)
        .detail("gaps", json!(gaps));
    for e in evidence {
        finding.push_evidence(e);
    }
    Some(finding)
}

/// A parse problem as evidence, at its record when it names one (the record is then
/// the evidence's location, not repeated in its text).
fn problem(source: &str, p: &ParseError) -> Evidence {
    match p {
        ParseError::Record { record, message } => {
            Evidence::new(source, Location::Record(*record), None, message.clone())
        }
        _ => Evidence::new(source, Location::File, None, p.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exdoctor_parsers::event::RecordGap;

    #[test]
    fn gaps_and_damage_are_one_finding_per_log_and_clean_logs_none() {
        let mut damaged = LogIntegrity {
            readable: 90,
            unreadable: 2,
            ..LogIntegrity::default()
        };
        damaged.record_id_gaps = vec![RecordGap { after: 10, before: 21 }];
        damaged.problems = vec![ParseError::Offset {
            offset: 0x11000,
            message: "bad chunk checksum".into(),
        }];
        let clean = LogIntegrity::default();
        let host = HostView {
            logs: vec![
                HostLog {
                    source: "System.evtx",
                    channel: "System",
                    integrity: &damaged,
                    first: None,
                    last: None,
                },
                HostLog {
                    source: "Application.evtx",
                    channel: "Application",
                    integrity: &clean,
                    first: None,
                    last: None,
                },
            ],
            ..HostView::default()
        };
        let findings = check(&host);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.rule, f.count), (RuleId::EventLogGap, 12));
        assert_eq!(
            f.evidence[0].text,
            "records 11-20 missing (10 record(s)) between record 10 and record 21"
        );
        assert_eq!(f.evidence[1].text, "offset 0x11000: bad chunk checksum");
        assert!(
            f.summary
                .contains("10 record id(s) missing in 1 gap(s), 2 unreadable record(s)"),
            "{}",
            f.summary
        );
    }
}
