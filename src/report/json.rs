//! JSON (one document) and JSONL (one finding per line, then a summary) output, as
//! described by `schema/exdoctor-report.schema.json`.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::severity_counts;
use serde::Serialize;

use crate::analysis::{Analysis, HostReport};
use crate::model::{Diagnostic, Finding};
use crate::sources::write_json_line;

/// Version of the JSON output format.
pub const SCHEMA_VERSION: u32 = 1;

fn tool() -> Value {
    json!({"name": "exdoctor", "version": env!("CARGO_PKG_VERSION")})
}

fn counts(analysis: &Analysis) -> Value {
    let mut map = serde_json::Map::new();
    for (severity, n) in severity_counts(&analysis.findings) {
        map.insert(severity.as_str().to_string(), n.into());
    }
    Value::Object(map)
}

/// The JSON document, borrowing the analysis: serialized as it is written, never built
/// as a whole in memory (a fleet's report is large).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Value,
    hosts: &'a [HostReport],
    findings: &'a [Finding],
    counts: Value,
    diagnostics: &'a [Diagnostic],
}

/// One JSON document: tool, hosts with their sources, findings, diagnostics.
pub fn write_json(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        hosts: &analysis.hosts,
        findings: &analysis.findings,
        counts: counts(analysis),
        diagnostics: &analysis.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// One finding per line (`"type":"finding"`), then one `"type":"summary"` line.
pub fn write_jsonl(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for finding in &analysis.findings {
        let mut value = serde_json::to_value(finding).map_err(io::Error::other)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("type".into(), "finding".into());
        }
        write_json_line(out, &value)?;
    }
    write_json_line(
        out,
        &json!({
            "type": "summary",
            "schema_version": SCHEMA_VERSION,
            "tool": tool(),
            "hosts": analysis.hosts.iter().map(|h| &h.name).collect::<Vec<_>>(),
            "sources": analysis.hosts.iter().map(|h| h.sources.len()).sum::<usize>(),
            "findings": analysis.findings.len(),
            "counts": counts(analysis),
            "diagnostics": analysis.diagnostics,
        }),
    )
}
