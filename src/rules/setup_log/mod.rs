//! Rules on one ExchangeSetup.log, run on the borrowed parse right after it: the runs
//! ([`runs`]: failed, interrupted, watermark, resume mismatch, stall), the readiness
//! checks and permissions ([`readiness`]) and the known errors ([`known_errors`]).

pub mod known_errors;
pub mod readiness;
pub mod runs;

pub use crate::model::SetupLogFile;
use crate::model::{Finding, RuleId, Severity};

/// Runs every per-file rule on a setup log. A generic `setup-failed` of the last run is
/// folded into the evidence of the specific finding that explains it (known error,
/// readiness check, permissions): the first at error or above, never a warning (a
/// readiness warning does not stop setup).
pub fn check_setup_log(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let mut specific = known_errors::check(file);
    specific.extend(readiness::check(file));
    let mut out = Vec::new();
    for finding in runs::check(file) {
        if finding.rule == RuleId::SetupFailed {
            if let Some(root) = specific.iter_mut().find(|f| f.severity >= Severity::Error) {
                root.absorb(finding.into_history());
                continue;
            }
        }
        out.push(finding);
    }
    specific.extend(out);
    specific
}
