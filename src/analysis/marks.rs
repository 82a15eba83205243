//! The marks of a host's timeline picture (the HTML report draws them): its setup runs
//! as UTC windows with their result and clock uncertainty, and the rule events that tell
//! the story of an install, one lane each: Exchange setup and Windows Installer,
//! restarts, crashes, start failures. Dense stretches are grouped here, so that a host
//! with any number of events keeps at most [`MAX_GROUPS`] groups per lane: the picture
//! costs the same for 60 events and for 60,000.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use exdoctor_parsers::setup_log::RunResult;

use crate::model::{HostEvent, HostView, Location, RunWindow};
use crate::rules::events::evidence_text;

/// Groups kept per lane: beyond that, the closest events are grouped first.
pub const MAX_GROUPS: usize = 400;

/// Characters of an event's message kept for the picture's tooltip.
const TEXT_CHARS: usize = 300;

/// A row of the picture below the setup runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    /// MSExchangeSetup 1000/1001/1002, MsiInstaller 11707/11708.
    Setup,
    /// EventLog 6005/6006/6008, USER32 1074.
    Restarts,
    /// SCM 7031/7034, Application Error 1000, Application Hang 1002.
    Crashes,
    /// SCM 7000/7001/7003/7009/7011/7022/7023/7024.
    StartFailures,
}

impl Lane {
    /// Every lane, top to bottom.
    pub const ALL: [Lane; 4] = [Lane::Setup, Lane::Restarts, Lane::Crashes, Lane::StartFailures];

    /// The row's label.
    pub fn label(self) -> &'static str {
        match self {
            Lane::Setup => "Setup / MSI",
            Lane::Restarts => "Restarts",
            Lane::Crashes => "Crashes",
            Lane::StartFailures => "Start failures",
        }
    }
}

/// What one event of the picture means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    /// MSExchangeSetup 1000: an Exchange setup session started.
    SetupStarted,
    /// MSExchangeSetup 1001: it finished.
    SetupFinished,
    /// MSExchangeSetup 1002: it failed.
    SetupFailed,
    /// MsiInstaller 11707: a product installed.
    MsiSucceeded,
    /// MsiInstaller 11708: an installation failed.
    MsiFailed,
    /// EventLog 6005: the event log service started (the machine booted).
    Boot,
    /// EventLog 6006: it stopped (a clean shutdown).
    CleanShutdown,
    /// EventLog 6008: the previous shutdown was unexpected.
    UnexpectedShutdown,
    /// USER32 1074: a process asked for a restart or shutdown.
    ShutdownRequested,
    /// SCM 7031/7034: a service terminated unexpectedly.
    ServiceCrash,
    /// Application Error 1000, Application Hang 1002: a process crashed or hung.
    ProcessCrash,
    /// SCM 7000/7001/7003/7009/7011/7022: a service did not start.
    StartFailure,
    /// SCM 7023/7024: a service stopped with an error.
    ServiceError,
}

/// The events of the picture: (provider, event id, kind). Each is one of the rules'
/// events, so loading keeps it.
const KINDS: &[(&str, u16, MarkKind)] = &[
    ("MSExchangeSetup", 1000, MarkKind::SetupStarted),
    ("MSExchangeSetup", 1001, MarkKind::SetupFinished),
    ("MSExchangeSetup", 1002, MarkKind::SetupFailed),
    ("MsiInstaller", 11707, MarkKind::MsiSucceeded),
    ("MsiInstaller", 11708, MarkKind::MsiFailed),
    ("EventLog", 6005, MarkKind::Boot),
    ("EventLog", 6006, MarkKind::CleanShutdown),
    ("EventLog", 6008, MarkKind::UnexpectedShutdown),
    ("USER32", 1074, MarkKind::ShutdownRequested),
    ("Service Control Manager", 7031, MarkKind::ServiceCrash),
    ("Service Control Manager", 7034, MarkKind::ServiceCrash),
    ("Application Error", 1000, MarkKind::ProcessCrash),
    ("Application Hang", 1002, MarkKind::ProcessCrash),
    ("Service Control Manager", 7000, MarkKind::StartFailure),
    ("Service Control Manager", 7001, MarkKind::StartFailure),
    ("Service Control Manager", 7003, MarkKind::StartFailure),
    ("Service Control Manager", 7009, MarkKind::StartFailure),
    ("Service Control Manager", 7011, MarkKind::StartFailure),
    ("Service Control Manager", 7022, MarkKind::StartFailure),
    ("Service Control Manager", 7023, MarkKind::ServiceError),
    ("Service Control Manager", 7024, MarkKind::ServiceError),
];

