//! Event exports (XML from wevtutil / Event Viewer, Event Viewer CSV): summary for
//! `analyze` and JSONL events for `parse`, like `.evtx` files.

use std::collections::BTreeSet;
use std::io::{self, Write};

use exdoctor_parsers::event_export::{parse_event_csv, parse_event_xml, CsvOptions, EventExport, TimeBasis};
use exdoctor_parsers::ParseError;

use super::evtx::{fill_summary, integrity_diagnostics, Span};
use super::Input;
use super::{write_json_line, LoadOptions};
use crate::model::{Diagnostic, Loaded};
use crate::model::{EventLogFacts, Facts, SourceSummary};
use crate::model::{SourceDetails, SourceKind};
use exdoctor_parsers::event::{computer_spans, Event, EventLocation};

/// Reads one export once: its summary and the events the rules use.
pub fn load(input: &Input<'_>, kind: SourceKind, options: LoadOptions) -> Loaded {
    let mut summary = SourceSummary::new(input.display(), kind);
    let export = match read(input, kind) {
        Ok(export) => export,
        Err(err) => {
            summary
                .diagnostics
                .push(Diagnostic::error(input.display(), format!("not readable: {err}")));
            return Loaded {
                summary,
                facts: Facts::None,
            };
        }
    };
    let channels: BTreeSet<String> = export
        .events
        .iter()
        .filter(|e| !e.channel.is_empty())
        .map(|e| e.channel.clone())
        .collect();
    let computers: BTreeSet<String> = export
        .events
        .iter()
        .filter(|e| !e.computer.is_empty())
        .map(|e| e.computer.clone())
        .collect();
    let span = Span {
        first: export.events.iter().map(|e| e.time).min(),
        last: export.events.iter().map(|e| e.time).max(),
        channels: &channels,
        computers: &computers,
    };
    fill_summary(&mut summary, &export.events, &export.integrity, &span, options);
    if let SourceDetails::EventLog(details) = &mut summary.details {
        details.time_basis = Some(export.time_basis);
    }
    summary.diagnostics = diagnostics(input, &export);
    let computer_spans = computer_spans(&export.events);
    let (events, locations): (Vec<Event>, Vec<EventLocation>) = export
        .events
        .into_iter()
        .zip(export.entries.iter().map(|entry| entry.location))
        .filter(|(e, _)| options.keeps(e))
        .unzip();
    let facts = Facts::Events(EventLogFacts {
        channel: channels.iter().next().cloned().unwrap_or_default(),
        whole_log: false,
        local_times: export.time_basis == TimeBasis::LocalUnknownOffset,
        events,
        locations,
        computer_spans,
        first: span.first,
        last: span.last,
        integrity: export.integrity,
    });
    Loaded { summary, facts }
}

/// Writes the events of one export as JSON lines; returns its diagnostics.
pub fn write_records(input: &Input<'_>, kind: SourceKind, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    let export = match read(input, kind) {
        Ok(export) => export,
        Err(err) => return Ok(vec![Diagnostic::error(input.display(), format!("not readable: {err}"))]),
    };
    for event in &export.events {
        write_json_line(out, event)?;
    }
    Ok(diagnostics(input, &export))
}

fn read(input: &Input<'_>, kind: SourceKind) -> Result<EventExport, ParseError> {
    match kind {
        SourceKind::EventCsv => parse_event_csv(
            input.bytes(),
            &CsvOptions {
                utc_offset_minutes: None,
                channel: channel_from_name(input),
            },
        ),
        _ => parse_event_xml(input.bytes()),
    }
}

/// A CSV export has no channel column: `System.csv` -> `System` for the usual logs.
fn channel_from_name(input: &Input<'_>) -> String {
    let stem = input
        .path()
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    ["System", "Application", "Security", "Setup"]
        .iter()
        .find(|c| stem.eq_ignore_ascii_case(c))
        .map(|c| c.to_string())
        .unwrap_or_default()
}

fn diagnostics(input: &Input<'_>, export: &EventExport) -> Vec<Diagnostic> {
    let mut out = integrity_diagnostics(input.display(), &export.integrity);
    if export.time_basis == TimeBasis::LocalUnknownOffset && !export.events.is_empty() {
        out.push(Diagnostic::warning(
            input.display(),
            "times are local times of the exporting machine (a CSV export has no time zone); \
             taken as UTC, may be off by the machine's UTC offset",
        ));
    }
    out
}
