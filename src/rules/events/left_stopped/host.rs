//! The judgement: which service is automatic, stopped for a run and never running
//! again, from its states, start-type changes, the boots and shutdowns around them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::super::services::Directory;
use super::super::SCM;
use super::scm::{Change, StartType, State};
use super::service::{Names, Service};
use super::window::{local_slack, system_logs, Span, StopWindows};
use crate::model::{Confidence, HostEvent, HostView};
use crate::registry::host_state::ServiceInfo;

/// A service entering the running state this soon after a boot was started at boot.
const BOOT_START_MINUTES: i64 = 10;
/// A stop this soon before a shutdown (EventLog 6006) or boot (6005) is part of it.
const SHUTDOWN_MINUTES: i64 = 15;
/// A service that stops less than this after starting stops on its own (demand-like).
const SHORT_RUN_MINUTES: i64 = 15;
/// A service seen running since a boot counts as automatic when it ran this long.
const STEADY_HOURS: i64 = 1;

/// How far the host's System log(s) reach.
pub(super) struct Coverage<'h> {
    /// The System log that reaches furthest.
    pub(super) source: &'h str,
    /// Its last event.
    pub(super) last: DateTime<Utc>,
    /// Its times are local of an unknown zone.
    pub(super) local: bool,
}

/// How the rule knows a service starts automatically.
pub(super) enum StartSource<'h, 'a> {
    /// Its registry key says Start = 2.
    Registry(&'a ServiceInfo),
    /// A person changed it from auto start around the run (or back to auto start).
    Changed(Change<'h, 'a>),
    /// It entered the running state right after a boot and ran until the stop.
    Boot(&'h HostEvent<'a>),
}

impl StartSource<'_, '_> {
    /// How details name it.
    pub(super) fn name(&self) -> &'static str {
        match self {
            StartSource::Registry(_) => "registry",
            StartSource::Changed(_) => "start-type change",
            StartSource::Boot(_) => "running since boot",
        }
    }
}

/// A service left stopped: its last stop inside a run window and everything known about it.
pub(super) struct LeftStopped<'s, 'h, 'a> {
    /// The service.
    pub(super) service: &'s Service<'h, 'a>,
    /// Its last stop (SCM 7036) inside a run's window.
    pub(super) stop: &'h HostEvent<'a>,
    /// The window of the run the stop counts for.
    pub(super) span: &'s Span<'h, 'a>,
    /// How the rule knows it starts automatically.
    pub(super) start: StartSource<'h, 'a>,
    /// The start-type changes people made from the window's start on.
    pub(super) changes: Vec<Change<'h, 'a>>,
}

/// Everything the rule reads of one host.
pub(super) struct Host<'h, 'a> {
    /// The host.
    pub(super) view: &'h HostView<'a>,
    /// Its runs' windows.
    pub(super) runs: StopWindows<'h, 'a>,
    /// How far its System log reaches.
    pub(super) coverage: Coverage<'h>,
    /// Its boots (EventLog 6005/6009), in time order.
    boots: Vec<DateTime<Utc>>,
    /// Its shutdowns (EventLog 6006), in time order.
    shutdowns: Vec<DateTime<Utc>>,
    /// The services, in the order of their grouping keys.
    pub(super) services: Vec<Service<'h, 'a>>,
}

