//! `ntlmssp-dependency` from the registry: services whose `DependOnService` lists
//! NtLmSsp on Windows Server 2008 or later, or where `Services\NtLmSsp` is absent. The
//! finding is the one the events produce (same builder), with the services'
//! `DependOnService` values and the OS version as evidence; the dependants are the
//! services that depend on those.

use std::collections::BTreeSet;

use serde_json::json;

use super::{key_evidence, CURRENT_VERSION_KEY};
use crate::model::{Confidence, Evidence, Finding, Location};
use crate::registry::host_state::ServiceInfo;
use crate::registry::HostState;
use crate::rules::events::{ntlmssp_finding, AffectedService, DependencyRoot};

const NTLMSSP: &str = "NtLmSsp";

fn affected(state: &HostState, s: &ServiceInfo) -> AffectedService {
    let text = format!("DependOnService = {}", s.depend_on_service.join(", "));
    AffectedService {
        name: s.name.clone(),
        evidence: vec![key_evidence(state, s.source.as_ref(), &s.key, &text)],
    }
}

/// The registry-based finding, when the host's services depend on a missing NtLmSsp.
pub(super) fn check(state: &HostState) -> Option<Finding> {
    let services = state.services.as_ref()?;
    let os = state.os.as_ref();
    let version = os.and_then(|o| o.version());
    let newer_os = version.is_some_and(|v| v >= (6, 0));
    if services.ntlmssp_present && !newer_os {
        return None;
    }
    let listing: Vec<&ServiceInfo> = services.list.iter().filter(|s| s.depends_on(NTLMSSP)).collect();
    if listing.is_empty() {
        return None;
    }
    // Services that depend (directly or through others) on the listing ones.
    let mut blocked: BTreeSet<String> = listing.iter().map(|s| s.name.to_ascii_lowercase()).collect();
    let mut dependants: Vec<&ServiceInfo> = Vec::new();
    loop {
        let next: Vec<&ServiceInfo> = services
            .list
            .iter()
            .filter(|s| !blocked.contains(&s.name.to_ascii_lowercase()))
            .filter(|s| {
                s.depend_on_service
                    .iter()
                    .any(|d| blocked.contains(&d.to_ascii_lowercase()))
            })
            .collect();
        if next.is_empty() {
            break;
        }
        blocked.extend(next.iter().map(|s| s.name.to_ascii_lowercase()));
        dependants.extend(next);
    }
    let root = DependencyRoot {
        missing: Some(NTLMSSP.into()),
        services: listing.iter().map(|s| affected(state, s)).collect(),
        dependants: dependants.iter().map(|s| affected(state, s)).collect(),
    };
    let mut finding = ntlmssp_finding(&root, Vec::new());
    let os_text = match os {
        Some(o) => format!(
            "{} {} build {} {}",
            o.product_name.as_deref().unwrap_or("Windows"),
            o.current_version.as_deref().unwrap_or("?"),
            o.build_number.map_or_else(|| "?".into(), |b| b.to_string()),
            o.csd_version.as_deref().unwrap_or("")
        )
        .trim_end()
        .to_string(),
        None => "operating system not exported".into(),
    };
    if let Some(o) = os {
        finding.push_evidence(key_evidence(state, o.source.as_ref(), CURRENT_VERSION_KEY, &os_text));
    }
    if !services.ntlmssp_present {
        let text = format!("no NtLmSsp subkey under {}", super::short_key(&services.key));
        let file = listing
            .iter()
            .find_map(|s| s.source.as_ref())
            .map(|s| s.file.clone())
            .or_else(|| state.sources.first().cloned())
            .unwrap_or_default();
        finding.push_evidence(Evidence::new(
            file,
            Location::Key(super::short_key(&services.key)),
            None,
            text,
        ));
    }
    Some(
        finding
            .confidence(Confidence::Medium)
            .detail("source", "registry")
            .detail("os", os.and_then(|o| o.current_version.clone()))
            .detail("ntlmssp_present", services.ntlmssp_present)
            .detail(
                "services",
                json!(listing.iter().map(|s| s.name.clone()).collect::<Vec<_>>()),
            ),
    )
}
