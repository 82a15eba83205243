//! The analysis pipeline: load every file in parallel (with the rules' wishes as
//! [`load_options`]), group the files into hosts, place setup runs in UTC, run the rules
//! per host and across hosts, and collect the findings in a deterministic order.

mod clones;
mod copies;
pub mod hosts;
mod identity;
pub mod marks;
pub mod merge;
pub mod pipeline;
mod shares;
pub mod timeline;
pub mod zone;

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use exdoctor_parsers::event::{Event, EventLocation};
use serde::{Deserialize, Serialize};

use crate::ingest::archive::Limits;
use crate::ingest::{load_all, load_inputs, InputFile};
pub use crate::ingest::{LoadProgress, Progress};
use crate::model::{
    Attribution, CoverageGap, DiagLevel, Diagnostic, EventLogFacts, Facts, Finding, Host, HostGroup, HostZone,
    LoadedFile, LoggedDeletions, Rename, SetupLogFacts, SourceSummary,
};
use crate::model::{HostEvent, HostLog, HostView, RunWindow, Suppressed};
use crate::registry::{HostState, RegistryView};
use crate::sources::LoadOptions;
use copies::CopyKey;
use hosts::{group, FileIdentity, NameClaim, RecordSpan};
use marks::HostMarks;
use shares::EventShares;
use zone::{infer_from_setup_events, localize};

/// What the report says about one host.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostReport {
    /// The host's name (short, upper case).
    pub name: String,
    /// Its fully qualified name, when a file gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    /// Its earlier (and pending) names, short form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The renames that joined its names, oldest first, with what proves each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renames: Vec<Rename>,
    /// The name a rename waiting for a reboot will give it (registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_rename: Option<String>,
    /// Windows version from the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Exchange build and roles from the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeSummary>,
    /// Its offset from UTC and where that came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<HostZone>,
    /// Why each file was attributed to this host.
    pub attribution: Vec<Attribution>,
    /// What each of its files holds.
    pub sources: Vec<SourceSummary>,
    /// What its inputs do not cover for the rules (a System log ending before a setup
    /// run ended): checks that could not be made, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage_gaps: Vec<CoverageGap>,
    /// Its merged registry state: what the fleet rules read, so that `exdoctor merge`
    /// can run them over the hosts of several reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<HostState>,
    /// What its timeline picture shows (the HTML report): its setup runs and rule events.
    /// Not in the JSON: `None` for a host read back from a report (`exdoctor merge`).
    #[serde(skip)]
    pub marks: Option<HostMarks>,
}

impl HostReport {
    /// Whether `name` (short or FQDN, any letter case) is this host's name, FQDN or one
    /// of its aliases.
    pub fn matches(&self, name: &str) -> bool {
        crate::model::host_answers_to(&self.name, self.fqdn.as_deref(), &self.aliases, name)
    }
}

/// A host's Exchange installation as the report shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExchangeSummary {
    /// `8.1.240.6`.
    pub version: String,
    /// `SP1`, `SP3 RU23` ...; `None` for an unknown build.
    pub level: Option<String>,
    /// Role keys (`MailboxRole`, ...).
    pub roles: Vec<String>,
}

/// The result of an analysis, in deterministic order.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Every host, in name order.
    pub hosts: Vec<HostReport>,
    /// Every finding: by host, most severe first.
    pub findings: Vec<Finding>,
    /// Findings left out of the report by a suppression entry (`--suppress`).
    pub suppressed: Vec<Suppressed>,
    /// Problems with the inputs, by path.
    pub diagnostics: Vec<Diagnostic>,
    /// At least one input could not be read at all.
    pub unreadable: bool,
}

/// Analyses files and folders (recursively). Runs on the current rayon pool.
pub fn analyze(paths: &[PathBuf]) -> Analysis {
    analyze_with_progress(paths, None)
}

/// [`analyze`], reporting the loading progress to `progress`. Bundles are analysed in
/// batches ([`pipeline`]): memory stays bounded whatever the number of hosts.
pub fn analyze_with_progress(paths: &[PathBuf], progress: Option<Progress<'_>>) -> Analysis {
    pipeline::analyze_in_batches(paths, pipeline::BATCH_BYTES, progress)
}

/// Analyses inputs already in memory (path and bytes each, archives included) as
/// [`analyze`] does files: for tests, fuzzing and programs that fetch the files
/// themselves. Archives are read within `limits` ([`Limits::default`] for the
/// documented ones). Runs on the current rayon pool.
pub fn analyze_inputs(inputs: Vec<InputFile>, limits: &Limits) -> Analysis {
    let (files, diagnostics) = load_inputs(inputs, limits, load_options(false));
    analyze_loaded(&files, diagnostics)
}

