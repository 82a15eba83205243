//! The normalized event model shared by every event-log parser (EVTX, legacy EVT,
//! XML and CSV exports). Rules consume only this type.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ParseError;

/// Severity level of an event, normalized across formats.
///
/// EVTX `Level` 1..5 map to Critical..Verbose (0 = LogAlways is Information);
/// legacy EVT event types map 1 = Error, 2 = Warning, 4 = Information,
/// 8 = AuditSuccess, 16 = AuditFailure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Critical,
    Error,
    Warning,
    Information,
    Verbose,
    AuditSuccess,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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
    pub level: Level,
    /// Record number in the log; the evidence location of the event.
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

/// A gap in record numbers: records `after + 1 ..= before - 1` are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecordGap {
    pub after: u64,
    pub before: u64,
}

impl RecordGap {
    /// Number of record ids missing in the gap.
    pub fn missing(&self) -> u64 {
        self.before.saturating_sub(self.after).saturating_sub(1)
    }
}

/// What an event-log parser could and could not read in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LogIntegrity {
    /// Records parsed successfully (live + recovered).
    pub readable: u64,
    /// Records found but not decodable.
    pub unreadable: u64,
    /// Of `readable`, records recovered outside the live range (legacy EVT).
    pub recovered: u64,
    /// Discontinuities in the record numbers of the readable live records.
    pub record_id_gaps: Vec<RecordGap>,
    /// Damage found (bad chunk, bad checksum, truncated record ...), with position.
    pub problems: Vec<ParseError>,
}

impl LogIntegrity {
    /// Finds record-id gaps in the given (unsorted) record ids and stores them.
    pub fn detect_gaps(&mut self, mut record_ids: Vec<u64>) {
        record_ids.sort_unstable();
        record_ids.dedup();
        self.record_id_gaps = record_ids
            .windows(2)
            .filter(|w| w[1] > w[0] + 1)
            .map(|w| RecordGap {
                after: w[0],
                before: w[1],
            })
            .collect();
    }
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
