//! A small writer of Windows XML event log files (`.evtx`, format version 3.1).
//!
//! Layout: a 4 KiB file header (`ElfFile\0`) followed by 64 KiB chunks (`ElfChnk\0`),
//! each with a 512-byte header (record range, offsets, CRC32s, the 64-bucket string
//! table and the 32-bucket template table) and event records (`**\0\0`, size, record
//! id, FILETIME, BinXML, size copy). Every record is a template instance like the ones
//! Windows writes (see the `binxml` submodule). The output is deterministic:
//! the same events always give the same bytes.
//!
//! The writer is a dev tool for the sample bundles and benchmarks; it reports what it
//! cannot write ([`EvtxWriteError`]) instead of writing a broken file.

mod binxml;
mod crc32;

use std::fmt;

use exdoctor_parsers::event::Event;

use binxml::{encode_event, encode_known, ChunkState, Scratch};
use crc32::{crc32, Crc32};

/// Size of the file header block.
pub const FILE_HEADER_SIZE: usize = 4096;
/// Size of one chunk.
pub const CHUNK_SIZE: usize = 65536;
/// Size of a chunk header; records start after it.
pub const CHUNK_HEADER_SIZE: usize = 512;
/// Size of an event record header (magic, size, id, time).
const RECORD_HEADER_SIZE: usize = 24;

/// Why events could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvtxWriteError {
    /// One record does not fit into an empty chunk (or a value exceeds 64 KiB).
    RecordTooLarge {
        /// The record.
        record_id: u64,
        /// Its size in bytes.
        size: usize,
    },
    /// Record ids must strictly increase through the file.
    RecordIdsNotIncreasing {
        /// The id before it.
        previous: u64,
        /// The record.
        record_id: u64,
    },
    /// `user_sid` is not a valid `S-R-A-S...` string.
    InvalidSid {
        /// The record.
        record_id: u64,
        /// The SID as given.
        sid: String,
    },
    /// The event time is before 1601 (not representable as FILETIME).
    TimeOutOfRange {
        /// The record.
        record_id: u64,
    },
    /// More chunks than the file header can count (65,535).
    TooManyChunks,
    /// A bug in the writer itself.
    Internal(&'static str),
}

impl fmt::Display for EvtxWriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvtxWriteError::RecordTooLarge { record_id, size } => write!(
                f,
                "event record {record_id} needs {size} bytes, more than an EVTX chunk holds ({} bytes)",
                CHUNK_SIZE - CHUNK_HEADER_SIZE
            ),
            EvtxWriteError::RecordIdsNotIncreasing { previous, record_id } => {
                write!(f, "event record ids must increase: {record_id} follows {previous}")
            }
            EvtxWriteError::InvalidSid { record_id, sid } => {
                write!(f, "event record {record_id}: invalid user SID {sid:?}")
            }
            EvtxWriteError::TimeOutOfRange { record_id } => {
                write!(f, "event record {record_id}: time not representable as FILETIME")
            }
            EvtxWriteError::TooManyChunks => write!(f, "more than 65535 chunks"),
            EvtxWriteError::Internal(what) => write!(f, "EVTX writer bug: {what}"),
        }
    }
}

impl std::error::Error for EvtxWriteError {}

/// Writes `events` (in the given order, record ids strictly increasing) as an `.evtx` file.
///
/// # Panics
/// Dev tool: panics with the [`EvtxWriteError`] message when the events cannot be
/// written (a record larger than a chunk, decreasing record ids, an invalid SID).
/// Use [`try_write_evtx`] to handle that instead.
pub fn write_evtx(events: &[Event]) -> Vec<u8> {
    match try_write_evtx(events) {
        Ok(bytes) => bytes,
        Err(err) => panic!("write_evtx: {err}"),
    }
}

/// Writes `events` as an `.evtx` file, or says why it cannot. No events give the file of
/// a freshly created or cleared channel (see [`empty_evtx`]).
pub fn try_write_evtx(events: &[Event]) -> Result<Vec<u8>, EvtxWriteError> {
    let mut writer = EvtxWriter::new();
    for event in events {
        writer.push(event)?;
    }
    writer.finish()
}

