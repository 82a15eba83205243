//! Maps one `<Event>` XML element to an [`Event`]: the rendering of an EVTX record, one
//! element of a `wevtutil qe /f:xml` stream or of an Event Viewer "Save as XML" file.
//!
//! Read: `System/{Provider@Name, EventID (+@Qualifiers), Level, TimeCreated@SystemTime,
//! EventRecordID, Channel, Computer, Security@UserID}`, `EventData/Data` items (named by
//! their `Name` attribute, positional otherwise; `Binary` is not an item) and the leaf
//! elements of `UserData` (named by their element name). `RenderingInfo` is ignored.

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::{BytesRef, BytesStart, Event as XmlEvent};
use quick_xml::Reader;

use crate::event::{Event, EventField, Level};

/// The fields of one event as they are collected while its element is read.
#[derive(Default)]
struct Fields {
    channel: String,
    provider: String,
    event_id: Option<u64>,
    qualifiers: Option<u16>,
    level: Option<u8>,
    record_id: Option<u64>,
    time: Option<DateTime<Utc>>,
    time_text: Option<String>,
    computer: String,
    user_sid: Option<String>,
    data: Vec<EventField>,
}

/// An event read from an `<Event>` element, with how its identity and time were found.
pub(crate) struct ReadEvent {
    pub(crate) event: Event,
    /// The element has an `<EventRecordID>`: `event.record_id` is the log's record id
    /// (else it is the ordinal given by the caller).
    pub(crate) native_record_id: bool,
    /// TimeCreated was missing or unreadable and the caller's fallback time was used.
    pub(crate) fallback_time: bool,
}

/// Parses a string that holds exactly one `<Event>` element (an EVTX record's XML).
/// `ordinal` stands in for a missing `EventRecordID`, `fallback_time` for a missing
/// TimeCreated (the flag says it was used).
pub(crate) fn parse_event_str(
    xml: &str,
    ordinal: u64,
    fallback_time: Option<DateTime<Utc>>,
) -> Result<(Event, bool), String> {
    let mut reader = reader_of(xml);
    loop {
        let empty = match reader.read_event() {
            Ok(XmlEvent::Start(start)) if start.local_name().as_ref() == "Event" => false,
            Ok(XmlEvent::Empty(start)) if start.local_name().as_ref() == "Event" => true,
            Ok(XmlEvent::Eof) => return Err("no <Event> element".into()),
            Ok(_) => continue,
            Err(err) => return Err(format!("bad XML at byte {}: {err}", reader.error_position())),
        };
        let mut collector = Collector::default();
        if !empty {
            loop {
                let event = reader
                    .read_event()
                    .map_err(|err| format!("bad XML at byte {}: {err}", reader.error_position()))?;
                if let XmlEvent::Eof = event {
                    return Err("input ends inside <Event>".into());
                }
                if collector.feed(event)? {
                    break;
                }
            }
        }
        return collector
            .finish(ordinal, fallback_time)
            .map(|read| (read.event, read.fallback_time));
    }
}

/// A reader over `xml` that does not check end tags itself: [`Collector`] does, so that
/// a mismatch ends one event and not the whole stream, and a reader that starts at an
/// `<Event>` accepts the `</Events>` of the root that follows.
pub(crate) fn reader_of(xml: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    reader
}

/// Element state while collecting: its local name, its text and whether it has children.
struct Open {
    name: String,
    text: String,
    has_child: bool,
    data_name: Option<String>,
}

/// Collects the fields of one `<Event>` element from the XML events that follow its
/// start tag, one at a time ([`Collector::feed`]), so that a caller reading a stream
/// sees every XML event once.
#[derive(Default)]
pub(crate) struct Collector {
    /// The path below `<Event>`; `<Event>` itself is the implicit root at depth 0.
    stack: Vec<Open>,
    fields: Fields,
}