impl MarkKind {
    /// Every kind, lane by lane.
    pub const ALL: [MarkKind; 13] = [
        MarkKind::SetupStarted,
        MarkKind::SetupFinished,
        MarkKind::SetupFailed,
        MarkKind::MsiSucceeded,
        MarkKind::MsiFailed,
        MarkKind::Boot,
        MarkKind::CleanShutdown,
        MarkKind::UnexpectedShutdown,
        MarkKind::ShutdownRequested,
        MarkKind::ServiceCrash,
        MarkKind::ProcessCrash,
        MarkKind::StartFailure,
        MarkKind::ServiceError,
    ];

    /// The kind of an event of `provider` (case-insensitive) with `event_id`; `None` for
    /// events the picture leaves out.
    pub fn of(provider: &str, event_id: u16) -> Option<MarkKind> {
        KINDS
            .iter()
            .find(|(p, id, _)| *id == event_id && p.eq_ignore_ascii_case(provider))
            .map(|(_, _, kind)| *kind)
    }

    /// Its lane.
    pub fn lane(self) -> Lane {
        match self {
            MarkKind::SetupStarted
            | MarkKind::SetupFinished
            | MarkKind::SetupFailed
            | MarkKind::MsiSucceeded
            | MarkKind::MsiFailed => Lane::Setup,
            MarkKind::Boot | MarkKind::CleanShutdown | MarkKind::UnexpectedShutdown | MarkKind::ShutdownRequested => {
                Lane::Restarts
            }
            MarkKind::ServiceCrash | MarkKind::ProcessCrash => Lane::Crashes,
            MarkKind::StartFailure | MarkKind::ServiceError => Lane::StartFailures,
        }
    }

    /// What it means, in a few words (`unexpected shutdown (6008)`).
    pub fn label(self) -> &'static str {
        match self {
            MarkKind::SetupStarted => "Exchange setup started (MSExchangeSetup 1000)",
            MarkKind::SetupFinished => "Exchange setup finished (MSExchangeSetup 1001)",
            MarkKind::SetupFailed => "Exchange setup failed (MSExchangeSetup 1002)",
            MarkKind::MsiSucceeded => "Windows Installer succeeded (11707)",
            MarkKind::MsiFailed => "Windows Installer failed (11708)",
            MarkKind::Boot => "boot: event log started (6005)",
            MarkKind::CleanShutdown => "clean shutdown: event log stopped (6006)",
            MarkKind::UnexpectedShutdown => "unexpected shutdown (6008)",
            MarkKind::ShutdownRequested => "restart or shutdown requested (1074)",
            MarkKind::ServiceCrash => "service terminated unexpectedly (7031/7034)",
            MarkKind::ProcessCrash => "process crashed or hung (Application Error 1000, Hang 1002)",
            MarkKind::StartFailure => "service did not start (7000/7001/7003/7009/7011/7022)",
            MarkKind::ServiceError => "service stopped with an error (7023/7024)",
        }
    }

    /// Whether it is bad news (a failure, crash or unexpected stop).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            MarkKind::SetupFailed
                | MarkKind::MsiFailed
                | MarkKind::UnexpectedShutdown
                | MarkKind::ServiceCrash
                | MarkKind::ProcessCrash
                | MarkKind::StartFailure
                | MarkKind::ServiceError
        )
    }
}

/// One event of the picture, with how to cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkEvent {
    /// When, in UTC (a local time of an unknown zone when `local_time`).
    pub time: DateTime<Utc>,
    /// The time is the host's local time taken as UTC (a CSV export of a host whose
    /// zone is unknown).
    pub local_time: bool,
    /// What it means.
    pub kind: MarkKind,
    /// Its file.
    pub source: String,
    /// Its record (or export row / element).
    pub location: Location,
    /// `Provider Id: message`, cut to a few hundred characters.
    pub text: String,
}

impl MarkEvent {
    fn of(event: &HostEvent<'_>, kind: MarkKind) -> MarkEvent {
        MarkEvent {
            time: event.event.time,
            local_time: event.local_time,
            kind,
            source: event.source.to_string(),
            location: Location::from(event.location),
            text: evidence_text(event).chars().take(TEXT_CHARS).collect(),
        }
    }
}

