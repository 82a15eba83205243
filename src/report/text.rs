//! The terminal report: per host, most severe first, each finding with its evidence and
//! numbered remediation steps. Text that comes from the inputs (names, messages, paths)
//! goes through [`printable`]: no terminal control sequence of an input reaches the
//! terminal.

use std::io::{self, Write};

use super::escape::printable;
use super::severity_counts;
use crate::analysis::{Analysis, HostReport};
use crate::model::DiagLevel;
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
    fn paint(self, code: &str, text: &str) -> String {
        match self {
            TextStyle::Plain => text.to_string(),
            TextStyle::Color => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }

    fn severity(self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_ascii_uppercase());
        let code = match s {
            Severity::Critical => "1;31",
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        self.paint(code, &label)
    }
}

/// Writes the text report.
pub fn write_text(analysis: &Analysis, style: TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let counts = severity_counts(&analysis.findings)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>();
    writeln!(
        out,
        "exdoctor {}: {} host(s), {} finding(s){}{}",
        env!("CARGO_PKG_VERSION"),
        analysis.hosts.len(),
        analysis.findings.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if analysis.diagnostics.is_empty() {
            String::new()
        } else {
            format!(", {} input diagnostic(s)", analysis.diagnostics.len())
        }
    )?;
    for host in &analysis.hosts {
        let findings: Vec<&Finding> = analysis.findings.iter().filter(|f| f.host == host.name).collect();
        write_host(host, &findings, style, out)?;
    }
    if !analysis.diagnostics.is_empty() {
        writeln!(out, "\n{}", style.paint("1", "Input diagnostics"))?;
        for d in &analysis.diagnostics {
            let level = match d.level {
                DiagLevel::Warning => style.paint("33", "warning"),
                DiagLevel::Error => style.paint("31", "error"),
            };
            writeln!(out, "  {level}: {}: {}", printable(&d.path), printable(&d.message))?;
        }
    }
    Ok(())
}

fn write_host(host: &HostReport, findings: &[&Finding], style: TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let title = match &host.fqdn {
        Some(fqdn) => format!("{} ({fqdn})", host.name),
        None => host.name.clone(),
    };
    let title = printable(&title);
    writeln!(
        out,
        "\n{} {}",
        style.paint("1", &format!("== {title}")),
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
            " {} {}  {}",
            style.severity(f.severity),
            style.paint("1", f.rule.as_str()),
            printable(&f.title)
        )?;
        writeln!(out, "   {}", printable(&f.summary))?;
        let seen = match (&f.first_seen, &f.last_seen) {
            (Some(a), Some(b)) if a != b => format!("{a} .. {b}"),
            (Some(a), _) => a.to_string(),
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
            for e in &f.evidence {
                let time = e.time.map(|t| format!(" {t}")).unwrap_or_default();
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
    writeln!(out, "\n   inputs:")?;
    for source in &host.sources {
        writeln!(
            out,
            "     {} [{}] {} records",
            printable(&source.path),
            source.kind.as_str(),
            source.records
        )?;
        for line in super::inputs::lines(&source.details) {
            writeln!(out, "       {}", printable(&line))?;
        }
    }
    Ok(())
}
