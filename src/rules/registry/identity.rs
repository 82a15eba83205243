//! `pending-reboot`, `single-label-domain` and `fqdn-missing` (with a pending rename).

use serde_json::json;

use super::key_evidence;
use crate::model::{Finding, RuleId, RuleInfo, Severity, HOST_WIDE};
use crate::registry::host_state::Identity;
use crate::registry::HostState;

/// The `fqdn-missing` rule.
pub(crate) const FQDN_MISSING: RuleInfo = RuleInfo {
    id: RuleId::FqdnMissing,
    title: "The server has no fully qualified domain name",
    severity: Severity::Error,
    description: "Tcpip Parameters has no Domain (primary DNS suffix) or an empty one, so the server's FQDN is \
                  just its host name; or a rename is pending (NV Hostname/NV Domain differ from the live \
                  values). Exchange setup reads the FQDN for the server object, certificates and AD lookups \
                  and can hang or configure the wrong name.",
    remediation: &[
        "Set the primary DNS suffix: System Properties, Computer Name, Change, More..., Primary DNS suffix of this computer (or join the domain properly).",
        "Reboot so that the live name and the NV values agree.",
        "Check with ipconfig /all that the Host Name and Primary Dns Suffix are right, then run setup.",
    ],
    references: &["Exchange 2007 setup readiness: server FQDN"],
};

/// The `single-label-domain` rule.
pub(crate) const SINGLE_LABEL_DOMAIN: RuleInfo = RuleInfo {
    id: RuleId::SingleLabelDomain,
    title: "The server is in a single-label DNS domain",
    severity: Severity::Warning,
    description: "The primary DNS suffix (Tcpip Parameters Domain) has no dot, e.g. CORP. Single-label DNS \
                  domains need extra DNS configuration for domain members (KB300684); Exchange 2007 SP1 setup \
                  first blocked them and later only warned, and they are not a supported configuration for \
                  later Exchange versions.",
    remediation: &[
        "Make sure DNS resolution works for the single-label domain as described in KB300684 (AllowSingleLabelDnsDomain / UpdateTopLevelDomainZones on the members).",
        "Plan a domain rename or a migration to a domain with a multi-label DNS name (corp.example.com) before upgrading Exchange further.",
    ],
    references: &["KB300684"],
};

/// The `pending-reboot` rule.
pub(crate) const PENDING_REBOOT: RuleInfo = RuleInfo {
    id: RuleId::PendingReboot,
    title: "A reboot is pending",
    severity: Severity::Warning,
    description: "One of the pending-reboot markers is set: Session Manager PendingFileRenameOperations, \
                  Updates\\UpdateExeVolatile Flags != 0, Component Based Servicing\\RebootPending or \
                  WindowsUpdate\\Auto Update\\RebootRequired. Exchange setup refuses to run (readiness check \
                  RebootPending / PendingRebootWindowsComponents) and files may still be locked.",
    remediation: &[
        "Reboot the server.",
        "Check that the marker is gone after the reboot (a PendingFileRenameOperations entry that comes back is written by an installed program at every start: find and fix that program).",
        "Run setup again.",
    ],
    references: &["CSS-Exchange SetupAssist (pending reboot checks)"],
};

/// `Services\Tcpip\Parameters` (for evidence when the identity has no source).
const TCPIP_KEY: &str = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters";

fn pending_reboot(state: &HostState) -> Option<Finding> {
    let p = &state.pending_reboot;
    if !p.pending {
        return None;
    }
    let mut finding = Finding::new(
        &PENDING_REBOOT,
        format!(
            "{} pending-reboot marker(s) set: Exchange setup will refuse to run until the server is restarted.",
            p.markers.len()
        ),
    )
    .subject(HOST_WIDE)
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
        Finding::new(&SINGLE_LABEL_DOMAIN, summary)
            .subject(domain.clone())
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
    let rule = &FQDN_MISSING;
    let (finding, text) = if no_domain {
        (
            Finding::new(
                rule,
                format!("{host} has no primary DNS suffix, so it has no FQDN: Exchange setup can hang or register the wrong name.{rename}"),
            )
            .subject(format!("{TCPIP_KEY}\\Domain")),
            names(id),
        )
    } else {
        (
            Finding::new(
                rule,
                format!("The server's name will change at the next reboot; setup would read the old name.{rename}"),
            )
            .subject(format!("{TCPIP_KEY}\\NV Hostname"))
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
