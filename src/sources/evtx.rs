//! (being written)
use std::io::{self, Write};

use super::SourceSummary;
use crate::diagnostic::Diagnostic;
use crate::ingest::{InputFile, SourceKind};

/// Summary of one file (being written).
pub fn summarize(input: &InputFile) -> SourceSummary {
    let kind = crate::ingest::sniff(input.display(), input.bytes()).unwrap_or(SourceKind::Evt);
    SourceSummary::new(input, kind)
}

/// Records of one file as JSONL (being written).
pub fn write_records(_input: &InputFile, _out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    Ok(Vec::new())
}
