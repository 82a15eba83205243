//! One EVENTLOGRECORD: fixed 0x38-byte part, names, SID, insertion strings, data.

use std::borrow::Cow;

use chrono::DateTime;
use nom::bytes::complete::tag;
use nom::number::complete::{le_u16, le_u32};
use nom::Parser;
use serde::Serialize;

use super::header::SIGNATURE;
use super::sid::format_sid;
use crate::event::{Event, EventField, Level};
use crate::text::utf16le_cstr;
use crate::ParseError;

/// Size of the fixed part of a record (up to and excluding `SourceName`).
pub const RECORD_FIXED_SIZE: usize = 0x38;

/// Smallest possible record: fixed part, two empty names and the trailing length.
pub const MIN_RECORD_SIZE: usize = RECORD_FIXED_SIZE + 4 + 4;

/// A decoded event record. `data` borrows the input unless the record was split at
/// the wrap point and had to be reassembled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvtRecord<'a> {
    /// Offset of the record in the file.
    pub offset: u32,
    /// Length of the record in bytes.
    pub length: u32,
    /// Record number (the event's record id).
    pub record_number: u32,
    /// Seconds since 1970-01-01 UTC when the event was generated.
    pub time_generated: u32,
    /// Seconds since 1970-01-01 UTC when the event was written.
    pub time_written: u32,
    /// Full 32-bit event id (qualifiers in the high 16 bits).
    pub event_id: u32,
    /// 1 error, 2 warning, 4 information, 8 audit success, 16 audit failure.
    pub event_type: u16,
    /// Source-specific category.
    pub event_category: u16,
    /// Reserved (paired-event flags), kept as found.
    pub reserved_flags: u16,
    /// Reserved, kept as found.
    pub closing_record_number: u32,
    /// Event source (provider).
    pub source_name: String,
    /// Computer name as recorded.
    pub computer_name: String,
    /// The user SID as `S-1-...` text, when present.
    pub user_sid: Option<String>,
    /// Insertion strings in order.
    pub strings: Vec<String>,
    /// Binary event data.
    #[serde(skip)]
    pub data: Cow<'a, [u8]>,
}

struct Fixed {
    length: u32,
    record_number: u32,
    time_generated: u32,
    time_written: u32,
    event_id: u32,
    event_type: u16,
    num_strings: u16,
    event_category: u16,
    reserved_flags: u16,
    closing_record_number: u32,
    string_offset: u32,
    sid_length: u32,
    sid_offset: u32,
    data_length: u32,
    data_offset: u32,
}

type NomError<'a> = nom::error::Error<&'a [u8]>;

fn parse_fixed(input: &[u8]) -> Option<Fixed> {
    let ids = (
        le_u32::<&[u8], NomError>,
        tag(&SIGNATURE[..]),
        le_u32,
        le_u32,
        le_u32,
        le_u32,
    );
    let kinds = (le_u16::<&[u8], NomError>, le_u16, le_u16, le_u16, le_u32);
    let places = (le_u32::<&[u8], NomError>, le_u32, le_u32, le_u32, le_u32);
    let (_, ((length, _, record_number, time_generated, time_written, event_id), kinds, places)) =
        (ids, kinds, places).parse(input).ok()?;
    let (event_type, num_strings, event_category, reserved_flags, closing_record_number) = kinds;
    let (string_offset, sid_length, sid_offset, data_length, data_offset) = places;
    Some(Fixed {
        length,
        record_number,
        time_generated,
        time_written,
        event_id,
        event_type,
        num_strings,
        event_category,
        reserved_flags,
        closing_record_number,
        string_offset,
        sid_length,
        sid_offset,
        data_length,
        data_offset,
    })
}

/// The `[offset, offset + length)` range of a record part, checked against `limit`.
fn part(offset: u32, length: u32, limit: usize, what: &str) -> Result<std::ops::Range<usize>, String> {
    if length == 0 {
        return Ok(0..0);
    }
    let start = offset as usize;
    let end = start.checked_add(length as usize).filter(|end| *end <= limit);
    match end {
        Some(end) if start >= RECORD_FIXED_SIZE => Ok(start..end),
        _ => Err(format!(
            "{what} at {offset:#x}+{length:#x} outside the record (end {limit:#x})"
        )),
    }
}

