//! (being written)

use super::host::HostView;
use super::RuleInfo;
use crate::findings::Finding;

/// Catalog entries of this family.
pub const RULES: &[RuleInfo] = &[];

/// Runs the family's rules on one host.
pub fn check(_host: &HostView<'_>) -> Vec<Finding> {
    Vec::new()
}
