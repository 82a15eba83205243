//! Reports of an [`Analysis`]: text for a terminal, one JSON document, JSON lines, or
//! the formats monitoring systems take (Prometheus, a Nagios / Icinga plugin, RFC 5424
//! syslog messages, Elastic Common Schema documents).

mod ecs;
mod inputs;
mod json;
mod nagios;
mod prometheus;
mod syslog;
mod text;

pub use ecs::{ecs_document, write_ecs, ECS_VERSION};
pub use json::{write_json, write_jsonl, SCHEMA_VERSION};
pub use nagios::{plugin_text, write_check, PluginState, Thresholds, MAX_FINDING_LINES};
pub use prometheus::write_prometheus;
pub use syslog::{syslog_message, syslog_severity, MAX_MESSAGE, SD_ID};
pub use text::{write_text, TextStyle};

use crate::analysis::{Analysis, HostReport};
use crate::model::{Finding, RuleId, Severity};

/// Which findings to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only findings at or above this severity.
    pub min_severity: Option<Severity>,
    /// Rules to keep (all when empty).
    pub rules: Vec<RuleId>,
    /// Host names to keep, case-insensitive (all when empty).
    pub hosts: Vec<String>,
}

impl Filter {
    /// Whether `finding` passes the filter (its host by name).
    pub fn keeps(&self, finding: &Finding) -> bool {
        self.keeps_rule_and_severity(finding) && self.keeps_host(&finding.host)
    }

    /// Whether `finding` passes the rule and severity filters.
    fn keeps_rule_and_severity(&self, finding: &Finding) -> bool {
        self.min_severity.is_none_or(|min| finding.severity >= min)
            && (self.rules.is_empty() || self.rules.contains(&finding.rule))
    }

    /// Whether a host name passes the filter (the name as findings carry it).
    pub fn keeps_host(&self, host: &str) -> bool {
        self.hosts.is_empty() || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// The analysis restricted to what passes. `--host` names are matched against each
    /// host's name, FQDN and aliases (an old name finds the renamed machine).
    pub fn apply(&self, analysis: &Analysis) -> Analysis {
        let hosts: Vec<&HostReport> = analysis
            .hosts
            .iter()
            .filter(|h| self.hosts.is_empty() || self.hosts.iter().any(|asked| h.matches(asked)))
            .collect();
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        let host_shown = |f: &Finding| self.hosts.is_empty() || names.contains(&f.host.as_str());
        Analysis {
            hosts: hosts.into_iter().cloned().collect(),
            findings: analysis
                .findings
                .iter()
                .filter(|f| self.keeps_rule_and_severity(f) && host_shown(f))
                .cloned()
                .collect(),
            diagnostics: analysis.diagnostics.clone(),
            unreadable: analysis.unreadable,
        }
    }
}

/// Findings per severity, most severe first: `[(critical, n), (error, n), ...]`; a
/// finding reported as resolved (`--state`) is not counted.
pub fn severity_counts(findings: &[Finding]) -> [(Severity, usize); 4] {
    [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info].map(|s| {
        (
            s,
            findings.iter().filter(|f| f.severity == s && !f.is_resolved()).count(),
        )
    })
}