/// Loads files and folders for the rules (every event with `all_events`, for the
/// timeline), with the diagnostics of the inputs.
pub fn load(paths: &[PathBuf], all_events: bool) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    load_all(paths, load_options(all_events))
}

/// What the rules want from each file: their events (every event with `all_events`,
/// for `timeline`) and the per-file rules of setup logs.
pub fn load_options(all_events: bool) -> LoadOptions {
    LoadOptions {
        all_events,
        rule_events: kept_event,
        setup_log_rules: crate::rules::setup_log::check_setup_log,
    }
}

/// Files grouped into hosts, each with its registry state and time zone (name order);
/// copies of a host's files are left out (see [`hosts_and_copies`]).
pub fn hosts_of(files: &[LoadedFile]) -> Vec<Host> {
    hosts_and_copies(files).0
}

/// [`hosts_of`], with a warning for each file left out as a copy of another file of
/// its host (same bytes: the same folder given twice, a bundle and its extracted copy).
pub fn hosts_and_copies(files: &[LoadedFile]) -> (Vec<Host>, Vec<Diagnostic>) {
    let (hosts, _, copies) = hosts_with_shares(files);
    (hosts, copies)
}

/// The hosts of `files` ([`hosts_and_copies`]) with the events of the files they share.
fn hosts_with_shares(files: &[LoadedFile]) -> (Vec<Host>, EventShares, Vec<Diagnostic>) {
    let identities: Vec<(PathBuf, FileIdentity)> = files
        .iter()
        .map(|f| (f.path.clone(), identity(&f.loaded.summary.path, &f.loaded.facts)))
        .collect();
    let mut diagnostics = Vec::new();
    let groups: Vec<HostGroup> = group(&identities)
        .into_iter()
        .map(|mut group| {
            diagnostics.extend(copies::drop_copies(&mut group, |i| files.get(i).map(CopyKey::of)));
            group
        })
        .collect();
    let shares = EventShares::of(&groups, files);
    let hosts = groups
        .into_iter()
        .map(|group| host_for(group, files, &shares))
        .collect();
    (hosts, shares, diagnostics)
}

/// A host from its group of `files`: with its merged registry state and its zone.
fn host_for(group: HostGroup, files: &[LoadedFile], shares: &EventShares) -> Host {
    let members: Vec<&LoadedFile> = group.files.iter().filter_map(|&i| files.get(i)).collect();
    let registry = registry_state(&members);
    let zone = host_zone(&group, files, registry.as_ref(), shares);
    let ad_deletions = LoggedDeletions::of_sources(members.iter().map(|f| &f.loaded.summary));
    Host {
        group,
        registry,
        zone,
        ad_deletions,
    }
}

/// Runs the rules over loaded files.
pub fn analyze_loaded(files: &[LoadedFile], diagnostics: Vec<Diagnostic>) -> Analysis {
    let unreadable = diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    let mut analysis = Analysis {
        diagnostics,
        unreadable,
        ..Analysis::default()
    };
    let (hosts, shares, copies) = hosts_with_shares(files);
    analysis.diagnostics.extend(copies);
    for host in &hosts {
        let (report, findings) = analyse_host(host, files, &shares);
        analysis.hosts.push(report);
        analysis.findings.extend(findings);
    }
    finish(&mut analysis, &hosts);
    analysis
}

/// The last steps over all hosts: the fleet rules, finding identity, the final order.
fn finish(analysis: &mut Analysis, hosts: &[Host]) {
    analysis.findings.extend(crate::rules::fleet::check(hosts));
    identity::identify(&mut analysis.findings);
    sort_findings(&mut analysis.findings);
    sort_diagnostics(&mut analysis.diagnostics);
}

/// The events loading keeps: the rules' events, and EventLog 6011 (the machine was
/// renamed: old name -> new name) for host identity.
fn kept_event(provider: &str, event_id: u16) -> Option<(&'static str, u16)> {
    if event_id == 6011 && provider.eq_ignore_ascii_case("EventLog") {
        return Some(("EventLog", 6011));
    }
    crate::rules::events::rule_event(provider, event_id)
}

/// What a file (shown as `source`) says about the machine(s) it comes from.
fn identity(source: &str, facts: &Facts) -> FileIdentity {
    FileIdentity {
        shown: source.to_string(),
        ..claims(source, facts)
    }
}