impl<'h, 'a> Host<'h, 'a> {
    /// The host's services, boots and run windows; `None` without runs or System log events.
    pub(super) fn new(view: &'h HostView<'a>, directory: &Directory<'a>) -> Option<Host<'h, 'a>> {
        if view.runs.is_empty() {
            return None;
        }
        let logs = system_logs(view);
        let coverage = logs
            .iter()
            .filter_map(|l| Some((l.last?, l.source, l.local_time)))
            .max()
            .map(|(last, source, local)| Coverage { source, last, local })?;
        let runs = StopWindows::new(view, local_slack(&logs));
        let names = Names::new(view, directory);
        let (mut boots, mut shutdowns) = (Vec::new(), Vec::new());
        let mut services: Vec<Service<'h, 'a>> = Vec::new();
        let mut groups: BTreeMap<String, usize> = BTreeMap::new();
        let mut resolved: BTreeMap<&'a str, usize> = BTreeMap::new();
        for e in &view.events {
            let ev = e.event;
            if ev.provider.eq_ignore_ascii_case("EventLog") {
                match ev.event_id {
                    6005 | 6009 => boots.push(ev.time),
                    6006 => shutdowns.push(ev.time),
                    _ => {}
                }
                continue;
            }
            if !matches!(ev.event_id, 7036 | 7040) || !ev.provider.eq_ignore_ascii_case(SCM) {
                continue;
            }
            let Some(name) = ev.param(0).map(str::trim).filter(|n| !n.is_empty()) else {
                continue;
            };
            // Names repeat: each is resolved once.
            let index = match resolved.get(name) {
                Some(&index) => index,
                None => {
                    let (who, key_known, info) = names.resolve(name);
                    let index = *groups.entry(who.group_key()).or_insert_with(|| {
                        services.push(Service {
                            name: name.to_string(),
                            who,
                            key_known,
                            info,
                            states: Vec::new(),
                            changes: Vec::new(),
                        });
                        services.len() - 1
                    });
                    resolved.insert(name, index);
                    index
                }
            };
            let Some(service) = services.get_mut(index) else {
                continue;
            };
            if ev.event_id == 7036 {
                service.states.push((e, State::of(ev)));
            } else {
                service.changes.push(Change {
                    event: e,
                    from: ev.param(1).and_then(StartType::parse),
                    to: ev.param(2).and_then(StartType::parse),
                });
            }
        }
        // In the order of their grouping keys, whatever the order of the events.
        let mut slots: Vec<Option<Service<'h, 'a>>> = services.into_iter().map(Some).collect();
        let services = groups
            .values()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .collect();
        Some(Host {
            view,
            runs,
            coverage,
            boots,
            shutdowns,
            services,
        })
    }

    /// Whether a stop at `t` is part of a shutdown: a 6006 or a boot follows within minutes.
    pub(super) fn shutdown_stop(&self, t: DateTime<Utc>) -> bool {
        let soon = |times: &[DateTime<Utc>]| {
            let i = times.partition_point(|x| *x < t);
            times
                .get(i)
                .is_some_and(|x| *x - t <= Duration::minutes(SHUTDOWN_MINUTES))
        };
        soon(&self.shutdowns) || soon(&self.boots)
    }

    /// Whether the system started after `t` (and within the log).
    pub(super) fn boot_after(&self, t: DateTime<Utc>) -> bool {
        self.boots.last().is_some_and(|b| *b > t)
    }

