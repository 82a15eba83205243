//! The normalized event model shared by every event-log parser (EVTX, legacy EVT,
//! XML and CSV exports). Rules consume only this type.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Severity level of an event, normalized across formats.
///
/// EVTX `Level` 1..5 map to Critical..Verbose (0 = LogAlways is Information);
/// legacy EVT event types map 1 = Error, 2 = Warning, 4 = Information,
/// 8 = AuditSuccess, 16 = AuditFailure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Critical (EVTX level 1).
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Information (EVTX levels 0 and 4).
    Information,
    /// Verbose (EVTX level 5).
    Verbose,
    /// Audit success (EVT type 8).
    AuditSuccess,
    /// Audit failure (EVT type 16).
    AuditFailure,
    /// A value outside the known range, kept as found.
    Other(u8),
}

impl Level {
    /// Level from an EVTX `<Level>` value.
    pub fn from_evtx(level: u8) -> Level {
        match level {
            0 | 4 => Level::Information,
            1 => Level::Critical,
            2 => Level::Error,
            3 => Level::Warning,
            5 => Level::Verbose,
            other => Level::Other(other),
        }
    }

    /// Level from a legacy EVT `EventType` value.
    pub fn from_evt_type(event_type: u16) -> Level {
        match event_type {
            0 | 4 => Level::Information,
            1 => Level::Error,
            2 => Level::Warning,
            8 => Level::AuditSuccess,
            16 => Level::AuditFailure,
            other => Level::Other(other.min(255) as u8),
        }
    }
}

/// One EventData / insertion-string item: named (`<Data Name="param1">`) or positional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventField {
    /// The item's name (`<Data Name="...">`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its value.
    pub value: String,
}

/// A normalized event record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Log name: `System`, `Application`, ... (EVTX `<Channel>`, EVT file's log, export column).
    pub channel: String,
    /// Provider / source name, e.g. `Service Control Manager`, `MSExchangeSetup`.
    pub provider: String,
    /// Event id, low 16 bits.
    pub event_id: u16,
    /// High 16 bits of a classic event id (EVTX `Qualifiers`), e.g. 49152 = error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifiers: Option<u16>,
    /// Its level.
    pub level: Level,
    /// The log's record id: EVTX `EventRecordID`, EVT `RecordNumber`, XML export
    /// `<EventRecordID>`. Where an export has none (CSV, XML without it) this is the row
    /// or element number instead: see [`EventLocation`] and `EventExport::entries`.
    pub record_id: u64,
    /// Time the event was created (EVT: time generated), UTC.
    pub time: DateTime<Utc>,
    /// Computer name as recorded in the event.
    pub computer: String,
    /// User SID as a string (`S-1-5-18`), when the record carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_sid: Option<String>,
    /// Insertion strings / EventData items in order.
    pub data: Vec<EventField>,
    /// True for a record recovered outside the live range of a legacy EVT log.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
}

impl Event {
    /// The value of the EventData item called `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|f| f.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .map(|f| f.value.as_str())
    }

    /// The insertion string at 0-based position `index`, named or not (`%1` = index 0).
    pub fn param(&self, index: usize) -> Option<&str> {
        self.data.get(index).map(|f| f.value.as_str())
    }

    /// Full 32-bit event id as classic APIs show it (qualifiers << 16 | id).
    pub fn full_event_id(&self) -> u32 {
        (u32::from(self.qualifiers.unwrap_or(0)) << 16) | u32::from(self.event_id)
    }
}

/// Where an event sits in its source, as evidence should cite it.
///
/// EVTX and EVT events are always [`EventLocation::Record`] (their [`Event::record_id`]
/// is the EventRecordID / RecordNumber). Exports say it per event
/// (`EventExport::entries`): an Event Viewer CSV has no record id at all, an XML export
/// has one only when its elements carry `<EventRecordID>`; [`Event::record_id`] then holds
/// the row or element number, which must not be shown as a record id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventLocation {
    /// The log's own record id (EVTX `EventRecordID`, EVT `RecordNumber`, XML
    /// `<EventRecordID>`): what Event Viewer, wevtutil, Chainsaw and Hayabusa show.
    Record {
        /// The record id.
        record_id: u64,
    },
    /// The 1-based data row of a CSV export (the header is not counted) and the 1-based
    /// file line the row starts on (a quoted message may span lines).
    Row {
        /// 1-based data row.
        row: u64,
        /// 1-based file line.
        line: u64,
    },
    /// The 1-based position of the `<Event>` element in an XML export whose element has
    /// no `<EventRecordID>`.
    Element {
        /// 1-based position.
        ordinal: u64,
    },
}

