//! Windows XML event logs (`.evtx`): an adapter over the `evtx` crate that produces
//! normalized [`Event`]s and says what could not be read ([`LogIntegrity`]).
//!
//! How it reads a file (all from the caller's bytes, no I/O, no threads):
//! - The file header and the 64 KiB chunks are walked here, oldest chunk first (a full
//!   log wraps around), so that every damage has a position: a truncated or unreadable
//!   chunk, a record header that does not fit, fewer records than the chunk header
//!   declares (the `evtx` crate skips such records silently), a file header whose next
//!   record id is past the last record found, CRC32 mismatches.
//! - A chunk whose header says it holds no record (first/last event record id all ones,
//!   free space at 512: a channel created and never written, or cleared) is neither read
//!   nor damage; a log of only such chunks is [`LogState::Empty`](crate::event::LogState)
//!   ([`LogIntegrity::state`]) and counted in [`LogStats::empty_chunks`]. Any other
//!   unreadable chunk header stays damage.
//! - Records are decoded by the fast path (`binxml`): System fields and EventData are
//!   read from the template instance without rendering. The `evtx` crate renders (to XML,
//!   then mapped by the same code that reads XML exports) the few records the fast path
//!   does not handle; [`EvtxOptions::fast`] = false renders every record that way.
//! - An event's [`Event::record_id`] is its rendered `System/EventRecordID`, the number
//!   Event Viewer, wevtutil, Chainsaw and Hayabusa show. It is the record header's id,
//!   except in a log of forwarded events (WEC), where it is the id in the source log;
//!   record-id continuity ([`LogIntegrity::record_id_gaps`]) and the positions in
//!   [`LogIntegrity::problems`] use the record header's ids, this log's own numbering.
//! - A filter on (provider, event id) decides which records become [`Event`]s; every
//!   record is still counted and contributes to the time span, channels and computers.
//!
//! Threads: none here. The analyzer runs files in parallel with rayon; the crate's own
//! chunk pipeline (its `num_threads`, rayon inside) is not used, and the settings given to
//! the crate are pinned to one thread. Splitting one big file across cores is not done
//! (decided, not forgotten): the fast path reads the 16.8 MB StolenSzechuan System.evtx
//! in about 20 ms for the rule events and 60 ms for every event on one core (see
//! `benches/evtx.rs`), less than reading the file from disk costs, so a second level of
//! parallelism would add the nesting risk for little gain. Were it needed, chunks are
//! independent: the walk below could hand chunk ranges to workers and concatenate.

mod binxml;
mod slow;
mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use evtx::{checksum_ieee, EvtxChunkHeader, EvtxFileHeader};
use serde::Serialize;

use crate::event::{ComputerSpan, Event, Level, LogIntegrity};
use crate::ParseError;
use binxml::{ChunkDecoder, Field, Header};
use slow::Rendered;
use walk::{declared_raw, is_no_records_header, ChunkWalk, CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_SIZE};

/// Which records become events: `(provider, event id) -> keep`.
pub type EventFilter<'f> = &'f (dyn Fn(&str, u16) -> bool + Sync);

/// How to read an EVTX file.
#[derive(Clone, Copy)]
pub struct EvtxOptions<'f> {
    /// Only records accepted by the filter are returned as events (with their EventData);
    /// `None` returns all. Every record is counted either way.
    pub filter: Option<EventFilter<'f>>,
    /// Decode records straight from BinXML (default). `false` renders every record to XML
    /// with the `evtx` crate first: slower, kept as the reference for tests.
    pub fast: bool,
}

impl Default for EvtxOptions<'_> {
    fn default() -> Self {
        EvtxOptions {
            filter: None,
            fast: true,
        }
    }
}

impl std::fmt::Debug for EvtxOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvtxOptions")
            .field("filter", &self.filter.is_some())
            .field("fast", &self.fast)
            .finish()
    }
}

