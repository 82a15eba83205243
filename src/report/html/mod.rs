//! `--format html`: one self-contained page (inline CSS, a small inline script, inline
//! SVG; nothing loaded from elsewhere), readable with scripts off. The fleet first (the
//! host table, sortable and filterable, and the findings by rule), then a section per
//! host, most severe first: its facts, its timeline picture, its findings and its
//! inputs; the suppressed findings and the input diagnostics at the end. Every string
//! from the inputs is escaped ([`escape`]).

mod axis;
mod clock;
mod escape;
mod finding;
mod fleet;
mod host;
mod timeline;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use escape::Html;
use host::{write_host, HostOptions};
use timeline::Linked;

use super::{counted, diagnostic_groups, host_summaries, severity_counts, HostSummary, View};
use crate::analysis::{Analysis, HostReport};
use crate::model::{DiagLevel, Finding};

/// The page's style sheet.
const CSS: &str = include_str!("assets/report.css");
/// The page's script: sorting, filters, copy buttons (the page reads without it).
const SCRIPT: &str = include_str!("assets/report.js");

/// What the HTML report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HtmlOptions {
    /// `overview`: the fleet tables only; `hosts`: and the sections of the hosts with a
    /// finding above info; `full` (default): every host, with its inputs (folded).
    pub view: Option<View>,
    /// At most this many evidence lines per finding (default: all, the first 8 shown
    /// and the rest folded).
    pub max_evidence: Option<usize>,
}

/// One host of the page.
pub(super) struct HostRow<'a> {
    /// The host.
    host: &'a HostReport,
    /// What its findings add up to.
    summary: HostSummary<'a>,
    /// The id of its section.
    anchor: String,
    /// Its findings with their ids, in report order (most severe first).
    findings: Vec<Linked<'a>>,
    /// Whether the page has its section.
    section: bool,
}

/// What every part of the page reads.
pub(super) struct Page<'a> {
    /// The report.
    analysis: &'a Analysis,
    /// The hosts, most severe first, then by name.
    hosts: Vec<HostRow<'a>>,
    /// The index in `hosts` of each host with a section, by name.
    sections: BTreeMap<&'a str, usize>,
}

impl Page<'_> {
    /// The id of `name`'s section, when the page has one.
    fn host_anchor(&self, name: &str) -> Option<&str> {
        let row = self.hosts.get(*self.sections.get(name)?)?;
        Some(row.anchor.as_str())
    }
}

/// The anchor ids given so far, and per base the next number to try: linear however
/// many names share one slug.
#[derive(Default)]
struct Anchors {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

/// `EXMBX01` -> `host-EXMBX01`: letters, digits, `-`, `_` and `.` kept, anything else
/// `_`; made unique with a number.
fn unique_id(prefix: &str, name: &str, anchors: &mut Anchors) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = format!("{prefix}{slug}");
    if anchors.taken.insert(base.clone()) {
        return base;
    }
    let next = anchors.next.entry(base.clone()).or_insert(2);
    loop {
        let id = format!("{base}-{next}");
        *next += 1;
        if anchors.taken.insert(id.clone()) {
            return id;
        }
    }
}

/// The id of each finding (by index): `f-` and its fingerprint.
fn finding_anchors(findings: &[Finding], taken: &mut Anchors) -> Vec<String> {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if f.fingerprint.is_empty() {
                i.to_string()
            } else {
                f.fingerprint.clone()
            };
            unique_id("f-", &name, taken)
        })
        .collect()
}

