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

use exdoctor_parsers::event::Event;
use serde::Serialize;

use crate::ingest::InputFile;
use crate::model::SourceKind;
use crate::model::{Diagnostic, Facts, SourceSummary};

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