/// Parses a complete record (`bytes` holds exactly `Length` bytes) found at `offset`.
/// The trailing copy of the length must match.
pub fn parse_record(bytes: &[u8], offset: u32) -> Result<EvtRecord<'_>, ParseError> {
    parse_record_checked(bytes, offset, true)
}

/// Like [`parse_record`]; with `check_trailer` false a differing trailing length copy
/// is tolerated (stale records in free space often have their last bytes overwritten).
pub fn parse_record_checked(bytes: &[u8], offset: u32, check_trailer: bool) -> Result<EvtRecord<'_>, ParseError> {
    let err = |message: String| ParseError::Offset {
        offset: u64::from(offset),
        message,
    };
    let fixed = parse_fixed(bytes).ok_or_else(|| err("record too short or without LfLe signature".into()))?;
    let length = fixed.length as usize;
    if length < MIN_RECORD_SIZE || length != bytes.len() {
        return Err(err(format!(
            "record length {length:#x} invalid (record bytes {:#x})",
            bytes.len()
        )));
    }
    let trailer = bytes[length - 4..].try_into().map(u32::from_le_bytes).unwrap_or(0);
    if check_trailer && trailer != fixed.length {
        return Err(err(format!(
            "trailing length {trailer:#x} differs from length {length:#x}"
        )));
    }
    let record_err = |message: String| ParseError::Record {
        record: u64::from(fixed.record_number),
        message: format!("at offset {offset:#x}: {message}"),
    };
    let body_end = length - 4;
    let body = &bytes[..body_end];
    let (source_name, used) = utf16le_cstr(&body[RECORD_FIXED_SIZE..]);
    let (computer_name, _) = utf16le_cstr(&body[RECORD_FIXED_SIZE + used..]);
    let user_sid = if fixed.sid_length == 0 {
        None
    } else {
        let range = part(fixed.sid_offset, fixed.sid_length, body_end, "user SID").map_err(record_err)?;
        Some(format_sid(&bytes[range]).ok_or_else(|| record_err("malformed user SID".into()))?)
    };
    let data = part(fixed.data_offset, fixed.data_length, body_end, "data").map_err(record_err)?;
    let strings = read_strings(body, &fixed).map_err(record_err)?;
    Ok(EvtRecord {
        offset,
        length: fixed.length,
        record_number: fixed.record_number,
        time_generated: fixed.time_generated,
        time_written: fixed.time_written,
        event_id: fixed.event_id,
        event_type: fixed.event_type,
        event_category: fixed.event_category,
        reserved_flags: fixed.reserved_flags,
        closing_record_number: fixed.closing_record_number,
        source_name,
        computer_name,
        user_sid,
        strings,
        data: Cow::Borrowed(&bytes[data]),
    })
}

fn read_strings(body: &[u8], fixed: &Fixed) -> Result<Vec<String>, String> {
    if fixed.num_strings == 0 {
        return Ok(Vec::new());
    }
    let start = fixed.string_offset as usize;
    if start < RECORD_FIXED_SIZE || start > body.len() {
        return Err(format!("string offset {start:#x} outside the record"));
    }
    let mut rest = &body[start..];
    let mut strings = Vec::with_capacity(usize::from(fixed.num_strings));
    for index in 0..fixed.num_strings {
        if rest.is_empty() {
            return Err(format!("{} strings declared, {index} present", fixed.num_strings));
        }
        let (text, used) = utf16le_cstr(rest);
        strings.push(text);
        rest = &rest[used.min(rest.len())..];
    }
    Ok(strings)
}

