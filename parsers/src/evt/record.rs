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
    pub record_number: u32,
    /// Seconds since 1970-01-01 UTC when the event was generated.
    pub time_generated: u32,
    /// Seconds since 1970-01-01 UTC when the event was written.
    pub time_written: u32,
    /// Full 32-bit event id (qualifiers in the high 16 bits).
    pub event_id: u32,
    pub event_type: u16,
    pub event_category: u16,
    pub reserved_flags: u16,
    pub closing_record_number: u32,
    pub source_name: String,
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
    let start = offset as usize;
    let end = start.checked_add(length as usize).filter(|end| *end <= limit);
    match end {
        Some(end) if start >= RECORD_FIXED_SIZE || length == 0 => Ok(start..end),
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
        Event {
            channel: channel.to_string(),
            provider: self.source_name.clone(),
            event_id: (self.event_id & 0xFFFF) as u16,
            qualifiers: Some((self.event_id >> 16) as u16),
            level: Level::from_evt_type(self.event_type),
            record_id: u64::from(self.record_number),
            time: DateTime::from_timestamp(i64::from(self.time_generated), 0).unwrap_or_default(),
            computer: self.computer_name.clone(),
            user_sid: self.user_sid.clone(),
            data: self
                .strings
                .iter()
                .map(|value| EventField {
                    name: None,
                    value: value.clone(),
                })
                .collect(),
            recovered,
        }
    }
}
