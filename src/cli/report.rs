//! What `analyze` and `merge` share once they hold an analysis: check the `--host`
//! names, filter, suppress, write the report where it goes, the diagnostics on stderr,
//! and the exit code.

use std::io;

use anyhow::{Context, Result};

use super::output::Output;
use super::{Format, ReportArgs, UsageError, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::analysis::Analysis;
use crate::model::closest;
use crate::report::{
    write_csv, write_diagnostics, write_json, write_jsonl, write_text, Filter, Suppressions, TextOptions, TextStyle,
    TimeWindow,
};

/// The suppression file of `args`, read before any work (a bad file is a usage error).
pub(super) fn suppressions(args: &ReportArgs) -> Result<Option<Suppressions>> {
    args.suppress
        .as_deref()
        .map(Suppressions::load)
        .transpose()
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Filters, suppresses and writes `analysis`; returns the exit code.
pub(super) fn emit(analysis: &Analysis, suppressions: Option<&Suppressions>, args: &ReportArgs) -> Result<u8> {
    let filter = Filter {
        min_severity: args.min_severity,
        rules: args.rule.clone(),
        hosts: args.host.clone(),
        window: TimeWindow {
            since: args.since,
            until: args.until,
        },
    };
    let unmatched = filter.unmatched_hosts(analysis);
    if !unmatched.is_empty() {
        return Err(UsageError(unknown_hosts(&unmatched, analysis)).into());
    }
    let mut shown = filter.apply(analysis);
    if let Some(suppressions) = suppressions {
        suppressions.apply(&mut shown, chrono::Local::now().date_naive());
    }
    let mut output = Output::open(args.output.as_deref())?;
    let color = output.colors();
    let text = TextOptions {
        style: if color { TextStyle::Color } else { TextStyle::Plain },
        view: args.view,
        max_evidence: args.max_evidence,
    };
    let out = output.writer();
    match args.format {
        Format::Text => write_text(&shown, &text, out),
        Format::Json => write_json(&shown, out),
        Format::Jsonl => write_jsonl(&shown, out),
        Format::Csv => write_csv(&shown, out),
    }
    .context("writing the report")?;
    output.finish()?;
    // The text report on stdout holds the diagnostics; elsewhere they go to stderr.
    let in_report = args.format == Format::Text && args.output.is_none();
    if !args.quiet && !in_report && !shown.diagnostics.is_empty() {
        let stderr = io::stderr();
        let style = if crate::platform::stderr_takes_ansi() && std::env::var_os("NO_COLOR").is_none() {
            TextStyle::Color
        } else {
            TextStyle::Plain
        };
        write_diagnostics(&shown.diagnostics, style, &mut stderr.lock())?;
    }
    if shown.unreadable {
        return Ok(EXIT_INPUT);
    }
    let failing = args
        .fail_on
        .is_some_and(|min| shown.findings.iter().any(|f| f.severity >= min));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// `no host named 'EXMBX1' (closest: EXMBX01, EXMBX10)`, one clause per name.
fn unknown_hosts(names: &[&str], analysis: &Analysis) -> String {
    let known = || analysis.hosts.iter().map(|h| h.name.as_str());
    let clauses: Vec<String> = names
        .iter()
        .map(|name| {
            let near = closest(name, known(), 5);
            if near.is_empty() {
                format!("no host named '{name}'")
            } else {
                format!("no host named '{name}' (closest: {})", near.join(", "))
            }
        })
        .collect();
    format!(
        "{}; the report has {} host(s){}",
        clauses.join("; "),
        analysis.hosts.len(),
        if analysis.hosts.len() <= 10 && !analysis.hosts.is_empty() {
            format!(": {}", known().collect::<Vec<_>>().join(", "))
        } else {
            String::new()
        }
    )
}
