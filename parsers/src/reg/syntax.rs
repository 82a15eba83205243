//! The line grammar of regedit exports: header, `[KEY]` / `[-KEY]` lines, value lines
//! (`"name"=` / `@=` followed by a string, `-`, `dword:` or `hex(N):` bytes with
//! continuation lines), comments and blank lines.

use std::borrow::Cow;

use memchr::{memchr, memchr2};
use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while_m_n};
use nom::combinator::{map, map_res, value};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::builder::{Builder, Current};
use super::data::{RegData, REG_BINARY};
use super::decode::DecodeProblem;
use super::path::split_root;
use super::{RegEncoding, RegFile, RegHeader, MAX_DIAGNOSTICS};
use crate::error::ParseError;

const V5_HEADER: &str = "Windows Registry Editor Version 5.00";
const V4_HEADER: &str = "REGEDIT4";
const WINE_HEADER: &str = "WINE REGISTRY Version";
const EXPECTED: &str = "regedit export (.reg)";

/// The lines of the text, split at `\n` with a trailing `\r` removed, numbered from 1.
struct Lines<'t> {
    text: &'t str,
    pos: usize,
    number: u64,
}

impl<'t> Lines<'t> {
    fn next_line(&mut self) -> Option<(u64, &'t str)> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (line, advance) = match memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        self.number += 1;
        Some((self.number, line.strip_suffix('\r').unwrap_or(line)))
    }

    fn mark(&self) -> (usize, u64) {
        (self.pos, self.number)
    }

    fn reset(&mut self, mark: (usize, u64)) {
        (self.pos, self.number) = mark;
    }
}

/// Diagnostics with a cap.
struct Problems {
    list: Vec<ParseError>,
    count: u64,
}

