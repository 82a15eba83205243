//! The terminal report: for several hosts the overview first; then per host, most
//! severe first, each finding with its evidence and numbered remediation steps; the
//! input diagnostics grouped at the end. Text that comes from the inputs (names,
//! messages, paths) goes through [`printable`]: no terminal control sequence of an
//! input reaches the terminal.

use std::collections::HashMap;
use std::io::{self, Write};

use super::escape::printable;
use super::{severity_counts, write_diagnostics, write_overview};
use crate::analysis::{Analysis, HostReport};
use crate::model::{Finding, Severity};

/// Whether to use ANSI colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextStyle {
    /// No escape sequences.
    Plain,
    /// ANSI colors.
    Color,
}

impl TextStyle {
    pub(super) fn paint(self, code: &str, text: &str) -> String {
        match self {
            TextStyle::Plain => text.to_string(),
            TextStyle::Color => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }

    fn severity_code(s: Severity) -> &'static str {
        match s {
            Severity::Critical => "1;31",
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "36",
        }
    }

    /// The severity as an upper-case label padded to 8 columns, in its color.
    pub(super) fn severity(self, s: Severity) -> String {
        self.paint(
            Self::severity_code(s),
            &format!("{:<8}", s.as_str().to_ascii_uppercase()),
        )
    }

    /// A whole line in the color of a severity (critical and error only).
    pub(super) fn severity_line(self, s: Severity, line: &str) -> String {
        match s {
            Severity::Critical | Severity::Error => self.paint(Self::severity_code(s), line),
            Severity::Warning | Severity::Info => line.to_string(),
        }
    }
}

/// How much of the report the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum View {
    /// The host table and the per-rule lines only.
    Overview,
    /// The overview (several hosts), then each host with findings and its findings.
    Hosts,
    /// Everything: every host, its findings and what each of its inputs holds.
    Full,
}

impl View {
    /// `full` for one host, `hosts` for several.
    pub fn default_for(hosts: usize) -> View {
        if hosts > 1 {
            View::Hosts
        } else {
            View::Full
        }
    }
}

/// How the text report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Colors or not.
    pub style: TextStyle,
    /// What to show (`None`: [`View::default_for`] the number of hosts).
    pub view: Option<View>,
    /// At most this many evidence lines per finding (all when `None`).
    pub max_evidence: Option<usize>,
}

/// Writes the text report.
pub fn write_text(analysis: &Analysis, options: &TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let style = options.style;
    let view = options.view.unwrap_or_else(|| View::default_for(analysis.hosts.len()));
    let mut counts = severity_counts(&analysis.findings)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>();
    let resolved = analysis.findings.iter().filter(|f| f.is_resolved()).count();
    if resolved > 0 {
        counts.push(format!("{resolved} resolved"));
    }
    writeln!(
        out,
        "exdoctor {}: {} host(s), {} finding(s){}{}{}",
        env!("CARGO_PKG_VERSION"),
        analysis.hosts.len(),
        analysis.findings.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if analysis.suppressed.is_empty() {
            String::new()
        } else {
            format!(", {} suppressed", analysis.suppressed.len())
        },
        if analysis.diagnostics.is_empty() {
            String::new()
        } else {
            format!(", {} input diagnostic(s)", analysis.diagnostics.len())
        }
    )?;
    if analysis.hosts.len() > 1 || view == View::Overview {
        write_overview(analysis, style, out)?;
    }
    if view != View::Overview {
        // A fleet's hosts view leaves out the hosts with nothing above info: they are
        // in the table, and `--view full` shows them.
        let fleet = view == View::Hosts && analysis.hosts.len() > 1;
        let mut quiet_hosts = 0;
        let mut by_host: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &analysis.findings {
            by_host.entry(f.host.as_str()).or_default().push(f);
        }
        for host in &analysis.hosts {
            let findings = by_host.remove(host.name.as_str()).unwrap_or_default();
            if fleet && findings.iter().all(|f| f.severity == Severity::Info) {
                quiet_hosts += 1;
                continue;
            }
            write_host(host, &findings, view == View::Full, options, out)?;
        }
        if quiet_hosts > 0 {
            writeln!(
                out,
                "\n{quiet_hosts} host(s) with no finding above info are only in the table (--view full shows them)"
            )?;
        }
    }
    if !analysis.diagnostics.is_empty() {
        writeln!(out)?;
        write_diagnostics(&analysis.diagnostics, style, out)?;
    }
    Ok(())
}