/// The names, renames and pending rename a file gives.
fn claims(source: &str, facts: &Facts) -> FileIdentity {
    let one = |raw: &str, how: &'static str| NameClaim {
        raw: raw.to_string(),
        how,
        records: 1,
        span: None,
    };
    match facts {
        Facts::SetupLog(f) => FileIdentity {
            names: f.server_name.iter().map(|n| one(n, "setup log server name")).collect(),
            ..FileIdentity::default()
        },
        Facts::Events(f) => FileIdentity {
            names: f
                .computer_spans
                .iter()
                .map(|(name, span)| NameClaim {
                    raw: name.clone(),
                    how: "event log Computer field",
                    records: span.records,
                    span: Some(RecordSpan {
                        first_record: span.first_record,
                        last_record: span.last_record,
                        first_time: span.first,
                    }),
                })
                .collect(),
            renames: f
                .events
                .iter()
                .filter(|e| e.event_id == 6011 && e.provider.eq_ignore_ascii_case("EventLog"))
                .filter_map(|e| {
                    Some(Rename {
                        old: e.param(0)?.trim().to_string(),
                        new: e.param(1)?.trim().to_string(),
                        time: Some(e.time),
                        how: format!("{source} record {}: EventLog 6011", e.record_id),
                    })
                })
                .collect(),
            per_event: true,
            whole_log: f.whole_log,
            ..FileIdentity::default()
        },
        Facts::Registry(r) => {
            let current = r.fqdn.as_deref().or(r.host_name.as_deref());
            FileIdentity {
                names: current.iter().map(|n| one(n, "registry computer name")).collect(),
                pending: current
                    .zip(r.pending_name.as_deref())
                    .map(|(c, p)| (c.to_string(), p.to_string())),
                ..FileIdentity::default()
            }
        }
        Facts::TaskScript(_) | Facts::LdifErr(_) | Facts::None => FileIdentity::default(),
    }
}

