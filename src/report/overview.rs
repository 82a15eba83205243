//! The fleet overview that opens a report of several hosts: one line per host (OS,
//! Exchange, worst severity, counts, most severe finding), then one line per rule with
//! the hosts it hit. The same numbers feed the JSON `fleet` object and the per-host
//! `worst_severity` / `counts`. Names and titles come from the inputs: the table shows
//! them through [`printable`].

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use super::escape::printable;
use super::{counted, severity_counts, TextStyle};
use crate::analysis::{Analysis, HostReport};
use crate::model::{Finding, RuleId, Severity};

/// Host names listed per rule line before `(+N)`.
const NAMES_PER_RULE: usize = 3;
/// Longest title shown in the host table (the host's section has it whole).
const TITLE_WIDTH: usize = 70;

/// What one host's findings add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct HostSummary<'a> {
    /// The most severe finding's severity (`None` without findings).
    pub worst: Option<Severity>,
    /// Findings per severity, most severe first.
    pub counts: [(Severity, usize); 4],
    /// The most severe finding (the first in report order).
    pub top: Option<&'a Finding>,
}

impl<'a> HostSummary<'a> {
    /// The summary of one host's findings (in report order).
    fn of(mine: &[&'a Finding]) -> HostSummary<'a> {
        let top = mine
            .iter()
            .copied()
            .reduce(|best, f| if f.severity > best.severity { f } else { best });
        HostSummary {
            worst: top.map(|f| f.severity),
            counts: severity_counts(mine.iter().copied()),
            top,
        }
    }

    /// The summary of a host without findings.
    pub fn empty() -> HostSummary<'a> {
        HostSummary::of(&[])
    }
}

/// The summary of each host's findings among `findings` (in report order), by host name,
/// in one pass whatever the number of hosts; a host without findings is not in it
/// ([`HostSummary::empty`]).
pub fn host_summaries(findings: &[Finding]) -> HashMap<&str, HostSummary<'_>> {
    let mut by_host: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings {
        by_host.entry(f.host.as_str()).or_default().push(f);
    }
    by_host
        .into_iter()
        .map(|(host, mine)| (host, HostSummary::of(&mine)))
        .collect()
}

/// The findings of one rule across hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleGroup {
    /// The rule.
    pub rule: RuleId,
    /// Its most severe finding's severity.
    pub severity: Severity,
    /// The hosts it hit, in name order.
    pub hosts: Vec<String>,
    /// Its findings.
    pub findings: usize,
    /// Its findings per severity, most severe first.
    pub counts: [(Severity, usize); 4],
}

/// One group per rule with findings: most severe first, then most hosts, then by id.
pub fn rule_groups(findings: &[Finding]) -> Vec<RuleGroup> {
    let mut by_rule: BTreeMap<RuleId, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_rule.entry(f.rule).or_default().push(f);
    }
    let mut groups: Vec<RuleGroup> = by_rule
        .into_iter()
        .map(|(rule, found)| {
            let mut hosts: Vec<String> = found.iter().map(|f| f.host.clone()).collect();
            hosts.sort();
            hosts.dedup();
            RuleGroup {
                rule,
                severity: found.iter().map(|f| f.severity).max().unwrap_or(Severity::Info),
                hosts,
                findings: found.len(),
                counts: severity_counts(found.iter().copied()),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.hosts.len().cmp(&a.hosts.len()))
            .then(a.rule.cmp(&b.rule))
    });
    groups
}

/// `Windows Server 2003 R2 SP2`, from the registry (else the report's OS line).
pub(super) fn os_cell(host: &HostReport) -> String {
    let from_registry = host.registry.as_ref().and_then(|r| r.os.as_ref()).and_then(|os| {
        let family = os.family.clone()?;
        let r2 = os.product_name.as_deref().is_some_and(|p| p.contains("R2")) && !family.contains("R2");
        let mut cell = family;
        if r2 {
            cell.push_str(" R2");
        }
        if os.service_pack > 0 {
            cell.push_str(&format!(" SP{}", os.service_pack));
        }
        Some(cell)
    });
    from_registry.or_else(|| host.os.clone()).unwrap_or_else(|| "-".into())
}