impl EvtRecord<'_> {
    /// The record with its data copied, independent of the input buffer.
    pub fn into_owned(self) -> EvtRecord<'static> {
        EvtRecord {
            data: Cow::Owned(self.data.into_owned()),
            offset: self.offset,
            length: self.length,
            record_number: self.record_number,
            time_generated: self.time_generated,
            time_written: self.time_written,
            event_id: self.event_id,
            event_type: self.event_type,
            event_category: self.event_category,
            reserved_flags: self.reserved_flags,
            closing_record_number: self.closing_record_number,
            source_name: self.source_name,
            computer_name: self.computer_name,
            user_sid: self.user_sid,
            strings: self.strings,
        }
    }

    /// The normalized event; `channel` is the log name (`System`, `Application` ...).
    pub fn to_event(&self, channel: &str, recovered: bool) -> Event {
        self.clone().into_event(channel, recovered)
    }

    /// Like [`EvtRecord::to_event`], moving the decoded strings instead of copying them.
    pub fn into_event(self, channel: &str, recovered: bool) -> Event {
        Event {
            channel: channel.to_string(),
            provider: self.source_name,
            event_id: (self.event_id & 0xFFFF) as u16,
            qualifiers: Some((self.event_id >> 16) as u16),
            level: Level::from_evt_type(self.event_type),
            record_id: u64::from(self.record_number),
            time: DateTime::from_timestamp(i64::from(self.time_generated), 0).unwrap_or_default(),
            computer: self.computer_name,
            user_sid: self.user_sid,
            data: self
                .strings
                .into_iter()
                .map(|value| EventField { name: None, value })
                .collect(),
            recovered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16z(text: &str, out: &mut Vec<u8>) {
        text.encode_utf16()
            .for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
        out.extend_from_slice(&[0, 0]);
    }

    /// A record with a SYSTEM SID, two strings and 4 bytes of data.
    fn record_bytes() -> Vec<u8> {
        let mut out = vec![0u8; RECORD_FIXED_SIZE];
        utf16z("Service Control Manager", &mut out);
        utf16z("EX01", &mut out);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let sid_offset = out.len();
        out.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]);
        let string_offset = out.len();
        utf16z("Microsoft Exchange Information Store", &mut out);
        utf16z("%%1068", &mut out);
        let data_offset = out.len();
        out.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        let length = out.len() + 4;
        let mut fixed = Vec::new();
        for v in [
            length as u32,
            0x654c_664c,
            77,
            1_196_435_923,
            1_196_435_924,
            0xC000_1B59,
        ] {
            fixed.extend_from_slice(&v.to_le_bytes());
        }
        for v in [1u16, 2, 0, 0] {
            fixed.extend_from_slice(&v.to_le_bytes());
        }
        for v in [0u32, string_offset as u32, 12, sid_offset as u32, 4, data_offset as u32] {
            fixed.extend_from_slice(&v.to_le_bytes());
        }
        out[..RECORD_FIXED_SIZE].copy_from_slice(&fixed);
        out.extend_from_slice(&(length as u32).to_le_bytes());
        out
    }

    fn set_u32(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn decodes_every_part_of_a_record() {
        let bytes = record_bytes();
        let record = parse_record(&bytes, 0x30).unwrap();
        assert_eq!(record.record_number, 77);
        assert_eq!(record.source_name, "Service Control Manager");
        assert_eq!(record.computer_name, "EX01");
        assert_eq!(record.user_sid.as_deref(), Some("S-1-5-18"));
        assert_eq!(record.strings, vec!["Microsoft Exchange Information Store", "%%1068"]);
        assert_eq!(record.data.as_ref(), &[0xde, 0xad, 0xbe, 0xef]);
        let event = record.to_event("System", false);
        assert_eq!((event.event_id, event.qualifiers), (7001, Some(0xC000)));
        assert_eq!(event.level, Level::Error);
        assert_eq!(event.time.to_rfc3339(), "2007-11-30T15:18:43+00:00");
        assert_eq!(event.param(1), Some("%%1068"));
    }

    #[test]
    fn rejects_inconsistent_lengths_and_offsets() {
        let good = record_bytes();
        let len = good.len();
        let mut trailer = good.clone();
        set_u32(&mut trailer, len - 4, 8);
        assert!(parse_record(&trailer, 0)
            .unwrap_err()
            .to_string()
            .contains("trailing length 0x8"));
        assert!(parse_record_checked(&trailer, 0, false).is_ok());
        let mut sid = good.clone();
        set_u32(&mut sid, 44, len as u32);
        assert!(parse_record(&sid, 0)
            .unwrap_err()
            .to_string()
            .contains("record 77: at offset 0x0: user SID"));
        let mut data = good.clone();
        set_u32(&mut data, 48, 0xFFFF_FFFF);
        assert!(parse_record(&data, 0).unwrap_err().to_string().contains("data at"));
        let mut strings = good.clone();
        strings[26] = 200;
        assert!(parse_record(&strings, 0)
            .unwrap_err()
            .to_string()
            .contains("200 strings declared"));
        let mut offset = good.clone();
        set_u32(&mut offset, 36, 4);
        assert!(parse_record(&offset, 0)
            .unwrap_err()
            .to_string()
            .contains("string offset 0x4"));
        assert!(parse_record(&good[..len - 4], 0).is_err());
        assert!(parse_record(&good[..0x20], 0).is_err());
    }
}
