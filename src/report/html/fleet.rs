//! The fleet part of the page: the host table (one row per host: name, OS, Exchange,
//! worst severity, counts, most severe finding; most severe first, sortable and
//! filterable by the page's script) and the findings by rule (which hosts share a
//! problem), the same numbers as the text overview and the JSON `fleet`.

use std::io;

use super::escape::Html;
use super::finding::{badge, rank};
use super::host::{rule_list, search_names};
use super::Page;
use crate::model::Severity;
use crate::report::overview::{exchange_cell, os_cell};
use crate::report::{counted, rule_groups};

/// Hosts linked in a rule's row before the rest is folded away.
const HOSTS_PER_RULE: usize = 24;

/// The filter controls (shown by the script; without it the tables read as they are).
fn write_controls(h: &mut Html<'_>, page: &Page<'_>) -> io::Result<()> {
    h.raw(
        "<div class=\"controls js-only\">\
         <label>Host <input type=\"search\" id=\"filter-host\" placeholder=\"name contains\" autocomplete=\"off\"></label>\
         <label>Severity at least <select id=\"filter-severity\">\
         <option value=\"0\">any</option><option value=\"1\">info</option><option value=\"2\">warning</option>\
         <option value=\"3\">error</option><option value=\"4\">critical</option></select></label>\
         <label>Rule <select id=\"filter-rule\"><option value=\"\">any</option>",
    )?;
    for group in rule_groups(&page.analysis.findings) {
        let hosts = group.hosts.len();
        h.element(
            "option",
            &[("value", &group.rule.as_str())],
            format!("{} ({})", group.rule.as_str(), counted(hosts, "host")),
        )?;
    }
    h.raw("</select></label><button type=\"button\" id=\"filter-reset\">show all</button><span id=\"filter-count\"></span></div>")
}

/// The host table.
pub(super) fn write_host_table(h: &mut Html<'_>, page: &Page<'_>) -> io::Result<()> {
    h.raw("<section id=\"fleet\"><h2>Hosts</h2>")?;
    write_controls(h, page)?;
    h.raw(
        "<div class=\"table-wrap\"><table class=\"hosts sortable\" id=\"hosts-table\"><thead><tr>\
         <th data-sort=\"text\">Host</th><th data-sort=\"text\">OS</th><th data-sort=\"text\">Exchange</th>\
         <th data-sort=\"number\">Worst</th><th data-sort=\"number\" class=\"num\">Crit</th>\
         <th data-sort=\"number\" class=\"num\">Err</th><th data-sort=\"number\" class=\"num\">Warn</th>\
         <th data-sort=\"number\" class=\"num\">Info</th><th data-sort=\"text\">Most severe finding</th>\
         </tr></thead><tbody>",
    )?;
    for row in &page.hosts {
        let host = row.host;
        let worst = rank(row.summary.worst);
        h.open(
            "tr",
            &[
                (
                    "class",
                    &format!("sev-{}", row.summary.worst.map_or("ok", Severity::as_str)),
                ),
                ("data-host", &search_names(host)),
                ("data-worst", &worst),
                ("data-rules", &rule_list(&row.findings)),
            ],
        )?;
        h.open("td", &[("class", &"name")])?;
        if row.section {
            h.element("a", &[("href", &format!("#{}", row.anchor))], &host.name)?;
        } else {
            h.text(&host.name)?;
        }
        h.close("td")?;
        h.element("td", &[], os_cell(host))?;
        h.element("td", &[], exchange_cell(host))?;
        h.open("td", &[("data-value", &worst)])?;
        badge(h, row.summary.worst)?;
        h.close("td")?;
        for (_, n) in row.summary.counts {
            h.element("td", &[("class", &if n > 0 { "num" } else { "num zero" })], n)?;
        }
        h.open("td", &[("class", &"top-finding")])?;
        match row.findings.first() {
            Some((top, anchor)) if row.section => h.element("a", &[("href", &format!("#{anchor}"))], &top.title)?,
            Some((top, _)) => h.text(&top.title)?,
            None => {}
        }
        h.close("td")?;
        h.close("tr")?;
    }
    h.raw("</tbody></table></div></section>")
}

/// The findings by rule: severity, the hosts (linked), findings per severity.
pub(super) fn write_rule_table(h: &mut Html<'_>, page: &Page<'_>) -> io::Result<()> {
    let groups = rule_groups(&page.analysis.findings);
    if groups.is_empty() {
        return Ok(());
    }
    h.raw(
        "<section id=\"rules\"><h2>Findings by rule</h2><div class=\"table-wrap\"><table class=\"rules\"><thead><tr>\
         <th>Rule</th><th>Worst</th><th>Hosts</th><th class=\"num\">Findings</th></tr></thead><tbody>",
    )?;
    for group in &groups {
        h.open("tr", &[("data-rule", &group.rule.as_str())])?;
        h.raw("<td>")?;
        h.element("code", &[("class", &"rule")], group.rule.as_str())?;
        h.element("div", &[("class", &"rule-title")], crate::rules::info(group.rule).title)?;
        h.raw("</td><td>")?;
        badge(h, Some(group.severity))?;
        h.raw("</td><td class=\"host-list\">")?;
        h.element(
            "span",
            &[("class", &"host-count")],
            format!("{}: ", counted(group.hosts.len(), "host")),
        )?;
        let (shown, folded) = group.hosts.split_at(group.hosts.len().min(HOSTS_PER_RULE));
        write_host_links(h, page, shown)?;
        if !folded.is_empty() {
            h.open("details", &[("class", &"more-hosts")])?;
            h.element("summary", &[], format!("{} more", folded.len()))?;
            write_host_links(h, page, folded)?;
            h.close("details")?;
        }
        h.raw("</td>")?;
        let by_severity: Vec<String> = group
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        h.open("td", &[("class", &"num"), ("title", &by_severity.join(", "))])?;
        h.text(group.findings)?;
        h.close("td")?;
        h.close("tr")?;
    }
    h.raw("</tbody></table></div></section>")
}

/// The hosts as links to their sections, comma-separated.
fn write_host_links(h: &mut Html<'_>, page: &Page<'_>, names: &[String]) -> io::Result<()> {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            h.raw(", ")?;
        }
        match page.host_anchor(name) {
            Some(anchor) => h.element("a", &[("href", &format!("#{anchor}"))], name)?,
            None => h.text(name)?,
        }
    }
    Ok(())
}
