//! Services and event logs: service crashes, start failures (down to the root of
//! dependency chains, and one finding per cause for services Exchange does not need),
//! missing dependencies (and the NtLmSsp dependency left by an in-place OS upgrade),
//! Windows Installer and Exchange setup failures, shutdowns during setup, AD topology
//! failures, cleared event logs, and gaps in the event logs themselves. One root cause =
//! one finding: symptoms explained by a root (dependants of a missing or disabled
//! service, a start failure next to AD topology errors) are evidence of the root's
//! finding. Every rule reads the host's events in a bounded number of passes and finds
//! related events by index or binary search (the events are in time order), so a host
//! with many events costs O(n log n).

pub(crate) mod cleared;
pub(crate) mod crash;
pub(crate) mod dependency;
mod exchange;
mod floods;
pub(crate) mod integrity;
mod messages;
pub(crate) mod msi;
mod reports;
mod services;
pub(crate) mod setup;
pub(crate) mod start_failure;
pub(crate) mod topology;
mod windows;

pub use dependency::{ntlmssp_finding, AffectedService, DependencyRoot};
pub use messages::{is_rule_event, rule_event, RULE_EVENTS};

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Event;

use crate::model::{Evidence, Finding, Location, Timestamp};

/// Said of a service, product or host a finding is only a warning for.
const NOT_EXCHANGE: &str = "a warning for this triage";
use crate::model::{HostView, RunWindow};

/// The provider name of SCM events.
const SCM: &str = "Service Control Manager";

/// Runs the family's rules on one host.
pub fn check(host: &HostView<'_>) -> Vec<Finding> {
    let dir = services::Directory::new(host);
    let deps = dependency::analyze(host, &dir);
    let mut out = dependency::findings(host, &dir, &deps);
    let starts = start_failure::check(host, &dir, &deps);
    out.extend(starts.findings);
    out.extend(topology::check(host, starts.folded));
    out.extend(crash::check(host, &dir));
    let runs = RunIndex::new(host);
    out.extend(msi::check(host, &runs));
    out.extend(setup::check(host, &runs));
    out.extend(setup::shutdowns(host));
    out.extend(cleared::check(host));
    out.extend(integrity::check(host));
    out
}

/// At most this many events of one kind are cited as evidence of a finding (the first
/// ones and the last); its count says how many there were.
const MAX_CITED: usize = 20;

/// The items of `list` cited as evidence: all when few, else the first
/// `MAX_CITED - 1` and the last.
fn cited<T>(list: &[T]) -> (&[T], &[T]) {
    cite(list, MAX_CITED)
}

