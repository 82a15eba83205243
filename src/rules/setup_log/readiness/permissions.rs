//! `missing-permissions`: the groups the run needs and the account is not in.
//!
//! Two sources: the header's `Schema|Organization Configuration Update Required Status`
//! with the prerequisite settings `SchemaAdmin`, `EnterpriseAdmin`, `ExOrgAdmin`,
//! `SidExOrgAdmins` (SetupLogReviewer's logic), and the failed permission rules
//! (`SchemaUpdateRequired`, `GlobalUpdateRequired`, `LocalDomainPrep`,
//! `GlobalServerInstall`, `Delegated*FirstInstall`). A failed rule that a need explains is
//! folded into it (its evidence and name), not reported again as `prereq-failed`.

use exdoctor_parsers::setup_log::Run;

use super::checks::{evidence_at, FailedCheck};
use crate::model::Evidence;
use crate::rules::setup_log::known_errors::scan::Entry;
use crate::rules::setup_log::SetupLogFile;

/// `/PrepareSchema`.
const PREPARE_SCHEMA: &str = "/PrepareSchema";
/// `/PrepareAD`.
const PREPARE_AD: &str = "/PrepareAD";
/// `/PrepareDomain`.
const PREPARE_DOMAIN: &str = "/PrepareDomain";
/// Installing or upgrading server roles.
pub(super) const INSTALL: &str = "the installation";

/// A group the account needs for an operation.
#[derive(Debug, Clone)]
pub(super) struct Need {
    pub operation: &'static str,
    pub group: &'static str,
    /// The setting that says the account is not a member (`EnterpriseAdmin`).
    pub setting: Option<&'static str>,
    /// SID of the group as logged (`SidExOrgAdmins`).
    pub sid: Option<String>,
    /// Failed rules folded into this need.
    pub checks: Vec<String>,
    pub evidence: Vec<Evidence>,
}

impl Need {
    fn new(operation: &'static str, group: &'static str) -> Self {
        Need {
            operation,
            group,
            setting: None,
            sid: None,
            checks: Vec::new(),
            evidence: Vec::new(),
        }
    }

    fn push(&mut self, e: Option<Evidence>) {
        if let Some(e) = e {
            if !self.evidence.iter().any(|x| x.location == e.location) {
                self.evidence.push(e);
            }
        }
    }
}

/// The setting that tells membership of a group.
fn membership_setting(group: &str) -> Option<&'static str> {
    match group {
        "Schema Admins" => Some("SchemaAdmin"),
        "Enterprise Admins" => Some("EnterpriseAdmin"),
        "Organization Management" => Some("ExOrgAdmin"),
        _ => None,
    }
}