/// The events of file `index` that belong to `group` (all of them unless the file is
/// shared between hosts: then its share, from `shares`), with how to cite each.
/// `events` are the file's events, or their copy converted to UTC
/// ([`localized_events`]).
pub(crate) fn host_events<'f>(
    group: &'f HostGroup,
    index: usize,
    facts: &'f EventLogFacts,
    events: &'f [Event],
    shares: &EventShares,
) -> impl Iterator<Item = (&'f Event, EventLocation)> + 'f {
    let positions: Vec<usize> = match group.partial.get(&index) {
        Some(names) => shares.events(index, names),
        None => (0..events.len()).collect(),
    };
    positions.into_iter().filter_map(move |i| {
        let event = events.get(i)?;
        let location = facts.locations.get(i).copied().unwrap_or(EventLocation::Record {
            record_id: event.record_id,
        });
        Some((event, location))
    })
}

/// The merged registry state of a host's exports (in path order; later files win).
fn registry_state(files: &[&LoadedFile]) -> Option<HostState> {
    let parts: Vec<(&str, &exdoctor_parsers::reg::RegFile<'static>)> = files
        .iter()
        .filter_map(|f| match &f.loaded.facts {
            Facts::Registry(r) => Some((f.loaded.summary.path.as_str(), &r.file)),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| HostState::from_view(&RegistryView::from_files(&parts)))
}

/// The events of a CSV export, whose times are the host's local times, converted to UTC
/// with its zone; `None` when the file's times are UTC or the zone is unknown.
pub(crate) fn localized_events(facts: &EventLogFacts, zone: Option<&HostZone>) -> Option<Vec<Event>> {
    let zone = zone.filter(|_| facts.local_times)?;
    Some(
        facts
            .events
            .iter()
            .map(|e| Event {
                time: zone.to_utc(e.time.naive_utc()),
                ..e.clone()
            })
            .collect(),
    )
}

/// The host's zone from its registry export, with daylight saving.
pub(crate) fn registry_zone(host: &Host) -> Option<HostZone> {
    host.registry
        .as_ref()
        .and_then(|r| r.time_zone.as_ref())
        .and_then(HostZone::from_registry)
}

/// How the times of one setup log become UTC.
pub(crate) enum LogClock {
    /// Its bracket times are UTC already (2013+, or measured).
    Utc,
    /// They are the server's local time, converted with this zone when one is known.
    Local(Option<HostZone>),
}

impl LogClock {
    /// The clock of `log` on a host: UTC brackets as they are; local ones with the
    /// registry's zone, else the log's own header, else the host's zone. A zone is never
    /// taken from another host's file.
    pub(crate) fn of(log: &SetupLogFacts, registry: Option<&HostZone>, host: Option<&HostZone>) -> LogClock {
        if log.utc_clock() {
            return LogClock::Utc;
        }
        LogClock::Local(registry.cloned().or_else(|| header_zone(log)).or_else(|| host.cloned()))
    }

    /// A time of the log in UTC (local times of an unknown zone are taken as UTC and
    /// windows widened, see [`LogClock::uncertainty`]).
    pub(crate) fn to_utc(&self, t: NaiveDateTime) -> DateTime<Utc> {
        match self {
            LogClock::Utc | LogClock::Local(None) => t.and_utc(),
            LogClock::Local(Some(z)) => z.to_utc(t),
        }
    }

    /// Whether the UTC times are known (UTC brackets, or a known zone).
    fn known(&self) -> bool {
        !matches!(self, LogClock::Local(None))
    }

    /// How far a window is widened on each side: 2 minutes for UTC brackets, the zone's
    /// uncertainty, or 14 hours when the zone is unknown.
    fn uncertainty(&self) -> Duration {
        match self {
            LogClock::Utc => Duration::minutes(2),
            LogClock::Local(Some(z)) => z.uncertainty(),
            LogClock::Local(None) => Duration::hours(14),
        }
    }
}

/// The zone a setup log's header gives its server (`Local time zone: (UTC-06:00) ...`):
/// the standard offset, daylight saving unknown.
fn header_zone(s: &SetupLogFacts) -> Option<HostZone> {
    let (offset, tz) = (s.utc_offset_minutes?, s.time_zone.as_ref()?);
    Some(HostZone {
        offset_minutes: offset,
        source: format!("setup log header: {tz}; standard offset, daylight saving unknown"),
        daylight: None,
    })
}

/// The host's offset from UTC: registry time zone (with daylight saving), a setup-log
/// header of the host, else the MSExchangeSetup 1000 events matched with the start of
/// local-clock setup runs.
fn host_zone(
    group: &HostGroup,
    all: &[LoadedFile],
    registry: Option<&HostState>,
    shares: &EventShares,
) -> Option<HostZone> {
    let files: Vec<(usize, &LoadedFile)> = group.files.iter().filter_map(|&i| Some((i, all.get(i)?))).collect();
    if let Some(zone) = registry
        .and_then(|r| r.time_zone.as_ref())
        .and_then(HostZone::from_registry)
    {
        return Some(zone);
    }
    let setup_logs = || {
        files.iter().filter_map(|(_, f)| match &f.loaded.facts {
            Facts::SetupLog(s) => Some(s),
            _ => None,
        })
    };
    if let Some(zone) = setup_logs().find_map(header_zone) {
        return Some(zone);
    }
    // Runs of UTC-clock logs say nothing about the local offset.
    let starts: Vec<_> = setup_logs()
        .filter(|s| !s.utc_clock())
        .flat_map(|s| s.runs.iter().filter_map(|r| r.start))
        .collect();
    if starts.is_empty() {
        return None;
    }
    // The host's own events: its share of a file that other hosts' events are in too.
    let started: Vec<_> = files
        .iter()
        .filter_map(|&(index, f)| match &f.loaded.facts {
            Facts::Events(e) => Some(host_events(group, index, e, &e.events, shares)),
            _ => None,
        })
        .flatten()
        .filter(|(e, _)| e.provider == "MSExchangeSetup" && e.event_id == 1000)
        .map(|(e, _)| e.time)
        .collect();
    infer_from_setup_events(&starts, &started).map(|offset_minutes| HostZone {
        offset_minutes,
        source: "setup-log start matched with MSExchangeSetup 1000".into(),
        daylight: None,
    })
}

fn analyse_host(host: &Host, all: &[LoadedFile], shares: &EventShares) -> (HostReport, Vec<Finding>) {
    let g = &host.group;
    let zone = host.zone.clone();
    let registry_zone = registry_zone(host);
    let files: Vec<(usize, &LoadedFile)> = g.files.iter().filter_map(|&i| Some((i, all.get(i)?))).collect();
    let mut view = HostView {
        name: g.name.clone(),
        registry: host.registry.as_ref(),
        ..HostView::default()
    };
    // CSV exports carry local times: converted once with the host's zone, when known.
    let log_zone = registry_zone.as_ref().or(zone.as_ref());
    let converted: Vec<Option<Vec<Event>>> = files
        .iter()
        .map(|(_, f)| match &f.loaded.facts {
            Facts::Events(e) => localized_events(e, log_zone),
            _ => None,
        })
        .collect();
    let mut findings = Vec::new();
    for (&(index, f), converted) in files.iter().zip(&converted) {
        let source = f.loaded.summary.path.as_str();
        match &f.loaded.facts {
            Facts::SetupLog(s) => {
                let clock = LogClock::of(s, registry_zone.as_ref(), zone.as_ref());
                for finding in &s.findings {
                    let mut finding = finding.clone();
                    if let LogClock::Local(Some(z)) = &clock {
                        localize(&mut finding, z);
                    }
                    findings.push(finding);
                }
                for run in &s.runs {
                    view.runs.push(RunWindow {
                        source,
                        run,
                        start: run.start.map(|t| clock.to_utc(t)),
                        end: run.end.map(|t| clock.to_utc(t)),
                        utc_clock: matches!(clock, LogClock::Utc),
                        zone_known: clock.known(),
                        slack: clock.uncertainty(),
                    });
                }
            }
            Facts::Events(e) => {
                let events = converted.as_deref().unwrap_or(&e.events);
                let local_time = e.local_times && converted.is_none();
                view.events.extend(
                    host_events(g, index, e, events, shares).map(|(event, location)| HostEvent {
                        source,
                        event,
                        location,
                        local_time,
                    }),
                );
                let placed = |t: Option<DateTime<Utc>>| match log_zone.filter(|_| e.local_times) {
                    Some(z) => t.map(|t| z.to_utc(t.naive_utc())),
                    None => t,
                };
                view.logs.push(HostLog {
                    first: placed(e.first),
                    last: placed(e.last),
                    local_time,
                    ..HostLog::new(source, &e.channel, &e.integrity)
                });
            }
            Facts::TaskScript(t) => view.task_steps.extend(t.steps.iter().map(|step| (source, step))),
            Facts::LdifErr(l) => view.ldif_errors.push((source, l)),
            Facts::Registry(_) | Facts::None => {}
        }
    }
    view.events
        .sort_by(|a, b| (a.event.time, a.source, a.event.record_id).cmp(&(b.event.time, b.source, b.event.record_id)));
    let findings = crate::rules::check_host(&view, findings);
    let marks = HostMarks::of(&view);
    let coverage_gaps = crate::rules::coverage_gaps(&view);
    let report = HostReport {
        name: g.name.clone(),
        fqdn: g
            .fqdn
            .clone()
            .or_else(|| host.registry.as_ref().and_then(|r| r.identity.fqdn.clone())),
        aliases: g.aliases.clone(),
        renames: g.renames.clone(),
        pending_rename: g.pending_rename.clone(),
        os: host.registry.as_ref().and_then(os_label),
        exchange: host.registry.as_ref().and_then(exchange_summary),
        time_zone: zone,
        attribution: g.attribution.clone(),
        // The report's copy: the file's diagnostics are the analysis's already (a file
        // shared by thousands of hosts would repeat them in each).
        sources: files
            .iter()
            .map(|(_, f)| SourceSummary {
                path: f.loaded.summary.path.clone(),
                kind: f.loaded.summary.kind,
                records: f.loaded.summary.records,
                errors: f.loaded.summary.errors,
                details: f.loaded.summary.details.clone(),
                diagnostics: Vec::new(),
            })
            .collect(),
        coverage_gaps,
        registry: host.registry.clone(),
        marks: Some(marks),
    };
    (report, findings)
}

/// `Windows Server 2003 R2 Enterprise x64 Edition (5.2.3790, Service Pack 2)`.
fn os_label(state: &HostState) -> Option<String> {
    let os = state.os.as_ref()?;
    let mut parts = vec![os.product_name.clone().unwrap_or_else(|| "Windows".into())];
    let version = [os.current_version.clone(), os.build_number.map(|b| b.to_string())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(".");
    let detail = [Some(version).filter(|v| !v.is_empty()), os.csd_version.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    if !detail.is_empty() {
        parts.push(format!("({detail})"));
    }
    Some(parts.join(" "))
}

/// The host's Exchange build and roles from its registry.
fn exchange_summary(state: &HostState) -> Option<ExchangeSummary> {
    let build = state.exchange_build()?;
    Some(ExchangeSummary {
        version: build.to_string(),
        level: build.name(),
        roles: state
            .exchange
            .iter()
            .flat_map(|i| &i.roles)
            .map(|r| r.name.clone())
            .collect(),
    })
}

/// By path, component by component as files are discovered (so `\` and `/` sort
/// alike), stable (a file's diagnostics keep their order): a run and the merge of its
/// shards list them alike.
fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| std::path::Path::new(&a.path).cmp(std::path::Path::new(&b.path)));
}

/// Host, most severe first, rule id, then first evidence: identical for any thread count.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.host
            .cmp(&b.host)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then_with(|| {
                let key = |f: &Finding| f.evidence.first().map(|e| (e.source.clone(), e.location.clone()));
                key(a).cmp(&key(b))
            })
            .then_with(|| a.title.cmp(&b.title))
    });
}