    /// The last boot at or before `t`.
    pub(super) fn boot_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let i = self.boots.partition_point(|b| *b <= t);
        self.boots.get(i.checked_sub(1)?).copied()
    }

    /// Whether a stop at `t` belongs to no run and no shutdown: the service stopped on its
    /// own or a person stopped it at another time.
    pub(super) fn ordinary_stop(&self, t: DateTime<Utc>) -> bool {
        self.runs.at(t).is_none() && !self.shutdown_stop(t)
    }

    /// A service that stops on its own: a stop outside the runs and shutdowns less than a
    /// quarter of an hour after it started.
    pub(super) fn stops_by_itself(&self, service: &Service<'_, '_>) -> bool {
        let mut up: Option<DateTime<Utc>> = None;
        for (e, state) in &service.states {
            let t = e.event.time;
            match state {
                State::Running | State::Paused => up = Some(t),
                State::Stopped => {
                    if up.is_some_and(|u| t - u < Duration::minutes(SHORT_RUN_MINUTES)) && self.ordinary_stop(t) {
                        return true;
                    }
                    up = None;
                }
                State::Unknown => up = None,
            }
        }
        false
    }

    /// The service's last stop inside a run window, when nothing after it says it runs again.
    pub(super) fn left_stopped<'s>(&'s self, service: &'s Service<'h, 'a>) -> Option<LeftStopped<'s, 'h, 'a>> {
        let last_up = service
            .states
            .iter()
            .rposition(|(_, s)| matches!(s, State::Running | State::Paused));
        let after_from = last_up.map_or(0, |i| i + 1);
        let after = service.states.get(after_from..)?;
        // A state the rule cannot read after the last start: it may be running.
        if after.iter().any(|(_, s)| *s == State::Unknown) {
            return None;
        }
        let (offset, stop, span) = after
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, (e, _))| !self.shutdown_stop(e.event.time))
            .find_map(|(i, (e, _))| self.runs.at(e.event.time).map(|span| (i, *e, span)))?;
        let t = stop.event.time;
        if self.coverage.last < span.needed_until() {
            return None; // not covered: the host's coverage gaps say so
        }
        // After a boot, Windows 2016 and later name the services it starts by their key:
        // a service whose key is unknown may have started under another name.
        if !service.key_known && self.boot_after(t) {
            return None;
        }
        let managed = service.setup_managed();
        if self.stops_by_itself(service) {
            return None;
        }
        let previous_start = last_up.and_then(|i| service.states.get(i)).map(|(e, _)| e.event.time);
        if !managed && previous_start.is_some_and(|u| t - u < Duration::minutes(SHORT_RUN_MINUTES)) {
            return None; // it stopped on its own soon after starting
        }
        let first_stop = offset == 0;
        let start = self.start_source(service, stop, span, last_up.filter(|_| first_stop))?;
        let changes = service
            .changes
            .iter()
            .filter(|c| c.by_person() && c.event.event.time >= span.from())
            .copied()
            .collect();
        Some(LeftStopped {
            service,
            stop,
            span,
            start,
            changes,
        })
    }

    /// How the service is known to start automatically, or `None` when it is not.
    /// `boot_start`: the state index of the start right before the stop, when the stop is
    /// the first one after it.
    pub(super) fn start_source(
        &self,
        service: &Service<'h, 'a>,
        stop: &'h HostEvent<'a>,
        span: &Span<'h, 'a>,
        boot_start: Option<usize>,
    ) -> Option<StartSource<'h, 'a>> {
        let window = span.from()..=span.to().max(stop.event.time);
        // A person turned automatic start off for the run.
        if let Some(c) = service.changes.iter().rev().find(|c| {
            c.by_person()
                && c.from == Some(StartType::Auto)
                && c.to != Some(StartType::Auto)
                && window.contains(&c.event.event.time)
        }) {
            return Some(StartSource::Changed(*c));
        }
        // Windows toggles the start type of its own servicing services.
        if service.changes.iter().any(Change::by_windows) {
            return None;
        }
        let latest = service.changes.last().copied();
        if latest.is_some_and(|c| c.to.is_some_and(|t| t != StartType::Auto)) {
            return None;
        }
        let back_to_auto = latest.filter(|c| c.by_person() && c.to == Some(StartType::Auto));
        if let Some(info) = service.info {
            if info.trigger_start {
                return None;
            }
            return match (info.start, back_to_auto) {
                (Some(2), _) => Some(StartSource::Registry(info)),
                (_, Some(c)) => Some(StartSource::Changed(c)),
                _ => None,
            };
        }
        if let Some(c) = back_to_auto {
            return Some(StartSource::Changed(c));
        }
        // Seen running since a boot: started at boot (and at the boot before, when the
        // log shows the service then), ran for an hour or more up to the stop, and never
        // stopped otherwise. Demand services that Windows starts at boot stop when idle.
        let (up, _) = service.states.get(boot_start?).filter(|(_, s)| *s == State::Running)?;
        let boot = self.boot_before(up.event.time)?;
        let first_seen = service.states.first().map(|(e, _)| e.event.time)?;
        let earlier_boot_ok = match self.boot_before(boot - Duration::seconds(1)) {
            Some(earlier) if first_seen < boot => self.started_at(service, earlier),
            _ => true,
        };
        let at_boot = self.started_at(service, boot) && up.event.time - boot <= Duration::minutes(BOOT_START_MINUTES);
        let long_enough = stop.event.time - up.event.time >= Duration::hours(STEADY_HOURS);
        let steady = service
            .states
            .iter()
            .all(|(e, s)| *s != State::Stopped || !self.ordinary_stop(e.event.time));
        (at_boot && earlier_boot_ok && long_enough && steady).then_some(StartSource::Boot(up))
    }

    /// Whether the service entered the running state within minutes after the boot at `boot`.
    pub(super) fn started_at(&self, service: &Service<'_, '_>, boot: DateTime<Utc>) -> bool {
        let i = service.states.partition_point(|(e, _)| e.event.time < boot);
        service
            .states
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|(e, _)| e.event.time - boot <= Duration::minutes(BOOT_START_MINUTES))
            .any(|(_, s)| *s == State::Running)
    }

    /// Every service left stopped, in service order.
    pub(super) fn candidates(&self) -> Vec<LeftStopped<'_, 'h, 'a>> {
        self.services.iter().filter_map(|s| self.left_stopped(s)).collect()
    }

    /// How sure a finding about `span` with this start source is.
    pub(super) fn confidence(&self, span: &Span<'_, '_>, start: &StartSource<'_, '_>) -> Confidence {
        if !span.run.zone_known || self.coverage.local {
            Confidence::Low
        } else if matches!(start, StartSource::Boot(_)) {
            Confidence::Medium
        } else {
            Confidence::High
        }
    }
}
