//! Legacy Windows NT/2000/XP/2003 event logs (`.evt`, magic `LfLe`).
//!
//! A `.evt` file is a 0x30-byte header followed by a circular buffer of
//! EVENTLOGRECORDs that ends at the file's maximum size and wraps back to offset 0x30.
//! The live records run from the header's `StartOffset` to the end-of-file record
//! (which also holds the current offsets when the header is stale, flag "dirty"); a
//! record may be split across the wrap point. The free space between the end-of-file
//! record and the oldest live record often still holds older records: they are
//! recovered by a signature scan and flagged `recovered`.
//!
//! Entry points: [`parse_evt`] (raw records) and [`read_events`] (normalized events).

pub mod eof;
pub mod header;
pub mod record;
pub mod ring;
pub mod sid;
mod walk;

use serde::Serialize;

pub use eof::{find_eof_record, EofRecord};
pub use header::{parse_header, EvtHeader, HEADER_SIZE};
pub use record::{parse_record, EvtRecord};

use crate::event::{Event, LogIntegrity};
use crate::ParseError;
use eof::EOF_RECORD_SIZE;
use ring::Ring;

/// Everything read from one `.evt` file.
#[derive(Debug, Clone, Serialize)]
pub struct EvtLog<'a> {
    /// The file header; `None` when it is damaged (records are then found by scanning).
    pub header: Option<EvtHeader>,
    /// The end-of-file record, when found.
    pub eof: Option<EofRecord>,
    /// Live records, oldest first (file order from the start offset, across the wrap).
    pub records: Vec<EvtRecord<'a>>,
    /// Records recovered from the free space outside the live range, in file order.
    pub recovered: Vec<EvtRecord<'a>>,
    /// Counts, record-number gaps of the live records and the damage found.
    pub integrity: LogIntegrity,
}

/// Header facts worth reporting, taken from the end-of-file record when the header
/// is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvtFacts {
    /// The log has wrapped around (older records were overwritten).
    pub wrapped: bool,
    /// The log was not closed cleanly (e.g. a crash or an unexpected shutdown).
    pub dirty: bool,
    /// A write failed because the log was full.
    pub log_full: bool,
    /// Number of the oldest live record.
    pub oldest_record_number: u32,
    /// Number the next record would get (newest + 1).
    pub current_record_number: u32,
    /// Maximum file size in bytes.
    pub max_size: u32,
}

impl EvtLog<'_> {
    /// Flags and record numbers from the header (and the end-of-file record, which is
    /// current even when the header is dirty); `None` without a readable header.
    pub fn facts(&self) -> Option<EvtFacts> {
        let header = self.header?;
        let (oldest, current) = match self.eof {
            Some(eof) => (eof.oldest_record_number, eof.current_record_number),
            None => (header.oldest_record_number, header.current_record_number),
        };
        Some(EvtFacts {
            wrapped: header.is_wrapped(),
            dirty: header.is_dirty(),
            log_full: header.is_log_full(),
            oldest_record_number: oldest,
            current_record_number: current,
            max_size: header.max_size,
        })
    }
}

/// Normalized events of one `.evt` file (live first, then recovered).
#[derive(Debug, Clone, Serialize)]
pub struct EvtEvents {
    /// Header facts, `None` when the header is unreadable.
    pub facts: Option<EvtFacts>,
    /// Live events oldest first, then the recovered ones (`recovered` set).
    pub events: Vec<Event>,
    /// Counts, gaps and damage.
    pub integrity: LogIntegrity,
}

/// Reads a `.evt` file and normalizes its records; `channel` is the log name the
/// caller derives from the file name (`System` for SysEvent.Evt ...).
pub fn read_events(input: &[u8], channel: &str) -> EvtEvents {
    let log = parse_evt(input);
    let facts = log.facts();
    let events = log
        .records
        .into_iter()
        .map(|r| r.into_event(channel, false))
        .chain(log.recovered.into_iter().map(|r| r.into_event(channel, true)))
        .collect();
    EvtEvents {
        facts,
        events,
        integrity: log.integrity,
    }
}

/// Parses a `.evt` file. Never fails as a whole: a damaged header, truncation and
/// damaged records end up in `integrity.problems`, and whatever is readable is returned.
pub fn parse_evt(input: &[u8]) -> EvtLog<'_> {
    match parse_header(input) {
        Ok(header) => parse_with_header(input, header),
        Err(error) => parse_without_header(input, error),
    }
}