/// The file Windows keeps for a channel without records (created and never written, or
/// cleared): the file header (format 3.2, one chunk, next record id 1) and one chunk
/// whose header says "no records" (first record number 1, last record number and ids
/// all ones, free space at 512), header values as in real `winevt\Logs` folders.
pub fn empty_evtx() -> Vec<u8> {
    let mut out = Vec::with_capacity(FILE_HEADER_SIZE + CHUNK_SIZE);
    out.extend_from_slice(&file_header(1, 1, 2));
    let mut chunk = vec![0u8; CHUNK_SIZE];
    chunk[0..8].copy_from_slice(b"ElfChnk\0");
    chunk[8..16].copy_from_slice(&1u64.to_le_bytes()); // first event record number
    chunk[16..24].copy_from_slice(&u64::MAX.to_le_bytes()); // last event record number
    chunk[24..32].copy_from_slice(&u64::MAX.to_le_bytes()); // first event record id
    chunk[32..40].copy_from_slice(&u64::MAX.to_le_bytes()); // last event record id
    chunk[40..44].copy_from_slice(&128u32.to_le_bytes()); // header size
    chunk[48..52].copy_from_slice(&(CHUNK_HEADER_SIZE as u32).to_le_bytes()); // free space
    chunk[120..124].copy_from_slice(&1u32.to_le_bytes()); // flags
    let mut crc = Crc32::new();
    crc.update(&chunk[..120]);
    crc.update(&chunk[128..CHUNK_HEADER_SIZE]);
    chunk[124..128].copy_from_slice(&crc.finish().to_le_bytes());
    out.extend_from_slice(&chunk);
    out
}

/// Writes an `.evtx` file event by event (for logs too large to hold as a list of
/// events first). The bytes are those [`try_write_evtx`] gives for the same events.
pub struct EvtxWriter {
    /// The file so far: a placeholder file header, then the finished chunks.
    out: Vec<u8>,
    chunk: ChunkBuilder,
    chunks: usize,
    /// Records in the finished chunks.
    chunks_records: u64,
    previous: Option<u64>,
    scratch: Scratch,
}

impl Default for EvtxWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl EvtxWriter {
    /// A writer without events.
    pub fn new() -> Self {
        EvtxWriter {
            out: vec![0; FILE_HEADER_SIZE],
            chunk: ChunkBuilder::new(),
            chunks: 0,
            chunks_records: 0,
            previous: None,
            scratch: Scratch::default(),
        }
    }

    /// A writer whose output buffer starts with room for `bytes` bytes (saves the
    /// copies of a growing buffer when the size of the file is roughly known).
    pub fn with_capacity(bytes: usize) -> Self {
        let mut writer = EvtxWriter::new();
        writer.out.reserve(bytes.saturating_sub(FILE_HEADER_SIZE));
        writer
    }

    /// Number of events written so far.
    pub fn records(&self) -> u64 {
        self.chunks_records + self.chunk.records as u64
    }

    /// Appends one event; its record id must be greater than the previous one's.
    pub fn push(&mut self, event: &Event) -> Result<(), EvtxWriteError> {
        if let Some(previous) = self.previous.filter(|p| event.record_id <= *p) {
            return Err(EvtxWriteError::RecordIdsNotIncreasing {
                previous,
                record_id: event.record_id,
            });
        }
        if !self.chunk.try_push(event, &mut self.scratch)? {
            self.chunks_records += self.chunk.records as u64;
            self.chunk.finish_into(&mut self.out);
            self.chunks += 1;
            if !self.chunk.try_push(event, &mut self.scratch)? {
                return Err(EvtxWriteError::RecordTooLarge {
                    record_id: event.record_id,
                    size: self.chunk.last_attempt,
                });
            }
        }
        self.previous = Some(event.record_id);
        Ok(())
    }

    /// The file's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, EvtxWriteError> {
        if self.chunk.records > 0 {
            self.chunk.finish_into(&mut self.out);
            self.chunks += 1;
        }
        if self.chunks == 0 {
            return Ok(empty_evtx());
        }
        let chunk_count = u16::try_from(self.chunks).map_err(|_| EvtxWriteError::TooManyChunks)?;
        let next_record_id = self.previous.map_or(1, |id| id + 1);
        self.out[..FILE_HEADER_SIZE].copy_from_slice(&file_header(chunk_count, next_record_id, 1));
        Ok(self.out)
    }
}

