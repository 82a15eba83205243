//! Walks the record headers of one EVTX chunk: each record's id and BinXML window, or
//! the damage found (bad signature, impossible size), resynchronising on the next record.

use evtx::EvtxChunkHeader;

use crate::ParseError;

pub(super) const FILE_HEADER_SIZE: usize = 4096;
pub(super) const CHUNK_SIZE: usize = 65536;
pub(super) const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_MAGIC: &[u8; 4] = b"\x2a\x2a\x00\x00";
const RECORD_HEADER_SIZE: usize = 24;

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(o..o.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(d: &[u8], o: usize) -> Option<u64> {
    Some(u64::from_le_bytes(d.get(o..o.checked_add(8)?)?.try_into().ok()?))
}

/// True for the header of a chunk that holds no record, as Windows writes it for a
/// channel that was created and never written, or was cleared: first and last event
/// record id and last event record number all ones (`u64::MAX`), free space at 512 (right
/// after the header) and no last record offset. The bytes after 512 may still hold stale
/// records of the log before it was cleared; they are not records of the log (the
/// `evtx` crate and Event Viewer show none either).
pub(super) fn is_no_records_header(header: &EvtxChunkHeader) -> bool {
    header.first_event_record_id == u64::MAX
        && header.last_event_record_id == u64::MAX
        && header.last_event_record_number == u64::MAX
        && header.free_space_offset as usize == CHUNK_HEADER_SIZE
        && header.last_event_record_data_offset == 0
}

/// Number of records a chunk header declares, read without validating the header (its
/// magic may be the damaged part); 0 when the numbers are not plausible.
pub(super) fn declared_raw(bytes: &[u8]) -> u64 {
    match (u64_at(bytes, 24), u64_at(bytes, 32)) {
        (Some(first), Some(last)) if first >= 1 && last >= first && last - first < (CHUNK_SIZE / 28) as u64 => {
            last - first + 1
        }
        _ => 0,
    }
}

/// Walks the record headers of one chunk, resynchronising on the next record magic
/// after damage.
pub(super) struct ChunkWalk<'a> {
    bytes: &'a [u8],
    number: u64,
    offset: u64,
    pos: usize,
    end: usize,
    last_id: u64,
    done: bool,
    /// Records found (readable or not).
    pub(super) found: u64,
    /// Damage that did not stop a record from being read.
    pub(super) warnings: Vec<ParseError>,
}

impl<'a> ChunkWalk<'a> {
    pub(super) fn new(bytes: &'a [u8], number: u64, offset: u64, header: &EvtxChunkHeader) -> Self {
        let free = header.free_space_offset as usize;
        let end = if free < CHUNK_HEADER_SIZE {
            bytes.len()
        } else {
            free.min(bytes.len())
        };
        ChunkWalk {
            bytes,
            number,
            offset,
            pos: CHUNK_HEADER_SIZE,
            end,
            last_id: header.last_event_record_id,
            done: false,
            found: 0,
            warnings: Vec::new(),
        }
    }

    /// A record header at `pos` that is usable: magic and a size within the chunk (like
    /// the `evtx` crate, a wrong size copy at the record's end does not stop it from being
    /// read). Returns its size and whether the size copy matches.
    fn record_at(&self, pos: usize) -> Result<(usize, bool), String> {
        let b = self.bytes;
        if b.get(pos..pos + 4) != Some(RECORD_MAGIC.as_slice()) {
            return Err("no record signature".into());
        }
        let size = u32_at(b, pos + 4).unwrap_or(0) as usize;
        if size < RECORD_HEADER_SIZE + 4 {
            return Err(format!("record size {size} too small"));
        }
        if pos + size > b.len() {
            return Err(format!("record size {size} runs past the end of the chunk data"));
        }
        Ok((size, u32_at(b, pos + size - 4) == Some(size as u32)))
    }

    /// The next record that looks valid at or after `from`.
    fn resync(&self, from: usize) -> Option<usize> {
        let mut at = from;
        while at + RECORD_HEADER_SIZE <= self.end {
            let hit = memchr::memmem::find(&self.bytes[at..self.end], RECORD_MAGIC)?;
            let pos = at + hit;
            if self.record_at(pos).is_ok_and(|(_, copy_ok)| copy_ok) {
                return Some(pos);
            }
            at = pos + 1;
        }
        None
    }

    /// Next record: `Ok((id, binxml start, binxml end))`, or the damage found.
    pub(super) fn next_record(&mut self) -> Option<Result<(u64, usize, usize), ParseError>> {
        if self.done || self.pos + RECORD_HEADER_SIZE > self.end {
            return None;
        }
        let pos = self.pos;
        let b = self.bytes;
        if b.get(pos..pos + 4) == Some([0u8; 4].as_slice()) && self.resync(pos).is_none() {
            return None;
        }
        match self.record_at(pos) {
            Ok((size, copy_ok)) => {
                let id = u64_at(b, pos + 8).unwrap_or(0);
                self.found += 1;
                if !copy_ok {
                    self.warnings.push(ParseError::Record {
                        record: id,
                        message: format!(
                            "chunk {} offset {:#x}: record size {size} does not match the copy at its end \
                             (record damaged or partly overwritten); read anyway",
                            self.number,
                            self.offset + pos as u64
                        ),
                    });
                }
                self.pos = pos + size;
                if id == self.last_id {
                    self.done = true;
                }
                Some(Ok((id, pos + RECORD_HEADER_SIZE, pos + size - 4)))
            }
            Err(why) => {
                let id = u64_at(b, pos + 8).filter(|_| b.get(pos..pos + 4) == Some(RECORD_MAGIC.as_slice()));
                if id.is_some() {
                    self.found += 1;
                }
                match self.resync(pos + 1) {
                    Some(next) => self.pos = next,
                    None => self.done = true,
                }
                let skipped = if self.done { "" } else { "; skipped to the next record" };
                let at = self.offset + pos as u64;
                let number = self.number;
                Some(Err(match id {
                    Some(record) => ParseError::Record {
                        record,
                        message: format!("chunk {number} offset {at:#x}: {why}{skipped}"),
                    },
                    None => ParseError::Offset {
                        offset: at,
                        message: format!("chunk {number}: {why}{skipped}"),
                    },
                }))
            }
        }
    }
}
