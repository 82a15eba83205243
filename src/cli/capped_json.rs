//! A writer that cuts long string values out of the JSON written through it: each
//! string keeps its first `max` bytes (never splitting a character or an escape) and
//! ends with the marker of [`cut_marker`]. `parse` and `timeline` print the records
//! of inputs that may hold lines of hundreds of megabytes; this bounds every value
//! without each source having to know.

use std::io::{self, Write};

use crate::model::cut_marker;

/// Where the writer is in the JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between values.
    Outside,
    /// Inside a string.
    Inside,
    /// Right after a backslash inside a string.
    Escape,
    /// Inside a `\uXXXX` escape, with this many hex digits to go.
    Unicode(u8),
}

/// Cuts JSON string values longer than `max` bytes (as written, escapes included).
pub(super) struct CappedJsonStrings<W: Write> {
    inner: W,
    max: usize,
    state: State,
    /// Bytes of the current string written so far.
    kept: usize,
    /// Bytes of the current string dropped so far.
    dropped: usize,
}

/// What to do with one byte.
enum Action {
    /// Write it.
    Keep,
    /// Leave it out (inside the cut part of a string).
    Drop,
    /// It closes a cut string: write the marker, then it.
    CloseCut,
}

impl<W: Write> CappedJsonStrings<W> {
    /// Writes to `inner`, cutting strings longer than `max` bytes.
    pub(super) fn new(inner: W, max: usize) -> Self {
        CappedJsonStrings {
            inner,
            max,
            state: State::Outside,
            kept: 0,
            dropped: 0,
        }
    }

    /// Counts one byte of the current string as kept or dropped.
    fn count(&mut self) -> Action {
        if self.dropped > 0 {
            self.dropped += 1;
            Action::Drop
        } else {
            self.kept += 1;
            Action::Keep
        }
    }

    fn feed(&mut self, b: u8) -> Action {
        match self.state {
            State::Outside => {
                if b == b'"' {
                    self.state = State::Inside;
                    self.kept = 0;
                    self.dropped = 0;
                }
                Action::Keep
            }
            State::Inside if b == b'"' => {
                self.state = State::Outside;
                if self.dropped > 0 {
                    Action::CloseCut
                } else {
                    Action::Keep
                }
            }
            State::Inside => {
                // A character or an escape starts at every byte but UTF-8 continuations.
                if self.dropped == 0 && self.kept >= self.max && b & 0xC0 != 0x80 {
                    self.dropped = 1;
                    if b == b'\\' {
                        self.state = State::Escape;
                    }
                    return Action::Drop;
                }
                if b == b'\\' {
                    self.state = State::Escape;
                }
                self.count()
            }
            State::Escape => {
                self.state = if b == b'u' { State::Unicode(4) } else { State::Inside };
                self.count()
            }
            State::Unicode(left) => {
                self.state = if left > 1 {
                    State::Unicode(left - 1)
                } else {
                    State::Inside
                };
                self.count()
            }
        }
    }
}

impl<W: Write> Write for CappedJsonStrings<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Runs of kept bytes are written whole.
        let mut run = 0;
        for (i, &b) in buf.iter().enumerate() {
            match self.feed(b) {
                Action::Keep => {}
                Action::Drop => {
                    self.inner.write_all(&buf[run..i])?;
                    run = i + 1;
                }
                Action::CloseCut => {
                    self.inner.write_all(&buf[run..i])?;
                    let total = self.kept + self.dropped;
                    self.inner.write_all(cut_marker(total).as_bytes())?;
                    run = i;
                }
            }
        }
        self.inner.write_all(&buf[run..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capped(json: &str, max: usize, chunk: usize) -> String {
        let mut out = Vec::new();
        {
            let mut w = CappedJsonStrings::new(&mut out, max);
            for piece in json.as_bytes().chunks(chunk) {
                w.write_all(piece).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn long_strings_are_cut_whatever_the_write_sizes() {
        let value = serde_json::json!({
            "record": "issue",
            "message": format!("{}\"q\"\\é\u{1}{}", "x".repeat(10), "y".repeat(50)),
            "n": 12,
            "short": "a\"b",
        });
        let json = serde_json::to_string(&value).unwrap_or_default();
        for chunk in [1, 3, 7, 1000] {
            let out = capped(&json, 12, chunk);
            let parsed: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
            assert_eq!(parsed["record"], "issue");
            assert_eq!(parsed["n"], 12);
            assert_eq!(parsed["short"], "a\"b");
            // 10 x, then the escape \" is kept whole (12 bytes), the rest is cut.
            assert_eq!(
                parsed["message"], "xxxxxxxxxx\" [... cut, 75 bytes in all]",
                "chunk {chunk}"
            );
        }
        assert_eq!(capped(&json, 10_000, 5), json);
    }

    #[test]
    fn a_unicode_escape_is_never_split() {
        let json = "[\"ab\\u0001cd\"]";
        let out = capped(json, 3, 2);
        assert_eq!(out, "[\"ab\\u0001 [... cut, 10 bytes in all]\"]");
    }
}
