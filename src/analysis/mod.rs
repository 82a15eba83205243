//! The analysis pipeline: load every file in parallel (with the rules' wishes as
//! [`load_options`]), group the files into hosts, place setup runs in UTC, run the rules
//! per host and across hosts, and collect the findings in a deterministic order.

mod copies;
pub mod hosts;
pub mod timeline;
pub mod zone;

use std::path::PathBuf;

use chrono::Duration;
use serde::Serialize;

use crate::ingest::archive::Limits;
pub use crate::ingest::Progress;
use crate::ingest::{load_all, load_all_with_progress, load_inputs, InputFile};
use crate::model::{Attribution, DiagLevel, Diagnostic, Facts, Finding, Host, HostZone, LoadedFile, SourceSummary};
use crate::model::{HostEvent, HostLog, HostView, RunWindow};
use crate::registry::{HostState, RegistryView};
use crate::sources::LoadOptions;
use hosts::{group, HostHint};
use zone::{infer_from_setup_events, localize};

/// What the report says about one host.
#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    /// The host's name (short, upper case).
    pub name: String,
    /// Its fully qualified name, when a file gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
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
}

/// A host's Exchange installation as the report shows it.
#[derive(Debug, Clone, Serialize)]
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
    /// Problems with the inputs.
    pub diagnostics: Vec<Diagnostic>,
    /// At least one input could not be read at all.
    pub unreadable: bool,
}

/// Analyses files and folders (recursively). Runs on the current rayon pool.
pub fn analyze(paths: &[PathBuf]) -> Analysis {
    analyze_with_progress(paths, None)
}

/// [`analyze`], reporting the loading progress to `progress`.
pub fn analyze_with_progress(paths: &[PathBuf], progress: Option<Progress<'_>>) -> Analysis {
    let (files, diagnostics) = load_all_with_progress(paths, load_options(false), progress);
    analyze_loaded(&files, diagnostics)
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
        rule_events: crate::rules::events::rule_event,
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
    let hints: Vec<(PathBuf, Option<HostHint>)> =
        files.iter().map(|f| (f.path.clone(), hint(&f.loaded.facts))).collect();
    let mut diagnostics = Vec::new();
    let hosts = group(&hints)
        .into_iter()
        .map(|mut group| {
            diagnostics.extend(copies::drop_copies(&mut group, files));
            let members: Vec<&LoadedFile> = group.files.iter().filter_map(|&i| files.get(i)).collect();
            let registry = registry_state(&members);
            let zone = host_zone(&members, registry.as_ref());
            Host { group, registry, zone }
        })
        .collect();
    (hosts, diagnostics)
}

/// Runs the rules over loaded files.
pub fn analyze_loaded(files: &[LoadedFile], diagnostics: Vec<Diagnostic>) -> Analysis {
    let unreadable = diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    let mut analysis = Analysis {
        diagnostics,
        unreadable,
        ..Analysis::default()
    };
    let (hosts, copies) = hosts_and_copies(files);
    analysis.diagnostics.extend(copies);
    for host in &hosts {
        let (report, findings) = analyse_host(host, files);
        analysis.hosts.push(report);
        analysis.findings.extend(findings);
    }
    analysis.findings.extend(crate::rules::fleet::check(&hosts));
    sort_findings(&mut analysis.findings);
    analysis
}

