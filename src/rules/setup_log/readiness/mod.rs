//! Readiness and permissions: `prereq-failed` (one finding per failed readiness check of
//! the last run, 2010+ prerequisite engine or Exchange 2007 readiness texts) and
//! `missing-permissions` (the groups the run needs and the account lacks). A failed
//! permission rule is folded into its `missing-permissions` finding, and the AD validation
//! rule into the known error `ad-validation-failed`: one root cause, one finding.

mod checks;
mod permissions;
mod remedies;

use serde_json::Value;

use super::known_errors::scan::run_entries;
use super::SetupLogFile;
use crate::model::{Confidence, Fact, Finding, RuleId, RuleInfo, SetupLogFact, Severity};
use checks::{failed_checks, FailedCheck};
use permissions::Need;

/// The `prereq-failed` rule.
pub(crate) const PREREQ_FAILED: RuleInfo = RuleInfo {
    id: RuleId::PrereqFailed,
    title: "Readiness check failed",
    severity: Severity::Error,
    description: "A setup readiness (prerequisite) check failed in the last run: a rule of the prerequisite \
                  engine evaluated True ('Failed [Rule:X]', '[REQUIRED]'), or an Exchange 2007 'setup cannot \
                  continue because ...' text. One finding per check, named in the title and details.check. A \
                  rule started as [RuleType:Warning] (NoConnectorToStar, NoE14ServerWarning, NoE15ServerWarning) \
                  that evaluates True is printed as [RECOMENDED] and does not stop setup: it is reported as a \
                  warning, never as the cause of a failed run.",
    remediation: &[
        "PendingRebootWindowsComponents / RebootPending: restart the server.",
        "ProcessNeedsToBeClosedOnUpgrade: close the PowerShell/EMC sessions holding Exchange files.",
        "DomainControllerIsOutOfSite: use a domain controller in the server's AD site.",
        "RemoteRegException: start Remote Registry. MSDTCStopped: start MSDTC.",
        "IisUrlRewriteNotInstalled: install the IIS URL Rewrite module.",
        "Others: follow the check's message and its setup-readiness help topic, then run setup again.",
    ],
    references: &[
        "Exchange setup readiness checks (ms.exch.setupreadiness.<Rule>)",
        "CSS-Exchange SetupLogReviewer",
        "KB300684 (single-label DNS domains)",
    ],
};

/// The `missing-permissions` rule.
pub(crate) const MISSING_PERMISSIONS: RuleInfo = RuleInfo {
    id: RuleId::MissingPermissions,
    title: "Setup account lacks a required group",
    severity: Severity::Error,
    description: "The run needs a schema, organization or domain update, or the first install of a role, and \
                  the logged-on user is not in the group it requires: Schema Admins and Enterprise Admins for \
                  /PrepareSchema, Enterprise Admins for /PrepareAD, Domain Admins for /PrepareDomain, \
                  Organization Management (Exchange Organization Administrators in 2007) to install.",
    remediation: &[
        "Add the account to the group named in the finding (or use an account that is a member), log off and on.",
        "Run the preparation step it needs (/PrepareSchema, /PrepareAD, /PrepareDomain), then setup again.",
    ],
    references: &[
        "CSS-Exchange SetupLogReviewer",
        "Prepare Active Directory and domains for Exchange",
    ],
};

/// Runs the family's rules on one setup log.
pub fn check(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let Some(run) = file.log.last_run() else {
        return Vec::new();
    };
    let entries = run_entries(file, run);
    let mut checks = failed_checks(file, run, &entries);
    let ad_unreadable = checks.iter().any(|c| c.is("CannotAccessAD"));
    checks.retain(|c| !reported_as_known_error(c));
    let needs = permissions::needs(file, run, &entries, &mut checks);
    let user = run
        .header
        .user
        .map(|u| u.trim_end_dot().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "the setup account".to_string());
    let mut out: Vec<Finding> = needs
        .iter()
        .map(|n| permission_finding(n, &user, ad_unreadable))
        .collect();
    // Blocking checks first: a generic setup-failed is folded into the first finding.
    let mut prereqs: Vec<Finding> = checks.iter().map(|c| prereq_finding(c, run)).collect();
    prereqs.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out.extend(prereqs);
    out
}

