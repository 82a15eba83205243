//! XML exports: `wevtutil qe <log> /f:xml` (a bare stream of `<Event xmlns=...>` elements,
//! no root) and Event Viewer "Save as XML" (`<Events>` root), UTF-8 or UTF-16.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::event_xml::{read_event, EventXmlError};
use super::{decode_text, EventExport, TimeBasis};
use crate::event::LogIntegrity;
use crate::ParseError;

/// Reads an XML event export. `Err` only when the text holds no `<Event` at all;
/// malformed elements are skipped (the reader resumes at the next `<Event`) and reported.
pub fn parse_event_xml(input: &[u8]) -> Result<EventExport, ParseError> {
    let (text, encoding) = decode_text(input);
    if next_event_start(&text, 0).is_none() {
        return Err(ParseError::WrongFormat {
            expected: "event XML export",
            reason: "no <Event> element".into(),
        });
    }
    let mut events = Vec::new();
    let mut integrity = LogIntegrity::default();
    let mut ordinal = 0u64;
    let mut base = 0usize;
    'outer: while base < text.len() {
        let mut reader = Reader::from_str(&text[base..]);
        loop {
            let at = base + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    let pos = base + reader.error_position() as usize;
                    integrity.problems.push(ParseError::Offset {
                        offset: pos as u64,
                        message: format!("bad XML: {err}; skipped to the next <Event>"),
                    });
                    match next_event_start(&text, pos.max(at) + 1) {
                        Some(next) => {
                            base = next;
                            continue 'outer;
                        }
                        None => break 'outer,
                    }
                }
            };
            let empty = match &event {
                XmlEvent::Start(start) if start.local_name().as_ref() == "Event" => false,
                XmlEvent::Empty(start) if start.local_name().as_ref() == "Event" => true,
                XmlEvent::Eof => break 'outer,
                _ => continue,
            };
            ordinal += 1;
            match read_event(&mut reader, empty, ordinal) {
                Ok(event) => {
                    integrity.readable += 1;
                    events.push(event);
                }
                Err(EventXmlError::Content(why)) => {
                    integrity.unreadable += 1;
                    integrity.problems.push(ParseError::Offset {
                        offset: at as u64,
                        message: format!("<Event> #{ordinal}: {why}; skipped"),
                    });
                }
                Err(EventXmlError::Syntax(why)) => {
                    integrity.unreadable += 1;
                    integrity.problems.push(ParseError::Offset {
                        offset: at as u64,
                        message: format!("<Event> #{ordinal}: {why}; skipped"),
                    });
                    match next_event_start(&text, at + 1) {
                        Some(next) => {
                            base = next;
                            continue 'outer;
                        }
                        None => break 'outer,
                    }
                }
            }
        }
    }
    integrity.detect_gaps(events.iter().map(|e| e.record_id).collect());
    Ok(EventExport {
        events,
        integrity,
        time_basis: TimeBasis::Utc,
        encoding,
    })
}

/// Byte position of the next `<Event ` / `<Event>` / `<Event/` at or after `from`.
fn next_event_start(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while at < text.len() {
        let hit = at + memchr::memmem::find(text.as_bytes().get(at..)?, b"<Event")?;
        match text.as_bytes().get(hit + 6) {
            Some(b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n') => return Some(hit),
            _ => at = hit + 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(export.integrity.record_id_gaps.len(), 1);
    }

    #[test]
    fn not_an_export_is_wrong_format() {
        assert!(matches!(
            parse_event_xml(b"<root/>"),
            Err(ParseError::WrongFormat { .. })
        ));
    }
}
