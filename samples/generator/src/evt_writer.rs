//! Writer of legacy Windows NT/2003 `.evt` event logs (dev-only): turns normalized
//! events into the header, EVENTLOGRECORDs and the end-of-file record that Windows'
//! EventLog service writes, so that the samples and tests have `.evt` inputs.
//!
//! Insertion strings are written as the record's strings (in order; field names are
//! not stored by the format), `qualifiers` become the high 16 bits of the event id,
//! `time` is written as both TimeGenerated and TimeWritten. Binary data is empty.

use exdoctor_parsers::event::{Event, Level};
use exdoctor_parsers::evt::sid::encode_sid;

/// Size of the file header.
pub const HEADER_SIZE: usize = 0x30;
/// Maximum log sizes are multiples of 64 KiB.
pub const SIZE_GRANULE: usize = 0x10000;
const FIXED_SIZE: usize = 0x38;
const EOF_SIZE: usize = 0x28;
const FLAG_WRAPPED: u32 = 0x2;
/// Bytes of the split record that [`write_evt_wrapped`] leaves before the wrap point.
pub const SPLIT_AT: usize = 0x18;

/// EVT `EventType` for a normalized level.
pub fn event_type(level: Level) -> u16 {
    match level {
        Level::Critical | Level::Error => 1,
        Level::Warning => 2,
        Level::Information | Level::Verbose => 4,
        Level::AuditSuccess => 8,
        Level::AuditFailure => 16,
        Level::Other(value) => u16::from(value),
    }
}

