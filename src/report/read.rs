//! A JSON report (`analyze --format json`) read back into an [`Analysis`], for
//! `exdoctor merge`: hosts with their sources and registry state, findings (suppressed
//! ones back among them: the merge applies its own suppression), diagnostics.

use serde::Deserialize;

use super::SCHEMA_VERSION;
use crate::analysis::{Analysis, HostReport};
use crate::model::{DiagLevel, Diagnostic, Finding, Suppressed};

/// Why a file is not a report `merge` can use.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, or not shaped as a report.
    #[error("not an exdoctor JSON report (analyze --format json): {0}")]
    Shape(#[from] serde_json::Error),
    /// Written by another version (fleet rules and output would differ).
    #[error("written by exdoctor {found} (schema {schema}); this is exdoctor {ours}: analyse every shard with the same version")]
    Version {
        /// The writer's version.
        found: String,
        /// The writer's schema version.
        schema: u32,
        /// This build's version.
        ours: &'static str,
    },
}

#[derive(Deserialize)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Deserialize)]
struct Document {
    schema_version: u32,
    tool: Tool,
    hosts: Vec<HostReport>,
    findings: Vec<Finding>,
    #[serde(default)]
    suppressed: Vec<Suppressed>,
    diagnostics: Vec<Diagnostic>,
}

/// Reads one JSON report.
pub fn read_json(bytes: &[u8]) -> Result<Analysis, ReadError> {
    let doc: Document = serde_json::from_slice(bytes)?;
    let ours = env!("CARGO_PKG_VERSION");
    if doc.schema_version != SCHEMA_VERSION || doc.tool.name != "exdoctor" || doc.tool.version != ours {
        return Err(ReadError::Version {
            found: doc.tool.version,
            schema: doc.schema_version,
            ours,
        });
    }
    let mut findings = doc.findings;
    findings.extend(doc.suppressed.into_iter().map(|s| s.finding));
    Ok(Analysis {
        hosts: doc.hosts,
        findings,
        suppressed: Vec::new(),
        unreadable: doc.diagnostics.iter().any(|d| d.level == DiagLevel::Error),
        diagnostics: doc.diagnostics,
    })
}
