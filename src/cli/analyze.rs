//! `exdoctor analyze <PATH>...`: analyse everything, compare with the previous run
//! (`--state`), filter, print, choose the exit code.

use std::time::Duration;

use anyhow::bail;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::{state_file, AnalyzeArgs, Format, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::analysis::{analyze_with_progress, Analysis, Progress};
use crate::model::Status;
use crate::report::{write_ecs, write_json, write_jsonl, write_prometheus, write_text, Filter, TextStyle};
use crate::state::track;

pub(super) fn run(args: &AnalyzeArgs) -> Result<u8> {
    if args.only_changes && args.format == Format::Prometheus {
        bail!("--only-changes does not go with --format prometheus: its gauges count every current finding");
    }
    let pool = super::thread_pool(args.threads)?;
    let show_progress = !args.quiet && crate::platform::stderr_takes_ansi();
    let progress = |done: usize, total: usize| {
        if done == total || done % 16 == 0 {
            eprint!("\rreading inputs: {done}/{total}");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let mut analysis =
        pool.install(|| analyze_with_progress(&args.paths, show_progress.then_some(&progress as Progress<'_>)));
    let now = Utc::now();
    let Some(path) = &args.state else {
        return report(args, &analysis, now);
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
        Ok((report(args, &analysis, now)?, next))
    })
}

/// Filters, writes the report (and sends it to syslog) and its diagnostics, and chooses
/// the exit code.
fn report(args: &AnalyzeArgs, analysis: &Analysis, now: DateTime<Utc>) -> Result<u8> {
    let filter = Filter {
        min_severity: args.min_severity,
        rules: args.rule.clone(),
        hosts: args.host.clone(),
    };
    let mut shown = filter.apply(analysis);
    if args.only_changes {
        shown
            .findings
            .retain(|f| matches!(f.status, Some(Status::New | Status::Resolved)));
    }
    let color = args.output.is_none() && crate::platform::stdout_colors();
    super::output::write_to(args.output.as_deref(), |out| match args.format {
        Format::Text => write_text(&shown, if color { TextStyle::Color } else { TextStyle::Plain }, out),
        Format::Json => write_json(&shown, out),
        Format::Jsonl => write_jsonl(&shown, out),
        Format::Prometheus => write_prometheus(&shown, now, out),
        Format::Ecs => write_ecs(&shown, now, out),
    })
    .context("writing the report")?;
    if let Some(target) = &args.syslog {
        super::syslog::send(target, &shown.findings, now)?;
    }
    if !args.quiet && args.format != Format::Text {
        for diag in &analysis.diagnostics {
            eprintln!("{}: {:?}: {}", diag.path, diag.level, diag.message);
        }
    }
    if analysis.unreadable {
        return Ok(EXIT_INPUT);
    }
    let failing = args
        .fail_on
        .is_some_and(|min| shown.findings.iter().any(|f| f.severity >= min && !f.is_resolved()));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}
