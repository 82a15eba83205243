//! The rules: one module per family, each owning its catalog entries ([`RuleInfo`]).
//!
//! Per-file rules (setup logs) run right after parsing, in parallel, on the borrowed
//! parse; correlation rules run per host (and across hosts) on owned facts. Rules never
//! read files.

pub mod fleet;
pub mod host_state;
pub mod known_errors;
pub mod readiness;
pub mod services;
pub mod setup_runs;

use exdoctor_parsers::setup_log::{Issue, SetupLog};
use exdoctor_parsers::timestamp::RawTimestamp;

use crate::model::{Evidence, Finding, Location, RuleInfo, Timestamp};

/// Every rule of every family, in catalog order.
pub fn catalog() -> Vec<&'static RuleInfo> {
    [
        setup_runs::RULES,
        readiness::RULES,
        known_errors::RULES,
        services::RULES,
        host_state::RULES,
        fleet::RULES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The catalog entry of `id`.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    catalog().into_iter().find(|r| r.id == id)
}

/// The catalog entry of `id` from a family's table. An id missing from its table is a
/// programming error: debug builds (and so every test run) stop on it; release builds
/// fall back to the table's first entry rather than panic on a user's data.
pub(crate) fn info(table: &'static [RuleInfo], id: &str) -> &'static RuleInfo {
    let found = table.iter().find(|r| r.id == id);
    debug_assert!(found.is_some(), "rule id {id} is not in its family's catalog table");
    found.unwrap_or(&table[0])
}

/// A parsed setup log as the per-file rules see it.
pub struct SetupLogFile<'a, 'b> {
    /// Path shown in evidence.
    pub path: &'b str,
    pub log: &'b SetupLog<'a>,
}

impl SetupLogFile<'_, '_> {
    /// The local time of a raw timestamp (the host's time zone is applied later).
    pub fn time(&self, ts: &RawTimestamp) -> Option<Timestamp> {
        self.log.resolve(ts).map(Timestamp::Local)
    }

    /// Evidence pointing at `line` with `text`.
    pub fn evidence(&self, line: u32, ts: Option<&RawTimestamp>, text: impl Into<String>) -> Evidence {
        Evidence::new(self.path, Location::Line(line), ts.and_then(|t| self.time(t)), text)
    }

    /// Evidence for an error/warning record: its message, and its first continuation line.
    pub fn issue_evidence(&self, issue: &Issue<'_>) -> Evidence {
        let mut text = issue.message.to_str_lossy().trim_end().to_string();
        if let Some(first) = issue
            .continuation
            .to_str_lossy()
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
        {
            if text.is_empty() {
                text = first.to_string();
            }
        }
        self.evidence(issue.line, Some(&issue.time), text)
    }
}

/// Runs every per-file rule on a setup log. A generic `setup-failed` of the last run is
/// folded into the evidence of the specific finding that explains it (known error,
/// readiness check, permissions).
pub fn check_setup_log(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let mut specific = known_errors::check(file);
    specific.extend(readiness::check(file));
    let mut out = Vec::new();
    for finding in setup_runs::check(file) {
        if finding.rule == setup_runs::SETUP_FAILED && !specific.is_empty() {
            let root = &mut specific[0];
            for e in finding.evidence {
                if !root.evidence.contains(&e) {
                    root.push_evidence(e);
                }
            }
            continue;
        }
        out.push(finding);
    }
    specific.extend(out);
    specific
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_are_unique_kebab_case_and_complete() {
        let all = catalog();
        let mut ids: Vec<&str> = all.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate rule id");
        for r in &all {
            assert!(
                r.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            assert!(
                !r.title.is_empty() && !r.description.is_empty() && !r.remediation.is_empty(),
                "{}",
                r.id
            );
        }
    }
}
