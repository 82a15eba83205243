//! Per-format adapters between the parsers and the analyzer: each module reads one file
//! once into a [`Loaded`] (its [`SourceSummary`] and the owned [`Facts`] the rules use)
//! and writes its records as JSONL (for `parse`). Adding a format = one module here, a
//! [`SourceKind`] variant and, if the rules need it, a [`Facts`] variant.

pub mod event_export;
pub mod evt;
pub mod evtx;
pub mod reg;
pub mod setup_log;
pub mod task_script;

use std::io::{self, Write};

use chrono::{DateTime, NaiveDateTime, Utc};
use exdoctor_parsers::event::{Event, LogIntegrity};
use exdoctor_parsers::setup_log::RunResult;
use serde::Serialize;

use crate::findings::Finding;

use crate::diagnostic::Diagnostic;
use crate::ingest::{InputFile, SourceKind};

/// What `analyze` reports about one input file until findings replace it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub path: String,
    pub kind: SourceKind,
    /// Records read (setup-log records, events, registry values).
    pub records: u64,
    /// Records or lines that could not be read.
    pub errors: u64,
    /// Format-specific summary (runs, time span, host state ...).
    pub details: serde_json::Value,
    /// The same summary as indented lines for the terminal.
    #[serde(skip)]
    pub text: Vec<String>,
    /// Problems with this file.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl SourceSummary {
    /// An empty summary of `kind` for `input`, to be filled by the format module.
    pub fn new(input: &InputFile, kind: SourceKind) -> SourceSummary {
        SourceSummary {
            path: input.display().to_string(),
            kind,
            records: 0,
            errors: 0,
            details: serde_json::Value::Null,
            text: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

/// Owned facts of one file that the correlation rules need.
#[derive(Debug, Clone)]
pub enum Facts {
    SetupLog(SetupLogFacts),
    Events(EventLogFacts),
    Registry(RegistryFacts),
    TaskScript(TaskScriptFacts),
    /// Nothing beyond the summary: the file could not be read.
    None,
}

/// The steps of a setup task script.
#[derive(Debug, Clone, Default)]
pub struct TaskScriptFacts {
    pub steps: Vec<TaskStepFacts>,
}

/// One step: its watermark id and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStepFacts {
    pub line: u32,
    pub id: String,
    pub name: String,
    pub fatal: bool,
}

/// A parsed registry export, merged with the host's other exports later.
#[derive(Debug, Clone)]
pub struct RegistryFacts {
    pub file: exdoctor_parsers::reg::RegFile<'static>,
    /// The computer name this export alone gives (Tcpip Hostname, ComputerName).
    pub host_name: Option<String>,
    pub fqdn: Option<String>,
}

/// What a setup log contributes to its host: per-file findings and run facts.
#[derive(Debug, Clone, Default)]
pub struct SetupLogFacts {
    /// Findings of the per-file rules (host not set yet).
    pub findings: Vec<Finding>,
    pub runs: Vec<RunFacts>,
    /// The server name setup searched for (`Setup will search ... with name 'X'`, `Server Name=X`).
    pub server_name: Option<String>,
    /// The NetBIOS domain of the logged-on user (`SOLO\Han` -> `SOLO`).
    pub user_domain: Option<String>,
    /// Offset of the header's `Local time zone: (UTC-06:00) ...`, in minutes east of UTC.
    pub utc_offset_minutes: Option<i32>,
    /// The header's time zone text.
    pub time_zone: Option<String>,
    /// Run starts and ends, role tasks, errors and long pauses, in local time.
    pub milestones: Vec<Milestone>,
}

/// One run, owned: its window in local time and how it ended.
#[derive(Debug, Clone)]
pub struct RunFacts {
    pub index: usize,
    pub first_line: u32,
    pub last_line: u32,
    pub start: Option<NaiveDateTime>,
    pub end: Option<NaiveDateTime>,
    pub result: RunResult,
    pub ended: bool,
    pub mode: Option<String>,
    pub setup_version: Option<String>,
    /// Innermost task begun and never ended.
    pub unfinished_task: Option<String>,
}

/// What an event log contributes: the events the rules use, and integrity.
#[derive(Debug, Clone, Default)]
pub struct EventLogFacts {
    pub channel: String,
    /// Events the rules use (see `exdoctor_parsers::event::RULE_EVENTS`), in file order.
    pub events: Vec<Event>,
    /// Computer names with their record counts, most frequent first.
    pub computers: Vec<(String, u64)>,
    pub integrity: LogIntegrity,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// What to keep while loading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keep every event, not only those the rules use (for `timeline`).
    pub all_events: bool,
}

impl LoadOptions {
    /// Whether an event is kept.
    pub fn keeps(&self, event: &Event) -> bool {
        self.all_events || exdoctor_parsers::event::is_rule_event(&event.provider, event.event_id)
    }
}

/// A dated point of a setup log worth a line in the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub line: u32,
    pub time: NaiveDateTime,
    pub text: String,
}

/// A file read once: its summary and its facts.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub summary: SourceSummary,
    pub facts: Facts,
}

/// Reads one file of a known kind once, for both the summary and the rules.
pub fn load(input: &InputFile, kind: SourceKind, options: LoadOptions) -> Loaded {
    match kind {
        SourceKind::SetupLog => setup_log::load(input),
        SourceKind::Evt => evt::load(input, options),
        SourceKind::Evtx => evtx::load(input, options),
        SourceKind::EventXml | SourceKind::EventCsv => event_export::load(input, kind, options),
        SourceKind::Reg => reg::load(input),
        SourceKind::TaskScript => task_script::load(input),
    }
}

/// Counts computer names of `events`, most frequent first (ties by name).
pub fn computer_counts(events: &[Event]) -> Vec<(String, u64)> {
    let mut counts: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for e in events {
        *counts.entry(e.computer.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(c, _)| !c.is_empty())
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Writes the parsed records of one file as JSON lines to `out`; returns the problems
/// found in the input (I/O errors on `out` are the only `Err`).
pub fn write_records(input: &InputFile, kind: SourceKind, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    match kind {
        SourceKind::SetupLog => setup_log::write_records(input, out),
        SourceKind::Evtx => evtx::write_records(input, out),
        SourceKind::Evt => evt::write_records(input, out),
        SourceKind::EventXml | SourceKind::EventCsv => event_export::write_records(input, kind, out),
        SourceKind::Reg => reg::write_records(input, out),
        SourceKind::TaskScript => task_script::write_records(input, out),
    }
}

/// Writes one serializable value as a JSON line.
pub fn write_json_line<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
