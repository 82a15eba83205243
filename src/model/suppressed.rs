//! A finding left out of the report by a suppression entry, with the entry that did it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Finding;

/// Which suppression entry left a finding out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedBy {
    /// 1-based number of the entry in the suppression file.
    pub entry: usize,
    /// The reason the entry gives.
    pub reason: String,
    /// The last day the entry applies, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// A suppressed finding: out of the text report and of `--fail-on`, kept in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    /// The finding as the rules reported it.
    #[serde(flatten)]
    pub finding: Finding,
    /// The entry that suppressed it.
    pub suppressed_by: SuppressedBy,
}
