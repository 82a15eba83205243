//! Per-format adapters between the parsers and the analyzer: each module reads one
//! file's bytes once into a [`Loaded`] (its [`SourceSummary`] and the owned [`Facts`]
//! the rules use) and writes its records as JSONL (for `parse`). A source sees one file
//! and does no I/O: [`Input`] is the bytes and the name; what the rules want kept comes
//! in [`LoadOptions`]. Adding a format = one module here, a [`SourceKind`] variant and,
//! if the rules need it, a [`Facts`] variant.

pub mod event_export;
pub mod evt;
pub mod evtx;
pub mod ldif_err;
pub mod reg;
pub mod setup_log;
pub mod task_script;

use std::io::{self, Write};
use std::path::Path;

use exdoctor_parsers::event::Event;
use serde::Serialize;

use crate::model::{Diagnostic, Finding, Loaded, SetupLogFile, SourceKind};

/// One file as a source sees it: its bytes and how it is named.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    path: &'a Path,
    display: &'a str,
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// An input of `bytes` found at `path`, shown in reports as `display`.
    pub fn new(path: &'a Path, display: &'a str, bytes: &'a [u8]) -> Input<'a> {
        Input { path, display, bytes }
    }

    /// The file's path (its name gives the channel of `.evt` and CSV files).
    pub fn path(&self) -> &'a Path {
        self.path
    }

    /// The path as shown in reports and diagnostics.
    pub fn display(&self) -> &'a str {
        self.display
    }

    /// The file's content.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// The events the rules read: `Some` with the catalog's spelling of the provider for a
/// rule event, `None` for the others.
pub type RuleEvents = fn(provider: &str, event_id: u16) -> Option<(&'static str, u16)>;

/// The rules of one setup log, run on its borrowed parse while the file is loaded.
pub type SetupLogRules = for<'a, 'b> fn(&SetupLogFile<'a, 'b>) -> Vec<Finding>;

/// What the rules want from each file, given by the analysis that owns the rules.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Keep every event, not only the rule events (for `timeline`).
    pub all_events: bool,
    /// Which events the rules read (kept and counted in the summaries).
    pub rule_events: RuleEvents,
    /// The per-file rules of setup logs.
    pub setup_log_rules: SetupLogRules,
}

impl LoadOptions {
    /// Whether an event is kept.
    pub fn keeps(&self, event: &Event) -> bool {
        self.all_events || self.is_rule_event(event)
    }

    /// Whether the rules read `event`.
    pub fn is_rule_event(&self, event: &Event) -> bool {
        (self.rule_events)(&event.provider, event.event_id).is_some()
    }
}

/// Reads one file of a known kind once, for both the summary and the rules.
pub fn load(input: &Input<'_>, kind: SourceKind, options: LoadOptions) -> Loaded {
    match kind {
        SourceKind::SetupLog => setup_log::load(input, options.setup_log_rules),
        SourceKind::Evt => evt::load(input, options),
        SourceKind::Evtx => evtx::load(input, options),
        SourceKind::EventXml | SourceKind::EventCsv => event_export::load(input, kind, options),
        SourceKind::Reg => reg::load(input),
        SourceKind::TaskScript => task_script::load(input),
        SourceKind::LdifErr => ldif_err::load(input),
    }
}

/// Writes the parsed records of one file as JSON lines to `out`; returns the problems
/// found in the input (I/O errors on `out` are the only `Err`).
pub fn write_records(input: &Input<'_>, kind: SourceKind, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    match kind {
        SourceKind::SetupLog => setup_log::write_records(input, out),
        SourceKind::Evtx => evtx::write_records(input, out),
        SourceKind::Evt => evt::write_records(input, out),
        SourceKind::EventXml | SourceKind::EventCsv => event_export::write_records(input, kind, out),
        SourceKind::Reg => reg::write_records(input, out),
        SourceKind::TaskScript => task_script::write_records(input, out),
        SourceKind::LdifErr => ldif_err::write_records(input, out),
    }
}

/// Writes one serializable value as a JSON line.
pub fn write_json_line<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Load options for the adapters' unit tests: no rule events, no setup-log rules.

    use super::LoadOptions;

    /// Options that keep no event and run no rule.
    pub(crate) fn options() -> LoadOptions {
        LoadOptions {
            all_events: false,
            rule_events: |_, _| None,
            setup_log_rules: |_| Vec::new(),
        }
    }
}
