//! XML exports: `wevtutil qe <log> /f:xml` (a bare stream of `<Event xmlns=...>` elements,
//! no root) and Event Viewer "Save as XML" (`<Events>` root), UTF-8 or UTF-16.
//!
//! One pass, linear in the input: the text is cut at every `<Event` start tag (events
//! never nest) and each piece is read once by its own XML reader. Damage stays inside
//! its piece: an element without `</Event>` before the next `<Event>` (or the end of the
//! input), a mismatched end tag or bad XML makes that one event unreadable, and reading
//! goes on with the next element.

use quick_xml::events::Event as XmlEvent;

use super::event_xml::{reader_of, Collector};
use super::{decode_text, EventExport, ExportEntry, TimeBasis};
use crate::event::{EventLocation, LogIntegrity};
use crate::ParseError;

/// Reads an XML event export. `Err` only when the text holds no `<Event` at all;
/// malformed elements are skipped and reported (offsets are byte offsets in the text
/// decoded to UTF-8).
///
/// [`crate::event::Event::record_id`] is the element's `<EventRecordID>`, else its
/// 1-based position in the file, and [`EventExport::entries`] says which
/// ([`EventLocation::Record`] / [`EventLocation::Element`]). The export is a selection:
/// no record-id gaps are looked for. The computer, channel and every other field are
/// taken from each element (forwarded-event exports mix computers).
pub fn parse_event_xml(input: &[u8]) -> Result<EventExport, ParseError> {
    let (text, encoding) = decode_text(input);
    let starts = event_starts(&text);
    if starts.is_empty() {
        return Err(ParseError::WrongFormat {
            expected: "event XML export",
            reason: "no <Event> element".into(),
        });
    }
    let mut export = EventExport {
        events: Vec::new(),
        integrity: LogIntegrity::selection(),
        time_basis: TimeBasis::Utc,
        encoding,
        entries: Vec::new(),
    };
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(text.len());
        let last = index + 1 == starts.len();
        read_piece(&text[start..end], start, index as u64 + 1, last, &mut export);
    }
    Ok(export)
}

