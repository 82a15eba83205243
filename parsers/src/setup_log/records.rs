//! Zero-copy record iteration: `[<timestamp>] [<depth>] [<TAG>] <message>` lines with the
//! following lines that carry no timestamp (stack traces, script bodies, blank lines)
//! attached as continuation.

use memchr::memchr;

use super::text::Text;
use crate::timestamp::{parse_raw, RawTimestamp};

/// The optional tag after the depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// No tag.
    None,
    /// `[ERROR]`.
    Error,
    /// `[WARNING]`.
    Warning,
    /// `[ERROR-REFERENCE]`.
    ErrorReference,
    /// `[REQUIRED]`: a failed readiness check that blocks setup.
    Required,
    /// `[RECOMENDED]` (sic) or `[RECOMMENDED]`: a readiness warning.
    Recommended,
}

/// One record: a timestamped line plus its continuation lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// 1-based line number of the timestamped line.
    pub line: u32,
    /// Line number of the last line of the record (continuations included).
    pub end_line: u32,
    /// Byte offset of the record's first byte.
    pub offset: usize,
    /// Byte offset just past the record's last line (continuations included).
    pub end: usize,
    /// The bracket timestamp as parsed (resolve it with the file's date order).
    pub timestamp: RawTimestamp,
    /// The timestamp as written between the brackets.
    pub timestamp_text: Text<'a>,
    /// Nesting level (0 = launcher, 1 = task runner, 2 = cmdlet).
    pub depth: u8,
    /// The tag after the depth.
    pub tag: Tag,
    /// The message after the depth and tag, without the line break.
    pub message: Text<'a>,
    /// The continuation lines (line breaks included, trailing break removed); empty if none.
    pub continuation: Text<'a>,
}

/// The parsed start of a record line.
#[derive(Debug, Clone, Copy)]
struct Head<'a> {
    timestamp: RawTimestamp,
    timestamp_text: Text<'a>,
    depth: u8,
    tag: Tag,
    message: Text<'a>,
}

/// Longest timestamp text accepted between the brackets.
const MAX_TIMESTAMP_LEN: usize = 40;

/// Parses `[ts] [d] [TAG] message` (the line without its line break).
fn parse_head(line: &[u8]) -> Option<Head<'_>> {
    if line.first() != Some(&b'[') {
        return None;
    }
    let window = &line[1..line.len().min(MAX_TIMESTAMP_LEN + 2)];
    // The two fixed-width layouts put `]` at 24 or 19 (checked by parsing: a 20-byte
    // 12-hour stamp has the depth's `]` at 24); else search for the first `]`.
    let fixed = [24, 19]
        .into_iter()
        .filter(|&at| window.get(at) == Some(&b']'))
        .find_map(|at| parse_raw(&window[..at]).map(|ts| (at, ts)));
    let (close, timestamp) = match fixed {
        Some(found) => found,
        None => {
            let close = memchr(b']', window)?;
            (close, parse_raw(&window[..close])?)
        }
    };
    let ts_bytes = &window[..close];
    let rest = &line[close + 2..];
    let rest = rest.strip_prefix(b" [")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 || rest.get(digits) != Some(&b']') {
        return None;
    }
    let depth = rest[..digits]
        .iter()
        .fold(0u8, |d, b| d.saturating_mul(10).saturating_add(b - b'0'));
    let mut message = &rest[digits + 1..];
    if message.first() == Some(&b' ') {
        message = &message[1..];
    }
    let (tag, message) = split_tag(message);
    Some(Head {
        timestamp,
        timestamp_text: Text(ts_bytes),
        depth,
        tag,
        message: Text(message),
    })
}

fn split_tag(message: &[u8]) -> (Tag, &[u8]) {
    if message.first() != Some(&b'[') {
        return (Tag::None, message);
    }
    const TAGS: [(&[u8], Tag); 6] = [
        (b"[ERROR] ", Tag::Error),
        (b"[WARNING] ", Tag::Warning),
        (b"[ERROR-REFERENCE] ", Tag::ErrorReference),
        (b"[REQUIRED] ", Tag::Required),
        (b"[RECOMENDED] ", Tag::Recommended),
        (b"[RECOMMENDED] ", Tag::Recommended),
    ];
    for (prefix, tag) in TAGS {
        if let Some(rest) = message.strip_prefix(prefix) {
            return (tag, rest);
        }
        // The tag alone at the end of a line (message continues on the next lines).
        if message == &prefix[..prefix.len() - 1] {
            return (tag, &[]);
        }
    }
    (Tag::None, message)
}

/// Iterator over the records of a setup log (already decoded to an 8-bit encoding).
#[derive(Debug, Clone)]
pub struct RecordIter<'a> {
    input: &'a [u8],
    /// Offset of the next unread line.
    pos: usize,
    /// Number of the next unread line (1-based).
    next_line: u32,
    /// A record head already read (line number, offset, end of its line incl. break).
    pending: Option<(Head<'a>, u32, usize, usize)>,
    /// Lines before the first record.
    orphan_lines: u64,
    /// Continuation lines attached to records.
    continuation_lines: u64,
}

impl<'a> RecordIter<'a> {
    /// Starts iterating over `input`.
    pub fn new(input: &'a [u8]) -> Self {
        RecordIter {
            input,
            pos: 0,
            next_line: 1,
            pending: None,
            orphan_lines: 0,
            continuation_lines: 0,
        }
    }

    /// Starts at byte `offset` (the start of a line) whose line number is `line`, and
    /// stops at `end`; records keep their line numbers and offsets in the whole input.
    pub fn range(input: &'a [u8], offset: usize, end: usize, line: u32) -> Self {
        let end = end.min(input.len());
        RecordIter {
            input: &input[..end],
            pos: offset.min(end),
            next_line: line.max(1),
            pending: None,
            orphan_lines: 0,
            continuation_lines: 0,
        }
    }

