//! Event Viewer CSV exports: a header `Level,Date and Time,Source,Event ID,Task Category`
//! and rows with one more column, the rendered message (quoted, may span lines). Times
//! are local times of the exporting machine without a zone.
//!
//! The message column is the text Event Viewer rendered, not an insertion string: it is
//! kept as the event's message ([`super::ExportEntry::message`]) and the insertion
//! strings are recovered from it where the event's message text is known
//! ([`super::recover_insertion_strings`]). (Putting the whole message in `%1`, as
//! earlier versions did, made every message rebuilt from a template repeat itself: "The
//! The X service terminated unexpectedly ... service terminated unexpectedly", "Process
//! Process MAD.EXE ...".)

use chrono::{Duration, NaiveDateTime};

use super::message_templates::recover_insertion_strings;
use super::{decode_text, EventExport, ExportEntry, TimeBasis};
use crate::event::{Event, EventField, EventLocation, Level, LogIntegrity};
use crate::ParseError;

/// How to read a CSV export.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// UTC offset of the exporting machine in minutes east of UTC (`+60` = CET). `None`:
    /// unknown, the local times are taken as UTC and flagged ([`TimeBasis::LocalUnknownOffset`]).
    pub utc_offset_minutes: Option<i32>,
    /// Channel to put in the events (the CSV does not say; e.g. from the file name).
    pub channel: String,
}

/// Column positions found in the header.
struct Columns {
    level: usize,
    time: usize,
    source: usize,
    event_id: usize,
    /// The message: the column after the last header column.
    message: usize,
}

/// Reads an Event Viewer CSV export. `Err` when the header is not one; bad rows are
/// skipped and reported with their line number.
///
/// The export has no record ids: [`Event::record_id`] is the 1-based data row (header
/// not counted) and [`super::EventExport::entries`] says so ([`EventLocation::Row`], with
/// the line the row starts on). The computer is empty. The message column is the entry's
/// `message`; [`Event::data`] holds the insertion strings recovered from it
/// ([`super::recover_insertion_strings`]), or nothing when its text is not known. An
/// Event ID above 65535 (the full 32-bit id) also gives the qualifiers. The export is a
/// selection: no record-id gaps.
pub fn parse_event_csv(input: &[u8], options: &CsvOptions) -> Result<EventExport, ParseError> {
    let (text, encoding) = decode_text(input);
    let mut rows = Rows::new(&text);
    let Some((_, header)) = rows.next() else {
        return Err(wrong("empty file"));
    };
    let columns = columns(&header).ok_or_else(|| wrong("header has no Level/Date and Time/Source/Event ID"))?;
    let mut events = Vec::new();
    let mut entries = Vec::new();
    let mut integrity = LogIntegrity::selection();
    let mut row_number = 0u64;
    for (line, row) in rows {
        if row.len() == 1 && row[0].trim().is_empty() {
            continue;
        }
        row_number += 1;
        match event_of(&row, &columns, row_number, options) {
            Ok((event, message)) => {
                integrity.readable += 1;
                events.push(event);
                entries.push(ExportEntry {
                    location: EventLocation::Row { row: row_number, line },
                    message: Some(message),
                });
            }
            Err(why) => {
                integrity.unreadable += 1;
                integrity.problems.push(ParseError::Line {
                    line,
                    message: format!("row {row_number}: {why}; skipped"),
                });
            }
        }
    }
    let time_basis = match options.utc_offset_minutes {
        Some(minutes) => TimeBasis::Local {
            utc_offset_minutes: minutes,
        },
        None => TimeBasis::LocalUnknownOffset,
    };
    Ok(EventExport {
        events,
        integrity,
        time_basis,
        encoding,
        entries,
    })
}

fn wrong(reason: &str) -> ParseError {
    ParseError::WrongFormat {
        expected: "Event Viewer CSV export",
        reason: reason.into(),
    }
}

fn columns(header: &[String]) -> Option<Columns> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let level = find(&["Level", "Type"])?;
    let time = find(&["Date and Time", "Date", "TimeCreated"])?;
    let source = find(&["Source", "Provider"])?;
    let event_id = find(&["Event ID", "EventID"])?;
    let message = find(&["Message", "Description"]).unwrap_or(header.len());
    Some(Columns {
        level,
        time,
        source,
        event_id,
        message,
    })
}

