//! The one error type of the parsers crate.

use serde::Serialize;
use thiserror::Error;

/// A problem found in the input. Carries the position (line, byte offset or record)
/// so that the caller can add the file path and show it as a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum ParseError {
    /// A problem on a given 1-based line of a text file.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line.
        line: u64,
        /// What is wrong there.
        message: String,
    },
    /// A problem at a byte offset of a binary file.
    #[error("offset {offset:#x}: {message}")]
    Offset {
        /// Byte offset in the input.
        offset: u64,
        /// What is wrong there.
        message: String,
    },
    /// A problem with one record of an event log.
    #[error("record {record}: {message}")]
    Record {
        /// The record id.
        record: u64,
        /// What is wrong with it.
        message: String,
    },
    /// The input is not of the expected format at all.
    #[error("not a {expected} file: {reason}")]
    WrongFormat {
        /// The format the parser reads.
        expected: &'static str,
        /// Why the input is not that.
        reason: String,
    },
    /// Any other problem with the file as a whole.
    #[error("{0}")]
    File(String),
}