/// The operation and groups a failed permission rule stands for.
fn rule_need(check: &FailedCheck) -> Option<(&'static str, &'static [&'static str])> {
    let lower = check.name.to_ascii_lowercase();
    let need: (&str, &[&str]) = match lower.as_str() {
        "schemaupdaterequired" => (PREPARE_SCHEMA, &["Schema Admins", "Enterprise Admins"]),
        "globalupdaterequired" => (PREPARE_AD, &["Enterprise Admins"]),
        "localdomainprep" => (PREPARE_DOMAIN, &["Domain Admins"]),
        "globalserverinstall" => (INSTALL, &["Organization Management"]),
        n if n.starts_with("delegated") && n.ends_with("firstinstall") => (INSTALL, &["Organization Management"]),
        _ => return message_need(check.message.as_deref()?),
    };
    Some(need)
}

/// Exchange 2007 texts naming the group the account is not in.
fn message_need(message: &str) -> Option<(&'static str, &'static [&'static str])> {
    let lower = message.to_ascii_lowercase();
    if !lower.contains("member of") {
        return None;
    }
    let need: (&str, &[&str]) = if lower.contains("exchange organization administrators") {
        (INSTALL, &["Exchange Organization Administrators"])
    } else if lower.contains("schema admins") {
        (PREPARE_SCHEMA, &["Schema Admins", "Enterprise Admins"])
    } else if lower.contains("enterprise admins") {
        (PREPARE_AD, &["Enterprise Admins"])
    } else if lower.contains("domain admins") {
        (PREPARE_DOMAIN, &["Domain Admins"])
    } else {
        return None;
    };
    Some(need)
}

/// A prerequisite setting's last value and line.
fn setting(run: &Run<'_>, name: &str) -> Option<(String, u32)> {
    run.setting(name).last().map(|e| (e.value.to_string(), e.line))
}

/// Whether a boolean setting was logged False.
fn setting_false(run: &Run<'_>, name: &str) -> Option<u32> {
    setting(run, name)
        .filter(|(v, _)| v.eq_ignore_ascii_case("False"))
        .map(|(_, line)| line)
}

/// Whether a boolean setting was logged True.
fn setting_true(run: &Run<'_>, name: &str) -> bool {
    setting(run, name).is_some_and(|(v, _)| v.eq_ignore_ascii_case("True"))
}

/// Evidence for the first record whose message starts with `prefix`.
fn line_starting(file: &SetupLogFile<'_, '_>, entries: &[Entry], prefix: &str) -> Option<Evidence> {
    entries
        .iter()
        .find(|e| e.text.starts_with(prefix))
        .map(|e| e.evidence(file))
}

/// The needs of the run; the failed checks they explain are removed from `checks`.
pub(super) fn needs(
    file: &SetupLogFile<'_, '_>,
    run: &Run<'_>,
    entries: &[Entry],
    checks: &mut Vec<FailedCheck>,
) -> Vec<Need> {
    let mut needs = setting_needs(file, run, entries);
    let mut kept = Vec::new();
    for check in checks.drain(..) {
        match rule_need(&check) {
            Some((operation, groups)) if fold(&mut needs, run, operation, groups, &check) => {}
            _ => kept.push(check),
        }
    }
    *checks = kept;
    needs
}

/// Folds a failed permission rule into the needs of its operation, or adds needs for the
/// groups the settings do not show as held. False when nothing explains the check.
fn fold(
    needs: &mut Vec<Need>,
    run: &Run<'_>,
    operation: &'static str,
    groups: &[&'static str],
    check: &FailedCheck,
) -> bool {
    let mut explained = false;
    for need in needs.iter_mut().filter(|n| n.operation == operation) {
        add_check(need, check);
        explained = true;
    }
    if explained {
        return true;
    }
    for group in groups {
        if membership_setting(group).is_some_and(|s| setting_true(run, s)) {
            continue;
        }
        let mut need = Need::new(operation, group);
        add_check(&mut need, check);
        needs.push(need);
        explained = true;
    }
    explained
}

fn add_check(need: &mut Need, check: &FailedCheck) {
    if !need.checks.iter().any(|c| c.eq_ignore_ascii_case(&check.name)) {
        need.checks.push(check.name.clone());
    }
    for e in &check.evidence {
        need.push(Some(e.clone()));
    }
}

/// SetupLogReviewer's checks on the update-required header facts and the settings.
fn setting_needs(file: &SetupLogFile<'_, '_>, run: &Run<'_>, entries: &[Entry]) -> Vec<Need> {
    let header = &run.header;
    let mut needs = Vec::new();
    let mut add = |operation, group, setting: &'static str, line: u32, status: &str| {
        let mut need = Need::new(operation, group);
        need.setting = Some(setting);
        need.push(line_starting(file, entries, status));
        need.push(evidence_at(file, entries, line));
        needs.push(need);
    };
    const SCHEMA: &str = "Schema Update Required Status";
    const ORG: &str = "Organization Configuration Update Required Status";
    if header.schema_update_required == Some(true) {
        if let Some(line) = setting_false(run, "SchemaAdmin") {
            add(PREPARE_SCHEMA, "Schema Admins", "SchemaAdmin", line, SCHEMA);
        }
        if let Some(line) = setting_false(run, "EnterpriseAdmin") {
            add(PREPARE_SCHEMA, "Enterprise Admins", "EnterpriseAdmin", line, SCHEMA);
        }
    }
    if header.organization_update_required == Some(true) {
        if let Some(line) = setting_false(run, "EnterpriseAdmin") {
            add(PREPARE_AD, "Enterprise Admins", "EnterpriseAdmin", line, ORG);
        }
    }
    let first_mailbox = run
        .failed_evaluations()
        .iter()
        .any(|e| e.name.to_string().eq_ignore_ascii_case("DelegatedMailboxFirstInstall"))
        || run
            .failed_rules
            .iter()
            .any(|r| r.name.to_string().eq_ignore_ascii_case("DelegatedMailboxFirstInstall"));
    if let Some(line) = setting_false(run, "ExOrgAdmin").filter(|_| first_mailbox) {
        let mut need = Need::new(INSTALL, "Organization Management");
        need.setting = Some("ExOrgAdmin");
        need.push(evidence_at(file, entries, line));
        if let Some((sid, sid_line)) = setting(run, "SidExOrgAdmins").filter(|(v, _)| !v.is_empty()) {
            need.sid = Some(sid);
            need.push(evidence_at(file, entries, sid_line));
        }
        needs.push(need);
    }
    needs
}

/// Remediation steps of a need.
pub(super) fn steps(need: &Need, user: &str) -> Vec<String> {
    let relog = "log off and on again so the new group membership is in the token";
    match (need.operation, need.group) {
        (INSTALL, "Organization Management") => match &need.sid {
            Some(sid) => vec![
                format!(
                    "Add {user} to the Organization Management role group (SID {sid}), or run setup as a member; {relog}."
                ),
                "Run setup again.".into(),
            ],
            None => vec![
                "Setup did not log the Organization Management SID: /PrepareAD has probably not been run in this \
                 forest. Run setup /PrepareAD as a member of Enterprise Admins (and Schema Admins if the schema needs \
                 updating)."
                    .into(),
                format!("Then run setup with an account in Organization Management ({user} is not); {relog}."),
            ],
        },
        (INSTALL, group) => vec![
            format!("Add {user} to {group}, or run setup as a member; {relog}."),
            "Run setup again.".into(),
        ],
        (PREPARE_DOMAIN, group) => vec![
            format!("Run setup /PrepareDomain as a member of {group} of this domain ({user} is not); {relog}."),
            "If /PrepareDomain was already run, look for duplicate Microsoft Exchange System Objects (MESO) \
             containers in the domain."
                .into(),
            "Run setup again.".into(),
        ],
        (operation, group) => vec![
            format!("Add {user} to {group} (or use an account that is a member); {relog}."),
            format!(
                "Run setup {operation} with that account (Schema Admins and Enterprise Admins for /PrepareSchema, \
                 Enterprise Admins for /PrepareAD), in the schema master's domain and site."
            ),
            "Wait for replication, then run setup again.".into(),
        ],
    }
}
