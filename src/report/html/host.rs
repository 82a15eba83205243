//! One host's section: its name and facts (OS, Exchange, time zone, earlier names), its
//! timeline picture, its findings most severe first, and what each of its inputs holds
//! (folded away).

use std::collections::HashMap;
use std::io;

use super::escape::Html;
use super::finding::{badge, rank, write_finding};
use super::timeline::{write_timeline, Linked};
use crate::analysis::HostReport;
use crate::model::{Attribution, Severity, SourceKind};
use crate::report::{inputs, HostSummary};

/// How much of a host the section shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct HostOptions {
    /// List its inputs (folded).
    pub(super) inputs: bool,
    /// At most this many evidence lines per finding.
    pub(super) max_evidence: Option<usize>,
}

/// The words the page's host filter matches: name, FQDN, earlier names, lower case.
pub(super) fn search_names(host: &HostReport) -> String {
    std::iter::once(&host.name)
        .chain(&host.fqdn)
        .chain(&host.aliases)
        .map(|n| n.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ids of the rules with findings among `findings`, space-separated.
pub(super) fn rule_list(findings: &[Linked<'_>]) -> String {
    let mut rules: Vec<&str> = findings.iter().map(|(f, _)| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    rules.join(" ")
}

/// Writes the section of `host`, whose findings (in report order) are `findings` and
/// add up to `summary`.
pub(super) fn write_host(
    h: &mut Html<'_>,
    host: &HostReport,
    anchor: &str,
    findings: &[Linked<'_>],
    summary: &HostSummary<'_>,
    options: HostOptions,
) -> io::Result<()> {
    let zone = host.time_zone.as_ref();
    h.open(
        "section",
        &[
            ("class", &"host"),
            ("id", &anchor),
            ("data-host", &search_names(host)),
            ("data-worst", &rank(summary.worst)),
            ("data-rules", &rule_list(findings)),
        ],
    )?;
    h.raw("<header class=\"host-head\"><h2>")?;
    h.element("a", &[("href", &format!("#{anchor}")), ("class", &"self")], &host.name)?;
    if let Some(fqdn) = &host.fqdn {
        h.element("span", &[("class", &"fqdn")], fqdn)?;
    }
    h.raw("</h2>")?;
    badge(h, summary.worst)?;
    h.element("span", &[("class", &"counts")], counts_text(&summary.counts))?;
    h.raw("<a class=\"top\" href=\"#fleet\">back to the hosts</a></header>")?;
    write_facts(h, host)?;
    h.raw("<figure class=\"picture\">")?;
    write_timeline(h, host, findings)?;
    h.open("figcaption", &[])?;
    h.text(caption(host))?;
    h.close("figcaption")?;
    h.raw("</figure>")?;
    if findings.is_empty() {
        h.element("p", &[("class", &"note")], "No findings.")?;
    }
    for (finding, finding_anchor) in findings {
        write_finding(h, finding, finding_anchor, zone, options.max_evidence)?;
    }
    write_coverage_gaps(h, host)?;
    if options.inputs {
        write_inputs(h, host)?;
    }
    h.close("section")
}

/// What the inputs could not tell (a log that ends before a rule could judge), said
/// beside the findings so that no finding is not read as nothing wrong.
fn write_coverage_gaps(h: &mut Html<'_>, host: &HostReport) -> io::Result<()> {
    if host.coverage_gaps.is_empty() {
        return Ok(());
    }
    h.raw("<h4 class=\"coverage-title\">Not covered by the inputs</h4><ul class=\"coverage\">")?;
    for gap in &host.coverage_gaps {
        h.raw("<li>")?;
        h.element("code", &[("class", &"rule")], gap.rule.as_str())?;
        h.text(" ")?;
        h.text(&gap.message)?;
        h.raw("</li>")?;
    }
    h.raw("</ul>")
}

/// `1 error, 1 info`; `no findings`.
pub(super) fn counts_text(counts: &[(Severity, usize); 4]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "no findings".into()
    } else {
        parts.join(", ")
    }
}

/// What the caption says of the picture: the axis, the host's zone, runs not drawn.
fn caption(host: &HostReport) -> String {
    let mut text = String::from(
        "Time axis in UTC. Hover a mark for the event, its local time and where it is; click it for the finding that explains it.",
    );
    match &host.time_zone {
        Some(zone) => text.push_str(&format!(" Local times: {}.", zone.label())),
        None => text.push_str(" The host's time zone is unknown: local times are not shown."),
    }
    if let Some(marks) = &host.marks {
        let undated = marks
            .runs
            .iter()
            .filter(|r| r.start.is_none() || r.end.is_none())
            .count();
        if undated > 0 {
            text.push_str(&format!(
                " {undated} setup run(s) without resolved dates are not drawn."
            ));
        }
        if marks.runs.iter().any(|r| r.start.is_some() && !r.zone_known) {
            text.push_str(" Setup runs with dashed outlines have local times of an unknown zone, drawn as if UTC.");
        }
    }
    text
}

/// OS, Exchange, time zone, earlier names and a pending rename.
fn write_facts(h: &mut Html<'_>, host: &HostReport) -> io::Result<()> {
    let mut facts: Vec<(&'static str, String)> = Vec::new();
    if let Some(os) = &host.os {
        facts.push(("OS", os.clone()));
    }
    if let Some(exchange) = &host.exchange {
        facts.push((
            "Exchange",
            format!(
                "{} ({}), roles {}",
                exchange.version,
                exchange.level.as_deref().unwrap_or("unknown level"),
                exchange.roles.join(", ")
            ),
        ));
    }
    match &host.time_zone {
        Some(zone) => facts.push(("Time zone", zone.label())),
        None if host.sources.iter().any(|s| s.kind == SourceKind::SetupLog) => facts.push((
            "Time zone",
            "unknown: setup-log times are local, correlation windows widened by 14 h".into(),
        )),
        None => {}
    }
    for rename in &host.renames {
        facts.push((
            "Renamed",
            format!(
                "{} to {}{} ({})",
                rename.old,
                rename.new,
                rename
                    .time
                    .map(|t| format!(" at {}", super::clock::utc(t)))
                    .unwrap_or_default(),
                rename.how
            ),
        ));
    }
    if host.renames.is_empty() && !host.aliases.is_empty() {
        facts.push(("Earlier names", host.aliases.join(", ")));
    }
    if let Some(pending) = &host.pending_rename {
        facts.push(("Pending rename", format!("to {pending} at the next reboot")));
    }
    if facts.is_empty() {
        return Ok(());
    }
    h.raw("<dl class=\"facts\">")?;
    for (name, value) in facts {
        h.element("dt", &[], name)?;
        h.element("dd", &[], value)?;
    }
    h.raw("</dl>")
}

/// The inputs, folded: each file with its kind, records, why it is this host's, and the
/// lines of its summary.
fn write_inputs(h: &mut Html<'_>, host: &HostReport) -> io::Result<()> {
    h.open("details", &[("class", &"inputs")])?;
    h.element("summary", &[], format!("Inputs ({} files)", host.sources.len()))?;
    h.raw("<ul>")?;
    // The first attribution of each path (one lookup per source, not a scan).
    let mut attributions: HashMap<&str, &Attribution> = HashMap::new();
    for a in &host.attribution {
        attributions.entry(a.path.as_str()).or_insert(a);
    }
    for source in &host.sources {
        h.raw("<li>")?;
        h.element("code", &[("class", &"where")], &source.path)?;
        h.element(
            "span",
            &[("class", &"kind")],
            format!(
                "{}, {} records{}",
                source.kind.as_str(),
                source.records,
                if source.errors > 0 {
                    format!(", {} unreadable", source.errors)
                } else {
                    String::new()
                }
            ),
        )?;
        if let Some(attribution) = attributions.get(source.path.as_str()) {
            h.element(
                "div",
                &[("class", &"why")],
                format!("this host's by {}", attribution.how),
            )?;
        }
        let lines = inputs::lines(&source.details, host.time_zone.as_ref());
        if !lines.is_empty() {
            h.element("pre", &[("class", &"summary-lines")], lines.join("\n"))?;
        }
        h.raw("</li>")?;
    }
    h.raw("</ul></details>")
}
