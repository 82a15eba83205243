//! `service-left-stopped`: an automatic-start service that entered the stopped state
//! (SCM 7036) shortly before or during an Exchange setup run and is not seen running
//! again while the System log still covers the time after the run. The upgrade guides'
//! advice: stop the services that hook into Exchange (backup agent, virus scanner)
//! before a service pack, and start them again afterwards.
//!
//! Services setup stops and starts itself (Exchange, IIS, the Windows services Exchange
//! depends on) are one finding per run, which correlation folds into the run's
//! `setup-interrupted` when the run was interrupted. [`coverage_gaps`] tells the host's
//! input summary when the System log ends too early to judge.
//!
//! One pass over the host's events (sorted by time) collects each service's states and
//! start-type changes; the run windows are an index of elementary segments, so each stop
//! finds its run by binary search: O(n log n) in the events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Event;
use exdoctor_parsers::setup_log::RunResult;
use serde_json::json;

use super::messages::evidence_text;
use super::services::{self, Directory};
use super::start_failure::who;
use super::{run_evidence, run_label, utc, SCM};
use crate::model::{setup_run_subject, Confidence, CoverageGap, EventFact, Evidence, Fact, Finding, Location};
use crate::model::{HostEvent, HostLog, HostView, RuleId, RuleInfo, RunWindow, Severity, Timestamp};
use crate::registry::host_state::ServiceInfo;
use crate::rules::registry::key_evidence;

/// The `service-left-stopped` rule.
pub(crate) const SERVICE_LEFT_STOPPED: RuleInfo = RuleInfo {
    id: RuleId::ServiceLeftStopped,
    title: "A service stopped for a setup run was not started again",
    severity: Severity::Warning,
    description: "An automatic-start service (registry Start = 2, a start-type change away from auto start by a \
                  person around the run, or without registry seen started at boot and running for an hour or \
                  more) entered the stopped state (SCM 7036) from 2 hours before an Exchange setup run's start to \
                  the run's end, and the System log shows no \"running\" for it afterwards, up to its last event \
                  at least 30 minutes after the run ended (reboots included). The upgrade guides advise stopping \
                  the services that hook into Exchange (backup agent, virus scanner) before a service pack and \
                  starting them again afterwards; one that stays stopped is noticed when a backup is missing. \
                  Services setup stops and starts itself (Exchange, IIS, the Windows services Exchange depends \
                  on) are reported only when they are not running after the run, as one finding per run (an \
                  error when Exchange services are among them); after an interrupted run they are part of \
                  setup-interrupted. A setup log whose clock or zone is unknown widens the window by its \
                  uncertainty and lowers the confidence. Nothing is reported when the System log ends less than 30 \
                  minutes after the run (the host's input summary says so), for trigger-start services, services whose start type \
                  Windows itself changes (7040 by SYSTEM), services that stop on their own within 15 minutes of \
                  starting, stops that are part of a shutdown, and state texts in a language the rule does not \
                  read (it reads English, German, French and Spanish).",
    remediation: &[
        "Start the service (sc start <service>, or services.msc); if its start type was changed for the upgrade (SCM 7040), set it back first: sc config <service> start= auto.",
        STEP_CHECK,
        "For Exchange services left stopped by a failed or interrupted run, run setup again in the same mode (setup.com /mode:<mode>): it stops and starts them itself.",
        STEP_NEXT_TIME,
    ],
    references: &[
        "Exchange 2007 SP1 upgrade notes (seed document): stop the services that hook into Exchange (backup agent, virus scanner) before SP1 and start them again afterwards",
        "Exchange 2007 update rollup troubleshooting: Services Are Not Automatically Restarted",
        "netevent.mc (SCM 7036, 7040)",
    ],
};

/// Remediation: what the stopped service should have done meanwhile.
const STEP_CHECK: &str = "Check what it protects since it stopped: for a backup agent the backups since then (run one now), for a virus scanner that it scans mail again with current signatures.";
/// Remediation: the habit that prevents it.
const STEP_NEXT_TIME: &str = "Before the next service pack or update rollup, write down the services you stop and start them again when setup has finished.";

/// Stops this long before a run's start count as stops for the run.
const BEFORE_RUN_HOURS: i64 = 2;
/// The System log must reach this long past a run's end (plus the run's clock
/// uncertainty) for the rule to judge: time to start the services again by hand.
const GRACE_MINUTES: i64 = 30;
/// A service entering the running state this soon after a boot was started at boot.
const BOOT_START_MINUTES: i64 = 10;
/// A stop this soon before a shutdown (EventLog 6006) or boot (6005) is part of it.
const SHUTDOWN_MINUTES: i64 = 15;
/// A service that stops less than this after starting stops on its own (demand-like).
const SHORT_RUN_MINUTES: i64 = 15;
/// A service seen running since a boot counts as automatic when it ran this long.
const STEADY_HOURS: i64 = 1;
/// Uncertainty of a System log whose times are local of an unknown zone.
const LOCAL_LOG_HOURS: i64 = 14;