impl Collector {
    /// Takes the next XML event inside the element. `Ok(true)` at the element's own end
    /// tag; `Err` when an end tag does not match the open element (the event is then
    /// unusable; the caller goes on after it).
    pub(crate) fn feed(&mut self, event: XmlEvent<'_>) -> Result<bool, String> {
        match event {
            XmlEvent::Start(start) => {
                let open = open_element(&start, &self.stack, &mut self.fields);
                if let Some(parent) = self.stack.last_mut() {
                    parent.has_child = true;
                }
                self.stack.push(open);
            }
            XmlEvent::Empty(start) => {
                let open = open_element(&start, &self.stack, &mut self.fields);
                if let Some(parent) = self.stack.last_mut() {
                    parent.has_child = true;
                }
                self.stack.push(open);
                close_element(&mut self.stack, &mut self.fields);
            }
            XmlEvent::Text(text) => {
                if let Some(top) = self.stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            XmlEvent::CData(data) => {
                if let Some(top) = self.stack.last_mut() {
                    top.text.push_str(&data);
                }
            }
            XmlEvent::GeneralRef(reference) => {
                if let Some(top) = self.stack.last_mut() {
                    push_reference(&mut top.text, &reference);
                }
            }
            XmlEvent::End(end) => {
                let name = end.local_name();
                let name: &str = name.as_ref();
                let Some(top) = self.stack.last() else {
                    if name == "Event" {
                        return Ok(true);
                    }
                    return Err(format!("</{name}> closes <Event>"));
                };
                if top.name != name {
                    return Err(format!("</{name}> closes <{}>", top.name));
                }
                close_element(&mut self.stack, &mut self.fields);
            }
            _ => {}
        }
        Ok(false)
    }

    /// The event of the collected fields; `ordinal` stands in for a missing
    /// `EventRecordID`, `fallback_time` for a missing TimeCreated.
    pub(crate) fn finish(self, ordinal: u64, fallback_time: Option<DateTime<Utc>>) -> Result<ReadEvent, String> {
        finish(self.fields, ordinal, fallback_time)
    }
}

/// Reads the attributes that matter of an element opening at `stack` + itself.
fn open_element(start: &BytesStart<'_>, stack: &[Open], fields: &mut Fields) -> Open {
    let name = start.local_name().as_ref().to_string();
    let mut data_name = None;
    if let [parent] = stack {
        for attr in start.attributes().flatten() {
            let key = attr.key.local_name();
            let value = || {
                attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_default()
            };
            match (parent.name.as_str(), name.as_str(), key.as_ref()) {
                ("System", "Provider", "Name") => fields.provider = value(),
                ("System", "EventID", "Qualifiers") => fields.qualifiers = value().trim().parse().ok(),
                ("System", "TimeCreated", "SystemTime") => {
                    let text = value();
                    fields.time = parse_system_time(&text);
                    fields.time_text = Some(text);
                }
                ("System", "Security", "UserID") => fields.user_sid = Some(value()).filter(|s| !s.is_empty()),
                ("EventData", "Data", "Name") => data_name = Some(value()),
                _ => {}
            }
        }
    }
    Open {
        name,
        text: String::new(),
        has_child: false,
        data_name,
    }
}

fn close_element(stack: &mut Vec<Open>, fields: &mut Fields) {
    let Some(open) = stack.pop() else { return };
    let parent = stack.first().map(|o| o.name.as_str());
    match (stack.len(), parent, open.name.as_str()) {
        (1, Some("System"), "EventID") => fields.event_id = open.text.trim().parse().ok(),
        (1, Some("System"), "Level") => fields.level = open.text.trim().parse().ok(),
        (1, Some("System"), "EventRecordID") => fields.record_id = open.text.trim().parse().ok(),
        (1, Some("System"), "Channel") => fields.channel = open.text,
        (1, Some("System"), "Computer") => fields.computer = open.text,
        (1, Some("EventData"), "Data") => fields.data.push(EventField {
            name: open.data_name,
            value: open.text,
        }),
        (depth, Some("UserData"), _) if depth >= 2 && !open.has_child => fields.data.push(EventField {
            name: Some(open.name),
            value: open.text,
        }),
        _ => {}
    }
}

fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(ch)) = reference.resolve_char_ref() {
        text.push(ch);
        return;
    }
    match &**reference {
        "amp" => text.push('&'),
        "lt" => text.push('<'),
        "gt" => text.push('>'),
        "quot" => text.push('"'),
        "apos" => text.push('\''),
        other => {
            text.push('&');
            text.push_str(other);
            text.push(';');
        }
    }
}

