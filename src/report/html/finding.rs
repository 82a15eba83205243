//! One finding of a host section: severity, rule and title, the summary, confidence and
//! when it was seen, the evidence (file and line, record or registry key, each line
//! copyable), the numbered remediation and the references (KB articles and GitHub
//! addresses as links).

use std::io;
use std::sync::LazyLock;

use regex::Regex;

use super::clock::timestamp;
use super::escape::Html;
use crate::model::{Confidence, Evidence, Finding, HostZone, Severity};

/// Evidence lines shown before the rest is folded away (without `--max-evidence`).
const EVIDENCE_SHOWN: usize = 8;

/// A KB article number or a GitHub address in a reference.
static LINKABLE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\bKB(\d{5,7})\b|\bgithub\.com/[A-Za-z0-9_.\-/]*[A-Za-z0-9_\-/]").ok());

/// The severity's rank for the page's script: 1 info .. 4 critical (0: no finding).
pub(super) fn rank(severity: Option<Severity>) -> u8 {
    match severity {
        None => 0,
        Some(Severity::Info) => 1,
        Some(Severity::Warning) => 2,
        Some(Severity::Error) => 3,
        Some(Severity::Critical) => 4,
    }
}

/// `<span class="badge sev-error">error</span>` (`ok` without a severity).
pub(super) fn badge(h: &mut Html<'_>, severity: Option<Severity>) -> io::Result<()> {
    let (class, text) = match severity {
        Some(s) => (severity_class(s), s.as_str()),
        None => ("badge sev-ok", "ok"),
    };
    h.element("span", &[("class", &class)], text)
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "badge sev-critical",
        Severity::Error => "badge sev-error",
        Severity::Warning => "badge sev-warning",
        Severity::Info => "badge sev-info",
    }
}

/// Writes one finding of a host whose zone is `zone`.
pub(super) fn write_finding(
    h: &mut Html<'_>,
    f: &Finding,
    anchor: &str,
    zone: Option<&HostZone>,
    max_evidence: Option<usize>,
) -> io::Result<()> {
    let class = format!("finding sev-{}", f.severity.as_str());
    h.open(
        "article",
        &[
            ("class", &class),
            ("id", &anchor),
            ("data-rule", &f.rule.as_str()),
            ("data-severity", &rank(Some(f.severity))),
        ],
    )?;
    h.raw("<header>")?;
    badge(h, Some(f.severity))?;
    h.element("code", &[("class", &"rule")], f.rule.as_str())?;
    if let Some(status) = f.status {
        h.element("span", &[("class", &"status")], status.as_str())?;
    }
    h.open("h3", &[])?;
    h.element("a", &[("href", &format!("#{anchor}")), ("class", &"self")], &f.title)?;
    h.close("h3")?;
    h.raw("</header>")?;
    h.element("p", &[("class", &"summary")], &f.summary)?;
    h.element("p", &[("class", &"meta")], meta(f, zone))?;
    write_evidence(h, &f.evidence, zone, max_evidence)?;
    if !f.remediation.is_empty() {
        h.raw("<h4>Remediation</h4><ol class=\"remediation\">")?;
        for step in &f.remediation {
            h.element("li", &[], step)?;
        }
        h.raw("</ol>")?;
    }
    if !f.references.is_empty() {
        h.raw("<h4>References</h4><ul class=\"references\">")?;
        for reference in &f.references {
            h.raw("<li>")?;
            write_reference(h, reference)?;
            h.raw("</li>")?;
        }
        h.raw("</ul>")?;
    }
    h.close("article")
}

/// `confidence high (two sources agree) · 3 occurrences · seen ... to ...`.
fn meta(f: &Finding, zone: Option<&HostZone>) -> String {
    let mut parts = vec![match f.confidence {
        Confidence::High => "confidence high (sources agree)".to_string(),
        Confidence::Medium => "confidence medium (one strong signature)".to_string(),
        Confidence::Low => "confidence low (a heuristic)".to_string(),
    }];
    if f.count > 1 {
        parts.push(format!("{} occurrences", f.count));
    }
    match (&f.first_seen, &f.last_seen) {
        (Some(a), Some(b)) if a != b => parts.push(format!("seen {} to {}", timestamp(a, zone), timestamp(b, zone))),
        (Some(a), _) => parts.push(format!("seen {}", timestamp(a, zone))),
        _ => {}
    }
    parts.join(" · ")
}

