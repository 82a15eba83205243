//! `pending-reboot`, `single-label-domain` and `fqdn-missing` (with a pending rename).

use serde_json::json;

use super::{key_evidence, FQDN_MISSING, PENDING_REBOOT, RULES, SINGLE_LABEL_DOMAIN};
use crate::model::{Finding, Severity};
use crate::registry::host_state::Identity;
use crate::registry::HostState;
use crate::rules::info;

/// `Services\Tcpip\Parameters` (for evidence when the identity has no source).
const TCPIP_KEY: &str = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters";

fn pending_reboot(state: &HostState) -> Option<Finding> {
    let p = &state.pending_reboot;
    if !p.pending {
        return None;
    }
    let mut finding = Finding::new(
        info(RULES, PENDING_REBOOT),
        format!(
            "{} pending-reboot marker(s) set: Exchange setup will refuse to run until the server is restarted.",
            p.markers.len()
        ),
    )
    .count(p.markers.len() as u64);
    for (i, marker) in p.markers.iter().enumerate() {
        let source = p.marker_sources.get(i).and_then(Option::as_ref);
        let (key, text) = match marker.rsplit_once('\\') {
            Some((key, "PendingFileRenameOperations")) => {
                let ops: Vec<&str> = p
                    .file_rename_operations
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
                    .take(3)
                    .collect();
                (
                    key.to_string(),
                    format!(
                        "PendingFileRenameOperations = {} entries (first: {})",
                        p.file_rename_operations.len(),
                        ops.join(", ")
                    ),
                )
            }
            Some((key, "Flags")) => (
                key.to_string(),
                format!("Flags = {}", p.update_exe_volatile_flags.unwrap_or_default()),
            ),
            _ => (marker.clone(), "key present".to_string()),
        };
        finding.push_evidence(key_evidence(state, source, &key, &text));
    }
    Some(finding.detail("markers", json!(p.markers)))
}

fn identity_evidence(state: &HostState, text: &str) -> crate::model::Evidence {
    key_evidence(state, state.identity.source.as_ref(), TCPIP_KEY, text)
}

fn single_label(state: &HostState) -> Option<Finding> {
    let id = &state.identity;
    if id.single_label_domain != Some(true) {
        return None;
    }
    let domain = id.domain.clone().unwrap_or_default();
    let summary = format!(
        "The primary DNS suffix is '{domain}', a single-label DNS domain: setup warns (Exchange 2007 SP1 first blocked it) and name resolution needs the KB300684 settings."
    );
    Some(
        Finding::new(info(RULES, SINGLE_LABEL_DOMAIN), summary)
            .evidence(identity_evidence(state, &format!("Domain = {domain}")))
            .detail("domain", domain),
    )
}

/// Whether the Tcpip Parameters key was exported (the identity came from it).
fn tcpip_exported(id: &Identity) -> bool {
    id.hostname.is_some() || id.domain.is_some() || id.nv_hostname.is_some() || id.nv_domain.is_some()
}

fn names(id: &Identity) -> String {
    let v = |o: &Option<String>| match o.as_deref().map(str::trim) {
        None => "(absent)".to_string(),
        Some("") => "(empty)".to_string(),
        Some(s) => s.to_string(),
    };
    format!(
        "Hostname = {}; Domain = {}; NV Hostname = {}; NV Domain = {}",
        v(&id.hostname),
        v(&id.domain),
        v(&id.nv_hostname),
        v(&id.nv_domain)
    )
}

fn fqdn_missing(state: &HostState) -> Option<Finding> {
    let id = &state.identity;
    if !tcpip_exported(id) {
        return None;
    }
    let no_domain = id.domain.as_deref().is_none_or(|d| d.trim().is_empty());
    if !no_domain && !id.rename_pending {
        return None;
    }
    let host = id
        .hostname
        .clone()
        .or_else(|| id.computer_name.clone())
        .unwrap_or_default();
    let rename = if id.rename_pending {
        format!(
            " A rename is pending: after the next reboot the server will be {}{}.",
            id.nv_hostname.clone().unwrap_or_else(|| host.clone()),
            id.nv_domain
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(".{d}"))
                .unwrap_or_default()
        )
    } else {
        String::new()
    };
    let rule = info(RULES, FQDN_MISSING);
    let (finding, text) = if no_domain {
        (
            Finding::new(
                rule,
                format!("{host} has no primary DNS suffix, so it has no FQDN: Exchange setup can hang or register the wrong name.{rename}"),
            ),
            names(id),
        )
    } else {
        (
            Finding::new(
                rule,
                format!("The server's name will change at the next reboot; setup would read the old name.{rename}"),
            )
            .title("A computer rename is pending")
            .severity(Severity::Warning),
            names(id),
        )
    };
    Some(
        finding
            .evidence(identity_evidence(state, &text))
            .detail("fqdn", id.fqdn.clone())
            .detail("rename_pending", id.rename_pending),
    )
}

/// The identity and reboot findings of the host.
pub(super) fn check(state: &HostState) -> Vec<Finding> {
    [pending_reboot(state), single_label(state), fqdn_missing(state)]
        .into_iter()
        .flatten()
        .collect()
}