/// `2016-07-08T18:12:51.6816400Z`, with any number of fraction digits, with or without `Z`.
pub(crate) fn parse_system_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let naive = text.trim_end_matches('Z');
    NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

fn finish(fields: Fields, ordinal: u64, fallback_time: Option<DateTime<Utc>>) -> Result<ReadEvent, String> {
    let Some(event_id) = fields.event_id else {
        return Err("no System/EventID".into());
    };
    let (time, fallback) = match (fields.time, fallback_time) {
        (Some(time), _) => (time, false),
        (None, Some(time)) => (time, true),
        (None, None) => {
            return Err(match fields.time_text {
                Some(text) => format!("unreadable TimeCreated '{text}'"),
                None => "no System/TimeCreated".into(),
            })
        }
    };
    let native_record_id = fields.record_id.is_some();
    let event = Event {
        channel: fields.channel,
        provider: fields.provider,
        event_id: (event_id & 0xFFFF) as u16,
        qualifiers: fields.qualifiers,
        level: Level::from_evtx(fields.level.unwrap_or(0)),
        record_id: fields.record_id.unwrap_or(ordinal),
        time,
        computer: fields.computer,
        user_sid: fields.user_sid,
        data: fields.data,
        recovered: false,
    };
    Ok(ReadEvent {
        event,
        native_record_id,
        fallback_time: fallback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_system_and_named_and_positional_data() {
        let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
            <Provider Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}'/>\
            <EventID Qualifiers='49152'>7031</EventID><Level>2</Level>\
            <TimeCreated SystemTime='2008-03-15T01:22:05.1234567Z'/><EventRecordID>77</EventRecordID>\
            <Channel>System</Channel><Computer>EX01.contoso.local</Computer><Security UserID='S-1-5-18'/>\
            </System><EventData><Data Name='param1'>A &amp; B</Data><Data>x&#13;y</Data><Binary>00</Binary></EventData></Event>";
        let (event, _) = parse_event_str(xml, 9, None).expect("valid event");
        assert_eq!(event.provider, "Service Control Manager");
        assert_eq!(event.event_id, 7031);
        assert_eq!(event.qualifiers, Some(49152));
        assert_eq!(event.level, Level::Error);
        assert_eq!(event.record_id, 77);
        assert_eq!(event.time.to_rfc3339(), "2008-03-15T01:22:05.123456700+00:00");
        assert_eq!(event.computer, "EX01.contoso.local");
        assert_eq!(event.user_sid.as_deref(), Some("S-1-5-18"));
        assert_eq!(event.field("param1"), Some("A & B"));
        assert_eq!(event.param(1), Some("x\ry"));
        assert_eq!(event.data.len(), 2);
    }

    #[test]
    fn user_data_leaves_become_named_items_and_missing_fields_fail() {
        let xml = "<Event><System><EventID>1</EventID><TimeCreated SystemTime='2020-01-01T00:00:00Z'/></System>\
            <UserData><Log xmlns='x'><A>1</A><B><C>2</C></B></Log></UserData></Event>";
        let (event, _) = parse_event_str(xml, 5, None).expect("valid event");
        assert_eq!(event.record_id, 5);
        assert_eq!(event.field("A"), Some("1"));
        assert_eq!(event.field("C"), Some("2"));
        assert_eq!(event.field("B"), None);
        let no_time = "<Event><System><EventID>1</EventID></System></Event>";
        assert!(parse_event_str(no_time, 1, None).unwrap_err().contains("TimeCreated"));
        let (event, fallback) = parse_event_str(no_time, 1, DateTime::from_timestamp(0, 0)).expect("fallback");
        assert!(fallback);
        assert_eq!(event.time.timestamp(), 0);
    }
}