fn utf16z(text: &str, out: &mut Vec<u8>) {
    if text.is_ascii() {
        let start = out.len();
        out.resize(start + 2 * text.len(), 0);
        for (pair, b) in out[start..].chunks_exact_mut(2).zip(text.bytes()) {
            pair[0] = b;
        }
    } else {
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
    out.extend_from_slice(&[0, 0]);
}

fn pad4(out: &mut Vec<u8>) {
    while out.len() % 4 != 0 {
        out.push(0);
    }
}

fn put_u32(out: &mut [u8], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u16(out: &mut [u8], at: usize, value: u16) {
    out[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

/// Encodes one event as an EVENTLOGRECORD (4-byte aligned, with the trailing length).
pub fn encode_record(event: &Event) -> Vec<u8> {
    let mut out = vec![0u8; FIXED_SIZE];
    utf16z(&event.provider, &mut out);
    utf16z(&event.computer, &mut out);
    pad4(&mut out);
    let sid = event.user_sid.as_deref().and_then(encode_sid).unwrap_or_default();
    let sid_offset = out.len();
    out.extend_from_slice(&sid);
    let string_offset = out.len();
    for field in &event.data {
        utf16z(&field.value, &mut out);
    }
    let data_offset = out.len();
    pad4(&mut out);
    let length = out.len() + 4;
    let time = u32::try_from(event.time.timestamp().max(0)).unwrap_or(u32::MAX);
    put_u32(&mut out, 0, length as u32);
    out[4..8].copy_from_slice(b"LfLe");
    put_u32(&mut out, 8, event.record_id as u32);
    put_u32(&mut out, 12, time);
    put_u32(&mut out, 16, time);
    put_u32(&mut out, 20, event.full_event_id());
    put_u16(&mut out, 24, event_type(event.level));
    put_u16(&mut out, 26, event.data.len() as u16);
    put_u32(&mut out, 36, string_offset as u32);
    put_u32(&mut out, 40, sid.len() as u32);
    put_u32(&mut out, 44, sid_offset as u32);
    put_u32(&mut out, 48, 0);
    put_u32(&mut out, 52, data_offset as u32);
    out.extend_from_slice(&(length as u32).to_le_bytes());
    out
}

/// Record numbers (oldest, current = newest + 1) of a list of events.
fn record_numbers(events: &[Event]) -> (u32, u32) {
    match (events.first(), events.last()) {
        (Some(first), Some(last)) => (first.record_id as u32, last.record_id as u32 + 1),
        _ => (1, 1),
    }
}

fn eof_record(begin: usize, end: usize, oldest: u32, current: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(EOF_SIZE);
    for value in [0x28, 0x1111_1111, 0x2222_2222, 0x3333_3333, 0x4444_4444] {
        out.extend_from_slice(&u32::to_le_bytes(value));
    }
    for value in [begin as u32, end as u32, current, oldest, 0x28] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

struct HeaderValues {
    start: usize,
    end: usize,
    oldest: u32,
    current: u32,
    max_size: usize,
    flags: u32,
}

fn header(values: &HeaderValues) -> Vec<u8> {
    let fields = [
        HEADER_SIZE as u32,
        u32::from_le_bytes(*b"LfLe"),
        1,
        1,
        values.start as u32,
        values.end as u32,
        values.current,
        values.oldest,
        values.max_size as u32,
        values.flags,
        0,
        HEADER_SIZE as u32,
    ];
    fields.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn round_up(size: usize) -> usize {
    size.div_ceil(SIZE_GRANULE).max(1) * SIZE_GRANULE
}

/// Writes a valid, not wrapped `.evt` file: header, the events as records in order
/// (their `record_id`s are the record numbers), the end-of-file record and zeroed free
/// space up to the maximum size (a multiple of 64 KiB).
pub fn write_evt(events: &[Event]) -> Vec<u8> {
    let (oldest, current) = record_numbers(events);
    let mut body: Vec<u8> = events.iter().flat_map(encode_record).collect();
    let end = HEADER_SIZE + body.len();
    body.extend(eof_record(HEADER_SIZE, end, oldest, current));
    let max_size = round_up(HEADER_SIZE + body.len());
    let mut out = header(&HeaderValues {
        start: HEADER_SIZE,
        end,
        oldest,
        current,
        max_size,
        flags: 0,
    });
    out.extend(body);
    out.resize(max_size, 0);
    out
}

/// Writes a not wrapped `.evt` file event by event (for logs too large to hold as a list
/// of events first); the bytes are those [`write_evt`] gives for the same events.
#[derive(Debug)]
pub struct EvtWriter {
    /// Placeholder header, then the records so far.
    out: Vec<u8>,
    /// Record numbers of the first and the last event.
    first: Option<u32>,
    last: u32,
}

impl Default for EvtWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl EvtWriter {
    /// A writer without events.
    pub fn new() -> Self {
        EvtWriter {
            out: vec![0; HEADER_SIZE],
            first: None,
            last: 0,
        }
    }

    /// A writer whose output buffer starts with room for `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Self {
        let mut writer = EvtWriter::new();
        writer.out.reserve(bytes.saturating_sub(HEADER_SIZE));
        writer
    }

    /// Appends one event as the next record (its `record_id` is the record number).
    pub fn push(&mut self, event: &Event) {
        self.first.get_or_insert(event.record_id as u32);
        self.last = event.record_id as u32;
        self.out.extend_from_slice(&encode_record(event));
    }

    /// The file's bytes: header, records, end-of-file record, zeroed free space.
    pub fn finish(mut self) -> Vec<u8> {
        let (oldest, current) = match self.first {
            Some(first) => (first, self.last + 1),
            None => (1, 1),
        };
        let end = self.out.len();
        self.out.extend(eof_record(HEADER_SIZE, end, oldest, current));
        let max_size = round_up(self.out.len());
        let head = header(&HeaderValues {
            start: HEADER_SIZE,
            end,
            oldest,
            current,
            max_size,
            flags: 0,
        });
        self.out[..HEADER_SIZE].copy_from_slice(&head);
        self.out.resize(max_size, 0);
        self.out
    }
}

/// Writes a wrapped `.evt` file: the live `events` start near the end of the file and
/// continue at offset 0x30, the record in the middle being split across the wrap
/// point; after the end-of-file record the free space holds the older `stale` events
/// (records a reader can recover). The header has the wrapped flag set.
pub fn write_evt_wrapped(events: &[Event], stale: &[Event]) -> Vec<u8> {
    let records: Vec<Vec<u8>> = events.iter().map(encode_record).collect();
    let live: Vec<u8> = records.concat();
    let stale_bytes: Vec<u8> = stale.iter().flat_map(encode_record).collect();
    let max_size = round_up(HEADER_SIZE + live.len() + EOF_SIZE + stale_bytes.len() + FIXED_SIZE);
    // Split the middle record inside its fixed part: 0x18 bytes of it stay at the end.
    let middle = records.len() / 2;
    let cut = if records.is_empty() {
        0
    } else {
        records[..middle].iter().map(Vec::len).sum::<usize>() + SPLIT_AT
    };
    let start = max_size - cut;
    let (oldest, current) = record_numbers(events);
    let mut out = vec![0u8; max_size];
    let place = |v: usize| if v < cut { start + v } else { HEADER_SIZE + (v - cut) };
    for (v, byte) in live.iter().enumerate() {
        out[place(v)] = *byte;
    }
    let end = place(live.len());
    let begin = if records.is_empty() { end } else { start };
    let eof = eof_record(begin, end, oldest, current);
    out[end..end + EOF_SIZE].copy_from_slice(&eof);
    let stale_at = end + EOF_SIZE;
    out[stale_at..stale_at + stale_bytes.len()].copy_from_slice(&stale_bytes);
    let head = header(&HeaderValues {
        start: begin,
        end,
        oldest,
        current,
        max_size,
        flags: FLAG_WRAPPED,
    });
    out[..HEADER_SIZE].copy_from_slice(&head);
    out
}
