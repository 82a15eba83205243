//! Reports of an [`Analysis`]: text for a terminal, one JSON document, or JSON lines.

mod escape;
mod inputs;
mod json;
mod text;

pub use escape::printable;
pub use json::{write_json, write_jsonl, SCHEMA_VERSION};
pub use text::{write_text, TextStyle};

use crate::analysis::Analysis;
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
    /// Whether `finding` passes the filter.
    pub fn keeps(&self, finding: &Finding) -> bool {
        self.min_severity.is_none_or(|min| finding.severity >= min)
            && (self.rules.is_empty() || self.rules.contains(&finding.rule))
            && self.keeps_host(&finding.host)
    }

    /// Whether a host passes the filter.
    pub fn keeps_host(&self, host: &str) -> bool {
        self.hosts.is_empty() || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// The analysis restricted to what passes.
    pub fn apply(&self, analysis: &Analysis) -> Analysis {
        Analysis {
            hosts: analysis
                .hosts
                .iter()
                .filter(|h| self.keeps_host(&h.name))
                .cloned()
                .collect(),
            findings: analysis.findings.iter().filter(|f| self.keeps(f)).cloned().collect(),
            diagnostics: analysis.diagnostics.clone(),
            unreadable: analysis.unreadable,
        }
    }
}

/// Findings per severity, most severe first: `[(critical, n), (error, n), ...]`.
pub fn severity_counts(findings: &[Finding]) -> [(Severity, usize); 4] {
    [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info]
        .map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}
