//! A setup log as its per-file rules see it: the borrowed parse and the path shown in
//! evidence.

use exdoctor_parsers::setup_log::{Clock, Issue, SetupLog};
use exdoctor_parsers::timestamp::RawTimestamp;

use super::{Evidence, Location, Timestamp};

/// A parsed setup log as the per-file rules see it.
pub struct SetupLogFile<'a, 'b> {
    /// Path shown in evidence.
    pub path: &'b str,
    /// The parse.
    pub log: &'b SetupLog<'a>,
    /// The clock of its bracket times (UTC for 2013+, local for 2007, measured from
    /// `$RoleInvocationID` when logged); `None` when nothing says.
    pub clock: Option<Clock>,
}

impl<'a, 'b> SetupLogFile<'a, 'b> {
    /// The log shown as `path`, with the clock its content gives.
    pub fn new(path: &'b str, log: &'b SetupLog<'a>) -> SetupLogFile<'a, 'b> {
        SetupLogFile {
            path,
            log,
            clock: log.clock(),
        }
    }

    /// The time of a raw timestamp: UTC when the log's clock is UTC, else local (the
    /// host's time zone is applied later).
    pub fn time(&self, ts: &RawTimestamp) -> Option<Timestamp> {
        let t = self.log.resolve(ts)?;
        Some(match self.clock {
            Some(clock) if clock.is_utc() => Timestamp::Utc(t.and_utc()),
            _ => Timestamp::Local(t),
        })
    }

    /// Evidence pointing at `line` with `text`.
    pub fn evidence(&self, line: u32, ts: Option<&RawTimestamp>, text: impl AsRef<str>) -> Evidence {
        Evidence::new(self.path, Location::Line(line), ts.and_then(|t| self.time(t)), text)
    }

    /// Evidence for an error/warning record: its message, and its first continuation line
    /// when the message is empty (read in place: a huge line is not copied whole).
    pub fn issue_evidence(&self, issue: &Issue<'_>) -> Evidence {
        let message = issue.message.to_str_lossy();
        let continuation = issue.continuation.to_str_lossy();
        let mut text = message.trim_end();
        if text.is_empty() {
            text = continuation
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
        }
        self.evidence(issue.line, Some(&issue.time), text)
    }
}