/// A service state of SCM 7036 (`%2`), as the rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Stopped,
    Paused,
    /// A text the rule does not read (another language): the state is unknown.
    Unknown,
}

impl State {
    /// The state of a 7036 event: its second insertion string, in English, German,
    /// French or Spanish (Windows writes it in the system's language).
    fn of(event: &Event) -> State {
        let Some(text) = event.param(1) else {
            return State::Unknown;
        };
        let text = text
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '.' | '\u{201c}' | '\u{201d}' | '\u{200e}'))
            .to_lowercase();
        match text.as_str() {
            "running" | "wird ausgeführt" | "ausgeführt" | "en cours d'exécution" | "en ejecución" => {
                State::Running
            }
            "stopped" | "beendet" | "arrêté" | "detenido" => State::Stopped,
            "paused" | "angehalten" | "suspendu" | "en pausa" => State::Paused,
            _ => State::Unknown,
        }
    }
}

/// A start type of SCM 7040 (`%2` old, `%3` new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartType {
    Auto,
    Demand,
    Disabled,
    /// Boot or system start (drivers).
    Other,
}

impl StartType {
    /// `auto start`, `demand start`, `disabled` and their German, French and Spanish
    /// forms (matched by their stems); `None` for a text the rule does not read.
    fn parse(text: &str) -> Option<StartType> {
        let t = text.trim().to_lowercase();
        let has = |stems: &[&str]| stems.iter().any(|s| t.contains(s));
        if t.is_empty() {
            None
        } else if has(&["auto"]) {
            Some(StartType::Auto)
        } else if has(&["demand", "manu", "petici"]) {
            Some(StartType::Demand)
        } else if has(&["disabled", "deaktiv", "désactiv", "deshabilit"]) {
            Some(StartType::Disabled)
        } else if has(&["boot", "system"]) {
            Some(StartType::Other)
        } else {
            None
        }
    }
}

/// Whether `sid` is one of the service accounts Windows itself acts as (SYSTEM, LOCAL
/// SERVICE, NETWORK SERVICE).
fn is_windows_sid(sid: &str) -> bool {
    matches!(sid.trim(), "S-1-5-18" | "S-1-5-19" | "S-1-5-20")
}

/// A 7040: who changed a service's start type from what to what.
#[derive(Clone, Copy)]
struct Change<'h, 'a> {
    event: &'h HostEvent<'a>,
    from: Option<StartType>,
    to: Option<StartType>,
}

impl Change<'_, '_> {
    fn sid(&self) -> Option<&str> {
        self.event
            .event
            .user_sid
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// ` by the built-in Administrator (S-1-5-21-...-500)`, or nothing when the event
    /// names no account.
    fn by(&self) -> String {
        match self.sid() {
            Some(_) => format!(" {}", who(self.event.event)),
            None => String::new(),
        }
    }

    /// Made by Windows itself (the servicing stack toggles its own services).
    fn by_windows(&self) -> bool {
        self.sid().is_some_and(is_windows_sid)
    }

    /// Made by a person (an administrator, or setup running as one).
    fn by_person(&self) -> bool {
        self.sid().is_some_and(|s| !is_windows_sid(s))
    }
}

/// What the rule saw of one service.
struct Service<'h, 'a> {
    /// The name its first event gave it.
    name: String,
    /// Who it is: key, display name, how much it matters to Exchange.
    who: services::Service,
    /// Its key is known (registry, built-in tables, or the key a 7040 names), not only
    /// the name of its events.
    key_known: bool,
    /// Its registry key, when exported.
    info: Option<&'a ServiceInfo>,
    /// Its 7036 states in time order.
    states: Vec<(&'h HostEvent<'a>, State)>,
    /// Its 7040 start-type changes in time order.
    changes: Vec<Change<'h, 'a>>,
}

impl Service<'_, '_> {
    /// `Display name (Key)`, or the name as found.
    fn label(&self) -> String {
        self.who.label()
    }

    /// Its key when known, else the name its events give it: what findings name it by.
    fn key(&self) -> &str {
        &self.who.key
    }

