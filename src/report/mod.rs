//! Reports of an [`Analysis`]: text for a terminal (overview first for a fleet), one
//! JSON document, JSON lines or CSV; the formats monitoring systems take (Prometheus, a
//! Nagios / Icinga plugin, RFC 5424 syslog messages, Elastic Common Schema documents);
//! the filters, the time window and the suppression file that decide what is shown; and
//! a JSON report read back for `exdoctor merge`.

mod csv;
mod diagnostics;
mod ecs;
mod escape;
mod html;
mod inputs;
mod json;
mod nagios;
mod overview;
mod prometheus;
mod read;
mod suppress;
mod syslog;
mod text;
mod window;

pub use csv::{write_csv, CSV_COLUMNS};
pub use diagnostics::{diagnostic_groups, write_diagnostics, DiagnosticGroup};
pub use ecs::{ecs_document, write_ecs, ECS_VERSION};
pub use escape::printable;
pub use html::{write_html, HtmlOptions};
pub use json::{write_json, write_jsonl, SCHEMA_VERSION};
pub use nagios::{plugin_text, write_check, PluginState, Thresholds, MAX_FINDING_LINES};
pub use overview::{host_summaries, rule_groups, write_overview, HostSummary, RuleGroup};
pub use prometheus::write_prometheus;
pub use read::{read_json, ReadError};
pub use suppress::{SuppressionError, Suppressions};
pub use syslog::{syslog_message, syslog_severity, MAX_MESSAGE, SD_ID};
pub use text::{write_text, TextOptions, TextStyle, View};
pub use window::{TimeBound, TimeWindow};

use std::collections::BTreeSet;

use crate::analysis::Analysis;
use crate::model::{Finding, RuleId, Severity};

/// Which findings to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only findings at or above this severity.
    pub min_severity: Option<Severity>,
    /// Rules to keep (all when empty).
    pub rules: Vec<RuleId>,
    /// Host names to keep, as [`HostReport::matches`](crate::analysis::HostReport::matches)
    /// reads them (all when empty).
    pub hosts: Vec<String>,
    /// Only findings seen in this window (findings without a time are kept).
    pub window: TimeWindow,
}

impl Filter {
    /// Whether `finding` passes the severity, rule and time filters (hosts are decided
    /// on the host list, in [`Filter::apply`]).
    pub fn keeps(&self, finding: &Finding) -> bool {
        self.min_severity.is_none_or(|min| finding.severity >= min)
            && (self.rules.is_empty() || self.rules.contains(&finding.rule))
            && self.window.overlaps(finding.first_seen, finding.last_seen)
    }

    /// The `--host` names that match no host of `analysis`.
    pub fn unmatched_hosts<'a>(&'a self, analysis: &Analysis) -> Vec<&'a str> {
        self.hosts
            .iter()
            .filter(|name| !analysis.hosts.iter().any(|h| h.matches(name)))
            .map(String::as_str)
            .collect()
    }

    /// The analysis restricted to what passes (suppressed findings too).
    pub fn apply(&self, analysis: &Analysis) -> Analysis {
        let hosts: Vec<_> = analysis
            .hosts
            .iter()
            .filter(|h| self.hosts.is_empty() || self.hosts.iter().any(|name| h.matches(name)))
            .cloned()
            .collect();
        let names: BTreeSet<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        let keeps = |f: &Finding| (self.hosts.is_empty() || names.contains(f.host.as_str())) && self.keeps(f);
        Analysis {
            findings: analysis.findings.iter().filter(|f| keeps(f)).cloned().collect(),
            suppressed: analysis
                .suppressed
                .iter()
                .filter(|s| keeps(&s.finding))
                .cloned()
                .collect(),
            diagnostics: analysis.diagnostics.clone(),
            unreadable: analysis.unreadable,
            hosts,
        }
    }
}

/// `n` and `noun`, plural with an `s` unless one: `1 host`, `3 hosts`.
fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Findings per severity, most severe first: `[(critical, n), (error, n), ...]`; a
/// finding reported as resolved (`--state`) is not counted.
pub fn severity_counts<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> [(Severity, usize); 4] {
    let mut counts = [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info].map(|s| (s, 0));
    for finding in findings.into_iter().filter(|f| !f.is_resolved()) {
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == finding.severity) {
            slot.1 += 1;
        }
    }
    counts
}
