//! (being written)
use std::io::{self, Write};

use super::SourceSummary;
use crate::diagnostic::Diagnostic;
use crate::ingest::{InputFile, SourceKind};

/// Summary of one export (being written).
pub fn summarize(input: &InputFile, kind: SourceKind) -> SourceSummary {
    SourceSummary::new(input, kind)
}

/// Records of one export as JSONL (being written).
pub fn write_records(_input: &InputFile, _kind: SourceKind, _out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    Ok(Vec::new())
}