/// The items of `list` cited when at most `max` are: all when few, else the first
/// `max - 1` and the last.
fn cite<T>(list: &[T], max: usize) -> (&[T], &[T]) {
    if list.len() <= max.max(1) {
        (list, &[])
    } else {
        (&list[..max.max(1) - 1], &list[list.len() - 1..])
    }
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The host's setup runs ordered by start, to find the run an event falls in by binary
/// search.
pub(crate) struct RunIndex<'v, 'a> {
    runs: Vec<&'v RunWindow<'a>>,
}

/// Runs whose windows overlap are rare; at most this many runs that started before a
/// time are checked for containing it.
const OVERLAPPING_RUNS: usize = 8;

impl<'v, 'a> RunIndex<'v, 'a> {
    /// The index of `host`'s runs that have a start.
    pub(crate) fn new(host: &'v HostView<'a>) -> RunIndex<'v, 'a> {
        let mut runs: Vec<&RunWindow<'_>> = host.runs.iter().filter(|r| r.start.is_some()).collect();
        runs.sort_by_key(|r| r.start.map(|s| s - r.slack()));
        RunIndex { runs }
    }

    /// The latest-starting run whose window contains `t` (see [`RunWindow::contains`]).
    pub(crate) fn at(&self, t: DateTime<Utc>, open_end: Duration) -> Option<&'v RunWindow<'a>> {
        let started = self
            .runs
            .partition_point(|r| r.start.is_some_and(|s| s - r.slack() <= t));
        self.runs[..started]
            .iter()
            .rev()
            .take(OVERLAPPING_RUNS)
            .find(|r| r.contains(t, open_end))
            .copied()
    }
}

/// The service an SCM event is about: `%2` of 7009/7011 (`%1` is the timeout), else `%1`.
fn scm_service(event: &Event) -> Option<&str> {
    let index = usize::from(matches!(event.event_id, 7009 | 7011));
    event.param(index).map(str::trim).filter(|s| !s.is_empty())
}

/// `2008-03-14T23:41:40Z`.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// How a setup run is named in summaries: `setup run 1 (mode Upgrade, setup
/// 08.01.0240.006) 2007-11-30T16:12:03Z..16:38:47Z, did not finish`.
fn run_label(run: &RunWindow<'_>) -> String {
    let facts = run.run;
    let window = match (run.start, run.end) {
        (Some(s), Some(e)) => format!(" {}..{}", utc(s), utc(e)),
        _ => String::new(),
    };
    let state = if facts.ended {
        format!("{:?}", facts.result).to_lowercase()
    } else {
        "did not finish".to_string()
    };
    format!(
        "setup run {} (mode {}, setup {}){window}, {state}",
        facts.index + 1,
        facts.mode.as_deref().unwrap_or("?"),
        facts.setup_version.as_deref().unwrap_or("?"),
    )
}

/// Evidence pointing at the first line of a setup run.
fn run_evidence(run: &RunWindow<'_>) -> Evidence {
    let mut text = run_label(run);
    if let Some(task) = &run.run.unfinished_task {
        text.push_str(&format!("; unfinished task: {task}"));
    }
    Evidence::new(
        run.source,
        Location::Line(run.run.first_line),
        run.start.map(Timestamp::Utc),
        text,
    )
}

#[cfg(test)]
pub(crate) mod testing {
    //! Small builders for the family's unit tests.

    use chrono::{DateTime, NaiveDateTime, Utc};
    use exdoctor_parsers::event::{Event, EventField, Level};
    use exdoctor_parsers::setup_log::RunResult;

    use crate::model::RunFacts;
    use crate::model::{HostEvent, HostView, RunWindow};

    /// A classic event with positional insertion strings at `time` (RFC 3339).
    pub(crate) fn event(provider: &str, id: u16, record: u64, time: &str, params: &[&str]) -> Event {
        Event {
            channel: "System".into(),
            provider: provider.into(),
            event_id: id,
            qualifiers: None,
            level: Level::Error,
            record_id: record,
            time: at(time),
            computer: "EX01".into(),
            user_sid: None,
            data: params
                .iter()
                .map(|v| EventField {
                    name: None,
                    value: (*v).into(),
                })
                .collect(),
            recovered: false,
        }
    }

    /// MSExchange ADAccess 2114 (topology discovery failed) of the Transport process.
    pub(crate) fn topology_failure(record: u64, time: &str) -> Event {
        let params = ["MSExchangeTransport.exe", "1234", "0x80040a02", "DSC_E_NO_SUITABLE_CDC"];
        event("MSExchange ADAccess", 2114, record, time, &params)
    }

    /// `2008-03-14T23:41:40Z` as UTC.
    pub(crate) fn at(time: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(time)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// A host view over `events` (already in time order), all from `System.evtx`.
    pub(crate) fn view(events: &[Event]) -> HostView<'_> {
        HostView {
            name: "EX01".into(),
            events: events
                .iter()
                .map(|event| HostEvent::new("System.evtx", event))
                .collect(),
            ..HostView::default()
        }
    }

    /// Facts of a run between two UTC times (local = UTC), `ended` with `result`.
    pub(crate) fn run(start: &str, end: &str, result: RunResult, ended: bool) -> RunFacts {
        let local = |t: &str| -> Option<NaiveDateTime> { Some(at(t).naive_utc()) };
        RunFacts {
            index: 0,
            first_line: 1,
            last_line: 900,
            start: local(start),
            end: local(end),
            result,
            ended,
            mode: Some("Upgrade".into()),
            setup_version: Some("08.01.0240.006".into()),
            unfinished_task: None,
        }
    }

    /// The UTC window of `facts` (zone known).
    pub(crate) fn window(facts: &RunFacts) -> RunWindow<'_> {
        RunWindow {
            source: "ExchangeSetup.log",
            run: facts,
            start: facts.start.map(|t| t.and_utc()),
            end: facts.end.map(|t| t.and_utc()),
            zone_known: true,
            slack: chrono::Duration::minutes(2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{event, topology_failure, view};
    use super::*;
    use crate::model::{RuleId, Severity};

    #[test]
    fn a_start_failure_beside_topology_errors_is_one_critical_topology_finding_of_the_host() {
        let events = [
            topology_failure(1, "2008-09-28T18:00:00Z"),
            event(
                "MSExchange ADAccess",
                2102,
                2,
                "2008-09-28T18:00:05Z",
                &["MSExchangeTransport.exe", "1234", "dc01.contoso.com"],
            ),
            event(
                SCM,
                7024,
                3,
                "2008-09-28T18:01:00Z",
                &["Microsoft Exchange Transport", "-2147221226"],
            ),
        ];
        let findings = crate::rules::check_host(&view(&events), Vec::new());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(
            (f.rule, f.severity, f.count),
            (RuleId::AdTopologyFailure, Severity::Critical, 2)
        );
        assert_eq!(f.host, "EX01");
        assert_eq!(f.evidence.len(), 3);
        assert_eq!(
            f.evidence[0].text,
            "MSExchange ADAccess 2114: Process MSExchangeTransport.exe (PID=1234). Topology discovery failed, error 0x80040a02 (DSC_E_NO_SUITABLE_CDC)."
        );
        assert!(
            f.summary.contains("2102 x1, 2114 x1") && f.summary.contains("1 service start failure"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn the_catalog_has_every_rule_of_the_family() {
        let family = [
            RuleId::ServiceCrash,
            RuleId::ServiceStartFailure,
            RuleId::ServiceDependencyMissing,
            RuleId::NtlmsspDependency,
            RuleId::MsiInstallFailed,
            RuleId::ExchangeSetupComponentFailed,
            RuleId::UnexpectedShutdownDuringSetup,
            RuleId::AdTopologyFailure,
            RuleId::EventLogGap,
        ];
        let rules: Vec<_> = family.iter().map(|id| crate::rules::info(*id)).collect();
        assert_eq!(rules.iter().map(|r| r.id).collect::<Vec<_>>(), family);
        assert!(rules.iter().all(|r| r.remediation.len() >= 2));
    }
}
