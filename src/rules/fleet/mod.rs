//! Rules across hosts: the service-pack upgrade order of one organization (and
//! half-upgraded clustered mailbox servers), and the build inventory of every host.

mod inventory;
mod order;

use crate::model::Finding;
use crate::model::{Host, RuleId, RuleInfo, Severity};
use crate::registry::host_state::ExchangeRole;
use crate::registry::{Build, HostState};

/// The `upgrade-order-violation` rule.
pub(crate) const UPGRADE_ORDER_VIOLATION: RuleInfo = RuleInfo {
    id: RuleId::UpgradeOrderViolation,
    title: "Exchange servers were upgraded out of order",
    severity: Severity::Warning,
    description: "Exchange 2007 service packs must be applied in the order Client Access, Edge Transport, Hub \
                  Transport, Mailbox, Unified Messaging. A Mailbox or Hub Transport server on a newer service \
                  pack (8.1 = SP1) while a Client Access server of the same organization is still on an older \
                  one (8.0 = RTM) breaks client access (OWA, ActiveSync, Autodiscover) to the upgraded \
                  mailboxes. In a CCR cluster the passive node is upgraded first, then the clustered mailbox \
                  server is moved and upgraded with setup /upgradecms, then the other node: a \
                  ClusteredMailboxServer key with Action/Watermark is a half-upgraded cluster. Hosts in one \
                  analysis are taken as one organization unless their DNS domains differ completely. One \
                  finding per server left behind, naming the servers upgraded ahead of it.",
    remediation: &[
        "Upgrade the servers that are behind, in the order Client Access, Edge Transport, Hub Transport, Mailbox, Unified Messaging: setup.com /mode:upgrade on each.",
        "Until then, point clients at a Client Access server at the same or a newer level than the mailbox servers they use.",
        "For CCR: upgrade the passive node (setup.com /mode:upgrade), move the clustered mailbox server to it, run setup.com /upgradecms, then upgrade the other node.",
    ],
    references: &[
        "Exchange 2007 SP1 release notes and upgrade order (Client Access first)",
        "Upgrading a CCR cluster to Exchange 2007 SP1 (setup /upgradecms)",
    ],
};

/// The `build-inventory` rule.
pub(crate) const BUILD_INVENTORY: RuleInfo = RuleInfo {
    id: RuleId::BuildInventory,
    title: "Exchange build inventory",
    severity: Severity::Info,
    description: "Per host: the Exchange version and update level (RTM, SP, RU) from the role keys, the roles, \
                  and the support state (Exchange 2007 support ended in April 2017; service packs below SP3 \
                  were out of support long before). When the hosts of one analysis run different builds, the \
                  list of builds is in the summary.",
    remediation: &[
        "Bring every server to the same, latest available level (for Exchange 2007: SP3 with its last rollup), in the supported upgrade order.",
        "Plan the migration off unsupported versions.",
    ],
    references: &["Exchange Server build numbers and release dates", "Microsoft lifecycle policy: Exchange Server 2007"],
};

/// The rules that run across hosts: `exdoctor merge` drops their findings from each
/// shard and runs them again over all hosts. They read only `Host::group` (name, FQDN)
/// and `Host::registry`, which a JSON report carries per host.
pub const RULES: [RuleId; 2] = [UPGRADE_ORDER_VIOLATION.id, BUILD_INVENTORY.id];

/// Runs the rules across all hosts.
pub fn check(hosts: &[Host]) -> Vec<Finding> {
    let servers: Vec<Server<'_>> = hosts.iter().filter_map(Server::of).collect();
    let mut out = order::check(&servers);
    out.extend(inventory::check(&servers));
    out
}

/// A host with Exchange role keys, as the fleet rules see it.
pub(crate) struct Server<'h> {
    pub name: &'h str,
    pub state: &'h HostState,
    /// DNS domain (from the registry, else the host group's FQDN), lowercase.
    pub domain: Option<String>,
}

impl<'h> Server<'h> {
    fn of(host: &'h Host) -> Option<Server<'h>> {
        let state = host.registry.as_ref()?;
        if state.exchange.iter().all(|i| i.roles.is_empty()) && state.exchange_build().is_none() {
            return None;
        }
        let domain = state
            .identity
            .domain
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or_else(|| {
                let fqdn = host.group.fqdn.as_deref().or(state.identity.fqdn.as_deref())?;
                fqdn.split_once('.').map(|(_, d)| d.to_string())
            })
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase());
        Some(Server {
            name: &host.group.name,
            state,
            domain,
        })
    }

    /// The role keys of the server (all versions).
    pub(crate) fn roles(&self) -> impl Iterator<Item = &'h ExchangeRole> {
        self.state.exchange.iter().flat_map(|i| &i.roles)
    }

    /// The organization the server belongs to, as the subject of its fleet findings:
    /// `organization fabrikam.com` (the last two labels of its DNS domain).
    pub(crate) fn organization(&self) -> String {
        match &self.domain {
            Some(d) => format!("organization {}", org_suffix(d)),
            None => "organization (unknown domain)".to_string(),
        }
    }

    /// Whether `other` is in the same organization: same last two DNS labels (or the
    /// same single label); unknown domains match anything.
    pub(crate) fn same_org(&self, other: &Server<'_>) -> bool {
        match (&self.domain, &other.domain) {
            (Some(a), Some(b)) => org_suffix(a) == org_suffix(b),
            _ => true,
        }
    }
}

/// `emea.fabrikam.com` -> `fabrikam.com`.
fn org_suffix(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

/// The build a role runs: configured, else unpacked.
pub(crate) fn role_build(role: &ExchangeRole) -> Option<Build> {
    role.configured_build.or(role.unpacked_build)
}

/// `8.1.240.6 (SP1)`.
pub(crate) fn build_text(build: Build) -> String {
    match build.level() {
        Some(level) => format!("{build} ({level})"),
        None => build.to_string(),
    }
}

#[cfg(test)]
mod tests;