/// The event of one row and its message.
fn event_of(
    row: &[String],
    columns: &Columns,
    row_number: u64,
    options: &CsvOptions,
) -> Result<(Event, String), String> {
    let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
    let id_text = cell(columns.event_id).trim();
    let full_id: u32 = id_text
        .parse()
        .map_err(|_| format!("Event ID '{id_text}' is not a number"))?;
    let time_text = cell(columns.time).trim();
    let local = parse_local_time(time_text).ok_or_else(|| format!("unreadable date '{time_text}'"))?;
    let offset = Duration::minutes(i64::from(options.utc_offset_minutes.unwrap_or(0)));
    let time = (local - offset).and_utc();
    // Some exports put text after the header's last column in several cells (unquoted commas).
    let message = match row.get(columns.message..) {
        Some(rest) if rest.len() > 1 && columns.message >= 5 => rest.join(","),
        _ => cell(columns.message).to_string(),
    };
    let provider = cell(columns.source).trim().to_string();
    let event_id = (full_id & 0xFFFF) as u16;
    let data = recover_insertion_strings(&provider, event_id, &message)
        .unwrap_or_default()
        .into_iter()
        .map(|value| EventField { name: None, value })
        .collect();
    let event = Event {
        channel: options.channel.clone(),
        provider,
        event_id,
        qualifiers: Some((full_id >> 16) as u16).filter(|q| *q != 0),
        level: level_of(cell(columns.level).trim()),
        record_id: row_number,
        time,
        computer: String::new(),
        user_sid: None,
        data,
        recovered: false,
    };
    Ok((event, message))
}

fn level_of(word: &str) -> Level {
    match word.to_ascii_lowercase().as_str() {
        "critical" => Level::Critical,
        "error" => Level::Error,
        "warning" => Level::Warning,
        "information" | "info" | "" => Level::Information,
        "verbose" => Level::Verbose,
        "audit success" => Level::AuditSuccess,
        "audit failure" => Level::AuditFailure,
        _ => Level::Other(0),
    }
}

/// `3/15/2008 1:22:05 AM` (US), `3/15/2008 13:22:05`, `2008-03-15 13:22:05`,
/// `15.03.2008 13:22:05`.
fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 6] = [
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
    ];
    FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// CSV rows (RFC 4180: quoted fields may hold commas, quotes as `""` and line breaks),
/// each with the 1-based line it starts on.
struct Rows<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str) -> Self {
        Rows { text, pos: 0, line: 1 }
    }
}

impl Iterator for Rows<'_> {
    type Item = (u64, Vec<String>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = self.text[self.pos..].char_indices().peekable();
        let mut consumed = self.text.len() - self.pos;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' if quoted => {
                    if chars.peek().is_some_and(|(_, n)| *n == '"') {
                        field.push('"');
                        chars.next();
                    } else {
                        quoted = false;
                    }
                }
                '"' if field.is_empty() => quoted = true,
                ',' if !quoted => fields.push(std::mem::take(&mut field)),
                '\n' if !quoted => {
                    self.line += 1;
                    consumed = i + 1;
                    break;
                }
                '\r' if !quoted && chars.peek().is_some_and(|(_, n)| *n == '\n') => {}
                '\n' => {
                    self.line += 1;
                    field.push('\n');
                }
                '\r' if quoted && chars.peek().is_some_and(|(_, n)| *n == '\n') => {}
                other => field.push(other),
            }
        }
        self.pos += consumed;
        fields.push(field);
        Some((start_line, fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_quotes_and_line_breaks() {
        let rows: Vec<_> = Rows::new("a,b\r\n\"x, \"\"y\"\"\r\nz\",2\r\nlast").collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], (2, vec!["x, \"y\"\nz".to_string(), "2".to_string()]));
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn offsets_convert_local_times() {
        let csv = "Level,Date and Time,Source,Event ID,Task Category\r\n\
                   Error,3/15/2008 1:22:05 AM,Service Control Manager,7031,None,\"msg\"\r\n";
        let options = CsvOptions {
            utc_offset_minutes: Some(60),
            channel: "System".into(),
        };
        let export = parse_event_csv(csv.as_bytes(), &options).expect("csv");
        assert_eq!(export.events[0].time.to_rfc3339(), "2008-03-15T00:22:05+00:00");
        assert_eq!(export.events[0].channel, "System");
        assert_eq!(export.time_basis, TimeBasis::Local { utc_offset_minutes: 60 });
    }
}
