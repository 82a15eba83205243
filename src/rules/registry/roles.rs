//! `role-half-upgraded` and `setup-watermark` from the Exchange role keys. A role with a
//! watermark and a version mismatch is one root cause: one `setup-watermark` finding
//! with the mismatch as evidence. A clustered mailbox server with a watermark is a
//! half-upgraded cluster, reported by the fleet rules (`upgrade-order-violation`).

use serde_json::json;

use super::{key_evidence, role_label};
use crate::model::{Evidence, Fact, Finding, RegistryFact, RuleId, RuleInfo, Severity};
use crate::registry::host_state::{ExchangeInstall, ExchangeRole};
use crate::registry::HostState;

use crate::rules::setup_log::runs::SETUP_WATERMARK;

/// The `role-half-upgraded` rule.
pub(crate) const ROLE_HALF_UPGRADED: RuleInfo = RuleInfo {
    id: RuleId::RoleHalfUpgraded,
    title: "Exchange role is half-upgraded",
    severity: Severity::Error,
    description: "The role's registry key (HKLM\\SOFTWARE\\Microsoft\\Exchange\\v8.0\\<Role>, or \
                  ExchangeServer\\v14|v15) has an UnpackedVersion different from its ConfiguredVersion, or an \
                  UnpackedVersion without any ConfiguredVersion: setup copied the files of one build but \
                  configured the role only up to another (or never). The role runs on binaries it was not \
                  configured for until setup completes. AdminTools has no ConfiguredVersion and is not checked.",
    remediation: &[
        "Run setup.com /mode:upgrade (from the media of the UnpackedVersion build) again on this server.",
        "Repeat until ConfiguredVersion equals UnpackedVersion in the role key; when a run fails, the first [ERROR] of its ExchangeSetup.log is the cause to fix first.",
        "Do not edit UnpackedVersion/ConfiguredVersion by hand.",
    ],
    references: &["Fix Exchange Server 2007 Setup failures using the registry (2008)"],
};

/// Whether the role key is the clustered mailbox server's.
pub(crate) fn is_cms(role: &ExchangeRole) -> bool {
    role.name.eq_ignore_ascii_case("ClusteredMailboxServer")
}

/// Whether setup left `Action` or `Watermark` in the role key.
pub(crate) fn has_watermark(role: &ExchangeRole) -> bool {
    role.action.is_some() || role.watermark.is_some()
}

/// Whether unpacked and configured versions disagree (or configured is missing on a
/// role that has a configure step).
fn version_mismatch(role: &ExchangeRole) -> bool {
    if role.name.eq_ignore_ascii_case("AdminTools") {
        return false;
    }
    match (&role.unpacked_version, &role.configured_version) {
        (Some(_), None) | (None, Some(_)) => true,
        (Some(u), Some(c)) => match (role.unpacked_build, role.configured_build) {
            (Some(ub), Some(cb)) => ub != cb,
            _ => !u.trim().eq_ignore_ascii_case(c.trim()),
        },
        (None, None) => false,
    }
}

/// `8.1.240.6 (SP1)` or `missing`.
fn version_text(version: Option<&String>, level: Option<&String>) -> String {
    match (version, level) {
        (Some(v), Some(l)) => format!("{v} ({l})"),
        (Some(v), None) => v.clone(),
        (None, _) => "missing".into(),
    }
}

/// `UnpackedVersion = 8.1.240.6 (SP1); ConfiguredVersion = 8.0.685.25 (RTM)`.
fn versions(role: &ExchangeRole) -> String {
    format!(
        "UnpackedVersion = {}; ConfiguredVersion = {}",
        version_text(role.unpacked_version.as_ref(), role.unpacked_level.as_ref()),
        version_text(role.configured_version.as_ref(), role.configured_level.as_ref())
    )
}

fn role_evidence(state: &HostState, role: &ExchangeRole) -> Evidence {
    let mut text = versions(role);
    if let Some(a) = &role.action {
        text.push_str(&format!("; Action = {a}"));
    }
    if let Some(w) = &role.watermark {
        text.push_str(&format!("; Watermark = {w}"));
    }
    key_evidence(state, role.source.as_ref(), &role.key, &text)
}