/// What the whole log holds, over every readable record (filtered out or not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LogStats {
    /// Time of the oldest and newest record (TimeCreated).
    pub first_time: Option<DateTime<Utc>>,
    /// Time of the newest record.
    pub last_time: Option<DateTime<Utc>>,
    /// Channels named by the records (normally one).
    pub channels: BTreeSet<String>,
    /// Computers named by the records.
    pub computers: BTreeSet<String>,
    /// Per computer name: how many records carry it and when the first and last of them
    /// were written. A machine renamed after installation writes the old name up to the
    /// rename and the new name after it: host identity reads that from here.
    pub computer_spans: BTreeMap<String, ComputerSpan>,
    /// Chunks with records that were looked at.
    pub chunks: u64,
    /// Chunks whose header says they hold no record (see [`LogState::Empty`]): not
    /// damage, not counted in `chunks`. A log with only such chunks is empty.
    ///
    /// [`LogState::Empty`]: crate::event::LogState::Empty
    pub empty_chunks: u64,
    /// The file header's next record id (0 when the header is missing).
    pub header_next_record_id: u64,
    /// Records that needed the `evtx` crate's XML rendering.
    pub rendered_records: u64,
}

/// A [`ComputerSpan`] with FILETIMEs, kept raw on the hot path.
#[derive(Debug, Clone, Copy, Default)]
struct RawSpan {
    records: u64,
    span: (u64, u64),
    ids: (u64, u64),
}

impl LogStats {
    /// Adds a record's channel, computer and time (the time also goes to [`TimeSpan`]).
    fn add_names(
        &mut self,
        channel: &str,
        computer: &str,
        (filetime, id): (u64, u64),
        spans: &mut BTreeMap<String, RawSpan>,
    ) {
        if !channel.is_empty() && !self.channels.contains(channel) {
            self.channels.insert(channel.to_string());
        }
        if computer.is_empty() {
            return;
        }
        match spans.get_mut(computer) {
            Some(s) => {
                s.records += 1;
                s.span = (s.span.0.min(filetime), s.span.1.max(filetime));
                s.ids = (s.ids.0.min(id), s.ids.1.max(id));
            }
            None => {
                self.computers.insert(computer.to_string());
                spans.insert(
                    computer.to_string(),
                    RawSpan {
                        records: 1,
                        span: (filetime, filetime),
                        ids: (id, id),
                    },
                );
            }
        }
    }
}

/// Oldest and newest TimeCreated as FILETIME, kept raw on the hot path.
#[derive(Default)]
struct TimeSpan {
    first: Option<u64>,
    last: Option<u64>,
}

impl TimeSpan {
    fn add(&mut self, ft: u64) {
        self.first = Some(self.first.map_or(ft, |f| f.min(ft)));
        self.last = Some(self.last.map_or(ft, |l| l.max(ft)));
    }
}

/// The result of reading one EVTX file.
#[derive(Debug, Clone, Default)]
pub struct EvtxLog {
    /// The events kept by the filter, in record order (oldest chunk first).
    pub events: Vec<Event>,
    /// Readable/unreadable counts, record-id gaps and damage found.
    pub integrity: LogIntegrity,
    /// Time span, channels and computers of all readable records.
    pub stats: LogStats,
}

/// Reads an EVTX file. `Err` only when the input is not an EVTX file at all; damage
/// (truncation, bad chunks, bad records) ends up in [`EvtxLog::integrity`], and the
/// readable records are returned anyway.
pub fn parse_evtx(input: &[u8], options: &EvtxOptions<'_>) -> Result<EvtxLog, ParseError> {
    if !input.starts_with(b"ElfFile\0") {
        return Err(ParseError::WrongFormat {
            expected: "EVTX",
            reason: "no ElfFile signature".into(),
        });
    }
    let mut reader = Reader {
        log: EvtxLog::default(),
        options,
        ids: Vec::new(),
        scratch: Scratch::default(),
        span: TimeSpan::default(),
        computer_spans: BTreeMap::new(),
    };
    if input.len() < FILE_HEADER_SIZE {
        reader.problem(ParseError::Offset {
            offset: input.len() as u64,
            message: format!(
                "file header truncated: {} of {FILE_HEADER_SIZE} bytes, no records",
                input.len()
            ),
        });
        return Ok(reader.log);
    }
    let header = match EvtxFileHeader::from_bytes(input) {
        Ok(header) => header,
        Err(err) => {
            reader.problem(ParseError::Offset {
                offset: 0,
                message: format!("unreadable file header: {err}"),
            });
            return Ok(reader.log);
        }
    };
    if !header.validate_checksum() {
        reader.problem(ParseError::Offset {
            offset: 0,
            message: "file header CRC32 mismatch (header damaged or not flushed)".into(),
        });
    }
    reader.log.stats.header_next_record_id = header.next_record_id;
    let body = &input[FILE_HEADER_SIZE..];
    let count = body.len().div_ceil(CHUNK_SIZE);
    if count < usize::from(header.chunk_count) {
        reader.problem(ParseError::Offset {
            offset: input.len() as u64,
            message: format!(
                "file truncated: the header declares {} chunks, the file holds {} whole chunks and {} bytes",
                header.chunk_count,
                body.len() / CHUNK_SIZE,
                body.len() % CHUNK_SIZE
            ),
        });
    }
    for number in chunk_order(body, count) {
        let start = number * CHUNK_SIZE;
        let bytes = &body[start..(start + CHUNK_SIZE).min(body.len())];
        reader.chunk(bytes, number as u64);
    }
    reader.finish(&header);
    Ok(reader.log)
}

