//! (being written)

use super::{RuleInfo, SetupLogFile};
use crate::findings::{Finding, Severity};

/// `setup-failed`.
pub const SETUP_FAILED: &str = "setup-failed";

/// Catalog entries of this family.
pub const RULES: &[RuleInfo] = &[RuleInfo {
    id: SETUP_FAILED,
    title: "Exchange setup failed",
    severity: Severity::Error,
    description: "The last setup run ended with a failure or a critical stop.",
    remediation: &["Fix the first error of the run and run setup again in the same mode."],
    references: &[],
}];

/// Runs the family's rules on one setup log.
pub fn check(_file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    Vec::new()
}
