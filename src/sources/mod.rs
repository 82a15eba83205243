//! Per-format adapters between the parsers and the analyzer: each module turns one
//! file's bytes into a [`SourceSummary`] (for `analyze`) and into JSONL records (for
//! `parse`). Adding a format = one module here plus a [`SourceKind`] variant.

pub mod event_export;
pub mod evt;
pub mod evtx;
pub mod reg;
pub mod setup_log;

use std::io::{self, Write};

use serde::Serialize;

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

/// Summarizes one file of a known kind. Never panics on bad input: damage ends up in
/// the summary's diagnostics.
pub fn summarize(input: &InputFile, kind: SourceKind) -> SourceSummary {
    match kind {
        SourceKind::SetupLog => setup_log::summarize(input),
        SourceKind::Evtx => evtx::summarize(input),
        SourceKind::Evt => evt::summarize(input),
        SourceKind::EventXml | SourceKind::EventCsv => event_export::summarize(input, kind),
        SourceKind::Reg => reg::summarize(input),
    }
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
    }
}

/// Writes one serializable value as a JSON line.
pub fn write_json_line<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
