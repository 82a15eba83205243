//! `.evtx` files: summary for `analyze` (records, unreadable, time span, computers,
//! channel, record-id gaps, counts of the events the rules use) and JSONL events for
//! `parse`. Damage becomes warning diagnostics naming the chunk/record.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use exdoctor_parsers::event::{Coverage, Event, LogIntegrity};
use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};

use super::Input;
use super::{write_json_line, LoadOptions};
use crate::model::{first_listed, EventLogSummary, GapCount, RuleEventCount, SourceDetails, SourceKind};
use crate::model::{Diagnostic, Loaded};
use crate::model::{EventLogFacts, Facts, SourceSummary};
use crate::model::{Unlisted, MAX_LISTED};

/// At most this many problems of one file become diagnostics; the rest are counted.
const MAX_DIAGNOSTICS: usize = 20;

/// Reads one `.evtx` file once: its summary and the events the rules use (all events
/// with `options.all_events`); every record is counted either way.
pub fn load(input: &Input<'_>, options: LoadOptions) -> Loaded {
    let mut summary = SourceSummary::new(input.display(), SourceKind::Evtx);
    let all = |_: &str, _: u16| true;
    let rule_event = |provider: &str, id: u16| (options.rule_events)(provider, id).is_some();
    let evtx_options = EvtxOptions {
        filter: Some(if options.all_events { &all } else { &rule_event }),
        fast: true,
    };
    let log = match parse_evtx(input.bytes(), &evtx_options) {
        Ok(log) => log,
        Err(err) => {
            summary.diagnostics.push(Diagnostic::error(
                input.display(),
                format!("not readable as EVTX: {err}"),
            ));
            return Loaded {
                summary,
                facts: Facts::None,
            };
        }
    };
    let span = Span {
        first: log.stats.first_time,
        last: log.stats.last_time,
        channels: &log.stats.channels,
        computers: &log.stats.computers,
    };
    fill_summary(&mut summary, &log.events, &log.integrity, &span, options);
    summary.diagnostics = integrity_diagnostics(input.display(), &log.integrity);
    let channel = log.stats.channels.iter().next().cloned().unwrap_or_default();
    let facts = Facts::Events(EventLogFacts {
        whole_log: is_whole_log(&channel, &log.integrity),
        channel,
        locations: Vec::new(),
        local_times: false,
        computer_spans: log.stats.computer_spans,
        integrity: log.integrity,
        first: log.stats.first_time,
        last: log.stats.last_time,
        events: log.events,
    });
    Loaded { summary, facts }
}

/// Whether a log file is a whole log of the machine that wrote it: a complete channel
/// other than ForwardedEvents (a collector's log holds other machines' events).
pub(crate) fn is_whole_log(channel: &str, integrity: &LogIntegrity) -> bool {
    integrity.coverage == Coverage::WholeLog && !channel.eq_ignore_ascii_case("ForwardedEvents")
}

/// Writes the events of one `.evtx` file as JSON lines; returns its diagnostics.
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    let log = match parse_evtx(input.bytes(), &EvtxOptions::default()) {
        Ok(log) => log,
        Err(err) => {
            return Ok(vec![Diagnostic::error(
                input.display(),
                format!("not readable as EVTX: {err}"),
            )])
        }
    };
    for event in &log.events {
        write_json_line(out, event)?;
    }
    Ok(integrity_diagnostics(input.display(), &log.integrity))
}

/// What an event source holds besides its events: time span, channels, computers.
pub(crate) struct Span<'a> {
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub channels: &'a BTreeSet<String>,
    pub computers: &'a BTreeSet<String>,
}

/// Fills records, errors and details of an event-log summary. `events` may hold more
/// than the rule events (exports): only rule events are counted by id.
pub(crate) fn fill_summary(
    summary: &mut SourceSummary,
    events: &[Event],
    integrity: &LogIntegrity,
    span: &Span<'_>,
    options: LoadOptions,
) {
    let mut rule_counts: BTreeMap<(String, u16), u64> = BTreeMap::new();
    for event in events.iter().filter(|e| options.is_rule_event(e)) {
        *rule_counts.entry((event.provider.clone(), event.event_id)).or_default() += 1;
    }
    summary.records = integrity.readable;
    summary.errors = integrity.unreadable;
    let (channels, more_channels) = first_listed(span.channels.iter().cloned());
    let (computers, more_computers) = first_listed(span.computers.iter().cloned());
    let gaps = integrity.record_id_gaps.iter().map(|g| GapCount {
        after: g.after,
        before: g.before,
        missing: g.missing(),
    });
    let (record_id_gaps, more_gaps) = first_listed(gaps);
    summary.details = SourceDetails::EventLog(EventLogSummary {
        state: integrity.state(),
        channels,
        computers,
        first_time: span.first,
        last_time: span.last,
        unreadable: integrity.unreadable,
        record_id_gaps,
        unlisted: Unlisted {
            channels: more_channels,
            computers: more_computers,
            record_id_gaps: more_gaps,
            record_ids_missing: integrity
                .record_id_gaps
                .iter()
                .skip(MAX_LISTED)
                .map(|g| g.missing())
                .sum(),
        },
        problems: integrity.problems.len(),
        rule_events: rule_counts
            .into_iter()
            .map(|((provider, event_id), count)| RuleEventCount {
                provider,
                event_id,
                count,
            })
            .collect(),
        time_basis: None,
    });
}

/// Damage and gaps as warnings (an error when nothing at all could be read).
pub(crate) fn integrity_diagnostics(path: &str, integrity: &LogIntegrity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for problem in integrity.problems.iter().take(MAX_DIAGNOSTICS) {
        out.push(Diagnostic::warning(path, problem.to_string()));
    }
    if integrity.problems.len() > MAX_DIAGNOSTICS {
        out.push(Diagnostic::warning(
            path,
            format!("... and {} more problems", integrity.problems.len() - MAX_DIAGNOSTICS),
        ));
    }
    for gap in integrity.record_id_gaps.iter().take(MAX_DIAGNOSTICS) {
        out.push(Diagnostic::warning(
            path,
            format!(
                "record ids jump from {} to {}: {} missing (event-log gap)",
                gap.after,
                gap.before,
                gap.missing()
            ),
        ));
    }
    if integrity.record_id_gaps.len() > MAX_DIAGNOSTICS {
        out.push(Diagnostic::warning(
            path,
            format!(
                "... and {} more record-id gaps",
                integrity.record_id_gaps.len() - MAX_DIAGNOSTICS
            ),
        ));
    }
    if integrity.readable == 0 && !integrity.problems.is_empty() {
        out.push(Diagnostic::error(path, "no record could be read"));
    }
    out
}