fn offset_problem(offset: usize, message: String) -> ParseError {
    ParseError::Offset {
        offset: offset as u64,
        message,
    }
}

fn parse_with_header(input: &[u8], header: EvtHeader) -> EvtLog<'_> {
    let mut problems = Vec::new();
    let max_size = header.max_size as usize;
    // A log grows in 64 KiB steps up to its maximum size and only then wraps: a file
    // shorter than the maximum is normal unless the log has wrapped.
    let ring_end = if max_size > input.len() {
        if header.is_wrapped() {
            problems.push(offset_problem(
                input.len(),
                format!("wrapped log ends before its maximum size {max_size:#x} (truncated)"),
            ));
        }
        max_size
    } else {
        input.len()
    };
    let ring = Ring::new(input, HEADER_SIZE, ring_end.max(HEADER_SIZE + 1));
    let eof = find_eof_record(input).filter(|eof| ring.contains(eof.offset as usize));
    let (begin, end) = match eof {
        Some(eof) => (eof.begin_record as usize, eof.offset as usize),
        None => {
            problems.push(ParseError::File(format!(
                "no end-of-file record; using the header's offsets {:#x}..{:#x}",
                header.start_offset, header.end_offset
            )));
            (header.start_offset as usize, header.end_offset as usize)
        }
    };
    let mut log = EvtLog {
        header: Some(header),
        eof,
        records: Vec::new(),
        recovered: Vec::new(),
        integrity: LogIntegrity::default(),
    };
    if !ring.contains(begin) || !ring.contains(end) {
        problems.push(offset_problem(
            begin,
            format!("live range {begin:#x}..{end:#x} outside the file's records area"),
        ));
        log.recovered = walk::recover(&ring, ring.start(), ring.size());
    } else {
        let span = ring.distance(begin, end);
        let live = walk::read_live(&ring, begin, span);
        log.records = live.records;
        log.integrity.unreadable = live.unreadable;
        problems.extend(live.problems);
        let free_start = ring.advance(end, EOF_RECORD_SIZE);
        let free_len = ring.size().saturating_sub(span + EOF_RECORD_SIZE);
        log.recovered = walk::recover(&ring, free_start, free_len);
    }
    check_record_numbers(&log, &mut problems);
    finish(log, problems)
}

/// Compares the live record numbers with the oldest/current numbers the log declares.
fn check_record_numbers(log: &EvtLog<'_>, problems: &mut Vec<ParseError>) {
    let Some(facts) = log.facts() else { return };
    let (Some(first), Some(last)) = (log.records.first(), log.records.last()) else {
        if facts.current_record_number > facts.oldest_record_number {
            problems.push(ParseError::File(format!(
                "no live record readable, the log declares records {}..{}",
                facts.oldest_record_number,
                facts.current_record_number - 1
            )));
        }
        return;
    };
    if first.record_number != facts.oldest_record_number {
        problems.push(ParseError::Record {
            record: u64::from(first.record_number),
            message: format!(
                "first live record, the log declares {} as oldest",
                facts.oldest_record_number
            ),
        });
    }
    let expected_last = facts.current_record_number.wrapping_sub(1);
    if last.record_number != expected_last {
        problems.push(ParseError::Record {
            record: u64::from(last.record_number),
            message: format!("last live record, the log declares {expected_last} as newest"),
        });
    }
}

fn parse_without_header(input: &[u8], error: ParseError) -> EvtLog<'_> {
    let mut problems = vec![error];
    // The first 0x30 bytes are a (damaged) header: the records area starts after it,
    // so that a record split at the wrap point is still reassembled.
    let start = HEADER_SIZE.min(input.len());
    let ring = Ring::new(input, start, input.len().max(start + 1));
    let records = walk::recover(&ring, start, ring.size());
    if !records.is_empty() {
        problems.push(ParseError::File(format!(
            "header unreadable: {} records found by scanning the whole file",
            records.len()
        )));
    }
    let log = EvtLog {
        header: None,
        eof: find_eof_record(input),
        records,
        recovered: Vec::new(),
        integrity: LogIntegrity::default(),
    };
    finish(log, problems)
}

fn finish(mut log: EvtLog<'_>, problems: Vec<ParseError>) -> EvtLog<'_> {
    log.integrity.readable = (log.records.len() + log.recovered.len()) as u64;
    log.integrity.recovered = log.recovered.len() as u64;
    log.integrity
        .detect_gaps(log.records.iter().map(|r| u64::from(r.record_number)).collect());
    log.integrity.problems = problems;
    log
}
