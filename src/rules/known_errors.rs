//! (being written)

use super::{RuleInfo, SetupLogFile};
use crate::findings::Finding;

/// Catalog entries of this family.
pub const RULES: &[RuleInfo] = &[];

/// Runs the family's rules on one setup log.
pub fn check(_file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    Vec::new()
}
