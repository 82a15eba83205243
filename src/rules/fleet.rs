//! (being written)

use super::RuleInfo;
use crate::analysis::Host;
use crate::findings::Finding;

/// Catalog entries of this family.
pub const RULES: &[RuleInfo] = &[];

/// Runs the rules across all hosts.
pub fn check(_hosts: &[Host]) -> Vec<Finding> {
    Vec::new()
}
