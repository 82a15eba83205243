//! `exdoctor analyze <PATH>...`: discover, sniff and summarize every input in parallel,
//! then print the summaries in path order (deterministic for any thread count).

use std::io::{self, BufWriter, Write};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::json;

use super::{AnalyzeArgs, Format, EXIT_INPUT, EXIT_OK};
use crate::diagnostic::{DiagLevel, Diagnostic};
use crate::ingest::{discover, sniff, InputFile};
use crate::sources::{summarize, write_json_line, SourceSummary};

/// Everything `analyze` found, in deterministic order.
struct Analysis {
    sources: Vec<SourceSummary>,
    diagnostics: Vec<Diagnostic>,
    /// At least one input could not be read at all.
    unreadable: bool,
}

pub(super) fn run(args: &AnalyzeArgs) -> Result<u8> {
    let pool = {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            builder = builder.num_threads(n.max(1));
        }
        builder.build().context("cannot start worker threads")?
    };
    let analysis = pool.install(|| analyse(args));
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => print_text(&analysis, &mut out)?,
        Format::Json => print_json(&analysis, &mut out)?,
        Format::Jsonl => print_jsonl(&analysis, &mut out)?,
    }
    out.flush()?;
    if !args.quiet && args.format != Format::Text {
        for diag in &analysis.diagnostics {
            eprintln!("{}: {:?}: {}", diag.path, diag.level, diag.message);
        }
    }
    Ok(if analysis.unreadable { EXIT_INPUT } else { EXIT_OK })
}

fn analyse(args: &AnalyzeArgs) -> Analysis {
    let discovered = discover(&args.paths);
    let mut diagnostics = discovered.unreadable;
    let mut unreadable = !diagnostics.is_empty();
    let results: Vec<FileOutcome> = discovered
        .files
        .par_iter()
        .map(|(path, explicit)| analyse_file(path, *explicit))
        .collect();
    let mut sources = Vec::new();
    for outcome in results {
        match outcome {
            FileOutcome::Summary(summary) => {
                // A file whose content yielded nothing could not be read at all.
                unreadable |= summary.diagnostics.iter().any(|d| d.level == DiagLevel::Error);
                diagnostics.extend(summary.diagnostics.iter().cloned());
                sources.push(*summary);
            }
            FileOutcome::Skipped(Some(diag)) => diagnostics.push(diag),
            FileOutcome::Skipped(None) => {}
            FileOutcome::Unreadable(diag) => {
                unreadable = true;
                diagnostics.push(diag);
            }
        }
    }
    Analysis {
        sources,
        diagnostics,
        unreadable,
    }
}

enum FileOutcome {
    Summary(Box<SourceSummary>),
    /// Not a format we read; a diagnostic only when the file was named explicitly.
    Skipped(Option<Diagnostic>),
    Unreadable(Diagnostic),
}

fn analyse_file(path: &std::path::Path, explicit: bool) -> FileOutcome {
    let input = match InputFile::open(path) {
        Ok(input) => input,
        Err(err) => {
            return FileOutcome::Unreadable(Diagnostic::error(
                path.display().to_string(),
                format!("cannot read: {err}"),
            ))
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match sniff(&name, input.bytes()) {
        Some(kind) => FileOutcome::Summary(Box::new(summarize(&input, kind))),
        None if explicit => FileOutcome::Skipped(Some(Diagnostic::warning(
            input.display(),
            "format not recognised; file skipped",
        ))),
        None => FileOutcome::Skipped(None),
    }
}

fn print_text(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    if analysis.sources.is_empty() {
        writeln!(
            out,
            "No recognised input (ExchangeSetup.log, .evtx, .evt, event XML/CSV, .reg) found."
        )?;
    }
    for source in &analysis.sources {
        writeln!(
            out,
            "{} [{}] {} records{}",
            source.path,
            source.kind.as_str(),
            source.records,
            if source.errors > 0 {
                format!(", {} unreadable", source.errors)
            } else {
                String::new()
            }
        )?;
        for line in &source.text {
            writeln!(out, "  {line}")?;
        }
        writeln!(out)?;
    }
    if !analysis.diagnostics.is_empty() {
        writeln!(out, "Diagnostics:")?;
        for diag in &analysis.diagnostics {
            let level = match diag.level {
                DiagLevel::Warning => "warning",
                DiagLevel::Error => "error",
            };
            writeln!(out, "  {level}: {}: {}", diag.path, diag.message)?;
        }
    }
    Ok(())
}

fn tool() -> serde_json::Value {
    json!({"name": "exdoctor", "version": env!("CARGO_PKG_VERSION")})
}

fn print_json(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let doc = json!({
        "schema_version": 1,
        "tool": tool(),
        "sources": analysis.sources,
        "diagnostics": analysis.diagnostics,
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

fn print_jsonl(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for source in &analysis.sources {
        let mut value = serde_json::to_value(source).map_err(io::Error::other)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("type".into(), "source".into());
        }
        write_json_line(out, &value)?;
    }
    for diag in &analysis.diagnostics {
        let mut value = serde_json::to_value(diag).map_err(io::Error::other)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("type".into(), "diagnostic".into());
        }
        write_json_line(out, &value)?;
    }
    write_json_line(
        out,
        &json!({"type": "summary", "tool": tool(), "sources": analysis.sources.len(), "diagnostics": analysis.diagnostics.len()}),
    )
}
