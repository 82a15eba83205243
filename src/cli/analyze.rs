//! `exdoctor analyze <PATH>...`: analyse everything, filter, print, choose the exit code.

use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::{Context, Result};

use super::{AnalyzeArgs, Format, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::analysis::{analyze_with_progress, Progress};
use crate::report::{write_json, write_jsonl, write_text, Filter, TextStyle};

pub(super) fn run(args: &AnalyzeArgs) -> Result<u8> {
    let pool = super::thread_pool(args.threads)?;
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if done == total || done % 16 == 0 {
            eprint!("\rreading inputs: {done}/{total}");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let analysis =
        pool.install(|| analyze_with_progress(&args.paths, show_progress.then_some(&progress as Progress<'_>)));
    let filter = Filter {
        min_severity: args.min_severity,
        rules: args.rule.clone(),
        hosts: args.host.clone(),
    };
    let shown = filter.apply(&analysis);
    let stdout = io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => write_text(
            &shown,
            if color { TextStyle::Color } else { TextStyle::Plain },
            &mut out,
        ),
        Format::Json => write_json(&shown, &mut out),
        Format::Jsonl => write_jsonl(&shown, &mut out),
    }
    .context("writing the report")?;
    out.flush()?;
    if !args.quiet && args.format != Format::Text {
        super::print_diagnostics(&analysis.diagnostics);
    }
    if analysis.unreadable {
        return Ok(EXIT_INPUT);
    }
    let failing = args
        .fail_on
        .is_some_and(|min| shown.findings.iter().any(|f| f.severity >= min));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}
