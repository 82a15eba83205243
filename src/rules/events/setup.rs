//! Exchange setup seen from the event logs: `exchange-setup-component-failed`
//! (MSExchangeSetup 1002, or a 1000 without its 1001) and
//! `unexpected-shutdown-during-setup` (EventLog 6008 / USER32 1074 inside a run).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;

use super::messages::evidence_text;
use super::{cited, run_evidence, run_label, utc, RunIndex};
use crate::model::{setup_run_subject, Confidence, EventFact, Fact, Finding, RuleId, RuleInfo, SetupLogFact, Severity};
use crate::model::{HostEvent, HostView, RunWindow};
use exdoctor_parsers::setup_log::RunResult;

/// The `unexpected-shutdown-during-setup` rule.
pub(crate) const UNEXPECTED_SHUTDOWN_DURING_SETUP: RuleInfo = RuleInfo {
    id: RuleId::UnexpectedShutdownDuringSetup,
    title: "The server went down during an Exchange setup run",
    severity: Severity::Error,
    description: "EventLog 6008 (the previous system shutdown was unexpected; logged at the next boot) or a \
                  USER32 1074 restart inside the time window of a setup run: setup was cut off in the \
                  middle of its tasks, leaving the role half configured.",
    remediation: &[
        "Find out why the server went down (power, bugcheck: System log around the shutdown, memory dumps; a restart by a person or a program: USER32 1074).",
        "Do not delete the setup watermark; run setup again in the same mode (for a service pack: setup.com /mode:upgrade) so it resumes the interrupted role.",
    ],
    references: &["Exchange Team blog: How does Exchange 2007 setup know to resume a failed setup? (2007-05-21)"],
};

/// The `exchange-setup-component-failed` rule.
pub(crate) const EXCHANGE_SETUP_COMPONENT_FAILED: RuleInfo = RuleInfo {
    id: RuleId::ExchangeSetupComponentFailed,
    title: "Exchange setup reported a failed component or never completed",
    severity: Severity::Error,
    description: "MSExchangeSetup 1002 (Exchange Server component %1 failed, error %2), or a 1000 (setup \
                  started, build %1) without the 1001 (completed) that a successful run writes.",
    remediation: &[
        "Open ExchangeSetupLogs\\ExchangeSetup.log at the time of the event: the first [ERROR] of that run is the cause; for a missing 1001 the log's last lines show where setup stopped.",
        "Fix the cause and run setup again in the same mode (setup.com /mode:<mode>); it resumes from the watermark.",
    ],
    references: &["Exchange setup application events (MSExchangeSetup 1000/1001/1002)"],
};

const SETUP: &str = "MSExchangeSetup";
/// An interrupted run stays open this long after its last line: the 6008 of the crash
/// is logged at the next boot.
const OPEN_END_HOURS: i64 = 6;

/// One setup session: a 1000 and what followed it until the next 1000.
struct Session<'h, 'a> {
    start: Option<&'h HostEvent<'a>>,
    completed: bool,
    failures: Vec<&'h HostEvent<'a>>,
}

/// Runs `exchange-setup-component-failed`.
pub(crate) fn check(host: &HostView<'_>, runs: &RunIndex<'_, '_>) -> Vec<Finding> {
    let mut sessions: Vec<Session<'_, '_>> = Vec::new();
    for e in host.events_of(SETUP, &[1000, 1001, 1002]) {
        if e.event.event_id == 1000 || sessions.is_empty() {
            sessions.push(Session {
                start: (e.event.event_id == 1000).then_some(e),
                completed: false,
                failures: Vec::new(),
            });
        }
        let Some(current) = sessions.last_mut() else { continue };
        match e.event.event_id {
            1001 => current.completed = true,
            1002 => current.failures.push(e),
            _ => {}
        }
    }
    sessions.iter().filter_map(|s| session_finding(runs, s)).collect()
}

