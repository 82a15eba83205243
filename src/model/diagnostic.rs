//! Diagnostics: problems with inputs (unreadable, damaged, unrecognised), reported
//! beside the results and never fatal for the rest of the run.

use serde::{Deserialize, Serialize};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagLevel {
    /// Part of the input was skipped or is doubtful; the rest was analysed.
    Warning,
    /// The input (or a large part of it) could not be read.
    Error,
}

/// A problem with one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The input as shown in reports.
    pub path: String,
    /// How serious it is.
    pub level: DiagLevel,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A warning about `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            level: DiagLevel::Warning,
            message: message.into(),
        }
    }

    /// An error about `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            level: DiagLevel::Error,
            message: message.into(),
        }
    }
}
