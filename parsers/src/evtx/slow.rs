//! Slow path: renders records of one chunk to XML with the `evtx` crate and maps the XML
//! to [`Event`]s. Used for records the fast path does not decode, and as the reference the
//! fast path is tested against.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::DateTime;
use evtx::{EvtxChunkData, ParserSettings};

use crate::event::Event;
use crate::event_export::event_xml::parse_event_str;

/// The `evtx` settings of this adapter: one thread (the analyzer runs rayon across files,
/// and nested rayon use inside the crate's pipeline can deadlock), compact XML.
pub(crate) fn settings() -> ParserSettings {
    ParserSettings::new().num_threads(1).indent(false)
}

/// Outcome of rendering one wanted record.
pub(crate) enum Rendered {
    /// The event, and a note when it had no TimeCreated (the record header's time is used).
    Event(Box<Event>, Option<String>),
    Failed(String),
}

/// Renders the records of the chunk `bytes` (padded to a full chunk if short) whose ids
/// are in `wanted` (`None` = all, in chunk order). Returns (record id, outcome) pairs and
/// an error when the chunk itself cannot be read by the crate.
pub(crate) fn render_chunk(
    bytes: &[u8],
    number: u64,
    wanted: Option<&HashMap<u64, usize>>,
) -> Result<Vec<(u64, Rendered)>, String> {
    let mut data = bytes.to_vec();
    data.resize(data.len().max(65536), 0);
    let mut chunk = EvtxChunkData::new(data, false).map_err(|e| e.to_string())?;
    chunk.number = Some(number);
    let mut parsed = chunk.parse(Arc::new(settings())).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for record in parsed.iter() {
        match record {
            Ok(record) => {
                let id = record.event_record_id;
                if wanted.is_some_and(|w| !w.contains_key(&id)) {
                    continue;
                }
                let header_time = DateTime::from_timestamp(
                    record.timestamp.as_second(),
                    record.timestamp.subsec_nanosecond().max(0) as u32,
                );
                let rendered = match record.into_xml() {
                    // The event's record id is its rendered EventRecordID (the source log's
                    // id for a forwarded event); the record header's id stands in when the
                    // XML has none.
                    Ok(xml) => match parse_event_str(&xml.data, id, header_time) {
                        Ok((event, fallback)) => {
                            let note = fallback.then(|| {
                                "no TimeCreated (record damaged?): the record header's time is used".to_string()
                            });
                            Rendered::Event(Box::new(event), note)
                        }
                        Err(err) => Rendered::Failed(err),
                    },
                    Err(err) => Rendered::Failed(err.to_string()),
                };
                out.push((id, rendered));
            }
            Err(err) => {
                // The crate names the record in the error when it knows it; keep the text.
                out.push((u64::MAX, Rendered::Failed(err.to_string())));
            }
        }
    }
    Ok(out)
}