/// The setup mode that finishes `action`: `BuildToBuildUpgrade` -> `upgrade`.
pub(crate) fn mode_of(action: &str) -> String {
    match action.trim().to_ascii_lowercase().as_str() {
        "buildtobuildupgrade" | "upgrade" => "upgrade".into(),
        "install" => "install".into(),
        "uninstall" => "uninstall".into(),
        "disasterrecovery" => "RecoverServer".into(),
        other => other.to_string(),
    }
}

fn version_details(finding: Finding, role: &ExchangeRole) -> Finding {
    finding
        .detail("role", role.name.clone())
        .detail("unpacked_version", role.unpacked_version.clone())
        .detail("configured_version", role.configured_version.clone())
        .detail("unpacked_level", role.unpacked_level.clone())
        .detail("configured_level", role.configured_level.clone())
}

fn half_upgraded(state: &HostState, install: &ExchangeInstall, role: &ExchangeRole) -> Finding {
    let label = role_label(&role.name);
    let summary = format!(
        "The {label} role ({}) is half-upgraded: {}. Setup unpacked one build and did not finish configuring the role.",
        install.product,
        versions(role)
    );
    let target = role
        .unpacked_version
        .clone()
        .unwrap_or_else(|| "the unpacked build".into());
    let steps = vec![
        format!("Run setup.com /mode:upgrade again on this server (media of {target}) to configure the {label} role."),
        format!(
            "Repeat until ConfiguredVersion equals UnpackedVersion in {}; when a run fails, fix the first [ERROR] of its ExchangeSetup.log first.",
            super::short_key(&role.key)
        ),
        "Do not edit UnpackedVersion/ConfiguredVersion by hand.".to_string(),
    ];
    version_details(
        Finding::new(&ROLE_HALF_UPGRADED, summary)
            .subject(role.key.clone())
            .title(format!("Exchange {label} role is half-upgraded"))
            .fact(Fact::Registry(RegistryFact::RoleKey {
                role: role.name.clone(),
            }))
            .evidence(role_evidence(state, role)),
        role,
    )
    .remediation(steps)
}

fn watermark(state: &HostState, install: &ExchangeInstall, role: &ExchangeRole, mismatch: bool) -> Finding {
    let rule = &SETUP_WATERMARK;
    let label = role_label(&role.name);
    let action = role.action.clone().unwrap_or_else(|| "unknown".into());
    let mark = role.watermark.clone().unwrap_or_else(|| "none".into());
    let mut summary = format!(
        "A previous setup stopped inside the {label} role ({}): Action = {action}, Watermark = {mark}.",
        install.product
    );
    if mismatch {
        summary.push_str(&format!(" The role is half-upgraded: {}.", versions(role)));
    }
    let mode = role
        .action
        .as_deref()
        .map_or_else(|| "<pending mode>".to_string(), mode_of);
    let mut steps = vec![format!(
        "Finish the pending operation: run setup.com /mode:{mode} on this server (the GUI offers to resume) until the Watermark and Action values are gone{}.",
        if mismatch { " and ConfiguredVersion equals UnpackedVersion" } else { "" }
    )];
    steps.extend(rule.remediation.iter().skip(1).map(|s| s.to_string()));
    let finding = Finding::new(rule, summary)
        .subject(role.key.clone())
        .title(format!("Setup left a watermark in the {label} role"))
        .evidence(role_evidence(state, role))
        .remediation(steps)
        .fact(Fact::Registry(RegistryFact::RoleKey {
            role: role.name.clone(),
        }))
        .detail("source", "registry")
        .detail("action", role.action.clone())
        .detail("watermark", role.watermark.clone())
        .detail("roles", json!([format!("{} = {mark}", role.name)]))
        .detail("half_upgraded", mismatch);
    let finding = match &role.watermark {
        Some(mark) => finding.fact(Fact::Registry(RegistryFact::Watermark(mark.clone()))),
        None => finding,
    };
    version_details(finding, role)
}

/// The role findings of the host.
pub(super) fn check(state: &HostState) -> Vec<Finding> {
    let mut out = Vec::new();
    for install in &state.exchange {
        for role in &install.roles {
            let mismatch = version_mismatch(role);
            if has_watermark(role) {
                if !is_cms(role) {
                    out.push(watermark(state, install, role, mismatch));
                }
            } else if mismatch {
                out.push(half_upgraded(state, install, role));
            }
        }
    }
    out
}