impl Problems {
    fn push(&mut self, line: u64, message: impl Into<String>) {
        self.count += 1;
        if self.list.len() < MAX_DIAGNOSTICS {
            self.list.push(ParseError::Line {
                line,
                message: message.into(),
            });
        }
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Whitespace, then nothing or a `;` comment.
fn tail_ok(rest: &str) -> bool {
    let rest = rest.trim_start_matches(is_blank);
    rest.is_empty() || rest.starts_with(';')
}

/// Parses the decoded text of a whole file. `conv` turns a slice of `text` into the
/// output's text type (borrowing when `text` borrows the input).
pub(super) fn parse_text<'t, 'a, F>(
    text: &'t str,
    encoding: RegEncoding,
    decode_problems: Vec<DecodeProblem>,
    conv: F,
) -> Result<RegFile<'a>, ParseError>
where
    F: Fn(&'t str) -> Cow<'a, str>,
{
    let mut lines = Lines {
        text,
        pos: 0,
        number: 0,
    };
    let mut problems = Problems {
        list: Vec::new(),
        count: 0,
    };
    let header = read_header(&mut lines, &mut problems)?;
    let mut parser = LineParser {
        conv,
        scratch: Vec::new(),
        utf16_data: header == RegHeader::V5,
        builder: Builder::new(),
        problems,
    };
    while let Some((n, raw)) = lines.next_line() {
        let line = raw.trim_start_matches(is_blank);
        match line.as_bytes().first() {
            None | Some(b';') => {}
            Some(b'[') => parser.key_line(line, n),
            Some(b'"') | Some(b'@') => parser.value_line(line, n, &mut lines),
            Some(_) => match header_of(line) {
                // Exports joined into one file repeat the header (with its BOM).
                Some(again) if again == header => {}
                Some(_) => parser
                    .problems
                    .push(n, "header of the other .reg format in the middle of the file"),
                None => parser.problems.push(n, format!("unrecognised line: {}", excerpt(line))),
            },
        }
    }
    let line_count = lines.number;
    let mut problems = parser.problems;
    for problem in decode_problems {
        match problem {
            DecodeProblem::OddUtf16Length => problems.push(
                line_count.max(1),
                "truncated UTF-16: odd number of bytes, the last byte was ignored",
            ),
            DecodeProblem::Utf16WithoutBom => problems.push(1, "UTF-16LE without byte order mark"),
            DecodeProblem::Utf8Bom => problems.push(1, "UTF-8 byte order mark (regedit writes UTF-16LE or ANSI)"),
            DecodeProblem::Malformed => problems.push(1, "invalid characters in the file were replaced by U+FFFD"),
        }
    }
    let (keys, deleted_keys) = parser.builder.finish();
    Ok(RegFile {
        header,
        encoding,
        keys,
        deleted_keys,
        diagnostics: problems.list,
        problem_count: problems.count,
        line_count,
    })
}

/// The header kind when `line` is a header line (a BOM before it is allowed).
fn header_of(line: &str) -> Option<RegHeader> {
    let line = line.trim_start_matches('\u{feff}');
    if line.starts_with(V5_HEADER) {
        Some(RegHeader::V5)
    } else if line.starts_with(V4_HEADER) {
        Some(RegHeader::Regedit4)
    } else {
        None
    }
}

/// Reads the header line (after blank lines); the Wine dialect and files without a
/// header are `WrongFormat`.
fn read_header(lines: &mut Lines<'_>, problems: &mut Problems) -> Result<RegHeader, ParseError> {
    while let Some((n, raw)) = lines.next_line() {
        let line = raw.trim_start_matches(|c: char| is_blank(c) || c == '\u{feff}');
        if line.trim_end().is_empty() {
            continue;
        }
        let (header, rest) = if let Some(rest) = line.strip_prefix(V5_HEADER) {
            (RegHeader::V5, rest)
        } else if let Some(rest) = line.strip_prefix(V4_HEADER) {
            (RegHeader::Regedit4, rest)
        } else if line.starts_with(WINE_HEADER) {
            return Err(ParseError::WrongFormat {
                expected: EXPECTED,
                reason: format!("Wine registry dialect ('{}')", excerpt(line.trim_end())),
            });
        } else {
            return Err(ParseError::WrongFormat {
                expected: EXPECTED,
                reason: format!(
                    "line {n} is '{}', expected '{V5_HEADER}' or '{V4_HEADER}'",
                    excerpt(line.trim_end())
                ),
            });
        };
        if !tail_ok(rest) {
            problems.push(n, format!("unexpected text after the header: {}", excerpt(rest)));
        }
        return Ok(header);
    }
    Err(ParseError::WrongFormat {
        expected: EXPECTED,
        reason: "the file is empty".to_string(),
    })
}

/// At most 60 characters of `s` for messages.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The start of a value's data.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DataPrefix<'t> {
    Dword(&'t str),
    Hex(u32),
}

fn is_hex_digit(c: char) -> bool {
    c.is_ascii_hexdigit()
}

/// `dword:` + 1..8 hex digits, `hex:`, or `hex(N):` with N in hex, in any letter case
/// (regedit writes lowercase).
fn data_prefix(input: &str) -> IResult<&str, DataPrefix<'_>> {
    alt((
        map(
            preceded(tag_no_case("dword:"), take_while_m_n(1, 8, is_hex_digit)),
            DataPrefix::Dword,
        ),
        value(DataPrefix::Hex(REG_BINARY), tag_no_case("hex:")),
        map_res(
            delimited(tag_no_case("hex("), take_while_m_n(1, 8, is_hex_digit), tag("):")),
            |digits: &str| u32::from_str_radix(digits, 16).map(DataPrefix::Hex),
        ),
    ))
    .parse(input)
}

/// Value names that occur in almost every service key: returned as static text so a
/// UTF-16 export does not allocate them again and again.
fn common_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "Type" => "Type",
        "Start" => "Start",
        "ErrorControl" => "ErrorControl",
        "ImagePath" => "ImagePath",
        "DisplayName" => "DisplayName",
        "DependOnService" => "DependOnService",
        "DependOnGroup" => "DependOnGroup",
        "ObjectName" => "ObjectName",
        "Description" => "Description",
        "FailureActions" => "FailureActions",
        "Group" => "Group",
        "Tag" => "Tag",
        "ServiceDll" => "ServiceDll",
        "EventMessageFile" => "EventMessageFile",
        "TypesSupported" => "TypesSupported",
        "Version" => "Version",
        "Install" => "Install",
        _ => return None,
    })
}

struct LineParser<'a, F> {
    conv: F,
    /// Reused buffer for the bytes of hex values.
    scratch: Vec<u8>,
    /// String data in `hex(N):` is UTF-16LE (v5) rather than ANSI (REGEDIT4).
    utf16_data: bool,
    builder: Builder<'a>,
    problems: Problems,
}

