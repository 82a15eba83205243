//! What `analyze` and `merge` share once they hold an analysis: compare with the
//! previous run (`--state`), check the `--host` names, filter, suppress, write the report
//! where it goes (and to syslog), the diagnostics on stderr, and the exit code.

use std::io;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::output::Output;
use super::state_file;
use super::{Format, ReportArgs, UsageError, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::analysis::Analysis;
use crate::model::closest;
use crate::model::Status;
use crate::report::{
    write_csv, write_diagnostics, write_ecs, write_json, write_jsonl, write_prometheus, write_text, Filter,
    Suppressions, TextOptions, TextStyle, TimeWindow,
};
use crate::state::track;

/// The suppression file of `args`, read before any work (a bad file is a usage error).
pub(super) fn suppressions(args: &ReportArgs) -> Result<Option<Suppressions>> {
    args.suppress
        .as_deref()
        .map(Suppressions::load)
        .transpose()
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Compares `analysis` with the previous run of the state file when one is given (under
/// its lock; the state is written after the report went out), then filters, suppresses
/// and writes it; returns the exit code.
pub(super) fn emit(mut analysis: Analysis, suppressions: Option<&Suppressions>, args: &ReportArgs) -> Result<u8> {
    if args.only_changes && args.format == Format::Prometheus {
        return Err(UsageError(
            "--only-changes does not go with --format prometheus: its gauges count every current finding".into(),
        )
        .into());
    }
    let now = Utc::now();
    let Some(path) = &args.state else {
        return show(&analysis, suppressions, args, now);
    };
    let wait = Duration::from_secs(args.state_wait);
    state_file::with_state(path, wait, args.quiet, |previous| {
        // A host's earlier names count as analysed: the findings of a renamed server
        // under its old name are resolved, not kept forever.
        let hosts: Vec<&str> = analysis
            .hosts
            .iter()
            .flat_map(|h| std::iter::once(&h.name).chain(&h.aliases))
            .map(String::as_str)
            .collect();
        let (findings, next) = track(previous, std::mem::take(&mut analysis.findings), &hosts, now);
        analysis.findings = findings;
        Ok((show(&analysis, suppressions, args, now)?, next))
    })
}

/// Filters, suppresses and writes `analysis` (and sends it to syslog); returns the exit
/// code.
fn show(analysis: &Analysis, suppressions: Option<&Suppressions>, args: &ReportArgs, now: DateTime<Utc>) -> Result<u8> {
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
    if args.only_changes {
        shown
            .findings
            .retain(|f| matches!(f.status, Some(Status::New | Status::Resolved)));
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
        Format::Prometheus => write_prometheus(&shown, now, out),
        Format::Ecs => write_ecs(&shown, now, out),
    }
    .context("writing the report")?;
    output.finish()?;
    if let Some(target) = &args.syslog {
        super::syslog::send(target, &shown.findings, now)?;
    }
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
        .is_some_and(|min| shown.findings.iter().any(|f| f.severity >= min && !f.is_resolved()));
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
