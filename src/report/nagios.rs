//! The output of `exdoctor check`, a Nagios / Icinga plugin as the Monitoring Plugins
//! development guidelines describe it: one status line
//! `EXDOCTOR <STATE> - <text> | <perfdata>`, then one line per finding (the long
//! output), and the state as exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
//!
//! Performance data are the finding counts per severity and the hosts and unreadable
//! inputs, each `label=value;warn;crit;min` with the threshold range `0` (alert above
//! zero) on the severities that raise WARNING or CRITICAL. Texts never contain `|` (it
//! starts the performance data) nor line breaks.

use std::collections::HashSet;
use std::io::{self, Write};

use super::escape::printable;
use crate::analysis::Analysis;
use crate::model::{DiagLevel, Finding, Severity};

/// Most finding lines in the long output (Nagios keeps 8 KB of plugin output by default).
pub const MAX_FINDING_LINES: usize = 40;

/// Most host names in the status line.
const MAX_NAMED_HOSTS: usize = 5;

/// A plugin state, in the order of its exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluginState {
    /// 0: nothing at or above the warning threshold.
    Ok,
    /// 1: a finding at or above the warning threshold.
    Warning,
    /// 2: a finding at or above the critical threshold.
    Critical,
    /// 3: the check could not be done (unreadable input, nothing to analyse, usage).
    Unknown,
}

impl PluginState {
    /// The exit code of the state.
    pub fn exit_code(self) -> u8 {
        match self {
            PluginState::Ok => 0,
            PluginState::Warning => 1,
            PluginState::Critical => 2,
            PluginState::Unknown => 3,
        }
    }

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginState::Ok => "OK",
            PluginState::Warning => "WARNING",
            PluginState::Critical => "CRITICAL",
            PluginState::Unknown => "UNKNOWN",
        }
    }
}

/// The severities that make the check WARNING and CRITICAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A finding at or above this severity makes the state at least WARNING.
    pub warning: Severity,
    /// A finding at or above this severity makes the state CRITICAL.
    pub critical: Severity,
}

impl Thresholds {
    /// The state one finding of `severity` asks for.
    pub fn state_of(&self, severity: Severity) -> PluginState {
        if severity >= self.critical {
            PluginState::Critical
        } else if severity >= self.warning {
            PluginState::Warning
        } else {
            PluginState::Ok
        }
    }
}

/// A plugin text: `|` would start the performance data and a line break the long
/// output, so `|` becomes `/` and white space runs one space; other control characters
/// of the inputs (ESC, NUL, bidi overrides) are written as visible escapes
/// ([`printable`]).
pub fn plugin_text(text: &str) -> String {
    let one_line = text.replace('|', "/").split_whitespace().collect::<Vec<_>>().join(" ");
    printable(&one_line).into_owned()
}

