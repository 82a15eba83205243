//! CSV (RFC 4180): one finding per row, with the host's OS and Exchange level beside it,
//! for a spreadsheet or a ticket.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::analysis::{Analysis, HostReport};

/// The header row.
pub const CSV_COLUMNS: [&str; 15] = [
    "host",
    "severity",
    "rule",
    "title",
    "summary",
    "confidence",
    "count",
    "first_seen",
    "last_seen",
    "os",
    "exchange",
    "evidence_count",
    "first_evidence",
    "remediation",
    "references",
];

/// Writes the shown findings, in report order. Multi-line cells (remediation steps)
/// are quoted, as RFC 4180 says.
pub fn write_csv(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(CSV_COLUMNS).map_err(io::Error::from)?;
    let hosts: HashMap<&str, &HostReport> = analysis.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    for f in &analysis.findings {
        let host = hosts.get(f.host.as_str()).copied();
        let exchange = host.and_then(|h| h.exchange.as_ref()).map(|e| match &e.level {
            Some(level) => format!("{} ({level})", e.version),
            None => e.version.clone(),
        });
        let first_evidence = f
            .evidence
            .first()
            .map(|e| format!("{} {}: {}", e.source, e.location, e.text));
        let remediation: Vec<String> = f
            .remediation
            .iter()
            .enumerate()
            .map(|(i, step)| format!("{}. {step}", i + 1))
            .collect();
        let time = |t: Option<crate::model::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        writer
            .write_record([
                f.host.clone(),
                f.severity.as_str().to_string(),
                f.rule.as_str().to_string(),
                f.title.clone(),
                f.summary.clone(),
                format!("{:?}", f.confidence).to_ascii_lowercase(),
                f.count.to_string(),
                time(f.first_seen),
                time(f.last_seen),
                host.and_then(|h| h.os.clone()).unwrap_or_default(),
                exchange.unwrap_or_default(),
                f.evidence.len().to_string(),
                first_evidence.unwrap_or_default(),
                remediation.join("\n"),
                f.references.join("; "),
            ])
            .map_err(io::Error::from)?;
    }
    writer.flush()
}
