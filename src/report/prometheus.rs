//! The Prometheus text exposition format (version 0.0.4), for node_exporter's textfile
//! collector: one gauge per metric family with its `# HELP` and `# TYPE` lines, label
//! values escaped (`\\`, `\"`, `\n`), help text escaped (`\\`, `\n`), series in a
//! stable order, a final line feed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::analysis::Analysis;
use crate::model::DiagLevel;

/// Writes the metrics of `analysis`, a run that ended at `now`. Resolved findings
/// (`--state`) are not counted: the gauges show what is wrong now.
pub fn write_prometheus(analysis: &Analysis, now: DateTime<Utc>, out: &mut dyn Write) -> io::Result<()> {
    let mut findings: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
    for f in analysis.findings.iter().filter(|f| !f.is_resolved()) {
        *findings
            .entry((f.host.as_str(), f.rule.as_str(), f.severity.as_str()))
            .or_default() += 1;
    }
    family(
        out,
        "exdoctor_findings",
        "Findings of the last exdoctor run, by host, rule and severity.",
    )?;
    for ((host, rule, severity), n) in &findings {
        sample(
            out,
            "exdoctor_findings",
            &[("host", host), ("rule", rule), ("severity", severity)],
            *n,
        )?;
    }
    family(out, "exdoctor_hosts", "Hosts the last exdoctor run analysed.")?;
    sample(out, "exdoctor_hosts", &[], analysis.hosts.len() as u64)?;
    let mut inputs: BTreeMap<&str, u64> = BTreeMap::new();
    for source in analysis.hosts.iter().flat_map(|h| &h.sources) {
        *inputs.entry(source.kind.as_str()).or_default() += 1;
    }
    family(
        out,
        "exdoctor_inputs",
        "Input files the last exdoctor run read, by kind.",
    )?;
    for (kind, n) in &inputs {
        sample(out, "exdoctor_inputs", &[("kind", kind)], *n)?;
    }
    let unreadable: BTreeSet<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error)
        .map(|d| d.path.as_str())
        .collect();
    family(
        out,
        "exdoctor_input_errors",
        "Inputs the last exdoctor run could not read at all.",
    )?;
    sample(out, "exdoctor_input_errors", &[], unreadable.len() as u64)?;
    family(
        out,
        "exdoctor_last_run_timestamp_seconds",
        "When the last exdoctor run ended, in seconds since the Unix epoch.",
    )?;
    writeln!(
        out,
        "exdoctor_last_run_timestamp_seconds {}.{:03}",
        now.timestamp(),
        now.timestamp_subsec_millis()
    )
}

/// The `# HELP` and `# TYPE` lines of a gauge.
fn family(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {}", escape_help(help))?;
    writeln!(out, "# TYPE {name} gauge")
}

/// One sample line: `name{label="value",...} n`.
fn sample(out: &mut dyn Write, name: &str, labels: &[(&str, &str)], value: u64) -> io::Result<()> {
    if labels.is_empty() {
        return writeln!(out, "{name} {value}");
    }
    let labels: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    writeln!(out, "{name}{{{}}} {value}", labels.join(","))
}

/// A label value: backslash, double quote and line feed escaped.
fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A help text: backslash and line feed escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::analysis::HostReport;
    use crate::model::{Diagnostic, Finding, RuleId, Status};
    use crate::rules;

    fn finding(host: &str, rule: RuleId, status: Option<Status>) -> Finding {
        let mut f = Finding::new(rules::info(rule), "summary").subject("x");
        f.host = host.to_string();
        f.status = status;
        f
    }

    fn host(name: &str) -> HostReport {
        HostReport {
            name: name.to_string(),
            ..HostReport::default()
        }
    }

    #[test]
    fn the_exposition_has_every_family_in_a_stable_order() {
        let analysis = Analysis {
            hosts: vec![host("EX1"), host("EX\"2\\\n")],
            findings: vec![
                finding("EX1", RuleId::ServiceCrash, None),
                finding("EX1", RuleId::ServiceCrash, Some(Status::New)),
                finding("EX1", RuleId::PendingReboot, Some(Status::Resolved)),
                finding("EX\"2\\\n", RuleId::BuildInventory, None),
            ],
            diagnostics: vec![
                Diagnostic::error("a.evtx", "unreadable"),
                Diagnostic::error("a.evtx", "still unreadable"),
                Diagnostic::warning("b.evtx", "a gap"),
            ],
            unreadable: true,
            ..Analysis::default()
        };
        let now = Utc.with_ymd_and_hms(2024, 5, 24, 10, 30, 12).single().expect("a time")
            + chrono::Duration::milliseconds(250);
        let mut out = Vec::new();
        write_prometheus(&analysis, now, &mut out).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "# HELP exdoctor_findings Findings of the last exdoctor run, by host, rule and severity.\n\
             # TYPE exdoctor_findings gauge\n\
             exdoctor_findings{host=\"EX\\\"2\\\\\\n\",rule=\"build-inventory\",severity=\"info\"} 1\n\
             exdoctor_findings{host=\"EX1\",rule=\"service-crash\",severity=\"error\"} 2\n\
             # HELP exdoctor_hosts Hosts the last exdoctor run analysed.\n\
             # TYPE exdoctor_hosts gauge\n\
             exdoctor_hosts 2\n\
             # HELP exdoctor_inputs Input files the last exdoctor run read, by kind.\n\
             # TYPE exdoctor_inputs gauge\n\
             # HELP exdoctor_input_errors Inputs the last exdoctor run could not read at all.\n\
             # TYPE exdoctor_input_errors gauge\n\
             exdoctor_input_errors 1\n\
             # HELP exdoctor_last_run_timestamp_seconds When the last exdoctor run ended, in seconds since the Unix epoch.\n\
             # TYPE exdoctor_last_run_timestamp_seconds gauge\n\
             exdoctor_last_run_timestamp_seconds 1716546612.250\n"
        );
    }

    #[test]
    fn escapes_follow_the_format() {
        assert_eq!(escape_label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(escape_help("a\\b\"c\nd"), "a\\\\b\"c\\nd");
    }
}