/// Writes the plugin output of `analysis` (the findings to judge, resolved ones left
/// out) and returns its state.
pub fn write_check(analysis: &Analysis, thresholds: Thresholds, out: &mut dyn Write) -> io::Result<PluginState> {
    let mut findings: Vec<&Finding> = analysis.findings.iter().filter(|f| !f.is_resolved()).collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    // One message per unreadable input, the first three in the status line.
    let mut unreadable: Vec<(&str, &str)> = Vec::new();
    let mut unreadable_paths: HashSet<&str> = HashSet::new();
    for d in analysis.diagnostics.iter().filter(|d| d.level == DiagLevel::Error) {
        if unreadable_paths.insert(&d.path) {
            unreadable.push((&d.path, &d.message));
        }
    }
    let judged = findings
        .iter()
        .map(|f| thresholds.state_of(f.severity))
        .max()
        .unwrap_or(PluginState::Ok);
    // An unreadable input makes the check UNKNOWN, unless what could be read is
    // CRITICAL already (Icinga ranks CRITICAL above UNKNOWN; a broken file must not
    // hide a broken server).
    let state = if analysis.hosts.is_empty() || (!unreadable.is_empty() && judged != PluginState::Critical) {
        PluginState::Unknown
    } else {
        judged
    };
    let named: Vec<String> = unreadable.iter().take(3).map(|(p, m)| format!("{p}: {m}")).collect();
    let unread = format!(
        "{} input(s) could not be read: {}{}",
        unreadable.len(),
        named.join("; "),
        if unreadable.len() > 3 { "; ..." } else { "" }
    );
    let text = if unreadable.is_empty() && analysis.hosts.is_empty() {
        "no Exchange setup log, event log or registry export found in the paths".to_string()
    } else if unreadable.is_empty() {
        status_text(&findings, thresholds, analysis.hosts.len())
    } else if state == PluginState::Unknown {
        format!("{unread}; {}", counts_text(&findings, thresholds))
    } else {
        format!("{}; {unread}", status_text(&findings, thresholds, analysis.hosts.len()))
    };
    writeln!(
        out,
        "EXDOCTOR {} - {} | {}",
        state.as_str(),
        plugin_text(&text),
        perfdata(analysis, &findings, thresholds, unreadable.len())
    )?;
    for f in findings.iter().take(MAX_FINDING_LINES) {
        writeln!(
            out,
            "[{}] {} {} {}: {}",
            thresholds.state_of(f.severity).as_str(),
            plugin_text(&f.host),
            f.severity,
            f.rule,
            plugin_text(&f.title)
        )?;
    }
    if findings.len() > MAX_FINDING_LINES {
        writeln!(
            out,
            "... and {} more finding(s): exdoctor analyze shows them all",
            findings.len() - MAX_FINDING_LINES
        )?;
    }
    Ok(state)
}

/// `2 critical, 3 error finding(s) on EXMBX01, EXMBX02; first: EXMBX01 <title>`, or
/// `no finding at or above warning on 8 host(s) (10 info)`.
fn status_text(findings: &[&Finding], thresholds: Thresholds, hosts: usize) -> String {
    let alerting: Vec<&&Finding> = findings.iter().filter(|f| f.severity >= thresholds.warning).collect();
    let Some(worst) = alerting.first() else {
        let below = findings.len();
        return format!(
            "no finding at or above {} on {hosts} host(s){}",
            thresholds.warning,
            if below > 0 {
                format!(" ({})", counts_text(findings, thresholds))
            } else {
                String::new()
            }
        );
    };
    let mut alert_hosts: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for f in &alerting {
        if seen.insert(&f.host) {
            alert_hosts.push(&f.host);
        }
    }
    let named = if alert_hosts.len() > MAX_NAMED_HOSTS {
        format!(
            "{}, ... (+{})",
            alert_hosts[..MAX_NAMED_HOSTS].join(", "),
            alert_hosts.len() - MAX_NAMED_HOSTS
        )
    } else {
        alert_hosts.join(", ")
    };
    format!(
        "{} on {} of {hosts} host(s) ({named}); worst: {} {}",
        counts_text(findings, thresholds),
        alert_hosts.len(),
        worst.host,
        worst.title
    )
}

/// `2 critical, 3 error, 1 warning finding(s)` of the severities at or above the
/// warning threshold (all severities when none is).
fn counts_text(findings: &[&Finding], thresholds: Thresholds) -> String {
    let parts: Vec<String> = [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .filter(|s| **s >= thresholds.warning || findings.iter().all(|f| f.severity < thresholds.warning))
        .map(|s| (s, findings.iter().filter(|f| f.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "no findings".to_string()
    } else {
        format!("{} finding(s)", parts.join(", "))
    }
}

/// `critical=1;;0;0 error=4;;0;0 warning=5;0;;0 info=10;;;0 hosts=8;;;0 input_errors=0;;;0`.
fn perfdata(analysis: &Analysis, findings: &[&Finding], thresholds: Thresholds, unreadable: usize) -> String {
    let mut parts: Vec<String> = [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .map(|&s| {
            let n = findings.iter().filter(|f| f.severity == s).count();
            let (warn, crit) = match thresholds.state_of(s) {
                PluginState::Critical => ("", "0"),
                PluginState::Warning => ("0", ""),
                _ => ("", ""),
            };
            format!("{s}={n};{warn};{crit};0")
        })
        .collect();
    parts.push(format!("hosts={};;;0", analysis.hosts.len()));
    parts.push(format!("input_errors={unreadable};;;0"));
    parts.join(" ")
}

#[cfg(test)]
mod tests;