    /// The name to give `sc`/`net start`: the key, else the quoted name.
    fn command_name(&self) -> String {
        if self.key_known {
            services::shown(&self.who.key)
        } else {
            format!("\"{}\"", services::shown(&self.name))
        }
    }

    /// An Exchange service: in the Exchange table, an Exchange key in the registry, or a
    /// display name beginning with "Microsoft Exchange".
    fn is_exchange(&self) -> bool {
        self.who.exchange.is_some()
            || self.info.is_some_and(|i| i.exchange)
            || self.name.to_lowercase().starts_with("microsoft exchange")
    }

    /// A service setup stops and starts itself: Exchange's own, IIS, and the Windows
    /// services Exchange depends on.
    fn setup_managed(&self) -> bool {
        self.is_exchange() || self.who.subject.matters_to_exchange()
    }
}

/// Service names to services: the host's directory (registry, Exchange and Windows
/// tables), and the key SCM 7040 names (`%4`, Windows Server 2008 R2 and later) for
/// services neither knows.
struct Names<'d, 'a> {
    directory: &'d Directory<'a>,
    from_7040: BTreeMap<String, String>,
}

impl<'d, 'a> Names<'d, 'a> {
    fn new(view: &HostView<'a>, directory: &'d Directory<'a>) -> Names<'d, 'a> {
        let mut from_7040 = BTreeMap::new();
        for e in view.events_of(SCM, &[7040]) {
            let (Some(display), Some(key)) = (e.event.param(0), e.event.param(3)) else {
                continue;
            };
            let key = key.trim();
            if !key.is_empty() {
                from_7040.insert(display.trim().to_lowercase(), key.to_string());
                from_7040.insert(key.to_lowercase(), key.to_string());
            }
        }
        Names { directory, from_7040 }
    }

    /// The service called `name`, whether its key is known, and its registry key.
    fn resolve(&self, name: &str) -> (services::Service, bool, Option<&'a ServiceInfo>) {
        let who = self.directory.resolve(name);
        if who.known {
            let info = self.directory.registry_entry(&who.key);
            return (who, true, info);
        }
        match self.from_7040.get(&name.trim().to_lowercase()) {
            Some(key) => (self.directory.resolve(key), true, self.directory.registry_entry(key)),
            None => (who, false, None),
        }
    }
}

/// One setup run's window: stops from 2 h before its start to its end, widened by the
/// uncertainty of its clock.
struct Span<'h, 'a> {
    run: &'h RunWindow<'a>,
    /// The run's first and last line in UTC.
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// The uncertainty on each side.
    slack: Duration,
}

impl Span<'_, '_> {
    /// The first moment a stop counts for the run.
    fn from(&self) -> DateTime<Utc> {
        self.start - Duration::hours(BEFORE_RUN_HOURS) - self.slack
    }

    /// The last moment a stop counts for the run.
    fn to(&self) -> DateTime<Utc> {
        self.end + self.slack
    }

    /// Where the System log must reach for the rule to judge the run.
    fn needed_until(&self) -> DateTime<Utc> {
        self.to() + Duration::minutes(GRACE_MINUTES)
    }

    /// Whether `t` is inside the run itself (widened), not only before it.
    fn during(&self, t: DateTime<Utc>) -> bool {
        t >= self.start - self.slack && t <= self.to()
    }

    /// `2007-11-30T14:12:03Z..16:38:47Z (2 h before the run's start to its end, widened by 2 min)`.
    fn window_text(&self) -> String {
        format!(
            "{}..{} (from {BEFORE_RUN_HOURS} h before the run's start to its end, widened by {} for the uncertainty of the run's clock)",
            utc(self.from()),
            utc(self.to()),
            duration_text(self.slack)
        )
    }
}

/// The run windows as elementary segments: `bounds[i]..bounds[i+1]` belongs to run
/// `chosen[i]` (a run the time is inside, the latest started; else the next run to
/// start), so that a time finds its run by binary search.
struct RunIndex<'h, 'a> {
    spans: Vec<Span<'h, 'a>>,
    bounds: Vec<DateTime<Utc>>,
    chosen: Vec<Option<usize>>,
}

impl<'h, 'a> RunIndex<'h, 'a> {
    fn new(view: &'h HostView<'a>, extra_slack: Duration) -> RunIndex<'h, 'a> {
        let spans: Vec<Span<'h, 'a>> = view
            .runs
            .iter()
            .filter_map(|run| {
                let (a, b) = (run.start?, run.end?);
                Some(Span {
                    run,
                    start: a.min(b),
                    end: a.max(b),
                    slack: run.slack() + extra_slack,
                })
            })
            .collect();
        // (time, what happens): 0 = enters "before", 1 = enters "during", 2 = leaves.
        let mut marks: Vec<(DateTime<Utc>, u8, usize)> = Vec::with_capacity(spans.len() * 3);
        for (i, s) in spans.iter().enumerate() {
            marks.push((s.from(), 0, i));
            marks.push((s.start - s.slack, 1, i));
            marks.push((s.to() + Duration::nanoseconds(1), 2, i));
        }
        marks.sort_unstable();
        let mut before: BTreeSet<(DateTime<Utc>, usize)> = BTreeSet::new();
        let mut during: BTreeSet<(DateTime<Utc>, usize)> = BTreeSet::new();
        let (mut bounds, mut chosen) = (Vec::new(), Vec::new());
        let mut k = 0;
        while k < marks.len() {
            let t = marks[k].0;
            while k < marks.len() && marks[k].0 == t {
                let (_, what, i) = marks[k];
                let key = (spans[i].start, i);
                match what {
                    0 => {
                        before.insert(key);
                    }
                    1 => {
                        before.remove(&key);
                        during.insert(key);
                    }
                    _ => {
                        during.remove(&key);
                    }
                }
                k += 1;
            }
            bounds.push(t);
            chosen.push(during.last().or(before.first()).map(|&(_, i)| i));
        }
        RunIndex { spans, bounds, chosen }
    }