impl EventLocation {
    /// The record id, when the location is one.
    pub fn record_id(&self) -> Option<u64> {
        match self {
            EventLocation::Record { record_id } => Some(*record_id),
            _ => None,
        }
    }
}

impl std::fmt::Display for EventLocation {
    /// `record 4711`, `row 12 (line 14)`, `event #3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventLocation::Record { record_id } => write!(f, "record {record_id}"),
            EventLocation::Row { row, line } => write!(f, "row {row} (line {line})"),
            EventLocation::Element { ordinal } => write!(f, "event #{ordinal}"),
        }
    }
}

/// A gap in record numbers: records `after + 1 ..= before - 1` are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordGap {
    /// The last id before the gap.
    pub after: u64,
    /// The first id after it.
    pub before: u64,
}

impl RecordGap {
    /// Number of record ids missing in the gap.
    pub fn missing(&self) -> u64 {
        self.before.saturating_sub(self.after).saturating_sub(1)
    }
}

/// Whether a set of records is a whole log or a selection of one; decides whether
/// record-id continuity means anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// A whole log file (`.evtx`, `.evt`): its record ids run without holes unless
    /// records were lost, so [`LogIntegrity::record_id_gaps`] are looked for.
    #[default]
    WholeLog,
    /// An export (XML, CSV) or any filtered set of events: record ids are sparse by
    /// nature (a filter, a time range), so gaps are not looked for and
    /// [`LogIntegrity::record_id_gaps`] stays empty ([`LogIntegrity::detect_gaps`] does
    /// nothing).
    Selection,
}

/// The health of one log (or export) as read, from [`LogIntegrity::state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogState {
    /// No live record and no damage: a channel that was created and never written, or
    /// was cleared. Healthy. EVTX: a file header and chunk(s) whose header says "no
    /// records" (first and last event record id all ones, free space at 512); EVT: a
    /// header and the end-of-file record only (records recovered from the free space of
    /// a cleared `.evt` do not make it non-empty); exports: no event element or row.
    Empty,
    /// Records were read, nothing was unreadable or damaged and (whole logs) the record
    /// ids run without gaps. A cleared log whose records start at a high record id is
    /// complete.
    Complete,
    /// Some records could not be read or are missing: see [`LogIntegrity::unreadable`],
    /// [`LogIntegrity::record_id_gaps`] and [`LogIntegrity::problems`].
    Damaged,
}

/// What an event-log parser could and could not read in one file.
///
/// Serialized with one more member, `state` ([`LogIntegrity::state`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogIntegrity {
    /// Records parsed successfully (live + recovered).
    pub readable: u64,
    /// Records found but not decodable.
    pub unreadable: u64,
    /// Of `readable`, records recovered outside the live range (legacy EVT).
    pub recovered: u64,
    /// Discontinuities in the record numbers of the readable live records; always empty
    /// for a [`Coverage::Selection`].
    pub record_id_gaps: Vec<RecordGap>,
    /// Damage found (bad chunk, bad checksum, truncated record ...), with position.
    pub problems: Vec<ParseError>,
    /// Whole log or selection: whether record-id gaps apply.
    pub coverage: Coverage,
}

impl LogIntegrity {
    /// An empty integrity for a selection (export, filtered set): gaps are not looked for.
    pub fn selection() -> LogIntegrity {
        LogIntegrity {
            coverage: Coverage::Selection,
            ..LogIntegrity::default()
        }
    }

    /// Finds record-id gaps in the given (unsorted) record ids and stores them. Does
    /// nothing for a [`Coverage::Selection`], whose ids are sparse by nature.
    pub fn detect_gaps(&mut self, mut record_ids: Vec<u64>) {
        if self.coverage == Coverage::Selection {
            self.record_id_gaps.clear();
            return;
        }
        record_ids.sort_unstable();
        record_ids.dedup();
        self.record_id_gaps = record_ids
            .windows(2)
            .filter(|w| w[1] > w[0].saturating_add(1))
            .map(|w| RecordGap {
                after: w[0],
                before: w[1],
            })
            .collect();
    }

    /// True when something could not be read or is missing (unreadable records, gaps,
    /// any problem).
    pub fn is_damaged(&self) -> bool {
        self.unreadable > 0 || !self.record_id_gaps.is_empty() || !self.problems.is_empty()
    }

    /// The health of the log: [`LogState::Damaged`] when [`Self::is_damaged`], else
    /// [`LogState::Empty`] without live records (`readable - recovered == 0`), else
    /// [`LogState::Complete`].
    pub fn state(&self) -> LogState {
        if self.is_damaged() {
            LogState::Damaged
        } else if self.readable.saturating_sub(self.recovered) == 0 {
            LogState::Empty
        } else {
            LogState::Complete
        }
    }
}