fn session_finding(runs: &RunIndex<'_, '_>, s: &Session<'_, '_>) -> Option<Finding> {
    let rule = &EXCHANGE_SETUP_COMPONENT_FAILED;
    let anchor = s.start.or(s.failures.first().copied())?;
    let run = runs.at(anchor.event.time, Duration::hours(OPEN_END_HOURS));
    let during = run
        .map(|r| format!(" The setup log's {} covers it.", run_label(r)))
        .unwrap_or_default();
    let build = s.start.and_then(|e| e.event.param(0)).map(str::trim);
    let mut finding = if s.failures.is_empty() {
        if s.completed {
            return None;
        }
        let summary = format!(
            "Exchange setup (build {}) started at {} and never logged its completion (MSExchangeSetup 1000 without 1001).{during}",
            build.unwrap_or("?"),
            utc(anchor.event.time)
        );
        let contradicted = run.is_some_and(|r| r.run.result == RunResult::Completed);
        Finding::new(rule, summary)
            .subject(format!("setup session {}", utc(anchor.event.time)))
            .title("Exchange setup started but never completed")
            .confidence(if contradicted {
                Confidence::Low
            } else {
                Confidence::Medium
            })
    } else {
        let components: Vec<String> = s
            .failures
            .iter()
            .map(|e| {
                format!(
                    "{} (error: {})",
                    e.event.param(0).map_or("?", str::trim),
                    e.event.param(1).map_or("?", str::trim)
                )
            })
            .collect();
        let summary = format!(
            "Exchange setup reported {} failed component(s) from {}: {}.{during}",
            s.failures.len(),
            utc(anchor.event.time),
            components.join("; ")
        );
        let components: Vec<&str> = s
            .failures
            .iter()
            .filter_map(|e| e.event.param(0))
            .map(str::trim)
            .collect();
        Finding::new(rule, summary)
            .subject(format!("setup session {}", utc(anchor.event.time)))
            .confidence(if run.is_some() {
                Confidence::High
            } else {
                Confidence::Medium
            })
            .count(s.failures.len() as u64)
            .detail("components", json!(components))
    };
    finding = finding
        .detail("build", build)
        .detail("completed", s.completed)
        .detail("run", run.map(|r| r.run.index + 1));
    if !s.completed {
        finding.push_fact(Fact::Event(EventFact::SetupNeverCompleted));
    }
    let (head, tail) = cited(&s.failures);
    for e in s.start.iter().chain(head).chain(tail) {
        finding.push_evidence(e.evidence(evidence_text(e)));
    }
    if let Some(r) = run {
        finding.push_evidence(run_evidence(r));
    }
    Some(finding)
}

/// Runs `unexpected-shutdown-during-setup`: one finding per run with a shutdown in it.
pub(crate) fn shutdowns(host: &HostView<'_>) -> Vec<Finding> {
    let open_end = Duration::hours(OPEN_END_HOURS);
    let downs: Vec<&HostEvent<'_>> = host.events.iter().filter(|e| is_shutdown(e.event)).collect();
    host.runs
        .iter()
        .filter_map(|run| {
            let (start, end) = (run.start?, run.end?);
            let from = start - run.slack();
            let to = end + run.slack() + open_end;
            let first = downs.partition_point(|e| e.event.time < from);
            let events: Vec<&HostEvent<'_>> = downs[first..]
                .iter()
                .take_while(|e| e.event.time <= to)
                .filter(|e| run.contains(e.event.time, open_end))
                .copied()
                .collect();
            (!events.is_empty()).then(|| shutdown_finding(run, &events))
        })
        .collect()
}

/// EventLog 6008 (unexpected shutdown) or USER32 1074 (restart).
fn is_shutdown(event: &exdoctor_parsers::event::Event) -> bool {
    (event.event_id == 6008 && event.provider.eq_ignore_ascii_case("EventLog"))
        || (event.event_id == 1074 && event.provider.eq_ignore_ascii_case("USER32"))
}

