//! Event exports made by admins from Event Viewer or `wevtutil`: XML (a bare stream of
//! `<Event>` elements, or an `<Events>` document) and Event Viewer CSV. Both map to the
//! normalized [`Event`]; bad elements/rows are skipped with a problem in
//! [`EventExport::integrity`].

mod csv;
pub(crate) mod event_xml;
mod xml;

use serde::Serialize;

use crate::event::{Event, LogIntegrity};
use crate::text::{decode_utf16be_lossy, decode_utf16le_lossy, detect_encoding, TextEncoding};

pub use csv::{parse_event_csv, CsvOptions};
pub use xml::parse_event_xml;

/// What the times of an export are based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum TimeBasis {
    /// The file carries UTC times (XML `SystemTime`).
    Utc,
    /// Local times converted with a known UTC offset (minutes east of UTC).
    Local { utc_offset_minutes: i32 },
    /// Local times of the exporting machine, offset unknown: taken as if they were UTC.
    LocalUnknownOffset,
}

/// The result of reading one export.
#[derive(Debug, Clone)]
pub struct EventExport {
    /// The events, in file order.
    pub events: Vec<Event>,
    /// Readable/unreadable counts, record-id gaps (XML only) and the problems found.
    pub integrity: LogIntegrity,
    /// Whether the event times are UTC or local.
    pub time_basis: TimeBasis,
    /// The text encoding of the file.
    pub encoding: TextEncoding,
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