/// Byte positions of every `<Event` start tag (`<Event ` / `<Event>` / `<Event/`), in
/// order; `<Events>`, `<EventData>`, `<EventID>` ... do not count.
fn event_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"<Event")
        .filter(|&hit| matches!(bytes.get(hit + 6), Some(b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n')))
        .collect()
}

/// Reads the piece of text from one `<Event` start tag to the next (or the end): the
/// element, then whatever follows it up to the next element (whitespace, `</Events>`).
fn read_piece(piece: &str, base: usize, ordinal: u64, last: bool, export: &mut EventExport) {
    let mut reader = reader_of(piece);
    let at = base as u64;
    let unreadable = |export: &mut EventExport, why: String| {
        export.integrity.unreadable += 1;
        export.integrity.problems.push(ParseError::Offset {
            offset: at,
            message: format!("<Event> #{ordinal}: {why}; skipped"),
        });
    };
    let empty = match reader.read_event() {
        Ok(XmlEvent::Start(_)) => false,
        Ok(XmlEvent::Empty(_)) => true,
        Ok(_) => {
            unreadable(export, "not a start tag".into());
            return;
        }
        Err(err) => {
            let pos = base + reader.error_position() as usize;
            unreadable(export, format!("bad XML at offset {pos:#x}: {err}"));
            return;
        }
    };
    let mut collector = Collector::default();
    if !empty {
        loop {
            let event = match reader.read_event() {
                Ok(XmlEvent::Eof) => {
                    let why = if last {
                        "the input ends inside the element (no </Event>)"
                    } else {
                        "no </Event> before the next <Event>"
                    };
                    unreadable(export, why.into());
                    return;
                }
                Ok(event) => event,
                Err(err) => {
                    let pos = base + reader.error_position() as usize;
                    unreadable(export, format!("bad XML at offset {pos:#x}: {err}"));
                    return;
                }
            };
            match collector.feed(event) {
                Ok(false) => {}
                Ok(true) => break,
                Err(why) => {
                    unreadable(export, why);
                    return;
                }
            }
        }
    }
    match collector.finish(ordinal, None) {
        Ok(read) => {
            export.integrity.readable += 1;
            let location = if read.native_record_id {
                EventLocation::Record {
                    record_id: read.event.record_id,
                }
            } else {
                EventLocation::Element { ordinal }
            };
            export.events.push(read.event);
            export.entries.push(ExportEntry {
                location,
                message: None,
            });
        }
        Err(why) => unreadable(export, why),
    }
    // What follows the element up to the next one: only the XML must be well formed
    // (a cut `<Even` tag is damage even though no element can be counted for it).
    loop {
        match reader.read_event() {
            Ok(XmlEvent::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                let pos = base + reader.error_position() as usize;
                export.integrity.problems.push(ParseError::Offset {
                    offset: pos as u64,
                    message: format!("bad XML after <Event> #{ordinal}: {err}"),
                });
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Coverage, LogState};

    const ONE: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
        <Provider Name='MSExchangeSetup'/><EventID Qualifiers='49152'>1002</EventID><Level>2</Level>\
        <TimeCreated SystemTime='2008-03-15T01:22:05.000Z'/><EventRecordID>10</EventRecordID>\
        <Channel>Application</Channel><Computer>EX01</Computer></System>\
        <EventData><Data>Mailbox role</Data><Data>error text</Data></EventData></Event>";

    #[test]
    fn bare_stream_with_a_broken_element_in_the_middle() {
        let text = format!(
            "{ONE}\r\n<Event><System><EventID>oops</Event>\r\n{}",
            ONE.replace(">10<", ">12<")
        );
        let export = parse_event_xml(text.as_bytes()).expect("xml export");
        assert_eq!(export.events.len(), 2);
        assert_eq!(export.events[1].record_id, 12);
        assert_eq!(export.integrity.unreadable, 1);
        assert_eq!(export.integrity.problems.len(), 1, "{:?}", export.integrity.problems);
        assert_eq!(
            export.integrity.problems[0].to_string(),
            "offset 0x18f: <Event> #2: </Event> closes <EventID>; skipped"
        );
        // An export is a selection: 10 -> 12 is no gap.
        assert_eq!(export.integrity.coverage, Coverage::Selection);
        assert!(export.integrity.record_id_gaps.is_empty());
        assert_eq!(export.integrity.state(), LogState::Damaged);
        assert_eq!(
            export.entries.iter().map(|e| e.location).collect::<Vec<_>>(),
            vec![
                EventLocation::Record { record_id: 10 },
                EventLocation::Record { record_id: 12 }
            ]
        );
    }

    #[test]
    fn elements_without_record_id_are_located_by_position() {
        let without = ONE.replace("<EventRecordID>10</EventRecordID>", "");
        let text = format!("<Events>{without}{ONE}{without}</Events>");
        let export = parse_event_xml(text.as_bytes()).expect("xml export");
        assert_eq!(export.integrity.problems, vec![]);
        assert_eq!(export.location(0), Some(EventLocation::Element { ordinal: 1 }));
        assert_eq!(export.location(1), Some(EventLocation::Record { record_id: 10 }));
        assert_eq!(export.location(2), Some(EventLocation::Element { ordinal: 3 }));
        assert_eq!(export.events[2].record_id, 3);
        assert_eq!(export.record_ids(), super::super::RecordIds::Mixed);
        assert_eq!(export.location(2).map(|l| l.to_string()).as_deref(), Some("event #3"));
        assert_eq!(export.integrity.state(), LogState::Complete);
    }

    #[test]
    fn cut_tag_after_the_last_element_is_reported() {
        let text = format!("{ONE}\n<Even");
        let export = parse_event_xml(text.as_bytes()).expect("xml export");
        assert_eq!(export.events.len(), 1);
        assert_eq!(export.integrity.problems.len(), 1, "{:?}", export.integrity.problems);
        assert!(export.integrity.problems[0]
            .to_string()
            .contains("bad XML after <Event> #1"));
    }

    #[test]
    fn not_an_export_is_wrong_format() {
        assert!(matches!(
            parse_event_xml(b"<root/>"),
            Err(ParseError::WrongFormat { .. })
        ));
    }
}
