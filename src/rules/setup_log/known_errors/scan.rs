//! The records of a setup log as the signature rules see them: tag, message and
//! continuation as one text, with the absolute line numbers needed for evidence.

use exdoctor_parsers::setup_log::{Issue, RecordIter, Run, Tag, Text};
use exdoctor_parsers::timestamp::RawTimestamp;

use crate::model::Evidence;
use crate::rules::setup_log::SetupLogFile;

/// One record: `[ERROR] message` plus its continuation lines.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Line of the timestamped line.
    pub line: u32,
    /// Byte offset of the record in the log.
    pub offset: usize,
    pub time: RawTimestamp,
    pub tag: Tag,
    /// The tag as logged (`[ERROR] `), the message, then `\n` and the continuation lines.
    pub text: String,
}

impl Entry {
    /// An entry from the parts of a record.
    fn new(line: u32, offset: usize, time: RawTimestamp, tag: Tag, message: Text<'_>, continuation: Text<'_>) -> Self {
        let prefix = match tag {
            Tag::Error => "[ERROR] ",
            Tag::Warning => "[WARNING] ",
            Tag::ErrorReference => "[ERROR-REFERENCE] ",
            Tag::Required => "[REQUIRED] ",
            Tag::Recommended => "[RECOMENDED] ",
            Tag::None => "",
        };
        let mut text = format!("{prefix}{}", message.to_str_lossy());
        if !continuation.is_empty() {
            text.push('\n');
            text.push_str(&continuation.to_str_lossy());
        }
        Entry {
            line,
            offset,
            time,
            tag,
            text,
        }
    }

    /// The entry of an error/warning/readiness record.
    pub(crate) fn from_issue(issue: &Issue<'_>) -> Self {
        Entry::new(
            issue.line,
            issue.offset,
            issue.time,
            issue.tag,
            issue.message,
            issue.continuation,
        )
    }

    /// Evidence for the text line holding byte `pos` of [`Entry::text`].
    pub(crate) fn evidence_at(&self, file: &SetupLogFile<'_, '_>, pos: usize) -> Evidence {
        let pos = pos.min(self.text.len());
        let before = self.text.get(..pos).unwrap_or_default();
        let extra_lines = before.matches('\n').count();
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let rest = self.text.get(start..).unwrap_or_default();
        let line_text = rest.lines().next().unwrap_or_default().trim();
        let line = self.line.saturating_add(u32::try_from(extra_lines).unwrap_or(u32::MAX));
        file.evidence(line, Some(&self.time), line_text)
    }

    /// Evidence for the record's first line.
    pub(crate) fn evidence(&self, file: &SetupLogFile<'_, '_>) -> Evidence {
        self.evidence_at(file, 0)
    }
}

/// The records between byte offsets `start..end` of the log, whose first line is `first_line`
/// (`start` must be the start of a record, as the parser's spans are).
pub(crate) fn span_entries(file: &SetupLogFile<'_, '_>, start: usize, end: usize, first_line: u32) -> Vec<Entry> {
    let text = file.log.slice(start, end);
    RecordIter::new(text.as_bytes())
        .map(|rec| {
            Entry::new(
                first_line.saturating_add(rec.line.saturating_sub(1)),
                start + rec.offset,
                rec.timestamp,
                rec.tag,
                rec.message,
                rec.continuation,
            )
        })
        .collect()
}

/// Every record of `run`.
pub(crate) fn run_entries(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Vec<Entry> {
    span_entries(file, run.start_offset, run.end_offset, run.first_line)
}
