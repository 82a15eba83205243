//! `ad-topology-failure`: MSExchange ADAccess 2114/2102/2090/2138. One finding per host
//! (one root: Exchange cannot find a usable domain controller); service start failures
//! next to these events are folded into it as evidence.

use std::collections::BTreeMap;

use serde_json::json;

use super::messages::evidence_text;
use super::utc;
use crate::model::{Evidence, Finding, RuleId, RuleInfo, Severity, HOST_WIDE};
use crate::model::{HostEvent, HostView};

/// The `ad-topology-failure` rule.
pub(crate) const AD_TOPOLOGY_FAILURE: RuleInfo = RuleInfo {
    id: RuleId::AdTopologyFailure,
    title: "Exchange cannot discover Active Directory",
    severity: Severity::Critical,
    description: "MSExchange ADAccess 2114 (topology discovery failed), 2102 (all domain controllers in use \
                  are not responding), 2090 or 2138: the AD Topology service found no usable domain \
                  controller or global catalog, so no Exchange service can work.",
    remediation: &[
        "Check DNS and the domain controllers the server uses: nltest /dsgetdc:<domain>, dcdiag, and that the site has a reachable global catalog.",
        "Check that the Exchange server is a member of the Exchange Servers group and that \"Manage auditing and security log\" (SeSecurityPrivilege) is granted to Exchange Servers in the Default Domain Controllers Policy.",
        "Restart the Microsoft Exchange Active Directory Topology service and confirm discovery succeeds (ADAccess 2080).",
    ],
    references: &["MSExchange ADAccess 2114/2102"],
};

/// The ADAccess provider.
const ADACCESS: &str = "MSExchange ADAccess";
/// Topology discovery failures.
const FAILURE_IDS: &[u16] = &[2114, 2102, 2090, 2138];

/// The host's ADAccess topology failure events, in time order.
pub(crate) fn failures<'h, 'a>(host: &'h HostView<'a>) -> impl Iterator<Item = &'h HostEvent<'a>> + 'h {
    host.events_of(ADACCESS, FAILURE_IDS)
}

/// Runs the rule; `folded` = evidence of start failures explained by these events.
pub(crate) fn check(host: &HostView<'_>, folded: Vec<Evidence>) -> Vec<Finding> {
    let events: Vec<&HostEvent<'_>> = failures(host).collect();
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Vec::new();
    };
    let mut per_id: BTreeMap<u16, usize> = BTreeMap::new();
    for e in &events {
        *per_id.entry(e.event.event_id).or_default() += 1;
    }
    let ids: Vec<String> = per_id.iter().map(|(id, n)| format!("{id} x{n}")).collect();
    let mut summary = format!(
        "Active Directory topology discovery failed {} time(s), first at {}, last at {} (MSExchange ADAccess {}): Exchange has no usable domain controller or global catalog.",
        events.len(),
        utc(first.event.time),
        utc(last.event.time),
        ids.join(", ")
    );
    if !folded.is_empty() {
        summary.push_str(&format!(
            " {} service start failure event(s) at the same time are consequences.",
            folded.len()
        ));
    }
    let mut finding = Finding::new(&AD_TOPOLOGY_FAILURE, summary)
        .subject(HOST_WIDE)
        .count(events.len() as u64)
        .detail("event_ids", json!(per_id))
        .detail("process", first.event.param(0).map(str::trim));
    for e in &events {
        finding.push_evidence(e.evidence(evidence_text(e)));
    }
    for e in folded {
        finding.push_evidence(e);
    }
    vec![finding]
}
