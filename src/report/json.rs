//! JSON (one document) and JSONL (one finding per line, then a summary) output, as
//! described by `schema/exdoctor-report.schema.json`.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use serde::Serialize;

use super::{host_summaries, rule_groups, severity_counts, HostSummary};
use crate::analysis::{Analysis, HostReport};
use crate::model::{Diagnostic, Finding, Severity, Suppressed};
use crate::sources::write_json_line;

/// Version of the JSON output format.
pub const SCHEMA_VERSION: u32 = 1;

fn tool() -> Value {
    json!({"name": "exdoctor", "version": env!("CARGO_PKG_VERSION")})
}

fn counts_value(counts: [(Severity, usize); 4]) -> Value {
    let mut map = Map::new();
    for (severity, n) in counts {
        map.insert(severity.as_str().to_string(), n.into());
    }
    Value::Object(map)
}

fn counts(findings: &[Finding]) -> Value {
    counts_value(severity_counts(findings))
}

/// Per rule with findings: its worst severity, the hosts it hit, its findings and their
/// counts per severity.
fn fleet(findings: &[Finding]) -> Value {
    let mut map = Map::new();
    for group in rule_groups(findings) {
        map.insert(
            group.rule.as_str().to_string(),
            json!({
                "severity": group.severity,
                "hosts": group.hosts,
                "findings": group.findings,
                "counts": counts_value(group.counts),
            }),
        );
    }
    Value::Object(map)
}

/// A host of the JSON document: its report, its worst severity (`null` without
/// findings) and its counts.
#[derive(Serialize)]
struct HostEntry<'a> {
    #[serde(flatten)]
    report: &'a HostReport,
    worst_severity: Option<Severity>,
    counts: Value,
}

/// The JSON document, borrowing the analysis: serialized as it is written, never built
/// as a whole in memory (a fleet's report is large).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Value,
    hosts: Vec<HostEntry<'a>>,
    findings: &'a [Finding],
    suppressed: &'a [Suppressed],
    fleet: Value,
    counts: Value,
    diagnostics: &'a [Diagnostic],
}

/// One JSON document: tool, hosts with their sources and registry state, findings, the
/// suppressed findings, the per-rule fleet summary, counts, diagnostics.
pub fn write_json(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let mut summaries = host_summaries(&analysis.findings);
    let hosts = analysis
        .hosts
        .iter()
        .map(|host| {
            let summary = summaries.remove(host.name.as_str()).unwrap_or_else(HostSummary::empty);
            HostEntry {
                report: host,
                worst_severity: summary.worst,
                counts: counts_value(summary.counts),
            }
        })
        .collect();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        hosts,
        findings: &analysis.findings,
        suppressed: &analysis.suppressed,
        fleet: fleet(&analysis.findings),
        counts: counts(&analysis.findings),
        diagnostics: &analysis.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// One finding per line (`"type":"finding"`), then one `"type":"summary"` line.
pub fn write_jsonl(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for finding in &analysis.findings {
        let mut value = serde_json::to_value(finding).map_err(io::Error::from)?;
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
            "suppressed": analysis.suppressed.len(),
            "counts": counts(&analysis.findings),
            "diagnostics": analysis.diagnostics,
        }),
    )
}
