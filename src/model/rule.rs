//! What the catalog says about a rule.

use serde::Serialize;

use super::Severity;

/// A catalog entry: the stable id and what `exdoctor rules <ID>` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub description: &'static str,
    pub remediation: &'static [&'static str],
    pub references: &'static [&'static str],
}