/// The AD validation rule: its message is the known error `ad-validation-failed`, which
/// searches the readiness records too.
fn reported_as_known_error(check: &FailedCheck) -> bool {
    check.is("AdInitErrorRule")
        && check.message.as_deref().is_some_and(|m| {
            m.to_ascii_lowercase()
                .contains("setup encountered a problem while validating the state of active directory")
        })
}

/// The `prereq-failed` finding of one check.
fn prereq_finding(check: &FailedCheck, run: &exdoctor_parsers::setup_log::Run<'_>) -> Finding {
    let remedy = remedies::remedy(check, run);
    let confidence = if check.sources() > 1 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let title = if check.warning_rule {
        format!("Readiness warning: {}", check.name)
    } else {
        format!("Readiness check failed: {}", check.name)
    };
    let mut f = Finding::new(&PREREQ_FAILED, remedy.summary)
        .subject(&check.name)
        .title(title)
        .severity(check.severity)
        .confidence(confidence)
        .remediation(remedy.steps)
        .fact(Fact::SetupLog(SetupLogFact::ReadinessCheck(check.name.to_string())));
    let mut evidence = check.evidence.clone();
    evidence.sort_by(|a, b| a.location.cmp(&b.location));
    for e in evidence {
        f.push_evidence(e);
    }
    for (k, v) in remedy.details {
        f.details.insert(k, Value::String(v));
    }
    // The catalog lists every check's references; keep those of this check.
    let single_label = check.name.to_ascii_lowercase().contains("singlelabel");
    f.references.retain(|r| !r.starts_with("KB300684") || single_label);
    f
}

/// The `missing-permissions` finding of one need.
fn permission_finding(need: &Need, user: &str, ad_unreadable: bool) -> Finding {
    let sid = need
        .sid
        .as_deref()
        .map(|s| format!(" (group SID {s})"))
        .unwrap_or_default();
    let (title, mut summary) = if need.operation == permissions::INSTALL {
        (
            format!("{user} is not in {}, needed for the installation", need.group),
            format!(
                "The installation needs {}{sid} and user {user} is not a member.",
                need.group
            ),
        )
    } else {
        (
            format!("{} required and {user} is not in {}", need.operation, need.group),
            format!(
                "{} is required and user {user} is not in {}{sid}.",
                need.operation, need.group
            ),
        )
    };
    if let Some(s) = need.setting {
        summary.push_str(&format!(" Setup evaluated {s} = False."));
    }
    if !need.checks.is_empty() {
        summary.push_str(&format!(" Failed readiness checks: {}.", need.checks.join(", ")));
    }
    let confidence = match (need.setting.is_some(), need.checks.is_empty()) {
        (true, false) => Confidence::High,
        (false, _) if ad_unreadable => {
            summary.push_str(
                " Active Directory could not be read during the checks (CannotAccessAD), so the group \
                 membership may be misreported.",
            );
            Confidence::Low
        }
        _ => Confidence::Medium,
    };
    let mut f = Finding::new(&MISSING_PERMISSIONS, summary)
        .subject(format!("{} {}", need.operation, need.group))
        .title(title)
        .confidence(confidence)
        .remediation(permissions::steps(need, user))
        .detail("user", user)
        .detail("group", need.group)
        .detail("operation", need.operation);
    if let Some(s) = &need.sid {
        f = f.detail("sid", s.as_str());
    }
    if let Some(s) = need.setting {
        f = f.detail("setting", format!("{s}=False"));
    }
    if !need.checks.is_empty() {
        f = f.detail("checks", need.checks.clone());
    }
    let mut evidence = need.evidence.clone();
    evidence.sort_by(|a, b| a.location.cmp(&b.location));
    for e in evidence {
        f.push_evidence(e);
    }
    f
}

#[cfg(test)]
mod tests;
