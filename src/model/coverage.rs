//! What a host's inputs do not cover: a rule that could not judge because a log ends
//! too early. Reported with the host's inputs, not as a finding (nothing was found) and
//! not as a diagnostic (no file is damaged: two good files do not overlap in time).

use serde::{Deserialize, Serialize};

use super::{RuleId, Timestamp};

/// A check a host's inputs could not make, e.g. the System log ends before a setup run
/// ended, so whether the services stopped around that run were started again is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageGap {
    /// The rule that could not judge.
    pub rule: RuleId,
    /// The inputs concerned (the log that ends too early first).
    pub sources: Vec<String>,
    /// Where the log ends; absent when it holds no event at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_until: Option<Timestamp>,
    /// How far it would have to reach for the rule to judge.
    pub needed_until: Timestamp,
    /// What is not covered and what it means, for the reader.
    pub message: String,
}