impl Serialize for LogIntegrity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LogIntegrity", 7)?;
        s.serialize_field("state", &self.state())?;
        s.serialize_field("coverage", &self.coverage)?;
        s.serialize_field("readable", &self.readable)?;
        s.serialize_field("unreadable", &self.unreadable)?;
        s.serialize_field("recovered", &self.recovered)?;
        s.serialize_field("record_id_gaps", &self.record_id_gaps)?;
        s.serialize_field("problems", &self.problems)?;
        s.end()
    }
}

/// The records of one computer name in a log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ComputerSpan {
    /// Records carrying the name.
    pub records: u64,
    /// Time of the first of them.
    pub first: Option<DateTime<Utc>>,
    /// Time of the last of them.
    pub last: Option<DateTime<Utc>>,
    /// Record id of the first of them: the order records were written in, which a
    /// clock change does not disturb.
    pub first_record: u64,
    /// Record id of the last of them.
    pub last_record: u64,
}

/// The records of each computer name among `events`: how many and their time span.
pub fn computer_spans(events: &[Event]) -> std::collections::BTreeMap<String, ComputerSpan> {
    let mut spans: std::collections::BTreeMap<String, ComputerSpan> = std::collections::BTreeMap::new();
    for e in events.iter().filter(|e| !e.computer.is_empty()) {
        let span = spans.entry(e.computer.clone()).or_insert(ComputerSpan {
            first_record: e.record_id,
            last_record: e.record_id,
            ..ComputerSpan::default()
        });
        span.records += 1;
        span.first_record = span.first_record.min(e.record_id);
        span.last_record = span.last_record.max(e.record_id);
        span.first = Some(span.first.map_or(e.time, |f| f.min(e.time)));
        span.last = Some(span.last.map_or(e.time, |l| l.max(e.time)));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_from_both_formats() {
        assert_eq!(Level::from_evtx(2), Level::Error);
        assert_eq!(Level::from_evtx(0), Level::Information);
        assert_eq!(Level::from_evt_type(16), Level::AuditFailure);
        assert_eq!(Level::from_evt_type(300), Level::Other(255));
    }

    #[test]
    fn state_is_empty_complete_or_damaged() {
        let mut integrity = LogIntegrity::default();
        assert_eq!(integrity.state(), LogState::Empty);
        integrity.readable = 3;
        assert_eq!(integrity.state(), LogState::Complete);
        integrity.detect_gaps(vec![7, 8, 10]);
        assert_eq!(integrity.state(), LogState::Damaged);
        // Only recovered records (a cleared .evt): still empty.
        let cleared = LogIntegrity {
            readable: 4,
            recovered: 4,
            ..LogIntegrity::default()
        };
        assert_eq!(cleared.state(), LogState::Empty);
        let unreadable = LogIntegrity {
            unreadable: 1,
            ..LogIntegrity::default()
        };
        assert_eq!(unreadable.state(), LogState::Damaged);
        let json = serde_json::to_value(&unreadable).expect("json");
        assert_eq!(json["state"], "damaged");
        assert_eq!(json["unreadable"], 1);
    }

    #[test]
    fn selections_have_no_gaps() {
        let mut integrity = LogIntegrity::selection();
        integrity.readable = 3;
        integrity.detect_gaps(vec![5, 1, 9]);
        assert!(integrity.record_id_gaps.is_empty());
        assert_eq!(integrity.state(), LogState::Complete);
        assert_eq!(integrity.coverage, Coverage::Selection);
    }

    #[test]
    fn locations_print_as_evidence_cites_them() {
        assert_eq!(EventLocation::Record { record_id: 4711 }.to_string(), "record 4711");
        assert_eq!(EventLocation::Row { row: 12, line: 14 }.to_string(), "row 12 (line 14)");
        assert_eq!(EventLocation::Element { ordinal: 3 }.to_string(), "event #3");
        assert_eq!(EventLocation::Record { record_id: 9 }.record_id(), Some(9));
        assert_eq!(EventLocation::Row { row: 1, line: 2 }.record_id(), None);
    }

    #[test]
    fn gaps_are_found_in_unsorted_ids() {
        let mut integrity = LogIntegrity::default();
        integrity.detect_gaps(vec![5, 1, 2, 3, 9, 10]);
        assert_eq!(
            integrity.record_id_gaps,
            vec![RecordGap { after: 3, before: 5 }, RecordGap { after: 5, before: 9 }]
        );
        assert_eq!(integrity.record_id_gaps[1].missing(), 3);
    }
}