impl<'t, 'a, F> LineParser<'a, F>
where
    F: Fn(&'t str) -> Cow<'a, str>,
{
    /// `[KEY]` or `[-KEY]`; the key runs to the last `]`, text after it is ignored.
    fn key_line(&mut self, line: &'t str, n: u64) {
        let Some(close) = line.rfind(']') else {
            self.problems
                .push(n, format!("key line without closing ']': {}", excerpt(line)));
            self.builder.current = Current::Nothing;
            return;
        };
        let inner = &line[1..close];
        let (deletion, path) = match inner.strip_prefix('-') {
            Some(path) => (true, path),
            None => (false, inner),
        };
        if path.is_empty() {
            self.problems.push(n, "empty key name");
            self.builder.current = Current::Nothing;
            return;
        }
        match split_root(path) {
            Some((root, true, _)) => self.problems.push(
                n,
                format!(
                    "abbreviated root key (regedit writes {}): {}",
                    root.full_name(),
                    excerpt(path)
                ),
            ),
            Some(_) => {}
            None => self.problems.push(n, format!("unknown root key: {}", excerpt(path))),
        }
        let path = (self.conv)(path);
        if deletion {
            self.builder.delete_key(path, n);
        } else {
            self.builder.open_key(path, n);
        }
    }

    /// `"name"=data` or `@=data`; reads continuation lines of hex data from `lines`.
    fn value_line(&mut self, line: &'t str, n: u64, lines: &mut Lines<'t>) {
        let (name, rest) = if let Some(rest) = line.strip_prefix('@') {
            (Cow::Borrowed(""), rest)
        } else {
            match self.quoted(line, true) {
                Some(parsed) => parsed,
                None => {
                    self.problems
                        .push(n, format!("unterminated value name: {}", excerpt(line)));
                    return;
                }
            }
        };
        let Some(rest) = rest.trim_start_matches(is_blank).strip_prefix('=') else {
            self.problems
                .push(n, format!("expected '=' after the value name: {}", excerpt(line)));
            return;
        };
        let rest = rest.trim_start_matches(is_blank);
        let Some(data) = self.value_data(rest, n, lines) else {
            return;
        };
        match self.builder.current {
            Current::Key(_) => {
                self.builder.set_value(name, n, data);
            }
            // regedit ignores values below a deleted key.
            Current::Deleted => {}
            Current::Nothing => self.problems.push(n, "value line outside of any key"),
        }
    }

    /// The data of a value line: `Some(None)` is a deletion, `None` a malformed value
    /// (already reported).
    fn value_data(&mut self, rest: &'t str, n: u64, lines: &mut Lines<'t>) -> Option<Option<RegData<'a>>> {
        if rest.starts_with('"') {
            let Some((text, after)) = self.quoted(rest, false) else {
                self.problems.push(n, format!("unterminated string: {}", excerpt(rest)));
                return None;
            };
            if !tail_ok(after) {
                self.problems
                    .push(n, format!("unexpected text after the value: {}", excerpt(after)));
                return None;
            }
            return Some(Some(RegData::Sz(text)));
        }
        if let Some(after) = rest.strip_prefix('-') {
            if !tail_ok(after) {
                self.problems
                    .push(n, format!("unexpected text after '-': {}", excerpt(after)));
                return None;
            }
            return Some(None);
        }
        match data_prefix(rest) {
            Ok((after, DataPrefix::Dword(digits))) => {
                if !tail_ok(after) {
                    self.problems.push(
                        n,
                        format!("dword needs 1 to 8 hex digits and nothing after: {}", excerpt(rest)),
                    );
                    return None;
                }
                match u32::from_str_radix(digits, 16) {
                    Ok(v) => Some(Some(RegData::Dword(v))),
                    Err(_) => {
                        self.problems.push(n, format!("invalid dword: {}", excerpt(rest)));
                        None
                    }
                }
            }
            Ok((after, DataPrefix::Hex(kind))) => {
                let mut bytes = std::mem::take(&mut self.scratch);
                bytes.clear();
                let ok = self.hex_bytes(after, n, lines, &mut bytes);
                let data = ok.then(|| RegData::from_hex(kind, &bytes, self.utf16_data));
                self.scratch = bytes;
                data.map(Some)
            }
            Err(_) => {
                self.problems
                    .push(n, format!("unrecognised value data: {}", excerpt(rest)));
                None
            }
        }
    }

    /// A `"..."` string at the start of `s` (escapes `\\` and `\"` only; any other
    /// backslash is kept); returns the text and what follows the closing quote.
    /// `is_name`: common value names are returned as static text.
    fn quoted(&self, s: &'t str, is_name: bool) -> Option<(Cow<'a, str>, &'t str)> {
        let body = s.strip_prefix('"')?;
        let bytes = body.as_bytes();
        let mut owned: Option<String> = None;
        let mut seg_start = 0;
        let mut i = 0;
        loop {
            let j = i + memchr2(b'"', b'\\', bytes.get(i..)?)?;
            if bytes[j] == b'"' {
                let text = match owned {
                    None => match common_name(&body[..j]).filter(|_| is_name) {
                        Some(name) => Cow::Borrowed(name),
                        None => (self.conv)(&body[..j]),
                    },
                    Some(mut o) => {
                        o.push_str(&body[seg_start..j]);
                        Cow::Owned(o)
                    }
                };
                return Some((text, &body[j + 1..]));
            }
            match bytes.get(j + 1) {
                Some(&escaped @ (b'\\' | b'"')) => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&body[seg_start..j]);
                    o.push(char::from(escaped));
                    i = j + 2;
                    seg_start = i;
                }
                _ => i = j + 1,
            }
        }
    }

    /// Reads the bytes of a hex value starting with `first` (after `hex(N):`) into
    /// `bytes`, following continuation lines. `false` when malformed (reported).
    fn hex_bytes(&mut self, first: &'t str, n: u64, lines: &mut Lines<'t>, bytes: &mut Vec<u8>) -> bool {
        let mut segment = first;
        let mut segment_line = n;
        loop {
            match hex_segment(segment, bytes) {
                Ok(false) => return true,
                Ok(true) => {}
                Err(message) => {
                    self.problems.push(segment_line, message);
                    skip_continuations(segment, lines);
                    return false;
                }
            }
            // The next line that is neither blank nor a comment continues the data.
            loop {
                let mark = lines.mark();
                let Some((m, raw)) = lines.next_line() else {
                    self.problems.push(
                        segment_line,
                        "hex data continues ('\\') at the end of the file; value dropped",
                    );
                    return false;
                };
                let line = raw.trim_start_matches(is_blank);
                if line.is_empty() || line.starts_with(';') {
                    continue;
                }
                if line.starts_with(['[', '"', '@']) {
                    lines.reset(mark);
                    self.problems.push(
                        segment_line,
                        format!("hex data continues ('\\') but line {m} starts a new entry; value dropped"),
                    );
                    return false;
                }
                segment = line;
                segment_line = m;
                break;
            }
        }
    }
}