    /// Lines read so far.
    pub fn lines_read(&self) -> u64 {
        u64::from(self.next_line) - 1
    }

    /// Lines before the first record (a log whose head is missing, or not a log).
    pub fn orphan_lines(&self) -> u64 {
        self.orphan_lines
    }

    /// Continuation lines attached to records so far.
    pub fn continuation_lines(&self) -> u64 {
        self.continuation_lines
    }

    /// The next line: (text without break, offset, offset past its break).
    #[inline]
    fn next_raw_line(&mut self) -> Option<(&'a [u8], usize, usize)> {
        if self.pos >= self.input.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.input[start..];
        let (text_end, next) = match memchr(b'\n', rest) {
            Some(i) => (start + i, start + i + 1),
            None => (self.input.len(), self.input.len()),
        };
        let mut text = &self.input[start..text_end];
        if let [head @ .., b'\r'] = text {
            text = head;
        }
        self.pos = next;
        self.next_line = self.next_line.saturating_add(1);
        Some((text, start, next))
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Record<'a>;

    /// Inlined into its callers' loops (the run builder's above all): returned through
    /// memory, the ~100-byte record was copied out and re-read right after the call, and
    /// the profile showed the builder's loop stalling on exactly those loads.
    #[inline]
    fn next(&mut self) -> Option<Record<'a>> {
        let (head, line, offset, line_end) = match self.pending.take() {
            Some(p) => p,
            None => loop {
                let number = self.next_line;
                let (text, start, next) = self.next_raw_line()?;
                match parse_head(text) {
                    Some(head) => break (head, number, start, next),
                    None => self.orphan_lines += 1,
                }
            },
        };
        let continuation_start = line_end;
        let mut end = line_end;
        let mut end_line = line;
        loop {
            let number = self.next_line;
            let Some((text, start, next)) = self.next_raw_line() else {
                break;
            };
            if let Some(next_head) = parse_head(text) {
                self.pending = Some((next_head, number, start, next));
                break;
            }
            self.continuation_lines += 1;
            end = next;
            end_line = number;
        }
        let mut continuation = &self.input[continuation_start..end];
        while let [head @ .., b'\n' | b'\r'] = continuation {
            continuation = head;
        }
        Some(Record {
            line,
            end_line,
            offset,
            end,
            timestamp: head.timestamp,
            timestamp_text: head.timestamp_text,
            depth: head.depth,
            tag: head.tag,
            message: head.message,
            continuation: Text(continuation),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_tags_depths_and_continuations() {
        let log = b"[03/11/2021 16:01:24.0362] [1] [ERROR] The following error was generated when \"$error.Clear(); \r\n  Start-SetupService\r\n\" was run: x.\r\n[03/11/2021 16:01:24.0363] [1] [ERROR-REFERENCE] Id=A___b Component=C\r\n[03/11/2021 16:01:24.0398] [0] End of Setup\r\n";
        let records: Vec<_> = RecordIter::new(log).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].tag, Tag::Error);
        assert_eq!(records[0].depth, 1);
        assert_eq!(records[0].line, 1);
        assert_eq!(records[0].end_line, 3);
        assert_eq!(records[0].continuation, Text(b"  Start-SetupService\r\n\" was run: x."));
        assert_eq!(records[1].tag, Tag::ErrorReference);
        assert_eq!(records[1].line, 4);
        assert_eq!(records[2].message, Text(b"End of Setup"));
        assert_eq!(records[2].depth, 0);
        assert_eq!(records[2].end, log.len());
    }

    #[test]
    fn orphans_mixed_breaks_and_no_final_break() {
        let log = b"garbage\n[1/14/2008 9:12:33 AM] [0] a\n\n[1/14/2008 9:12:34 AM] [12] [WARNING] b";
        let mut it = RecordIter::new(log);
        let a = it.next().unwrap_or_else(|| panic!("record a"));
        assert_eq!((a.line, a.end_line, a.continuation), (2, 3, Text(b"")));
        let b = it.next().unwrap_or_else(|| panic!("record b"));
        assert_eq!((b.line, b.depth, b.tag, b.message), (4, 12, Tag::Warning, Text(b"b")));
        assert!(it.next().is_none());
        assert_eq!(it.orphan_lines(), 1);
        assert_eq!(it.continuation_lines(), 1);
    }

    #[test]
    fn every_timestamp_width_finds_its_closing_bracket() {
        // A 20-byte 12-hour stamp puts the depth's `]` where a 24-byte stamp ends.
        for (line, stamp) in [
            (&b"[1/14/2008 9:12:33 AM] [1] x"[..], "1/14/2008 9:12:33 AM"),
            (b"[03/11/2021 15:43:05.0713] [1] x", "03/11/2021 15:43:05.0713"),
            (b"[30.11.2007 17:35:15] [2] x", "30.11.2007 17:35:15"),
            (b"[11/30/2007 12:35:15 PM] [0] x", "11/30/2007 12:35:15 PM"),
        ] {
            let head = parse_head(line).unwrap_or_else(|| panic!("{}", Text(line)));
            assert_eq!(head.timestamp_text, Text(stamp.as_bytes()));
            assert_eq!(head.message, Text(b"x"));
        }
    }

    #[test]
    fn lines_that_only_look_like_records_are_continuations() {
        for line in [
            &b"[string]$x = 1"[..],
            b"[12/19/2020 04:47:15.0307]",
            b"[12/19/2020 04:47:15.0307] [x] m",
            b"[",
        ] {
            assert!(parse_head(line).is_none(), "{:?}", Text(line));
        }
    }
}