fn write_host(
    host: &HostReport,
    findings: &[&Finding],
    inventory: bool,
    options: &TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = options.style;
    let title = match &host.fqdn {
        Some(fqdn) => format!("{} ({fqdn})", host.name),
        None => host.name.clone(),
    };
    writeln!(
        out,
        "\n{} {}",
        style.paint("1", &format!("== {}", printable(&title))),
        format_args!("- {} finding(s)", findings.len())
    )?;
    if let Some(os) = &host.os {
        writeln!(out, "   os: {}", printable(os))?;
    }
    if let Some(exchange) = &host.exchange {
        writeln!(
            out,
            "   exchange: {} ({}), roles {}",
            printable(&exchange.version),
            printable(exchange.level.as_deref().unwrap_or("unknown level")),
            printable(&exchange.roles.join(", "))
        )?;
    }
    match &host.time_zone {
        Some(zone) => writeln!(out, "   time zone: {}", printable(&zone.label()))?,
        None if host
            .sources
            .iter()
            .any(|s| s.kind == crate::model::SourceKind::SetupLog) =>
        {
            writeln!(
                out,
                "   time zone: unknown (setup-log times are local, without Z; correlation windows widened by 14 h)"
            )?
        }
        None => {}
    }
    if findings.is_empty() {
        writeln!(out, "   no findings")?;
    }
    for f in findings {
        writeln!(out)?;
        writeln!(
            out,
            " {} {}  {}{}",
            style.severity(f.severity),
            style.paint("1", f.rule.as_str()),
            printable(&f.title),
            f.status.map(|s| format!("  [{s}]")).unwrap_or_default()
        )?;
        writeln!(out, "   {}", printable(&f.summary))?;
        let seen = match (&f.first_seen, &f.last_seen) {
            (Some(a), Some(b)) if a != b => format!("{} .. {}", a, b.labelled()),
            (Some(a), _) => a.labelled(),
            _ => String::new(),
        };
        writeln!(
            out,
            "   confidence {:?}{}{}",
            f.confidence,
            if f.count > 1 {
                format!(", {} occurrences", f.count)
            } else {
                String::new()
            },
            if seen.is_empty() {
                String::new()
            } else {
                format!(", seen {seen}")
            }
        )?;
        if !f.evidence.is_empty() {
            writeln!(out, "   evidence:")?;
            let shown = options.max_evidence.unwrap_or(usize::MAX);
            for e in f.evidence.iter().take(shown) {
                let time = e.time.map(|t| format!(" {}", t.labelled())).unwrap_or_default();
                let location = e.location.to_string();
                writeln!(
                    out,
                    "     {} {}{}: {}",
                    printable(&e.source),
                    printable(&location),
                    time,
                    printable(&e.text)
                )?;
            }
            if f.evidence.len() > shown {
                writeln!(
                    out,
                    "     ... {} more (--max-evidence; all in --format json)",
                    f.evidence.len() - shown
                )?;
            }
        }
        if !f.remediation.is_empty() {
            writeln!(out, "   remediation:")?;
            for (i, step) in f.remediation.iter().enumerate() {
                writeln!(out, "     {}. {}", i + 1, printable(step))?;
            }
        }
        if !f.references.is_empty() {
            writeln!(out, "   references: {}", printable(&f.references.join("; ")))?;
        }
    }
    // What the inputs could not tell: said with the findings, so that no finding is not
    // read as nothing wrong.
    if !host.coverage_gaps.is_empty() {
        writeln!(out)?;
    }
    for gap in &host.coverage_gaps {
        writeln!(out, "   not covered ({}): {}", gap.rule, gap.message)?;
    }
    if !inventory {
        return Ok(());
    }
    writeln!(out, "\n   inputs:")?;
    for source in &host.sources {
        writeln!(
            out,
            "     {} [{}] {} records",
            printable(&source.path),
            source.kind.as_str(),
            source.records
        )?;
        for line in super::inputs::lines(&source.details, host.time_zone.as_ref()) {
            writeln!(out, "       {}", printable(&line))?;
        }
    }
    Ok(())
}