/// Chunk numbers in record order: from the chunk with the oldest records to the end of
/// the file, then from the start (a full log overwrites its oldest chunk).
fn chunk_order(body: &[u8], count: usize) -> Vec<usize> {
    let mut oldest = (u64::MAX, 0);
    for number in 0..count {
        let start = number * CHUNK_SIZE;
        let Some(head) = body.get(start..start + CHUNK_HEADER_SIZE) else {
            continue;
        };
        if let Ok(h) = EvtxChunkHeader::from_bytes(head) {
            if h.first_event_record_id <= h.last_event_record_id && h.first_event_record_id < oldest.0 {
                oldest = (h.first_event_record_id, number);
            }
        }
    }
    (oldest.1..count).chain(0..oldest.1).collect()
}

/// A record waiting for the slow path.
struct Pending {
    /// Index of its slot in the chunk's events.
    slot: usize,
    /// The event without its EventData, when the fast path read the System fields (it is
    /// then already counted).
    system: Option<Event>,
}

struct Reader<'o, 'f> {
    log: EvtxLog,
    options: &'o EvtxOptions<'f>,
    /// Record ids of the readable records, for gap detection.
    ids: Vec<u64>,
    /// Text fields of the current record, reused from record to record.
    scratch: Scratch,
    /// Time span of the readable records.
    span: TimeSpan,
    /// Records per computer name, with FILETIMEs (into [`LogStats::computer_spans`]).
    computer_spans: BTreeMap<String, RawSpan>,
}

#[derive(Default)]
struct Scratch {
    provider: String,
    channel: String,
    computer: String,
}

impl Reader<'_, '_> {
    fn problem(&mut self, problem: ParseError) {
        self.log.integrity.problems.push(problem);
    }

    fn keep(&self, provider: &str, event_id: u16) -> bool {
        match self.options.filter {
            Some(filter) => filter(provider, event_id),
            None => true,
        }
    }