/// The host a file names in its content.
fn hint(facts: &Facts) -> Option<HostHint> {
    match facts {
        Facts::SetupLog(f) => f
            .server_name
            .as_deref()
            .and_then(|n| HostHint::from_computer(n, "setup log server name")),
        Facts::Events(f) => f
            .computers
            .first()
            .and_then(|(c, _)| HostHint::from_computer(c, "event log Computer field")),
        Facts::Registry(r) => r
            .fqdn
            .as_deref()
            .or(r.host_name.as_deref())
            .and_then(|n| HostHint::from_computer(n, "registry computer name")),
        Facts::TaskScript(_) | Facts::None => None,
    }
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

/// The host's offset from UTC: registry time zone (with daylight saving), setup-log
/// header, else the MSExchangeSetup 1000 events matched with the setup-log start.
fn host_zone(files: &[&LoadedFile], registry: Option<&HostState>) -> Option<HostZone> {
    if let Some(zone) = registry
        .and_then(|r| r.time_zone.as_ref())
        .and_then(HostZone::from_registry)
    {
        return Some(zone);
    }
    for f in files {
        if let Facts::SetupLog(s) = &f.loaded.facts {
            if let (Some(offset), Some(tz)) = (s.utc_offset_minutes, s.time_zone.as_ref()) {
                return Some(HostZone {
                    offset_minutes: offset,
                    source: format!("setup log header: {tz}; standard offset, daylight saving unknown"),
                    daylight: None,
                });
            }
        }
    }
    let starts: Vec<_> = files
        .iter()
        .filter_map(|f| match &f.loaded.facts {
            Facts::SetupLog(s) => Some(s.runs.iter().filter_map(|r| r.start)),
            _ => None,
        })
        .flatten()
        .collect();
    let started: Vec<_> = files
        .iter()
        .filter_map(|f| match &f.loaded.facts {
            Facts::Events(e) => Some(
                e.events
                    .iter()
                    .filter(|e| e.provider == "MSExchangeSetup" && e.event_id == 1000),
            ),
            _ => None,
        })
        .flatten()
        .map(|e| e.time)
        .collect();
    infer_from_setup_events(&starts, &started).map(|offset_minutes| HostZone {
        offset_minutes,
        source: "setup-log start matched with MSExchangeSetup 1000".into(),
        daylight: None,
    })
}

fn analyse_host(host: &Host, all: &[LoadedFile]) -> (HostReport, Vec<Finding>) {
    let g = &host.group;
    let zone = host.zone.clone();
    let files: Vec<&LoadedFile> = g.files.iter().filter_map(|&i| all.get(i)).collect();
    let mut view = HostView {
        name: g.name.clone(),
        registry: host.registry.as_ref(),
        ..HostView::default()
    };
    let mut findings = Vec::new();
    for f in &files {
        let source = f.loaded.summary.path.as_str();
        match &f.loaded.facts {
            Facts::SetupLog(s) => {
                for finding in &s.findings {
                    let mut finding = finding.clone();
                    if let Some(z) = &zone {
                        localize(&mut finding, z);
                    }
                    findings.push(finding);
                }
                for run in &s.runs {
                    let to_utc = |t: Option<chrono::NaiveDateTime>| match &zone {
                        Some(z) => t.map(|t| z.to_utc(t)),
                        None => t.map(|t| t.and_utc()),
                    };
                    view.runs.push(RunWindow {
                        source,
                        run,
                        start: to_utc(run.start),
                        end: to_utc(run.end),
                        zone_known: zone.is_some(),
                        slack: zone.as_ref().map_or(Duration::hours(14), HostZone::uncertainty),
                    });
                }
            }
            Facts::Events(e) => {
                view.events
                    .extend(e.events.iter().map(|event| HostEvent { source, event }));
                view.logs.push(HostLog {
                    source,
                    channel: &e.channel,
                    integrity: &e.integrity,
                });
            }
            Facts::TaskScript(t) => view.task_steps.extend(t.steps.iter().map(|step| (source, step))),
            Facts::Registry(_) | Facts::None => {}
        }
    }
    view.events
        .sort_by(|a, b| (a.event.time, a.source, a.event.record_id).cmp(&(b.event.time, b.source, b.event.record_id)));
    let findings = crate::rules::check_host(&view, findings);
    let report = HostReport {
        name: g.name.clone(),
        fqdn: g
            .fqdn
            .clone()
            .or_else(|| host.registry.as_ref().and_then(|r| r.identity.fqdn.clone())),
        os: host.registry.as_ref().and_then(os_label),
        exchange: host.registry.as_ref().and_then(exchange_summary),
        time_zone: zone,
        attribution: g.attribution.clone(),
        sources: files.iter().map(|f| f.loaded.summary.clone()).collect(),
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
