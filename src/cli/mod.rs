//! Command line: argument parsing, thread pool, dispatch and exit codes.

mod analyze;
mod capped_json;
mod check;
mod merge;
mod output;
mod parse;
mod progress;
mod report;
mod rules;
mod state_file;
mod syslog;
mod timeline;

pub use syslog::SyslogTarget;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::model::{RuleId, Severity, MAX_MESSAGE_BYTES};
use crate::report::{printable, TimeBound, View};

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
    /// Join the JSON reports of shards (`analyze --format json` of parts of a fleet)
    /// into the report of one run: runs the fleet rules over all their hosts.
    Merge(MergeArgs),
    /// Nagios / Icinga service check: one status line with performance data, one line
    /// per finding; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    Check(CheckArgs),
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files and folders to analyse.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// WARNING when a finding is at or above this severity.
    #[arg(long, short, value_enum, default_value_t = Severity::Warning)]
    pub warning: Severity,
    /// CRITICAL when a finding is at or above this severity.
    #[arg(long, short, value_enum, default_value_t = Severity::Error)]
    pub critical: Severity,
    /// Only these hosts (repeatable, case-insensitive).
    #[arg(long, short = 'H')]
    pub host: Vec<String>,
    /// Worker threads (default: all cores; at most 4 per core, 256 in all).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
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
    /// Files and folders (`-` reads one file from standard input).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    pub format: TimelineFormat,
    /// Only these hosts (repeatable, case-insensitive).
    #[arg(long)]
    pub host: Vec<String>,
    /// Only entries at or after this time (RFC 3339, or a date: from its start, UTC).
    #[arg(long)]
    pub since: Option<TimeBound>,
    /// Only entries at or before this time (RFC 3339, or a date: through its end, UTC).
    #[arg(long)]
    pub until: Option<TimeBound>,
    /// Write to this file (atomically: a temporary file renamed) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 4 per core, 256 in all).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Longest text printed per entry, in bytes; longer texts are cut and marked
    /// (0 = no limit).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_MESSAGE_BYTES)]
    pub max_text: usize,
}

/// Output formats of `analyze` and `merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per line, then a summary line.
    Jsonl,
    /// One finding per row (RFC 4180), for spreadsheets and tickets.
    Csv,
    /// Prometheus text exposition format (for node_exporter's textfile collector).
    Prometheus,
    /// One Elastic Common Schema document per finding and line (Filebeat, Elastic Agent).
    Ecs,
    /// One self-contained HTML page: the fleet, each host's findings and a timeline
    /// picture per host (no network, no external assets; for mail and tickets).
    Html,
}

/// What a report shows and where it goes: shared by `analyze` and `merge`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to this file (atomically: a temporary file renamed) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// What the text or HTML shows [default: text: full for one host, hosts for
    /// several; html: full].
    #[arg(long, value_enum)]
    pub view: Option<View>,
    /// At most N evidence lines per finding in the text and HTML (all in JSON).
    #[arg(long, value_name = "N")]
    pub max_evidence: Option<usize>,
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
    /// Only findings seen at or after this time (RFC 3339, or a date: from its start,
    /// UTC); findings without a time (registry state) are kept.
    #[arg(long)]
    pub since: Option<TimeBound>,
    /// Only findings seen at or before this time (RFC 3339, or a date: through its end,
    /// UTC); findings without a time are kept.
    #[arg(long)]
    pub until: Option<TimeBound>,
    /// Suppression file (TOML): known findings out of the text and of --fail-on, kept
    /// in JSON under `suppressed` with their reason.
    #[arg(long, value_name = "FILE")]
    pub suppress: Option<PathBuf>,
    /// Exit with code 1 when a shown finding is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Compare with the previous run of this state file and write it for the next:
    /// findings get `status` new or ongoing, and those gone since are reported once as
    /// resolved. Created when missing; locked while a run uses it.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Show only what changed since the previous run: new and resolved findings.
    #[arg(long, requires = "state")]
    pub only_changes: bool,
    /// How long to wait for another run that holds the state file's lock, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub state_wait: u64,
    /// Also send each shown finding as an RFC 5424 message to udp://HOST:PORT,
    /// tcp://HOST:PORT (octet counting) or unix:PATH.
    #[arg(long, value_name = "TARGET")]
    pub syslog: Option<SyslogTarget>,
}

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Files, folders and .zip bundles to analyse (`-` reads one from standard input).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Worker threads (default: all cores; at most 4 per core, 256 in all). Output is
    /// identical for any value.
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// What to show and where.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' reports (`analyze --format json`, each over whole hosts).
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// What to show and where.
    #[command(flatten)]
    pub report: ReportArgs,
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
            // A Nagios plugin's usage error is UNKNOWN (3), on stdout, never CRITICAL (2).
            if usage && std::env::args_os().nth(1).is_some_and(|a| a == "check") {
                let message = err.to_string();
                let first = message.lines().next().unwrap_or_default();
                return ExitCode::from(check::unknown(first.trim_start_matches("error: ")));
            }
            let _ = err.print();
            return ExitCode::from(if usage { EXIT_INPUT } else { EXIT_OK });
        }
    };
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Parse(args) => parse::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Timeline(args) => timeline::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Check(args) => return ExitCode::from(check::run(&args)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_OK),
        Err(err) if err.downcast_ref::<UsageError>().is_some() => {
            eprintln!("exdoctor: {}", printable(&err.to_string()));
            ExitCode::from(EXIT_INPUT)
        }
        Err(err) => {
            eprintln!("exdoctor: {}", printable(&format!("{err:#}")));
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// Whether an error is (caused by) writing to a pipe whose reader is gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A usage error found after parsing (a `--host` that names nothing, a bad suppression
/// file): exit code 2, the message on stderr, no report.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

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