    /// The run a stop at `t` counts for.
    fn at(&self, t: DateTime<Utc>) -> Option<&Span<'h, 'a>> {
        let i = self.bounds.partition_point(|b| *b <= t);
        let chosen = self.chosen.get(i.checked_sub(1)?).copied().flatten()?;
        self.spans.get(chosen)
    }
}

/// How far the host's System log(s) reach.
struct Coverage<'h> {
    /// The System log that reaches furthest.
    source: &'h str,
    last: DateTime<Utc>,
    /// Its times are local of an unknown zone.
    local: bool,
}

/// The host's System logs: the logs of the System channel, and any log holding SCM events.
fn system_logs<'h, 'a>(view: &'h HostView<'a>) -> Vec<&'h HostLog<'a>> {
    let scm_sources: BTreeSet<&str> = view
        .events
        .iter()
        .filter(|e| e.event.provider.eq_ignore_ascii_case(SCM))
        .map(|e| e.source)
        .collect();
    view.logs
        .iter()
        .filter(|l| l.channel.eq_ignore_ascii_case("System") || scm_sources.contains(l.source))
        .collect()
}

/// The uncertainty a System log in local time of an unknown zone adds to every window.
fn local_slack(logs: &[&HostLog<'_>]) -> Duration {
    if logs.iter().any(|l| l.local_time) {
        Duration::hours(LOCAL_LOG_HOURS)
    } else {
        Duration::zero()
    }
}

/// `45 min`, `3 h 12 min`, `2 d 5 h`.
fn duration_text(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 1440, (minutes % 1440) / 60, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// How the rule knows a service starts automatically.
enum StartSource<'h, 'a> {
    /// Its registry key says Start = 2.
    Registry(&'a ServiceInfo),
    /// A person changed it from auto start around the run (or back to auto start).
    Changed(Change<'h, 'a>),
    /// It entered the running state right after a boot and ran until the stop.
    Boot(&'h HostEvent<'a>),
}

impl StartSource<'_, '_> {
    /// How details name it.
    fn name(&self) -> &'static str {
        match self {
            StartSource::Registry(_) => "registry",
            StartSource::Changed(_) => "start-type change",
            StartSource::Boot(_) => "running since boot",
        }
    }
}

/// A service left stopped: its last stop inside a run window and everything known about it.
struct LeftStopped<'s, 'h, 'a> {
    service: &'s Service<'h, 'a>,
    stop: &'h HostEvent<'a>,
    span: &'s Span<'h, 'a>,
    start: StartSource<'h, 'a>,
    /// The start-type changes people made from the window's start on.
    changes: Vec<Change<'h, 'a>>,
}

/// Everything the rule reads of one host.
struct Host<'h, 'a> {
    view: &'h HostView<'a>,
    runs: RunIndex<'h, 'a>,
    coverage: Coverage<'h>,
    boots: Vec<DateTime<Utc>>,
    shutdowns: Vec<DateTime<Utc>>,
    /// The services, in the order of their grouping keys.
    services: Vec<Service<'h, 'a>>,
}

impl<'h, 'a> Host<'h, 'a> {
    /// The host's services, boots and run windows; `None` without runs or System log events.
    fn new(view: &'h HostView<'a>, directory: &Directory<'a>) -> Option<Host<'h, 'a>> {
        if view.runs.is_empty() {
            return None;
        }
        let logs = system_logs(view);
        let coverage = logs
            .iter()
            .filter_map(|l| Some((l.last?, l.source, l.local_time)))
            .max()
            .map(|(last, source, local)| Coverage { source, last, local })?;
        let runs = RunIndex::new(view, local_slack(&logs));
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
    fn shutdown_stop(&self, t: DateTime<Utc>) -> bool {
        let soon = |times: &[DateTime<Utc>]| {
            let i = times.partition_point(|x| *x < t);
            times
                .get(i)
                .is_some_and(|x| *x - t <= Duration::minutes(SHUTDOWN_MINUTES))
        };
        soon(&self.shutdowns) || soon(&self.boots)
    }

    /// Whether the system started after `t` (and within the log).
    fn boot_after(&self, t: DateTime<Utc>) -> bool {
        self.boots.last().is_some_and(|b| *b > t)
    }

    /// The last boot at or before `t`.
    fn boot_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let i = self.boots.partition_point(|b| *b <= t);
        self.boots.get(i.checked_sub(1)?).copied()
    }

    /// Whether a stop at `t` belongs to no run and no shutdown: the service stopped on its
    /// own or a person stopped it at another time.
    fn ordinary_stop(&self, t: DateTime<Utc>) -> bool {
        self.runs.at(t).is_none() && !self.shutdown_stop(t)
    }

    /// A service that stops on its own: a stop outside the runs and shutdowns less than a
    /// quarter of an hour after it started.
    fn stops_by_itself(&self, service: &Service<'_, '_>) -> bool {
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
    fn left_stopped<'s>(&'s self, service: &'s Service<'h, 'a>) -> Option<LeftStopped<'s, 'h, 'a>> {
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
    fn start_source(
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
    fn started_at(&self, service: &Service<'_, '_>, boot: DateTime<Utc>) -> bool {
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
    fn candidates(&self) -> Vec<LeftStopped<'_, 'h, 'a>> {
        self.services.iter().filter_map(|s| self.left_stopped(s)).collect()
    }

    /// How sure a finding about `span` with this start source is.
    fn confidence(&self, span: &Span<'_, '_>, start: &StartSource<'_, '_>) -> Confidence {
        if !span.run.zone_known || self.coverage.local {
            Confidence::Low
        } else if matches!(start, StartSource::Boot(_)) {
            Confidence::Medium
        } else {
            Confidence::High
        }
    }

    /// The last System event: the log covers the time after the run.
    fn coverage_evidence(&self, span: &Span<'_, '_>) -> Evidence {
        let last = self.coverage.last;
        let time = if self.coverage.local {
            Timestamp::Local(last.naive_utc())
        } else {
            Timestamp::Utc(last)
        };
        Evidence::new(
            self.coverage.source,
            Location::File,
            Some(time),
            format!(
                "last event of the System log at {}: it covers {} after the run ended",
                utc(last),
                duration_text(last - span.end)
            ),
        )
    }

    /// Evidence of the start type and a sentence saying where it comes from.
    fn start_evidence(&self, left: &LeftStopped<'_, '_, '_>) -> (Evidence, String) {
        let label = left.service.label();
        match &left.start {
            StartSource::Registry(info) => {
                let text = format!("{label}: Start = 2 (automatic)");
                let evidence = match self.view.registry {
                    Some(state) => key_evidence(state, info.source.as_ref(), &info.key, &text),
                    None => Evidence::new("registry", Location::Key(info.key.clone()), None, text),
                };
                (evidence, "It starts automatically (registry Start = 2).".to_string())
            }
            StartSource::Changed(c) if c.to == Some(StartType::Auto) => (
                c.event.evidence(change_text(c)),
                format!(
                    "Its start type was {} at {}.",
                    change_phrase(c),
                    utc(c.event.event.time)
                ),
            ),
            StartSource::Changed(c) => (
                c.event.evidence(change_text(c)),
                format!(
                    "It started automatically until its start type was {} at {}.",
                    change_phrase(c),
                    utc(c.event.event.time)
                ),
            ),
            StartSource::Boot(up) => {
                let boot = self.boot_before(up.event.time).unwrap_or(up.event.time);
                (
                    up.evidence(format!(
                        "{}; {} s after the system started: an automatic start",
                        evidence_text(up),
                        (up.event.time - boot).num_seconds()
                    )),
                    format!(
                        "It starts automatically (seen running since the boot at {}).",
                        utc(boot)
                    ),
                )
            }
        }
    }

    /// One finding for a service setup does not manage (backup agent, virus scanner, ...).
    fn service_finding(&self, left: &LeftStopped<'_, '_, '_>) -> Finding {
        let rule = &SERVICE_LEFT_STOPPED;
        let (service, span, t) = (left.service, left.span, left.stop.event.time);
        let label = service.label();
        let when = if span.during(t) {
            "during".to_string()
        } else {
            format!("{} before", duration_text(span.start - t))
        };
        let (start_evidence, start_text) = self.start_evidence(left);
        let mut summary = format!(
            "{label} entered the stopped state at {}, {when} {}, and is not seen running again up to the end \
             of the System log ({}, {} after the run ended). {start_text}",
            utc(t),
            run_label(span.run),
            utc(self.coverage.last),
            duration_text(self.coverage.last - span.end),
        );
        let told = match &left.start {
            StartSource::Changed(c) => Some(c.event.event.record_id),
            _ => None,
        };
        summary.push_str(&who_text(&left.changes, told));
        summary.push_str(&format!(" Window checked: stops from {}.", span.window_text()));
        let disabled = left
            .changes
            .last()
            .is_some_and(|c| c.to.is_some_and(|t| t != StartType::Auto));
        let name = service.command_name();
        let mut steps = vec![if disabled {
            format!("Set it back to automatic start and start it: sc config {name} start= auto, then sc start {name}.")
        } else {
            format!("Start it: sc start {name} (or services.msc), and check that it stays running.")
        }];
        steps.extend([STEP_CHECK.to_string(), STEP_NEXT_TIME.to_string()]);
        let mut finding = Finding::new(rule, summary)
            .subject(service.key())
            .title(format!("{label} was left stopped after a setup run"))
            .confidence(self.confidence(span, &left.start))
            .remediation(steps);
        finding = self
            .common_details(finding, span, t)
            .detail("start_type_source", left.start.name())
            .detail("service", service.key())
            .detail("display_name", service.name.clone())
            .detail(
                "stopped_by",
                left.changes.iter().rev().find_map(|c| c.sid().map(str::to_string)),
            );
        finding.push_evidence(left.stop.evidence(evidence_text(left.stop)));
        for c in &left.changes {
            finding.push_evidence(c.event.evidence(change_text(c)));
        }
        if !finding.evidence.contains(&start_evidence) {
            finding.push_evidence(start_evidence);
        }
        finding.push_evidence(run_evidence(span.run));
        finding.push_evidence(self.coverage_evidence(span));
        finding
    }

    /// One finding for the services setup manages that one run left stopped.
    fn run_finding(&self, span: &Span<'_, '_>, left: &[&LeftStopped<'_, '_, '_>]) -> Finding {
        let rule = &SERVICE_LEFT_STOPPED;
        let exchange = left.iter().any(|l| l.service.is_exchange());
        let names: Vec<String> = left.iter().map(|l| l.service.key().to_string()).collect();
        let first = left.iter().map(|l| l.stop.event.time).min().unwrap_or(span.start);
        let last = left.iter().map(|l| l.stop.event.time).max().unwrap_or(span.start);
        let when = match (first == last, left.iter().all(|l| span.during(l.stop.event.time))) {
            (true, true) => format!("at {} during", utc(first)),
            (true, false) => format!("at {}, before", utc(first)),
            (false, true) => format!("between {} and {} during", utc(first), utc(last)),
            (false, false) => format!("between {} and {}, around", utc(first), utc(last)),
        };
        let labels: Vec<String> = left.iter().map(|l| l.service.label()).collect();
        let (title, who) = match &labels[..] {
            [one] => (
                format!("{one} was left stopped after a setup run"),
                format!("{one}, a service setup stops and starts itself, entered the stopped state"),
            ),
            _ => (
                format!(
                    "{} {} were left stopped after a setup run",
                    left.len(),
                    if exchange {
                        "Exchange services"
                    } else {
                        "services setup manages"
                    }
                ),
                format!(
                    "{} services that setup stops and starts itself entered the stopped state",
                    left.len()
                ),
            ),
        };
        let mut summary = format!(
            "{who} {when} {}, and {} not seen running again up to the end of the System log ({}, {} after the \
             run ended){}. {}",
            run_label(span.run),
            if left.len() == 1 { "is" } else { "are" },
            utc(self.coverage.last),
            duration_text(self.coverage.last - span.end),
            if left.len() == 1 {
                String::new()
            } else {
                format!(": {}", labels.join(", "))
            },
            starts_text(left),
        );
        let changes: Vec<Change<'_, '_>> = left.iter().flat_map(|l| l.changes.iter().copied()).collect();
        summary.push_str(&who_text(&changes, None));
        summary.push_str(&format!(" Window checked: stops from {}.", span.window_text()));
        let rerun = span.run.run.result != RunResult::Completed;
        let mut steps = Vec::new();
        if rerun {
            steps.push(format!(
                "Run setup again in the same mode (setup.com /mode:{}): it stops and starts these services itself.",
                span.run.run.mode.as_deref().unwrap_or("<mode>")
            ));
        }
        let starts: Vec<String> = left
            .iter()
            .map(|l| format!("sc start {}", l.service.command_name()))
            .collect();
        steps.push(format!(
            "Start them{}: {} (set any whose start type was changed back to automatic first: sc config <service> start= auto).",
            if rerun { " if setup does not" } else { "" },
            starts.join(", then ")
        ));
        steps.push(
            "If one does not stay running, read its SCM errors (7000/7009/7024/7031): that is a separate problem (service-start-failure, service-crash)."
                .to_string(),
        );
        let confidence = left
            .iter()
            .map(|l| self.confidence(span, &l.start))
            .min()
            .unwrap_or(Confidence::Low);
        let mut finding = Finding::new(rule, summary)
            .subject(setup_run_subject(
                span.run.run.start,
                span.run.run.index,
                span.run.source,
            ))
            .title(title)
            .severity(if exchange { Severity::Error } else { rule.severity })
            .confidence(confidence)
            .count(left.len() as u64)
            .remediation(steps)
            .fact(Fact::Event(EventFact::SetupServicesLeftStopped {
                source: span.run.source.to_string(),
                index: span.run.run.index,
                services: names.clone(),
            }));
        let sources: BTreeMap<&str, &str> = left
            .iter()
            .zip(&names)
            .map(|(l, name)| (name.as_str(), l.start.name()))
            .collect();
        finding = self
            .common_details(finding, span, first)
            .detail("services", json!(names))
            .detail("start_type_sources", json!(sources));
        for l in left {
            finding.push_evidence(l.stop.evidence(evidence_text(l.stop)));
        }
        for l in left {
            for c in &l.changes {
                let e = c.event.evidence(change_text(c));
                if !finding.evidence.contains(&e) {
                    finding.push_evidence(e);
                }
            }
            let (e, _) = self.start_evidence(l);
            if !finding.evidence.contains(&e) {
                finding.push_evidence(e);
            }
        }
        finding.push_evidence(run_evidence(span.run));
        finding.push_evidence(self.coverage_evidence(span));
        finding
    }

    /// The details every finding of the rule carries.
    fn common_details(&self, finding: Finding, span: &Span<'_, '_>, stopped: DateTime<Utc>) -> Finding {
        finding
            .detail("stopped_at", utc(stopped))
            .detail("run", span.run.run.index + 1)
            .detail("run_source", span.run.source)
            .detail("window_from", utc(span.from()))
            .detail("window_to", utc(span.to()))
            .detail("system_log_end", utc(self.coverage.last))
    }
}

/// How the services of a run finding are known to start automatically: `They start
/// automatically (registry Start = 2).`, or each source with its services.
fn starts_text(left: &[&LeftStopped<'_, '_, '_>]) -> String {
    let names = |pick: fn(&StartSource<'_, '_>) -> bool| -> Vec<String> {
        left.iter()
            .filter(|l| pick(&l.start))
            .map(|l| l.service.key().to_string())
            .collect()
    };
    let registry = names(|s| matches!(s, StartSource::Registry(_)));
    let they = if left.len() == 1 { "It starts" } else { "They start" };
    if registry.len() == left.len() {
        return format!("{they} automatically (registry Start = 2).");
    }
    let parts: Vec<String> = [
        ("registry Start = 2", registry),
        (
            "a start-type change (SCM 7040) by a person",
            names(|s| matches!(s, StartSource::Changed(_))),
        ),
        (
            "seen running since a boot",
            names(|s| matches!(s, StartSource::Boot(_))),
        ),
    ]
    .into_iter()
    .filter(|(_, services)| !services.is_empty())
    .map(|(how, services)| format!("{how}: {}", services.join(", ")))
    .collect();
    format!("{they} automatically ({}).", parts.join("; "))
}

/// `changed from auto start to disabled by the built-in Administrator (S-1-5-21-...-500)`.
fn change_phrase(c: &Change<'_, '_>) -> String {
    let ev = c.event.event;
    format!(
        "changed from {} to {}{}",
        ev.param(1).map_or("?", str::trim),
        ev.param(2).map_or("?", str::trim),
        c.by()
    )
}

/// The evidence text of a 7040, with who made the change.
fn change_text(c: &Change<'_, '_>) -> String {
    match c.sid() {
        Some(_) => format!("{} Changed{}.", evidence_text(c.event), c.by()),
        None => evidence_text(c.event),
    }
}

/// ` The start type of X was changed from auto start to disabled by S-1-5-21-...-500 at
/// ...` for each change but the one the summary already tells (`told`: its record).
fn who_text(changes: &[Change<'_, '_>], told: Option<u64>) -> String {
    changes
        .iter()
        .filter(|c| Some(c.event.event.record_id) != told)
        .map(|c| {
            format!(
                " The start type of {} was {} at {}.",
                c.event.event.param(0).map_or("?", str::trim),
                change_phrase(c),
                utc(c.event.event.time)
            )
        })
        .collect()
}

/// Runs `service-left-stopped` on one host.
pub(crate) fn check(view: &HostView<'_>, directory: &Directory<'_>) -> Vec<Finding> {
    let Some(host) = Host::new(view, directory) else {
        return Vec::new();
    };
    let candidates = host.candidates();
    let mut findings: Vec<Finding> = candidates
        .iter()
        .filter(|l| !l.service.setup_managed())
        .map(|l| host.service_finding(l))
        .collect();
    // The services setup manages: one finding per run.
    let mut per_run: BTreeMap<(&str, usize), Vec<&LeftStopped<'_, '_, '_>>> = BTreeMap::new();
    for l in candidates.iter().filter(|l| l.service.setup_managed()) {
        per_run
            .entry((l.span.run.source, l.span.run.run.index))
            .or_default()
            .push(l);
    }
    for left in per_run.values_mut() {
        left.sort_by(|a, b| (a.stop.event.time, &a.service.name).cmp(&(b.stop.event.time, &b.service.name)));
        if let Some(first) = left.first() {
            findings.push(host.run_finding(first.span, left));
        }
    }
    findings
}

/// What the host's System log does not cover for this rule: the setup runs it ends
/// before (plus the grace time and the run's clock uncertainty). Empty without a System
/// log or without runs.
pub(crate) fn coverage_gaps(view: &HostView<'_>) -> Vec<CoverageGap> {
    let logs = system_logs(view);
    if logs.is_empty() {
        return Vec::new();
    }
    let runs = RunIndex::new(view, local_slack(&logs));
    let furthest = logs.iter().filter_map(|l| Some((l.last?, l.source))).max();
    let last = furthest.map(|(t, _)| t);
    let uncovered: Vec<&Span<'_, '_>> = runs
        .spans
        .iter()
        .filter(|s| last.is_none_or(|l| l < s.needed_until()))
        .collect();
    let Some(latest) = uncovered
        .iter()
        .max_by_key(|s| (s.needed_until(), s.run.source, s.run.run.index))
    else {
        return Vec::new();
    };
    let log_source = furthest.map_or(logs[0].source, |(_, s)| s);
    let mut sources = vec![log_source.to_string()];
    for s in &uncovered {
        if !sources.iter().any(|x| x == s.run.source) {
            sources.push(s.run.source.to_string());
        }
    }
    let ends = match last {
        Some(t) => format!("The System log ({log_source}) ends at {}", utc(t)),
        None => format!("The System log ({log_source}) holds no events"),
    };
    let runs_text = if uncovered.len() == 1 {
        format!(
            "setup run {} of {} (ended {})",
            latest.run.run.index + 1,
            latest.run.source,
            utc(latest.end)
        )
    } else {
        format!(
            "{} setup runs (the last: run {} of {}, ended {})",
            uncovered.len(),
            latest.run.run.index + 1,
            latest.run.source,
            utc(latest.end)
        )
    };
    let which = if uncovered.len() == 1 { "the run" } else { "these runs" };
    let message = format!(
        "{ends}, before {runs_text} plus {GRACE_MINUTES} min and the run's clock uncertainty of {} \
         ({}): whether services stopped for {which} were started again cannot be told, service-left-stopped \
         did not judge it.",
        duration_text(latest.slack),
        utc(latest.needed_until())
    );
    let local = logs.iter().any(|l| l.local_time);
    vec![CoverageGap {
        rule: RuleId::ServiceLeftStopped,
        sources,
        covered_until: last.map(|t| {
            if local {
                Timestamp::Local(t.naive_utc())
            } else {
                Timestamp::Utc(t)
            }
        }),
        needed_until: Timestamp::Utc(latest.needed_until()),
        message,
    }]
}

#[cfg(test)]
mod tests;