/// The evidence list: the first lines shown, the rest folded (or left out with
/// `--max-evidence`).
fn write_evidence(
    h: &mut Html<'_>,
    evidence: &[Evidence],
    zone: Option<&HostZone>,
    max_evidence: Option<usize>,
) -> io::Result<()> {
    if evidence.is_empty() {
        return Ok(());
    }
    h.raw("<h4>Evidence</h4><ol class=\"evidence\">")?;
    let (shown, kept) = match max_evidence {
        Some(max) => (max, max),
        None => (EVIDENCE_SHOWN, evidence.len()),
    };
    for e in evidence.iter().take(shown) {
        write_evidence_line(h, e, zone)?;
    }
    h.raw("</ol>")?;
    let folded = &evidence[shown.min(evidence.len())..kept.min(evidence.len())];
    if !folded.is_empty() {
        h.open("details", &[("class", &"more-evidence")])?;
        h.element("summary", &[], format!("{} more evidence lines", folded.len()))?;
        h.open("ol", &[("class", &"evidence"), ("start", &(shown + 1))])?;
        for e in folded {
            write_evidence_line(h, e, zone)?;
        }
        h.raw("</ol></details>")?;
    }
    let left_out = evidence.len().saturating_sub(kept);
    if left_out > 0 {
        h.element(
            "p",
            &[("class", &"note")],
            format!("{left_out} more evidence lines left out (--max-evidence; all in --format json)"),
        )?;
    }
    Ok(())
}

/// `path line 12 2008-...Z: text`, with a copy button carrying the same line.
fn write_evidence_line(h: &mut Html<'_>, e: &Evidence, zone: Option<&HostZone>) -> io::Result<()> {
    let place = format!("{} {}", e.source, e.location);
    let line = match &e.time {
        Some(t) => format!("{place} {}: {}", t.labelled(), e.text),
        None => format!("{place}: {}", e.text),
    };
    h.raw("<li><div class=\"cite\">")?;
    h.element("code", &[("class", &"where")], &place)?;
    if let Some(t) = &e.time {
        h.element("span", &[("class", &"when")], timestamp(t, zone))?;
    }
    h.element(
        "button",
        &[("class", &"copy js-only"), ("type", &"button"), ("data-copy", &line)],
        "copy",
    )?;
    h.raw("</div>")?;
    h.element("div", &[("class", &"what")], &e.text)?;
    h.raw("</li>")
}

/// A reference, its KB numbers and GitHub addresses as links.
fn write_reference(h: &mut Html<'_>, reference: &str) -> io::Result<()> {
    let Some(linkable) = LINKABLE.as_ref() else {
        return h.text(reference);
    };
    let mut rest = 0;
    for found in linkable.captures_iter(reference) {
        let Some(whole) = found.get(0) else { continue };
        h.text(&reference[rest..whole.start()])?;
        let href = match found.get(1) {
            Some(kb) => format!("https://support.microsoft.com/kb/{}", kb.as_str()),
            None => format!("https://{}", whole.as_str()),
        };
        h.element("a", &[("href", &href), ("rel", &"noreferrer")], whole.as_str())?;
        rest = whole.end();
    }
    h.text(&reference[rest..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> String {
        let mut out = Vec::new();
        write_reference(&mut Html::new(&mut out), text).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn kb_articles_and_github_addresses_are_links() {
        assert_eq!(
            reference("KB300684 (single-label DNS domains)"),
            "<a href=\"https://support.microsoft.com/kb/300684\" rel=\"noreferrer\">KB300684</a> (single-label DNS domains)"
        );
        assert_eq!(
            reference("CSS-Exchange SetupLogReviewer (github.com/microsoft/CSS-Exchange, Setup)"),
            "CSS-Exchange SetupLogReviewer (<a href=\"https://github.com/microsoft/CSS-Exchange\" rel=\"noreferrer\">github.com/microsoft/CSS-Exchange</a>, Setup)"
        );
        assert_eq!(
            reference("ExBPA.PreReqs.xml & <b>"),
            "ExBPA.PreReqs.xml &amp; &lt;b&gt;"
        );
    }
}