/// Writes the HTML report.
pub fn write_html(analysis: &Analysis, options: &HtmlOptions, out: &mut dyn Write) -> io::Result<()> {
    let view = options.view.unwrap_or(View::Full);
    let mut taken = Anchors::default();
    let anchors = finding_anchors(&analysis.findings, &mut taken);
    let mut by_host: BTreeMap<&str, Vec<Linked<'_>>> = BTreeMap::new();
    for (finding, anchor) in analysis.findings.iter().zip(&anchors) {
        by_host
            .entry(finding.host.as_str())
            .or_default()
            .push((finding, anchor.as_str()));
    }
    let several = analysis.hosts.len() > 1;
    let mut summaries = host_summaries(&analysis.findings);
    let mut hosts: Vec<HostRow<'_>> = analysis
        .hosts
        .iter()
        .map(|host| {
            let summary = summaries.remove(host.name.as_str()).unwrap_or_else(HostSummary::empty);
            let findings = by_host.remove(host.name.as_str()).unwrap_or_default();
            let section = match view {
                View::Overview => false,
                View::Hosts => !several || findings.iter().any(|(f, _)| f.severity > crate::model::Severity::Info),
                View::Full => true,
            };
            HostRow {
                host,
                summary,
                anchor: unique_id("host-", &host.name, &mut taken),
                findings,
                section,
            }
        })
        .collect();
    hosts.sort_by(|a, b| {
        b.summary
            .worst
            .cmp(&a.summary.worst)
            .then_with(|| a.host.name.cmp(&b.host.name))
    });
    let sections = hosts
        .iter()
        .enumerate()
        .filter(|(_, row)| row.section)
        .map(|(i, row)| (row.host.name.as_str(), i))
        .collect();
    let page = Page {
        analysis,
        hosts,
        sections,
    };
    let mut h = Html::new(out);
    write_head(&mut h, analysis)?;
    write_header(&mut h, &page)?;
    fleet::write_host_table(&mut h, &page)?;
    fleet::write_rule_table(&mut h, &page)?;
    write_sections(&mut h, &page, view, options)?;
    write_suppressed(&mut h, analysis)?;
    write_diagnostics(&mut h, analysis)?;
    h.raw("<footer>")?;
    h.text(format!(
        "exdoctor {}: one self-contained file, nothing is loaded from elsewhere. Every finding with all its evidence is in --format json.",
        env!("CARGO_PKG_VERSION")
    ))?;
    h.raw("</footer><script>")?;
    h.raw(SCRIPT)?;
    h.raw("</script></body></html>\n")
}

fn write_head(h: &mut Html<'_>, analysis: &Analysis) -> io::Result<()> {
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"exdoctor\"><title>")?;
    h.text(format!(
        "exdoctor: {} host(s), {} finding(s)",
        analysis.hosts.len(),
        analysis.findings.len()
    ))?;
    h.raw("</title><style>")?;
    h.raw(CSS)?;
    // Marks the page as scripted before it is drawn: the controls show, no flicker.
    h.raw("</style><script>document.documentElement.className += \" js\";</script></head><body>")
}

/// The title bar: the counts, and where to go.
fn write_header(h: &mut Html<'_>, page: &Page<'_>) -> io::Result<()> {
    let analysis = page.analysis;
    h.raw("<header class=\"page\"><h1>exdoctor report</h1><div class=\"totals\">")?;
    h.element("span", &[("class", &"total")], counted(analysis.hosts.len(), "host"))?;
    for (severity, n) in severity_counts(&analysis.findings) {
        let class = format!("total sev-{}{}", severity.as_str(), if n == 0 { " zero" } else { "" });
        h.element("span", &[("class", &class)], format!("{n} {severity}"))?;
    }
    let resolved = analysis.findings.iter().filter(|f| f.is_resolved()).count();
    if resolved > 0 {
        h.element("span", &[("class", &"total")], format!("{resolved} resolved"))?;
    }
    if !analysis.suppressed.is_empty() {
        h.element(
            "a",
            &[("class", &"total"), ("href", &"#suppressed")],
            format!("{} suppressed", analysis.suppressed.len()),
        )?;
    }
    if !analysis.diagnostics.is_empty() {
        h.element(
            "a",
            &[("class", &"total"), ("href", &"#diagnostics")],
            counted(analysis.diagnostics.len(), "input diagnostic"),
        )?;
    }
    h.raw("</div><nav><a href=\"#fleet\">Hosts</a><a href=\"#rules\">Findings by rule</a><a href=\"#hosts\">Host details</a></nav></header><main>")
}

/// The legend of the pictures, then a section per host (as `view` says).
fn write_sections(h: &mut Html<'_>, page: &Page<'_>, view: View, options: &HtmlOptions) -> io::Result<()> {
    if view == View::Overview {
        return h.raw("</main>");
    }
    h.raw("<section id=\"hosts\"><h2>Host details</h2>")?;
    timeline::write_legend(h)?;
    let host_options = HostOptions {
        inputs: view == View::Full,
        max_evidence: options.max_evidence,
    };
    for row in page.hosts.iter().filter(|row| row.section) {
        write_host(h, row.host, &row.anchor, &row.findings, &row.summary, host_options)?;
    }
    let quiet = page.hosts.iter().filter(|row| !row.section).count();
    if quiet > 0 {
        h.element(
            "p",
            &[("class", &"note")],
            format!("{quiet} host(s) with no finding above info are only in the table (--view full shows them)."),
        )?;
    }
    h.raw("</section></main>")
}