    /// Reads one chunk (`bytes` may be short when the file is truncated).
    fn chunk(&mut self, bytes: &[u8], number: u64) {
        let offset = (FILE_HEADER_SIZE as u64) + number * CHUNK_SIZE as u64;
        if bytes.iter().all(|b| *b == 0) {
            return;
        }
        if bytes.len() < CHUNK_SIZE {
            self.problem(ParseError::Offset {
                offset: offset + bytes.len() as u64,
                message: format!(
                    "chunk {number} truncated: {} of {CHUNK_SIZE} bytes (file cut short)",
                    bytes.len()
                ),
            });
        }
        let header = match bytes.get(..CHUNK_HEADER_SIZE).map(EvtxChunkHeader::from_bytes) {
            Some(Ok(header)) => header,
            other => {
                let why = match other {
                    Some(Err(err)) => err.to_string(),
                    _ => "chunk header incomplete".to_string(),
                };
                let declared = declared_raw(bytes);
                self.log.integrity.unreadable += declared;
                self.problem(ParseError::Offset {
                    offset,
                    message: format!("chunk {number}: unreadable chunk header ({why}); {declared} records lost"),
                });
                return;
            }
        };
        if bytes.len() == CHUNK_SIZE && !header.flags.contains(evtx::ChunkFlags::NO_CRC32) {
            self.check_crc(bytes, &header, number, offset);
        }
        if is_no_records_header(&header) {
            self.log.stats.empty_chunks += 1;
            return;
        }
        self.log.stats.chunks += 1;
        let mut walk = ChunkWalk::new(bytes, number, offset, &header);
        let mut events: Vec<Option<Event>> = Vec::new();
        let mut pending: HashMap<u64, Pending> = HashMap::new();
        let mut decoder = ChunkDecoder::new(bytes);
        while let Some(step) = walk.next_record() {
            let (id, start, end) = match step {
                Ok(record) => record,
                Err(problem) => {
                    self.log.integrity.unreadable += 1;
                    self.problem(problem);
                    continue;
                }
            };
            let header = if self.options.fast {
                decoder.system(start, end)
            } else {
                None
            };
            let event = header.and_then(|h| self.fast_event(&decoder, h, id));
            let Some((event, header)) = event else {
                pending.insert(
                    id,
                    Pending {
                        slot: events.len(),
                        system: None,
                    },
                );
                events.push(None);
                continue;
            };
            let Some(mut event) = event else { continue };
            match decoder.items(&header) {
                Some(data) => {
                    event.data = data;
                    events.push(Some(event));
                }
                None => {
                    pending.insert(
                        id,
                        Pending {
                            slot: events.len(),
                            system: Some(event),
                        },
                    );
                    events.push(None);
                }
            }
        }
        let found = walk.found;
        self.log.integrity.problems.append(&mut walk.warnings);
        if !pending.is_empty() {
            self.render_pending(bytes, number, pending, &mut events);
        }
        let declared = if header.last_event_record_id >= header.first_event_record_id {
            header.last_event_record_id - header.first_event_record_id + 1
        } else {
            0
        };
        if found < declared && declared <= (CHUNK_SIZE / 28) as u64 {
            self.log.integrity.unreadable += declared - found;
            self.problem(ParseError::Offset {
                offset,
                message: format!(
                    "chunk {number}: header declares records {}..={} ({declared}), {found} found; {} lost",
                    header.first_event_record_id,
                    header.last_event_record_id,
                    declared - found
                ),
            });
        }
        self.log.events.extend(events.into_iter().flatten());
    }

    /// Reads the System text fields of a record the fast path decoded, counts it and, when
    /// the filter keeps it, returns its event (without EventData yet). `None` = the text
    /// fields need the slow path (nothing counted yet).
    fn fast_event(&mut self, decoder: &ChunkDecoder<'_>, header: Header, id: u64) -> Option<(Option<Event>, Header)> {
        let s = &mut self.scratch;
        decoder.text(&header, Field::Provider, &mut s.provider)?;
        decoder.text(&header, Field::Channel, &mut s.channel)?;
        decoder.text(&header, Field::Computer, &mut s.computer)?;
        self.log.integrity.readable += 1;
        self.ids.push(id);
        self.span.add(header.filetime);
        self.log
            .stats
            .add_names(&s.channel, &s.computer, (header.filetime, id), &mut self.computer_spans);
        if !self.keep(&self.scratch.provider, header.event_id) {
            return Some((None, header));
        }
        let mut user = String::new();
        if decoder.text(&header, Field::UserSid, &mut user).is_none() {
            user.clear();
        }
        let s = &self.scratch;
        let event = Event {
            channel: s.channel.clone(),
            provider: s.provider.clone(),
            event_id: header.event_id,
            qualifiers: header.qualifiers,
            level: Level::from_evtx(header.level),
            record_id: header.event_record_id.unwrap_or(id),
            time: header.time(),
            computer: s.computer.clone(),
            user_sid: Some(user).filter(|u| !u.is_empty()),
            data: Vec::new(),
            recovered: false,
        };
        Some((Some(event), header))
    }

