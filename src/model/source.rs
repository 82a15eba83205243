//! What exdoctor reads: the kinds of input and the summary `analyze` reports per file.

use serde::{Deserialize, Deserializer, Serialize};

use std::path::PathBuf;

use super::{Diagnostic, Facts, SourceDetails};

/// The kinds of input exdoctor understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// ExchangeSetup.log (any version, UTF-8/ANSI or UTF-16).
    SetupLog,
    /// Windows XML event log (`ElfFile`).
    Evtx,
    /// Legacy Windows NT/2000/2003 event log (`LfLe`).
    Evt,
    /// `wevtutil qe /f:xml` or Event Viewer "Save as XML" export.
    EventXml,
    /// Event Viewer CSV export.
    EventCsv,
    /// Registry export (regedit v5, REGEDIT4, or a dialect reported as such).
    Reg,
    /// Exchange 2007 setup task script (`Install-<Role>-<date>.ps1` with step ids).
    TaskScript,
    /// The error file of ldifde (`ldif.err`) that Exchange's schema preparation writes.
    LdifErr,
}

impl SourceKind {
    /// Stable lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::SetupLog => "setup_log",
            SourceKind::Evtx => "evtx",
            SourceKind::Evt => "evt",
            SourceKind::EventXml => "event_xml",
            SourceKind::EventCsv => "event_csv",
            SourceKind::Reg => "reg",
            SourceKind::TaskScript => "task_script",
            SourceKind::LdifErr => "ldif_err",
        }
    }
}

/// What `analyze` reports about one input file.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// The path as given (inside an archive: archive path and entry).
    pub path: String,
    /// The format.
    pub kind: SourceKind,
    /// Records read (setup-log records, events, registry values).
    pub records: u64,
    /// Records or lines that could not be read.
    pub errors: u64,
    /// Format-specific summary (runs, time span, host state ...).
    pub details: SourceDetails,
    /// Problems with this file.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl SourceSummary {
    /// An empty summary of `kind` for the input shown as `path`, to be filled by the
    /// format module.
    pub fn new(path: &str, kind: SourceKind) -> SourceSummary {
        SourceSummary {
            path: path.to_string(),
            kind,
            records: 0,
            errors: 0,
            details: SourceDetails::None,
            diagnostics: Vec::new(),
        }
    }
}

/// Read back from a JSON report: the details are typed by `kind`.
impl<'de> Deserialize<'de> for SourceSummary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Recorded {
            path: String,
            kind: SourceKind,
            records: u64,
            errors: u64,
            details: serde_json::Value,
        }
        let recorded = Recorded::deserialize(deserializer)?;
        Ok(SourceSummary {
            details: SourceDetails::from_json(recorded.kind, recorded.details).map_err(serde::de::Error::custom)?,
            path: recorded.path,
            kind: recorded.kind,
            records: recorded.records,
            errors: recorded.errors,
            diagnostics: Vec::new(),
        })
    }
}

/// A file read once: its summary and its facts.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What `analyze` reports about the file.
    pub summary: SourceSummary,
    /// What the rules read.
    pub facts: Facts,
}

/// One input file after loading, with its path.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The file's path (inside an archive: the archive's path joined with the entry's).
    pub path: PathBuf,
    /// Its summary and facts.
    pub loaded: Loaded,
    /// What its bytes were, to tell copies of one file apart from different files.
    pub content: ContentId,
}

/// The identity of a file's bytes: its length and a 128-bit hash (XXH3) of them. Two
/// files with equal ids hold the same bytes (a collision is out of reach by chance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentId {
    /// Length in bytes.
    pub len: u64,
    /// XXH3-128 of the bytes.
    pub hash: u128,
}

impl ContentId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> ContentId {
        ContentId {
            len: bytes.len() as u64,
            hash: xxhash_rust::xxh3::xxh3_128(bytes),
        }
    }
}
