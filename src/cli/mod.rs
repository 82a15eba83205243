//! Command line: argument parsing, thread pool, dispatch and exit codes.

mod analyze;
mod capped_json;
mod parse;
mod rules;
mod timeline;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::model::{DiagLevel, Diagnostic, RuleId, Severity, MAX_MESSAGE_BYTES};
use crate::report::printable;

/// Exit code: ran, nothing at or above --fail-on.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above --fail-on.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, or an input could not be read at all.
pub const EXIT_INPUT: u8 = 2;

/// Offline triage of Exchange setup logs, event logs and registry exports.
#[derive(Debug, Parser)]
#[command(name = "exdoctor", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse files and folders (recursively) and report per input what was found.
    Analyze(AnalyzeArgs),
    /// Print the parsed records of one file as JSON lines (for debugging and scripts).
    Parse(ParseArgs),
    /// List the rule catalog, or show one rule with its remediation.
    Rules(RulesArgs),
    /// Merge the events and setup-log milestones of all sources in UTC order.
    Timeline(TimelineArgs),
}

/// Output formats of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    /// One line per entry.
    Text,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// Files and folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    pub format: TimelineFormat,
    /// Only these hosts (repeatable, case-insensitive).
    #[arg(long)]
    pub host: Vec<String>,
    /// Worker threads (default: all cores; at most 4 per core, 256 in all).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Longest text printed per entry, in bytes; longer texts are cut and marked
    /// (0 = no limit).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_MESSAGE_BYTES)]
    pub max_text: usize,
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per line, then a summary line.
    Jsonl,
}

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Files and folders to analyse.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Worker threads (default: all cores; at most 4 per core, 256 in all). Output is
    /// identical for any value.
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Print nothing on success except the results (no diagnostics on stderr).
    #[arg(long, short)]
    pub quiet: bool,
    /// Show only findings at or above this severity.
    #[arg(long, value_enum)]
    pub min_severity: Option<Severity>,
    /// Show only these rule ids (repeatable, case-insensitive; see `exdoctor rules`).
    #[arg(long)]
    pub rule: Vec<RuleId>,
    /// Show only these hosts (repeatable, case-insensitive).
    #[arg(long)]
    pub host: Vec<String>,
    /// Exit with code 1 when a shown finding is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// A rule id; without it, the whole catalog.
    pub id: Option<String>,
    /// As JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `parse`.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The file to parse; its format is detected from its content.
    pub file: PathBuf,
    /// Longest string value printed, in bytes; longer ones are cut and marked
    /// (0 = no limit).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_MESSAGE_BYTES)]
    pub max_text: usize,
}

/// Entry point of the binary.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage = err.use_stderr();
            let _ = err.print();
            return ExitCode::from(if usage { EXIT_INPUT } else { EXIT_OK });
        }
    };
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Parse(args) => parse::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Timeline(args) => timeline::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // A closed pipe (`| head`) is not an error worth a message.
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::from(EXIT_OK);
            }
            eprintln!("exdoctor: {}", printable(&format!("{err:#}")));
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// Prints diagnostics on stderr as `path: level: message`, with the terminal control
/// characters of paths and messages escaped.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let level = match d.level {
            DiagLevel::Warning => "warning",
            DiagLevel::Error => "error",
        };
        eprintln!("{}: {level}: {}", printable(&d.path), printable(&d.message));
    }
}

/// Most worker threads allowed: 4 per core, never more than 256 (more only costs
/// memory and start-up time: the work is spread over files).
fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores.saturating_mul(4).min(256)
}

/// `--threads N`: 1 to [`max_threads`]; anything else is a usage error (exit 2).
fn parse_threads(text: &str) -> Result<usize, String> {
    let max = max_threads();
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be between 1 and {max} (4 per core, at most 256)")),
        Err(_) => Err(format!("not a number of threads (1 to {max})")),
    }
}

/// A rayon pool with `threads` workers (all cores when `None`).
fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().context("cannot start worker threads")
}