    fn check_crc(&mut self, bytes: &[u8], header: &EvtxChunkHeader, number: u64, offset: u64) {
        let mut head = Vec::with_capacity(CHUNK_HEADER_SIZE - 8);
        head.extend_from_slice(&bytes[..120]);
        head.extend_from_slice(&bytes[128..CHUNK_HEADER_SIZE]);
        if checksum_ieee(&head) != header.header_chunk_checksum {
            self.problem(ParseError::Offset {
                offset,
                message: format!("chunk {number}: chunk header CRC32 mismatch"),
            });
        }
        let free = header.free_space_offset as usize;
        match bytes.get(CHUNK_HEADER_SIZE..free) {
            Some(records) if checksum_ieee(records) == header.events_checksum => {}
            _ => self.problem(ParseError::Offset {
                offset,
                message: format!("chunk {number}: records CRC32 mismatch (records damaged or not flushed)"),
            }),
        }
    }

    /// Renders the pending records of a chunk with the `evtx` crate and fills their slots.
    fn render_pending(
        &mut self,
        bytes: &[u8],
        number: u64,
        mut pending: HashMap<u64, Pending>,
        events: &mut [Option<Event>],
    ) {
        let wanted: HashMap<u64, usize> = pending.iter().map(|(id, p)| (*id, p.slot)).collect();
        let rendered = match slow::render_chunk(bytes, number, Some(&wanted)) {
            Ok(rendered) => rendered,
            Err(err) => vec![(u64::MAX, Rendered::Failed(err))],
        };
        let mut last_error = None;
        for (id, outcome) in rendered {
            let Some(p) = pending.remove(&id) else {
                if let Rendered::Failed(err) = outcome {
                    last_error = Some(err);
                }
                continue;
            };
            self.log.stats.rendered_records += 1;
            match outcome {
                Rendered::Event(event, note) => {
                    if let Some(note) = note {
                        self.problem(ParseError::Record {
                            record: id,
                            message: note,
                        });
                    }
                    if p.system.is_none() {
                        self.log.integrity.readable += 1;
                        self.ids.push(id);
                        let filetime = binxml::utc_to_filetime(event.time);
                        self.span.add(filetime);
                        self.log.stats.add_names(
                            &event.channel,
                            &event.computer,
                            (filetime, id),
                            &mut self.computer_spans,
                        );
                        if !self.keep(&event.provider, event.event_id) {
                            continue;
                        }
                    }
                    events[p.slot] = Some(*event);
                }
                Rendered::Failed(err) => self.pending_failed(id, p, err, events),
            }
        }
        let mut rest: Vec<(u64, Pending)> = pending.into_iter().collect();
        rest.sort_unstable_by_key(|(id, _)| *id);
        for (id, p) in rest {
            let why = last_error
                .clone()
                .unwrap_or_else(|| "not returned by the evtx crate".into());
            self.pending_failed(id, p, why, events);
        }
    }

    fn pending_failed(&mut self, id: u64, p: Pending, why: String, events: &mut [Option<Event>]) {
        match p.system {
            Some(event) => {
                self.problem(ParseError::Record {
                    record: id,
                    message: format!("EventData not readable: {why}"),
                });
                events[p.slot] = Some(event);
            }
            None => {
                self.log.integrity.unreadable += 1;
                self.problem(ParseError::Record {
                    record: id,
                    message: format!("unreadable record: {why}"),
                });
            }
        }
    }

    fn finish(&mut self, header: &EvtxFileHeader) {
        self.log.stats.first_time = self.span.first.and_then(binxml::filetime_to_utc);
        self.log.stats.last_time = self.span.last.and_then(binxml::filetime_to_utc);
        self.log.stats.computer_spans = std::mem::take(&mut self.computer_spans)
            .into_iter()
            .map(|(name, raw)| {
                let span = ComputerSpan {
                    records: raw.records,
                    first: binxml::filetime_to_utc(raw.span.0),
                    last: binxml::filetime_to_utc(raw.span.1),
                    first_record: raw.ids.0,
                    last_record: raw.ids.1,
                };
                (name, span)
            })
            .collect();
        let last = self.ids.iter().copied().max();
        if let Some(last) = last {
            if header.next_record_id > last + 1 {
                self.problem(ParseError::File(format!(
                    "file header says the next record id is {}, the last readable record is {last}: \
                     records {}..={} are missing",
                    header.next_record_id,
                    last + 1,
                    header.next_record_id - 1
                )));
            }
        }
        let ids = std::mem::take(&mut self.ids);
        self.log.integrity.detect_gaps(ids);
    }
}