/// A role key as the table abbreviates it (`MailboxRole` -> `MBX`); `None` for the
/// management tools.
fn role_abbreviation(role: &str) -> Option<String> {
    Some(
        match role.to_ascii_lowercase().as_str() {
            "mailboxrole" => "MBX",
            "clientaccessrole" => "CAS",
            "hubtransportrole" => "HUB",
            "unifiedmessagingrole" => "UM",
            "gatewayrole" | "edgetransportrole" | "edgerole" => "EDGE",
            "clusteredmailboxserver" => "CMS",
            "frontendtransportrole" => "FET",
            "cafe" | "caferole" => "CAFE",
            "admintools" => return None,
            other => other.trim_end_matches("role"),
        }
        .to_ascii_uppercase(),
    )
}

/// `2007 SP1 MBX+HUB`: the level (else the build) and the roles.
pub(super) fn exchange_cell(host: &HostReport) -> String {
    let Some(exchange) = &host.exchange else {
        return "-".into();
    };
    let level = exchange
        .level
        .as_deref()
        .map(|l| l.trim_start_matches("Exchange ").to_string())
        .unwrap_or_else(|| exchange.version.clone());
    let roles: Vec<String> = exchange.roles.iter().filter_map(|r| role_abbreviation(r)).collect();
    if roles.is_empty() {
        level
    } else {
        format!("{level} {}", roles.join("+"))
    }
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

/// Writes the host table (most severe first, then by name) and the per-rule lines.
pub fn write_overview(analysis: &Analysis, style: TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let mut summaries = host_summaries(&analysis.findings);
    let mut rows: Vec<(&HostReport, HostSummary<'_>)> = analysis
        .hosts
        .iter()
        .map(|h| (h, summaries.remove(h.name.as_str()).unwrap_or_else(HostSummary::empty)))
        .collect();
    rows.sort_by(|a, b| b.1.worst.cmp(&a.1.worst).then_with(|| a.0.name.cmp(&b.0.name)));
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|(host, summary)| {
            let [c, e, w, i] = summary.counts.map(|(_, n)| n.to_string());
            let shown = |text: &str| printable(text).into_owned();
            [
                shown(&host.name),
                shown(&os_cell(host)),
                shown(&exchange_cell(host)),
                summary.worst.map_or("ok", Severity::as_str).to_string(),
                c,
                e,
                w,
                i,
                summary
                    .top
                    .map(|f| shorten(&shown(&f.title), TITLE_WIDTH))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "HOST",
        "OS",
        "EXCHANGE",
        "WORST",
        "CRIT",
        "ERR",
        "WARN",
        "INFO",
        "MOST SEVERE FINDING",
    ]
    .map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // OS and Exchange columns that no host fills (no registry exports) are left out.
    let shown: [bool; 9] = std::array::from_fn(|col| !matches!(col, 1 | 2) || cells.iter().any(|r| r[col] != "-"));
    writeln!(
        out,
        "\n{}",
        style.paint("1", &format!("Hosts ({}), most severe first", rows.len()))
    )?;
    for (i, row) in std::iter::once(&header).chain(&cells).enumerate() {
        let mut line = String::from(" ");
        for (col, (cell, width)) in row.iter().zip(widths).enumerate().filter(|(col, _)| shown[*col]) {
            let padded = match col {
                4..=7 => format!(" {cell:>width$}"),
                8 => format!("  {cell}"),
                _ => format!(" {cell:<width$}"),
            };
            line.push_str(&padded);
        }
        let line = line.trim_end();
        match rows.get(i.wrapping_sub(1)).and_then(|(_, s)| s.worst) {
            Some(severity) if i > 0 => writeln!(out, "{}", style.severity_line(severity, line))?,
            _ => writeln!(out, "{line}")?,
        }
    }
    let groups = rule_groups(&analysis.findings);
    if groups.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", style.paint("1", "Findings by rule"))?;
    let id_width = groups.iter().map(|g| g.rule.as_str().len()).max().unwrap_or(0);
    for group in &groups {
        let shown: Vec<&str> = group.hosts.iter().take(NAMES_PER_RULE).map(String::as_str).collect();
        let more = group.hosts.len().saturating_sub(shown.len());
        writeln!(
            out,
            "  {:<id_width$}  {}  {}{}: {}{}",
            group.rule.as_str(),
            style.severity(group.severity),
            counted(group.hosts.len(), "host"),
            if group.findings == group.hosts.len() {
                String::new()
            } else {
                format!(" ({} findings)", group.findings)
            },
            printable(&shown.join(", ")),
            if more > 0 { format!(" (+{more})") } else { String::new() }
        )?;
    }
    Ok(())
}