fn shutdown_finding(run: &RunWindow<'_>, events: &[&HostEvent<'_>]) -> Finding {
    let rule = &UNEXPECTED_SHUTDOWN_DURING_SETUP;
    let unexpected = events.iter().find(|e| e.event.event_id == 6008);
    let down = unexpected.and_then(|e| shutdown_local(e, run));
    let what = match unexpected {
        Some(e) => format!(
            "an unexpected shutdown (EventLog 6008 logged at {}: the previous shutdown at {} on {} was unexpected)",
            utc(e.event.time),
            e.event.param(0).map_or("?", str::trim),
            e.event.param(1).map_or("?", str::trim)
        ),
        None => "a restart (USER32 1074)".to_string(),
    };
    let mut summary = format!("The server went down during {}: {what}", run_label(run));
    if let (Some(down), Some(end)) = (down, run.run.end) {
        let after = (down - end).num_seconds();
        if after >= 0 {
            summary.push_str(&format!(
                ", {} min {} s after the last setup line",
                after / 60,
                after % 60
            ));
        }
    }
    summary.push('.');
    let mut finding = Finding::new(rule, summary)
        .subject(setup_run_subject(run.run.start, run.run.index, run.source))
        .confidence(Confidence::High)
        .count(events.len() as u64)
        .fact(Fact::SetupLog(SetupLogFact::Run {
            source: run.source.to_string(),
            index: run.run.index,
        }))
        .detail("run", run.run.index + 1)
        .detail(
            "shutdown_local",
            down.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        )
        .detail("unfinished_task", run.run.unfinished_task.clone());
    let (head, tail) = cited(events);
    for e in head.iter().chain(tail) {
        finding.push_evidence(e.evidence(evidence_text(e)));
    }
    finding.push_evidence(run_evidence(run));
    finding
}

/// The local time of the shutdown a 6008 reports (`5:41:02 PM`, `11/30/2007`; other
/// cultures tolerated), the reading closest after the run's last line when ambiguous.
fn shutdown_local(e: &HostEvent<'_>, run: &RunWindow<'_>) -> Option<NaiveDateTime> {
    let clean = |i: usize| -> Option<String> {
        let v: String = e
            .event
            .param(i)?
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .collect();
        Some(v.trim().to_string())
    };
    let (time, date) = (clean(0)?, clean(1)?);
    let times = ["%I:%M:%S %p", "%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&time, f).ok())?;
    let (start, end) = (run.run.start?, run.run.end?);
    ["%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d"]
        .iter()
        .filter_map(|f| NaiveDate::parse_from_str(&date, f).ok())
        .map(|d| d.and_time(times))
        .filter(|t| *t >= start && *t <= end + Duration::hours(OPEN_END_HOURS))
        .min_by_key(|t| (*t - end).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::events::testing::{event, run, view, window};

    #[test]
    fn a_start_without_completion_and_a_failed_component_are_separate_sessions() {
        let events = [
            event(SETUP, 1000, 1, "2008-01-19T15:00:00Z", &["8.1.240.6"]),
            event(SETUP, 1000, 2, "2008-01-20T15:00:00Z", &["8.1.240.6"]),
            event(SETUP, 1002, 3, "2008-01-20T15:10:00Z", &["Mailbox Role", "0x80004005"]),
            event(SETUP, 1000, 4, "2008-01-21T15:00:00Z", &["8.1.240.6"]),
            event(SETUP, 1001, 5, "2008-01-21T15:30:00Z", &["8.1.240.6"]),
        ];
        let host = view(&events);
        let findings = check(&host, &RunIndex::new(&host));
        assert_eq!(findings.len(), 2);
        assert!(
            findings[0].summary.contains("1000 without 1001"),
            "{}",
            findings[0].summary
        );
        assert_eq!(findings[0].evidence.len(), 1);
        assert_eq!(findings[1].details["components"], json!(["Mailbox Role"]));
        assert_eq!(findings[1].evidence.len(), 2);
    }

    #[test]
    fn a_shutdown_outside_every_run_is_not_reported_and_its_local_time_is_read() {
        let facts = run(
            "2007-11-30T17:12:03Z",
            "2007-11-30T17:38:47Z",
            RunResult::Incomplete,
            false,
        );
        let inside = event(
            "EventLog",
            6008,
            9,
            "2007-11-30T17:52:10Z",
            &["5:41:02 PM", "\u{200e}11/30/2007"],
        );
        let outside = event(
            "EventLog",
            6008,
            10,
            "2007-12-01T09:00:00Z",
            &["8:00:00 AM", "12/1/2007"],
        );
        let events = [inside, outside];
        let mut host = view(&events);
        host.runs.push(window(&facts));
        let findings = shutdowns(&host);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].count, 1);
        assert_eq!(findings[0].details["shutdown_local"], "2007-11-30T17:41:02");
        assert!(
            findings[0].summary.contains("2 min 15 s after the last setup line"),
            "{}",
            findings[0].summary
        );
    }
}