/// After a malformed hex line that ended in `\`, skips the continuation lines that
/// belonged to it so they are not reported one by one.
fn skip_continuations<'t>(mut segment: &'t str, lines: &mut Lines<'t>) {
    while segment.trim_end().ends_with('\\') {
        let mark = lines.mark();
        match lines.next_line() {
            Some((_, raw)) => {
                let line = raw.trim_start_matches(is_blank);
                if line.starts_with(['[', '"', '@']) {
                    lines.reset(mark);
                    return;
                }
                segment = line;
            }
            None => return,
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads comma-separated hex bytes of one line into `out`. `Ok(true)` when the line
/// ends with a continuation `\` (optionally followed by blanks and a comment).
fn hex_segment(segment: &str, out: &mut Vec<u8>) -> Result<bool, String> {
    let b = segment.as_bytes();
    let n = b.len();
    let mut i = 0;
    loop {
        // Fast path: "xx," as regedit writes it.
        while i + 3 <= n && b[i + 2] == b',' {
            match (hex_value(b[i]), hex_value(b[i + 1])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => break,
            }
        }
        while i < n && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return Ok(false);
        };
        match c {
            b';' => return Ok(false),
            b'\\' => {
                return if tail_ok(&segment[i + 1..]) {
                    Ok(true)
                } else {
                    Err(format!("unexpected text after '\\': {}", excerpt(&segment[i + 1..])))
                }
            }
            _ => {}
        }
        let Some(hi) = hex_value(c) else {
            return Err(format!("invalid hex data: {}", excerpt(&segment[i..])));
        };
        i += 1;
        let byte = match b.get(i).and_then(|&d| hex_value(d)) {
            Some(lo) => {
                i += 1;
                hi << 4 | lo
            }
            None => hi,
        };
        out.push(byte);
        while i < n && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        match b.get(i) {
            None | Some(b';') => return Ok(false),
            Some(b',') => i += 1,
            Some(_) => return Err(format!("expected ',' in hex data: {}", excerpt(&segment[i..]))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(data_prefix("dword:000000ff"), Ok(("", DataPrefix::Dword("000000ff"))));
        assert_eq!(data_prefix("hex:61"), Ok(("61", DataPrefix::Hex(3))));
        assert_eq!(data_prefix("hex(b):00"), Ok(("00", DataPrefix::Hex(11))));
        assert_eq!(data_prefix("hex(7):"), Ok(("", DataPrefix::Hex(7))));
        assert!(data_prefix("dword:").is_err());
        assert!(data_prefix("hex(z):00").is_err());
        assert!(data_prefix("str(2):\"a\"").is_err());
    }

    #[test]
    fn hex_segments() {
        let mut out = Vec::new();
        assert_eq!(hex_segment("00,01,\\", &mut out), Ok(true));
        assert_eq!(hex_segment("  ff ,a ; c", &mut out), Ok(false));
        assert_eq!(out, vec![0, 1, 0xff, 0xa]);
        assert_eq!(hex_segment("01,\\ ; blah", &mut out), Ok(true));
        assert!(hex_segment("01 02", &mut out).is_err());
        assert!(hex_segment("zz", &mut out).is_err());
        assert!(hex_segment("01,\\x", &mut out).is_err());
        assert_eq!(hex_segment("", &mut out), Ok(false));
    }
}
