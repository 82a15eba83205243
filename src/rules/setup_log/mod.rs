//! Rules on one ExchangeSetup.log, run on the borrowed parse right after it: the runs
//! ([`runs`]: failed, interrupted, watermark, resume mismatch, stall), the readiness
//! checks and permissions ([`readiness`]), the known errors ([`known_errors`]) and the
//! templates setup deleted in Active Directory ([`ad_templates`]).

pub mod ad_templates;
pub mod known_errors;
pub mod readiness;
pub mod runs;

pub use crate::model::SetupLogFile;
use crate::model::{Finding, RuleId, Severity};

/// Runs every per-file rule on a setup log. A generic `setup-failed` of the last run is
/// folded into the evidence of the specific finding that explains it (known error,
/// readiness check, permissions): the first at error or above, never a warning (a
/// readiness warning does not stop setup). Templates the run deleted and left deleted
/// are folded into the finding that reports how that run ended (interruption, failure,
/// or what explains the failure).
pub fn check_setup_log(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let mut specific = known_errors::check(file);
    specific.extend(readiness::check(file));
    let mut templates = ad_templates::check(file);
    let mut out = Vec::new();
    for mut finding in runs::check(file) {
        if finding.rule == RuleId::SetupFailed {
            if let Some(root) = specific.iter_mut().find(|f| f.severity >= Severity::Error) {
                root.absorb(finding.into_history());
                ad_templates::fold_unrestored(&mut templates, root);
                continue;
            }
        }
        if matches!(finding.rule, RuleId::SetupFailed | RuleId::SetupInterrupted) {
            ad_templates::fold_unrestored(&mut templates, &mut finding);
        }
        out.push(finding);
    }
    specific.extend(out);
    specific.extend(templates);
    specific
}