/// Consecutive events of one lane, drawn as one mark: one event, or a dense stretch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkGroup {
    /// The lane.
    pub lane: Lane,
    /// How many events.
    pub count: u64,
    /// How many of each kind.
    pub kinds: BTreeMap<MarkKind, u64>,
    /// The first event.
    pub first: MarkEvent,
    /// The last event (the first again for a single event).
    pub last: MarkEvent,
}

/// How a setup run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// `completed successfully`.
    Succeeded,
    /// `didn't complete`, or stopped on critical errors.
    Failed,
    /// No result line: interrupted, or the log was cut short.
    Interrupted,
}

impl RunOutcome {
    /// `succeeded`, `failed`, `interrupted`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Succeeded => "succeeded",
            RunOutcome::Failed => "failed",
            RunOutcome::Interrupted => "interrupted",
        }
    }
}

/// A setup run of the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunMark {
    /// The setup log.
    pub source: String,
    /// 0-based index of the run in its log.
    pub index: usize,
    /// First line of the run.
    pub first_line: u32,
    /// Last line of the run.
    pub last_line: u32,
    /// Start in UTC (a local time taken as UTC when `!zone_known`); `None` when the
    /// log's dates did not resolve.
    pub start: Option<DateTime<Utc>>,
    /// End, the same way.
    pub end: Option<DateTime<Utc>>,
    /// The start as the log writes it.
    pub log_start: Option<NaiveDateTime>,
    /// The end as the log writes it.
    pub log_end: Option<NaiveDateTime>,
    /// The log's bracket times are UTC (else the server's local time).
    pub utc_clock: bool,
    /// The UTC times are known (UTC brackets, or a known zone).
    pub zone_known: bool,
    /// How far start and end may be off, either way.
    pub slack: Duration,
    /// How it ended.
    pub outcome: RunOutcome,
    /// Its mode (`Install`, `Upgrade`, ...).
    pub mode: Option<String>,
    /// Its setup version.
    pub setup_version: Option<String>,
    /// The innermost task begun and never ended.
    pub unfinished_task: Option<String>,
}

impl RunMark {
    fn of(window: &RunWindow<'_>) -> RunMark {
        let run = window.run;
        RunMark {
            source: window.source.to_string(),
            index: run.index,
            first_line: run.first_line,
            last_line: run.last_line,
            start: window.start,
            end: window.end,
            log_start: run.start,
            log_end: run.end,
            utc_clock: window.utc_clock,
            zone_known: window.zone_known,
            slack: window.slack,
            outcome: match run.result {
                RunResult::Completed => RunOutcome::Succeeded,
                RunResult::Failed | RunResult::CriticalStop => RunOutcome::Failed,
                RunResult::Incomplete => RunOutcome::Interrupted,
            },
            mode: run.mode.clone(),
            setup_version: run.setup_version.clone(),
            unfinished_task: run.unfinished_task.clone(),
        }
    }
}

/// Everything a host's timeline picture shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMarks {
    /// Its setup runs, in log order.
    pub runs: Vec<RunMark>,
    /// Its event groups, by lane, then in time order.
    pub groups: Vec<MarkGroup>,
}

impl HostMarks {
    /// The marks of a host: its runs, and the events of each lane grouped (at most
    /// [`MAX_GROUPS`] groups per lane).
    pub fn of(view: &HostView<'_>) -> HostMarks {
        let mut by_lane: BTreeMap<Lane, Vec<(&HostEvent<'_>, MarkKind)>> = BTreeMap::new();
        for event in &view.events {
            if let Some(kind) = MarkKind::of(&event.event.provider, event.event.event_id) {
                by_lane.entry(kind.lane()).or_default().push((event, kind));
            }
        }
        let groups = by_lane
            .into_iter()
            .flat_map(|(lane, events)| group_lane(lane, &events))
            .collect();
        HostMarks {
            runs: view.runs.iter().map(RunMark::of).collect(),
            groups,
        }
    }

    /// Whether there is nothing to draw: no dated run and no event.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.runs.iter().all(|r| r.start.is_none())
    }
}