/// The 4 KiB file header block (format version 3.`minor`).
fn file_header(chunk_count: u16, next_record_id: u64, minor: u16) -> Vec<u8> {
    let mut h = vec![0u8; FILE_HEADER_SIZE];
    h[0..8].copy_from_slice(b"ElfFile\0");
    let last_chunk = u64::from(chunk_count.saturating_sub(1));
    h[8..16].copy_from_slice(&0u64.to_le_bytes()); // first (oldest) chunk
    h[16..24].copy_from_slice(&last_chunk.to_le_bytes()); // last (current) chunk
    h[24..32].copy_from_slice(&next_record_id.to_le_bytes());
    h[32..36].copy_from_slice(&128u32.to_le_bytes()); // header size
    h[36..38].copy_from_slice(&minor.to_le_bytes()); // minor version
    h[38..40].copy_from_slice(&3u16.to_le_bytes()); // major version
    h[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
    h[42..44].copy_from_slice(&chunk_count.to_le_bytes());
    h[120..124].copy_from_slice(&0u32.to_le_bytes()); // flags: clean
    let checksum = crc32(&h[..120]);
    h[124..128].copy_from_slice(&checksum.to_le_bytes());
    h
}

/// One chunk being filled.
struct ChunkBuilder {
    data: Vec<u8>,
    state: ChunkState,
    free: usize,
    last_record_offset: usize,
    first_id: u64,
    last_id: u64,
    records: usize,
    /// Size of the last record that did not fit, for the error message.
    last_attempt: usize,
}

impl ChunkBuilder {
    fn new() -> Self {
        ChunkBuilder {
            data: vec![0u8; CHUNK_SIZE],
            ..ChunkBuilder::empty()
        }
    }

    /// The state of a chunk without records (and without a buffer).
    fn empty() -> Self {
        ChunkBuilder {
            data: Vec::new(),
            state: ChunkState::default(),
            free: CHUNK_HEADER_SIZE,
            last_record_offset: 0,
            first_id: 0,
            last_id: 0,
            records: 0,
            last_attempt: 0,
        }
    }

    /// Appends the record if it fits; `Ok(false)` when the chunk is full.
    fn try_push(&mut self, event: &Event, scratch: &mut Scratch) -> Result<bool, EvtxWriteError> {
        let offset = self.free;
        let base = u32::try_from(offset + RECORD_HEADER_SIZE).map_err(|_| EvtxWriteError::Internal("offset"))?;
        // Template already in the chunk: only values, the chunk state does not change.
        // Otherwise the template definition (and maybe names) go in, on a copy of the
        // state kept only when the record fits.
        let mut new_state = None;
        let xml: &[u8] = if encode_known(event, &self.state, scratch)? {
            &scratch.out
        } else {
            let mut state = self.state.clone();
            scratch.out = encode_event(event, base, &mut state)?;
            new_state = Some(state);
            &scratch.out
        };
        // Records are 8-byte aligned; the padding sits between the BinXML and the size copy.
        let size = (RECORD_HEADER_SIZE + xml.len() + 4).next_multiple_of(8);
        if offset + size > CHUNK_SIZE {
            self.last_attempt = size;
            return Ok(false);
        }
        let time = binxml::filetime(&event.time).ok_or(EvtxWriteError::TimeOutOfRange {
            record_id: event.record_id,
        })?;
        let rec = &mut self.data[offset..offset + size];
        rec[0..4].copy_from_slice(&[0x2a, 0x2a, 0, 0]);
        rec[4..8].copy_from_slice(&(size as u32).to_le_bytes());
        rec[8..16].copy_from_slice(&event.record_id.to_le_bytes());
        rec[16..24].copy_from_slice(&time.to_le_bytes());
        rec[24..24 + xml.len()].copy_from_slice(xml);
        rec[size - 4..].copy_from_slice(&(size as u32).to_le_bytes());
        if let Some(state) = new_state {
            self.state = state;
        }
        if self.records == 0 {
            self.first_id = event.record_id;
        }
        self.last_id = event.record_id;
        self.last_record_offset = offset;
        self.free = offset + size;
        self.records += 1;
        Ok(true)
    }

    /// Fills in the chunk header and its checksums, appends the chunk to `out` and
    /// starts a new, empty chunk in the same buffer.
    fn finish_into(&mut self, out: &mut Vec<u8>) {
        let d = &mut self.data;
        d[0..8].copy_from_slice(b"ElfChnk\0");
        d[8..16].copy_from_slice(&self.first_id.to_le_bytes()); // first event record number
        d[16..24].copy_from_slice(&self.last_id.to_le_bytes()); // last event record number
        d[24..32].copy_from_slice(&self.first_id.to_le_bytes()); // first event record id
        d[32..40].copy_from_slice(&self.last_id.to_le_bytes()); // last event record id
        d[40..44].copy_from_slice(&128u32.to_le_bytes()); // header size
        d[44..48].copy_from_slice(&(self.last_record_offset as u32).to_le_bytes());
        d[48..52].copy_from_slice(&(self.free as u32).to_le_bytes());
        let events_crc = crc32(&d[CHUNK_HEADER_SIZE..self.free]);
        d[52..56].copy_from_slice(&events_crc.to_le_bytes());
        d[120..124].copy_from_slice(&0u32.to_le_bytes()); // flags
        for (i, offset) in self.state.string_buckets.iter().enumerate() {
            d[128 + 4 * i..132 + 4 * i].copy_from_slice(&offset.to_le_bytes());
        }
        for (i, offset) in self.state.template_buckets.iter().enumerate() {
            d[384 + 4 * i..388 + 4 * i].copy_from_slice(&offset.to_le_bytes());
        }
        let mut crc = Crc32::new();
        crc.update(&d[..120]);
        crc.update(&d[128..CHUNK_HEADER_SIZE]);
        d[124..128].copy_from_slice(&crc.finish().to_le_bytes());
        out.extend_from_slice(d);
        d.fill(0);
        let data = std::mem::take(&mut self.data);
        *self = ChunkBuilder {
            data,
            ..ChunkBuilder::empty()
        };
    }
}
