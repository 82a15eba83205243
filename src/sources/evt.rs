//! Legacy `.evt` event logs: summary for `analyze` (counts, time span, computers,
//! header flags, record-id gaps, counts of the events the rules use) and normalized
//! events as JSONL for `parse`. Damage becomes warnings naming offsets / record ids.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use exdoctor_parsers::event::{computer_spans, Event, LogIntegrity};
use exdoctor_parsers::evt::{read_events, EvtEvents};

use super::Input;
use super::{write_json_line, LoadOptions};
use crate::model::{first_listed, EvtSummary, RuleEventCount, SourceDetails, SourceKind, Unlisted, MAX_LISTED};
use crate::model::{Diagnostic, Loaded};
use crate::model::{EventLogFacts, Facts, SourceSummary};

/// At most this many damage diagnostics per file; the rest are counted in one line.
const MAX_DIAGNOSTICS: usize = 25;

/// The log name of a `.evt` file from its name: `SysEvent.Evt` -> `System`,
/// `AppEvent.Evt` -> `Application`, `SecEvent.Evt` -> `Security` (and the other
/// Windows 2003 logs), else the file stem.
pub fn channel_for(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let known = match stem.to_ascii_lowercase().as_str() {
        "sysevent" => "System",
        "appevent" => "Application",
        "secevent" => "Security",
        "dnsevent" => "DNS Server",
        "ntds" => "Directory Service",
        "ntfrs" => "File Replication Service",
        _ => return stem,
    };
    known.to_string()
}

/// Reads one `.evt` file once: its summary and the events the rules use.
pub fn load(input: &Input<'_>, options: LoadOptions) -> Loaded {
    let channel = channel_for(input.path());
    let read = read_events(input.bytes(), &channel);
    let summary = summary_of(input, &channel, &read, options);
    let span = read
        .events
        .iter()
        .map(|e| e.time)
        .fold(None, |acc: Option<(_, _)>, t| match acc {
            None => Some((t, t)),
            Some((a, b)) => Some((a.min(t), b.max(t))),
        });
    let computer_spans = computer_spans(&read.events);
    let events = read.events.into_iter().filter(|e| options.keeps(e)).collect();
    Loaded {
        summary,
        facts: Facts::Events(EventLogFacts {
            whole_log: super::evtx::is_whole_log(&channel, &read.integrity),
            channel,
            events,
            locations: Vec::new(),
            local_times: false,
            computer_spans,
            integrity: read.integrity,
            first: span.map(|s| s.0),
            last: span.map(|s| s.1),
        }),
    }
}

fn summary_of(input: &Input<'_>, channel: &str, read: &EvtEvents, options: LoadOptions) -> SourceSummary {
    let channel = channel.to_string();
    let mut summary = SourceSummary::new(input.display(), SourceKind::Evt);
    summary.records = read.integrity.readable;
    summary.errors = read.integrity.unreadable;
    summary.diagnostics = diagnostics(input.display(), read);
    let span = time_span(&read.events);
    let (computers, more_computers) = first_listed(computers(&read.events).into_iter());
    let (record_id_gaps, more_gaps) = first_listed(read.integrity.record_id_gaps.iter().cloned());
    let rule_counts = rule_event_counts(&read.events, options);
    summary.details = SourceDetails::Evt(EvtSummary {
        state: read.integrity.state(),
        channel,
        live_records: read.integrity.readable - read.integrity.recovered,
        recovered_records: read.integrity.recovered,
        unreadable_records: read.integrity.unreadable,
        first: span.as_ref().map(|(first, _)| first.clone()),
        last: span.as_ref().map(|(_, last)| last.clone()),
        computers,
        wrapped: read.facts.map(|f| f.wrapped),
        dirty: read.facts.map(|f| f.dirty),
        oldest_record_number: read.facts.map(|f| f.oldest_record_number),
        current_record_number: read.facts.map(|f| f.current_record_number),
        record_id_gaps,
        unlisted: Unlisted {
            computers: more_computers,
            record_id_gaps: more_gaps,
            record_ids_missing: read
                .integrity
                .record_id_gaps
                .iter()
                .skip(MAX_LISTED)
                .map(|g| g.missing())
                .sum(),
            ..Unlisted::default()
        },
        rule_events: rule_counts
            .iter()
            .map(|((provider, id), count)| RuleEventCount {
                provider: provider.to_string(),
                event_id: *id,
                count: *count,
            })
            .collect(),
        log_full: read.facts.is_some_and(|f| f.log_full),
    });
    summary
}

/// Writes the normalized events of one `.evt` file (live, then recovered) as JSONL.
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    let read = read_events(input.bytes(), &channel_for(input.path()));
    for event in &read.events {
        write_json_line(out, event)?;
    }
    Ok(diagnostics(input.display(), &read))
}

/// First and last event time (UTC, RFC 3339) over all readable events.
fn time_span(events: &[Event]) -> Option<(String, String)> {
    let first = events.iter().map(|e| e.time).min()?;
    let last = events.iter().map(|e| e.time).max()?;
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Some((fmt(first), fmt(last)))
}

fn computers(events: &[Event]) -> Vec<String> {
    let mut names: Vec<String> = events.iter().map(|e| e.computer.clone()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Counts of the events the rules read, keyed by the catalog's spelling.
fn rule_event_counts(events: &[Event], options: LoadOptions) -> BTreeMap<(&'static str, u16), u64> {
    let mut counts = BTreeMap::new();
    for event in events {
        if let Some(key) = (options.rule_events)(&event.provider, event.event_id) {
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

/// Damage and gaps as diagnostics; an error when nothing at all could be read.
fn diagnostics(path: &str, read: &EvtEvents) -> Vec<Diagnostic> {
    let integrity: &LogIntegrity = &read.integrity;
    let mut messages: Vec<String> = integrity.problems.iter().map(ToString::to_string).collect();
    messages.extend(integrity.record_id_gaps.iter().map(|gap| {
        format!(
            "record ids {}..{} missing ({} records) between records {} and {}",
            gap.after + 1,
            gap.before - 1,
            gap.missing(),
            gap.after,
            gap.before
        )
    }));
    let total = messages.len();
    let mut out: Vec<Diagnostic> = messages
        .into_iter()
        .take(MAX_DIAGNOSTICS)
        .map(|m| Diagnostic::warning(path, m))
        .collect();
    if total > MAX_DIAGNOSTICS {
        out.push(Diagnostic::warning(
            path,
            format!("{} more integrity problems not listed", total - MAX_DIAGNOSTICS),
        ));
    }
    if integrity.readable == 0 && read.facts.is_none() {
        out.push(Diagnostic::error(path, "no readable event log header or record"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_comes_from_the_file_name() {
        assert_eq!(channel_for(Path::new("x/SysEvent.Evt")), "System");
        assert_eq!(channel_for(Path::new("APPEVENT.EVT")), "Application");
        assert_eq!(channel_for(Path::new("SecEvent.evt")), "Security");
        assert_eq!(channel_for(Path::new("Exchange Management.evt")), "Exchange Management");
    }

    #[test]
    fn garbage_gives_an_error_diagnostic() {
        let input = Input::new(Path::new("bad.evt"), "bad.evt", b"\x30\0\0\0LfLe garbage");
        let summary = load(&input, crate::sources::testing::options()).summary;
        assert_eq!(summary.records, 0);
        assert!(summary
            .diagnostics
            .iter()
            .any(|d| d.level == crate::model::DiagLevel::Error));
        assert!(summary.diagnostics[0].message.starts_with("not a EVT file"));
    }
}
