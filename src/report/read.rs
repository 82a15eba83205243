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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_of_another_version_or_shape_are_refused() {
        let other = r#"{"schema_version":1,"tool":{"name":"exdoctor","version":"0.0.1"},"hosts":[],"findings":[],"counts":{},"diagnostics":[]}"#;
        let err = read_json(other.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("written by exdoctor 0.0.1 (schema 1)"), "{err}");
        let jsonl = r#"{"type":"summary","findings":0}"#;
        let err = read_json(jsonl.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("not an exdoctor JSON report"), "{err}");
        let ours = format!(
            r#"{{"schema_version":1,"tool":{{"name":"exdoctor","version":"{}"}},"hosts":[],"findings":[],"counts":{{}},"diagnostics":[{{"path":"a","level":"error","message":"m"}}]}}"#,
            env!("CARGO_PKG_VERSION")
        );
        let analysis = read_json(ours.as_bytes()).ok();
        assert_eq!(analysis.map(|a| (a.diagnostics.len(), a.unreadable)), Some((1, true)));
    }
}
