//! Reading records out of the ring: the live range (from the oldest record to the
//! end-of-file record, following the record lengths) and the recovery scan of the
//! free space (signature search with length checks).

use memchr::memmem;

use super::eof::{parse_eof_record, EOF_RECORD_SIZE};
use super::header::SIGNATURE;
use super::record::{parse_record_checked, EvtRecord, MIN_RECORD_SIZE};
use super::ring::Ring;
use crate::ParseError;

/// Padding value Windows writes at the end of the ring when a record does not fit.
const WRAP_PADDING: u32 = 0x27;

/// What was found at one position of the ring.
enum Found<'a> {
    Record(EvtRecord<'a>),
    Eof,
    Bad(ParseError),
}

fn offset_error(pos: usize, message: String) -> ParseError {
    ParseError::Offset {
        offset: pos as u64,
        message,
    }
}

/// Decodes the record (or end-of-file record) starting at `pos`.
fn record_at<'a>(ring: &Ring<'a>, pos: usize, check_trailer: bool) -> Found<'a> {
    if ring
        .read(pos, EOF_RECORD_SIZE)
        .is_some_and(|b| parse_eof_record(&b, 0).is_some())
    {
        return Found::Eof;
    }
    let Some(length) = ring.u32_at(pos) else {
        return Found::Bad(offset_error(
            pos,
            "record beyond the end of the file (truncated)".into(),
        ));
    };
    let length = length as usize;
    if length < MIN_RECORD_SIZE || length > ring.size() {
        return Found::Bad(offset_error(pos, format!("implausible record length {length:#x}")));
    }
    let Some(bytes) = ring.read(pos, length) else {
        return Found::Bad(offset_error(
            pos,
            format!("record of {length:#x} bytes runs beyond the end of the file (truncated)"),
        ));
    };
    let offset = u32::try_from(pos).unwrap_or(u32::MAX);
    let parsed = match bytes {
        std::borrow::Cow::Borrowed(slice) => parse_record_checked(slice, offset, check_trailer),
        std::borrow::Cow::Owned(vec) => parse_record_checked(&vec, offset, check_trailer).map(EvtRecord::into_owned),
    };
    match parsed {
        Ok(record) => Found::Record(record),
        Err(error) => Found::Bad(error),
    }
}

/// True if the bytes from `pos` to the wrap point cannot start a record: too few for
/// the length field (a record may otherwise be split anywhere, even inside its fixed
/// part), or filled with the 0x27 wrap padding.
fn is_wrap_padding(ring: &Ring<'_>, pos: usize) -> bool {
    let left = ring.end() - pos;
    if left < 4 {
        return true;
    }
    ring.input()
        .get(pos..ring.end())
        .is_some_and(|tail| tail.chunks(4).all(|w| w == &WRAP_PADDING.to_le_bytes()[..w.len()]))
}

/// The next position after `pos` (ring order, within `limit` bytes of it) where a
/// valid record starts.
fn resync<'a>(ring: &Ring<'a>, pos: usize, limit: usize) -> Option<(usize, EvtRecord<'a>)> {
    let search_from = ring.advance(pos, 1);
    for (a, b) in ring.pieces(search_from, limit.saturating_sub(1)) {
        let hay_end = (b + 4).min(ring.input().len());
        let Some(hay) = ring.input().get(a + 4..hay_end) else {
            continue;
        };
        for hit in memmem::find_iter(hay, SIGNATURE) {
            let candidate = a + hit;
            if let Found::Record(record) = record_at(ring, candidate, true) {
                return Some((candidate, record));
            }
        }
    }
    None
}

/// Result of reading the live range.
pub(super) struct LiveRecords<'a> {
    /// Readable records in ring order.
    pub records: Vec<EvtRecord<'a>>,
    /// Damaged records (or damaged regions) skipped.
    pub unreadable: u64,
    /// What was damaged where.
    pub problems: Vec<ParseError>,
}

/// Reads the live records from `begin` for `span` bytes (ring order), stopping early
/// at an end-of-file record. Damaged records are skipped by searching the next valid one.
pub(super) fn read_live<'a>(ring: &Ring<'a>, begin: usize, span: usize) -> LiveRecords<'a> {
    let mut live = LiveRecords {
        records: Vec::new(),
        unreadable: 0,
        problems: Vec::new(),
    };
    let mut pos = begin;
    let mut walked = 0usize;
    while walked < span {
        if is_wrap_padding(ring, pos) {
            walked += ring.end() - pos;
            pos = ring.start();
            continue;
        }
        match record_at(ring, pos, true) {
            Found::Eof => break,
            Found::Record(record) => {
                let length = record.length as usize;
                live.records.push(record);
                walked += length;
                pos = ring.advance(pos, length);
            }
            Found::Bad(error) => {
                live.unreadable += 1;
                live.problems.push(error);
                let left = span - walked;
                match resync(ring, pos, left) {
                    Some((next, record)) => {
                        let skipped = ring.distance(pos, next);
                        live.problems.push(offset_error(
                            pos,
                            format!("{skipped:#x} unreadable bytes skipped, reading resumes at {next:#x}"),
                        ));
                        let length = record.length as usize;
                        live.records.push(record);
                        walked += skipped + length;
                        pos = ring.advance(next, length);
                    }
                    None => {
                        live.problems.push(offset_error(
                            pos,
                            format!("no readable record in the remaining {left:#x} bytes of the live range"),
                        ));
                        break;
                    }
                }
            }
        }
    }
    live
}

/// Records recovered from the `len` bytes of free space starting at `begin` (ring
/// order): every `LfLe` signature preceded by a plausible length whose record decodes
/// with a matching trailing length copy.
pub(super) fn recover<'a>(ring: &Ring<'a>, begin: usize, len: usize) -> Vec<EvtRecord<'a>> {
    let mut found = Vec::new();
    let mut covered = 0usize;
    let mut before = 0usize;
    for (a, b) in ring.pieces(begin, len) {
        let hay_end = (b + 4).min(ring.input().len());
        if let Some(hay) = ring.input().get(a + 4..hay_end) {
            for hit in memmem::find_iter(hay, SIGNATURE) {
                let candidate = a + hit;
                let distance = before + hit;
                if distance < covered {
                    continue;
                }
                if let Found::Record(record) = record_at(ring, candidate, false) {
                    covered = distance + record.length as usize;
                    found.push(record);
                }
            }
        }
        before += b - a;
    }
    found
}
