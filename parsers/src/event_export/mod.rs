//! Event exports made by admins from Event Viewer or `wevtutil`: XML (a bare stream of
//! `<Event>` elements, or an `<Events>` document) and Event Viewer CSV. Both map to the
//! normalized [`Event`]; bad elements/rows are skipped with a problem in
//! [`EventExport::integrity`].
//!
//! An export is a selection of a log
//! ([`Coverage::Selection`](crate::event::Coverage::Selection)): record-id gaps are not
//! looked for. Where it has no record ids (CSV; XML elements without `<EventRecordID>`)
//! [`EventExport::entries`] says so per event ([`EventLocation`]).

mod csv;
pub(crate) mod event_xml;
mod message_templates;
mod xml;

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventLocation, LogIntegrity};
use crate::text::{decode_utf16be_lossy, decode_utf16le_lossy, detect_encoding, TextEncoding};

pub use csv::{parse_event_csv, CsvOptions};
pub use message_templates::recover_insertion_strings;
pub use xml::parse_event_xml;

/// What the times of an export are based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum TimeBasis {
    /// The file carries UTC times (XML `SystemTime`).
    Utc,
    /// Local times converted with a known UTC offset (minutes east of UTC).
    Local {
        /// The offset applied, minutes east of UTC.
        utc_offset_minutes: i32,
    },
    /// Local times of the exporting machine, offset unknown: taken as if they were UTC.
    LocalUnknownOffset,
}

/// The result of reading one export.
#[derive(Debug, Clone)]
pub struct EventExport {
    /// The events, in file order.
    pub events: Vec<Event>,
    /// Readable/unreadable counts and the problems found; coverage
    /// [`Coverage::Selection`](crate::event::Coverage::Selection), so no record-id gaps.
    pub integrity: LogIntegrity,
    /// Whether the event times are UTC or local.
    pub time_basis: TimeBasis,
    /// The text encoding of the file.
    pub encoding: TextEncoding,
    /// One entry per event, same index as [`EventExport::events`]: where the event is
    /// in the file and the message text the export carries.
    pub entries: Vec<ExportEntry>,
}

/// What an export says about one event beyond the normalized [`Event`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportEntry {
    /// How to cite the event: its record id, or its CSV row / XML element number when
    /// the export has no record id for it.
    pub location: EventLocation,
    /// The rendered message as exported (CSV message column), `None` when the export
    /// carries none (XML). It is not an insertion string: see `parse_event_csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Where the record ids of an export come from, over all its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordIds {
    /// Every event has the log's record id (XML with `<EventRecordID>`), or there are no
    /// events.
    Native,
    /// No event has one: [`Event::record_id`] is the CSV data row or the XML element
    /// number ([`EventLocation::Row`] / [`EventLocation::Element`]).
    Ordinal,
    /// Some events have one, others not: look at each [`ExportEntry::location`].
    Mixed,
}

impl EventExport {
    /// How to cite event `index` (`None` when out of range).
    pub fn location(&self, index: usize) -> Option<EventLocation> {
        self.entries.get(index).map(|e| e.location)
    }

    /// The exported message of event `index`, when the export carries one.
    pub fn message(&self, index: usize) -> Option<&str> {
        self.entries.get(index).and_then(|e| e.message.as_deref())
    }

    /// Whether the events' record ids are the log's, row/element numbers, or both.
    pub fn record_ids(&self) -> RecordIds {
        let native = self
            .entries
            .iter()
            .filter(|e| matches!(e.location, EventLocation::Record { .. }))
            .count();
        if native == self.entries.len() {
            RecordIds::Native
        } else if native == 0 {
            RecordIds::Ordinal
        } else {
            RecordIds::Mixed
        }
    }
}

/// The file as text, whatever its encoding (BOM or UTF-16 detection).
fn decode_text(input: &[u8]) -> (String, TextEncoding) {
    let (encoding, bom) = detect_encoding(input);
    let body = &input[bom..];
    let text = match encoding {
        TextEncoding::Utf8 => String::from_utf8_lossy(body).into_owned(),
        TextEncoding::Utf16Le => decode_utf16le_lossy(body),
        TextEncoding::Utf16Be => decode_utf16be_lossy(body),
    };
    (text, encoding)
}