/// The events of one lane (in time order) in at most [`MAX_GROUPS`] groups: cut at the
/// widest gaps, so the densest stretches are grouped first.
fn group_lane(lane: Lane, events: &[(&HostEvent<'_>, MarkKind)]) -> Vec<MarkGroup> {
    let gaps: Vec<Duration> = events
        .windows(2)
        .map(|pair| pair[1].0.event.time - pair[0].0.event.time)
        .collect();
    // Cut at gaps wider than the threshold: every gap when the lane is small enough.
    let threshold = if events.len() <= MAX_GROUPS {
        None
    } else {
        let mut sorted = gaps.clone();
        let keep = MAX_GROUPS - 1;
        let at = sorted.len() - keep;
        let (_, nth, _) = sorted.select_nth_unstable(at - 1);
        Some(*nth)
    };
    let mut groups: Vec<MarkGroup> = Vec::new();
    for (i, (event, kind)) in events.iter().enumerate() {
        let joins = i > 0 && threshold.is_some_and(|t| gaps.get(i - 1).is_some_and(|gap| *gap <= t));
        match groups.last_mut() {
            Some(group) if joins => {
                group.count += 1;
                *group.kinds.entry(*kind).or_default() += 1;
                group.last = MarkEvent::of(event, *kind);
            }
            _ => {
                let mark = MarkEvent::of(event, *kind);
                groups.push(MarkGroup {
                    lane,
                    count: 1,
                    kinds: BTreeMap::from([(*kind, 1)]),
                    first: mark.clone(),
                    last: mark,
                });
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use exdoctor_parsers::event::Event;

    /// An event `seconds` after the epoch, with record id `seconds + 1`.
    fn event(provider: &str, id: u16, seconds: i64) -> Event {
        let time = DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(seconds);
        let record = u64::try_from(seconds).unwrap_or_default() + 1;
        crate::rules::events::testing::event(provider, id, record, &time.to_rfc3339(), &[])
    }

    fn view(events: &[Event]) -> HostView<'_> {
        HostView {
            name: "EX01".into(),
            events: events.iter().map(|e| HostEvent::new("System.evtx", e)).collect(),
            ..HostView::default()
        }
    }

    #[test]
    fn every_kind_is_a_rule_event_so_loading_keeps_it() {
        for (provider, id, _) in KINDS {
            assert!(crate::rules::events::is_rule_event(provider, *id), "{provider} {id}");
        }
        assert_eq!(MarkKind::of("eventlog", 6008), Some(MarkKind::UnexpectedShutdown));
        assert_eq!(MarkKind::of("Service Control Manager", 7036), None);
        assert_eq!(MarkKind::of("MSExchangeSetup", 1000), Some(MarkKind::SetupStarted));
        assert_eq!(MarkKind::of("Application Error", 1000), Some(MarkKind::ProcessCrash));
    }

    #[test]
    fn sparse_events_are_one_group_each_by_lane() {
        let events = [
            event("EventLog", 6006, 0),
            event("Service Control Manager", 7036, 5),
            event("EventLog", 6005, 60),
            event("Service Control Manager", 7031, 90),
        ];
        let marks = HostMarks::of(&view(&events));
        let lanes: Vec<(Lane, u64, MarkKind)> = marks.groups.iter().map(|g| (g.lane, g.count, g.first.kind)).collect();
        assert_eq!(
            lanes,
            [
                (Lane::Restarts, 1, MarkKind::CleanShutdown),
                (Lane::Restarts, 1, MarkKind::Boot),
                (Lane::Crashes, 1, MarkKind::ServiceCrash),
            ]
        );
        assert_eq!(marks.groups[1].first.location, Location::Record(61));
        assert!(
            marks.groups[1].first.text.starts_with("EventLog 6005: "),
            "{}",
            marks.groups[1].first.text
        );
        assert!(!marks.is_empty());
    }

    #[test]
    fn a_dense_lane_keeps_at_most_max_groups_and_every_event_is_counted() {
        // 20,000 crashes one second apart, with 50 quiet hours between bursts of 100.
        let events: Vec<Event> = (0..20_000i64)
            .map(|i| event("Service Control Manager", 7034, i + (i / 100) * 50 * 3600))
            .collect();
        let marks = HostMarks::of(&view(&events));
        assert!(marks.groups.len() <= MAX_GROUPS, "{}", marks.groups.len());
        assert_eq!(marks.groups.len(), 200, "one group per burst");
        assert_eq!(marks.groups.iter().map(|g| g.count).sum::<u64>(), 20_000);
        let second = &marks.groups[1];
        assert_eq!(
            (second.count, second.first.location.clone()),
            (100, Location::Record(100 + 50 * 3600 + 1))
        );
        assert_eq!(second.last.time - second.first.time, Duration::seconds(99));
        assert_eq!(second.kinds.get(&MarkKind::ServiceCrash), Some(&100));
    }
}
