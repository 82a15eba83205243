//! What the per-host correlation rules see: the host's events in UTC order, its setup
//! runs as UTC windows, the integrity of its event logs, and (when exported) its
//! registry state.

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::{Event, EventLocation, LogIntegrity};
use exdoctor_parsers::setup_log::RunResult;

use super::{Evidence, Location, Timestamp};
use super::{LdifErrFacts, RunFacts, TaskStepFacts};
use crate::registry::HostState;

/// One event with the file it came from.
#[derive(Debug, Clone, Copy)]
pub struct HostEvent<'a> {
    /// The file it came from.
    pub source: &'a str,
    /// The event.
    pub event: &'a Event,
    /// How to cite it: its record id, or its row/element in an export.
    pub location: EventLocation,
    /// Its time is a local time of an unknown zone (a CSV export of a host whose zone
    /// is not known), taken as UTC for ordering.
    pub local_time: bool,
}

impl<'a> HostEvent<'a> {
    /// An event of `source` cited by its record id.
    pub fn new(source: &'a str, event: &'a Event) -> HostEvent<'a> {
        HostEvent {
            source,
            event,
            location: EventLocation::Record {
                record_id: event.record_id,
            },
            local_time: false,
        }
    }

    /// Evidence pointing at this event's record (or export row).
    pub fn evidence(&self, text: impl AsRef<str>) -> Evidence {
        Evidence::new(
            self.source,
            Location::from(self.location),
            Some(if self.local_time {
                Timestamp::Local(self.event.time.naive_utc())
            } else {
                Timestamp::Utc(self.event.time)
            }),
            text,
        )
    }

    /// `Provider EventID` as in reports, e.g. `Service Control Manager 7031`.
    pub fn label(&self) -> String {
        format!("{} {}", self.event.provider, self.event.event_id)
    }
}

/// A setup run placed in UTC (when the host's time zone is known).
#[derive(Debug, Clone)]
pub struct RunWindow<'a> {
    /// The setup log.
    pub source: &'a str,
    /// The run.
    pub run: &'a RunFacts,
    /// Start in UTC; `None` when the log's dates did not resolve.
    pub start: Option<DateTime<Utc>>,
    /// End in UTC.
    pub end: Option<DateTime<Utc>>,
    /// Whether the log's bracket times are UTC (else the server's local time).
    pub utc_clock: bool,
    /// Whether the UTC conversion used a known time zone.
    pub zone_known: bool,
    /// How far the window is widened on each side: the uncertainty of the conversion
    /// (2 min with the registry's rules, about an hour when daylight saving is unknown,
    /// 14 h when the zone is unknown).
    pub slack: Duration,
}

impl RunWindow<'_> {
    /// How much to widen the window on each side.
    pub fn slack(&self) -> Duration {
        self.slack
    }

    /// Whether `t` falls inside the run (widened by the slack). An interrupted run is
    /// open-ended up to `open_end` after its last line (the reboot that followed it).
    pub fn contains(&self, t: DateTime<Utc>, open_end: Duration) -> bool {
        let (Some(start), Some(end)) = (self.start, self.end) else {
            return false;
        };
        let end = if self.run.result == RunResult::Incomplete && !self.run.ended {
            end + open_end
        } else {
            end
        };
        t >= start - self.slack() && t <= end + self.slack()
    }
}

/// One event log of the host.
#[derive(Debug, Clone, Copy)]
pub struct HostLog<'a> {
    /// The file.
    pub source: &'a str,
    /// Its channel.
    pub channel: &'a str,
    /// What could and could not be read.
    pub integrity: &'a LogIntegrity,
    /// Time of its first event (of every event, not only the rules' events), in UTC: a
    /// CSV export's local times converted with the host's zone when it is known.
    pub first: Option<DateTime<Utc>>,
    /// Time of its last event: how far the log covers.
    pub last: Option<DateTime<Utc>>,
    /// Its times are local times of an unknown zone taken as UTC (a CSV export of a host
    /// whose zone is not known).
    pub local_time: bool,
}

impl<'a> HostLog<'a> {
    /// A log of `source` on `channel` whose time span is not known.
    pub fn new(source: &'a str, channel: &'a str, integrity: &'a LogIntegrity) -> HostLog<'a> {
        HostLog {
            source,
            channel,
            integrity,
            first: None,
            last: None,
            local_time: false,
        }
    }

    /// Whether this is the log of `channel` (case-insensitive) and its events span `t`.
    pub fn covers(&self, channel: &str, t: DateTime<Utc>) -> bool {
        self.channel.eq_ignore_ascii_case(channel)
            && self.first.is_some_and(|f| f <= t)
            && self.last.is_some_and(|l| t <= l)
    }
}

/// Everything the correlation rules of one host see.
#[derive(Debug, Clone, Default)]
pub struct HostView<'a> {
    /// The host's name.
    pub name: String,
    /// Rule events of all the host's event logs, sorted by (time, source, record).
    pub events: Vec<HostEvent<'a>>,
    /// Its setup runs, placed in UTC.
    pub runs: Vec<RunWindow<'a>>,
    /// Its event logs.
    pub logs: Vec<HostLog<'a>>,
    /// The merged registry exports of the host, when any were collected.
    pub registry: Option<&'a HostState>,
    /// Steps of the host's setup task scripts (watermark id -> step), with their file.
    pub task_steps: Vec<(&'a str, &'a TaskStepFacts)>,
    /// The host's ldifde error files (`ldif.err`), with their file.
    pub ldif_errors: Vec<(&'a str, &'a LdifErrFacts)>,
}

impl<'a> HostView<'a> {
    /// Events of `provider` (case-insensitive) with one of `ids`.
    pub fn events_of<'s>(&'s self, provider: &'s str, ids: &'s [u16]) -> impl Iterator<Item = &'s HostEvent<'a>> + 's {
        self.events
            .iter()
            .filter(move |e| ids.contains(&e.event.event_id) && e.event.provider.eq_ignore_ascii_case(provider))
    }

    /// Events within `window` of `t` (either side), found by binary search (the events
    /// are in time order).
    pub fn events_near(&self, t: DateTime<Utc>, window: Duration) -> &[HostEvent<'a>] {
        self.events_between(t - window, t + window)
    }

    /// Events from `from` to `to` (both included), found by binary search.
    pub fn events_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> &[HostEvent<'a>] {
        let start = self.events.partition_point(|e| e.event.time < from);
        let end = self.events.partition_point(|e| e.event.time <= to).max(start);
        &self.events[start..end]
    }

    /// Whether one of the host's logs of `channel` spans `t`.
    pub fn log_covers(&self, channel: &str, t: DateTime<Utc>) -> bool {
        self.logs.iter().any(|l| l.covers(channel, t))
    }
}