/// The suppressed findings, folded: host, rule, title and the entry's reason.
fn write_suppressed(h: &mut Html<'_>, analysis: &Analysis) -> io::Result<()> {
    if analysis.suppressed.is_empty() {
        return Ok(());
    }
    h.raw("<section id=\"suppressed\"><details><summary>")?;
    h.text(format!(
        "Suppressed findings ({}): left out by the suppression file",
        analysis.suppressed.len()
    ))?;
    h.raw("</summary><table class=\"plain\"><thead><tr><th>Host</th><th>Rule</th><th>Finding</th><th>Entry</th><th>Reason</th></tr></thead><tbody>")?;
    for s in &analysis.suppressed {
        h.raw("<tr>")?;
        h.element("td", &[], &s.finding.host)?;
        h.element("td", &[], s.finding.rule.as_str())?;
        h.element("td", &[], &s.finding.title)?;
        h.element(
            "td",
            &[],
            format!(
                "{}{}",
                s.suppressed_by.entry,
                s.suppressed_by
                    .expires
                    .map(|d| format!(" (until {d})"))
                    .unwrap_or_default()
            ),
        )?;
        h.element("td", &[], &s.suppressed_by.reason)?;
        h.raw("</tr>")?;
    }
    h.raw("</tbody></table></details></section>")
}

/// The input diagnostics, grouped by kind with the first files of each.
fn write_diagnostics(h: &mut Html<'_>, analysis: &Analysis) -> io::Result<()> {
    if analysis.diagnostics.is_empty() {
        return Ok(());
    }
    let errors = analysis
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error)
        .count();
    h.raw("<section id=\"diagnostics\"><h2>Input diagnostics</h2>")?;
    h.element(
        "p",
        &[("class", &"note")],
        format!(
            "{errors} error(s), {} warning(s): inputs that could not be read, or not all of them (every one in --format json).",
            analysis.diagnostics.len() - errors
        ),
    )?;
    h.raw("<ul class=\"diagnostics\">")?;
    for group in diagnostic_groups(&analysis.diagnostics) {
        let level = match group.level {
            DiagLevel::Error => "error",
            DiagLevel::Warning => "warning",
        };
        h.open("li", &[("class", &format!("diag-{level}"))])?;
        h.element("span", &[("class", &format!("badge sev-{level}"))], level)?;
        h.text(if group.count > 1 {
            format!(" {} x ", group.count)
        } else {
            " ".to_string()
        })?;
        h.text(if group.identical { group.example } else { &group.kind })?;
        h.raw("<div class=\"paths\">")?;
        for path in group.paths.iter().take(5) {
            h.element("code", &[("class", &"where")], path)?;
        }
        if group.paths.len() > 5 {
            h.text(format!("and {} more", group.paths.len() - 5))?;
        }
        h.raw("</div></li>")?;
    }
    h.raw("</ul></section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_ids_are_unique_slugs_numbered_in_order() {
        let mut anchors = Anchors::default();
        assert_eq!(unique_id("host-", "EXMBX01", &mut anchors), "host-EXMBX01");
        assert_eq!(unique_id("host-", "EX MBX<1>", &mut anchors), "host-EX_MBX_1_");
        assert_eq!(unique_id("host-", "EX*MBX/1?", &mut anchors), "host-EX_MBX_1_-2");
        // A name that is itself a numbered slug takes its place; the counter skips it.
        assert_eq!(unique_id("host-", "EX_MBX_1_-3", &mut anchors), "host-EX_MBX_1_-3");
        assert_eq!(unique_id("host-", "EX MBX 1 ", &mut anchors), "host-EX_MBX_1_-4");
        // Thousands of names of one slug: every id distinct.
        let ids: HashSet<String> = (0..5_000).map(|_| unique_id("f-", "<>", &mut anchors)).collect();
        assert_eq!(ids.len(), 5_000);
    }
}
