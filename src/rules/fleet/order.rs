//! `upgrade-order-violation`: a server of an earlier role in the service-pack order left
//! on an older Exchange 2007 service pack while servers of later roles of the same
//! organization were upgraded (classically Client Access on RTM while Mailbox and Hub
//! are on SP1): one finding per lagging server, naming the servers upgraded ahead of it;
//! and clustered mailbox servers left half-upgraded.

use std::collections::HashSet;

use serde_json::json;

use super::{build_text, role_build, Server, UPGRADE_ORDER_VIOLATION};
use crate::model::{Confidence, Evidence, Finding};
use crate::registry::host_state::ExchangeRole;
use crate::registry::Build;
use crate::rules::registry::{join_and, key_evidence, role_label};

/// Position of a role in the service-pack order (Client Access first).
fn rank(role: &ExchangeRole) -> Option<u8> {
    Some(match role.name.to_ascii_lowercase().as_str() {
        "clientaccessrole" => 0,
        "gatewayrole" | "edgetransportrole" | "edgerole" => 1,
        "hubtransportrole" => 2,
        "mailboxrole" | "clusteredmailboxserver" => 3,
        "unifiedmessagingrole" => 4,
        _ => return None,
    })
}

/// The Exchange 2007 roles of a server with their order and build.
fn ranked<'h>(server: &Server<'h>) -> Vec<(&'h ExchangeRole, u8, Build)> {
    server
        .roles()
        .filter_map(|r| Some((r, rank(r)?, role_build(r).filter(|b| b.major == 8)?)))
        .collect()
}

/// A role on another server that was upgraded before the lagging server's.
struct Ahead<'h> {
    server: &'h str,
    role: &'h ExchangeRole,
    build: Build,
    evidence: Evidence,
}

fn role_evidence(server: &Server<'_>, role: &ExchangeRole, build: Build) -> Evidence {
    let text = format!(
        "{}: {} = {}",
        server.name,
        if role.configured_build.is_some() {
            "ConfiguredVersion"
        } else {
            "UnpackedVersion"
        },
        build_text(build)
    );
    key_evidence(server.state, role.source.as_ref(), &role.key, &text)
}

/// Servers named (with their evidence) as upgraded ahead of a lagging one; the others
/// are counted: an organization of thousands of servers would otherwise give each
/// lagging server a finding citing all of them (quadratic in the fleet).
const MAX_AHEAD_SERVERS: usize = 10;

/// The roles ahead of a lagging server: the first [`MAX_AHEAD_SERVERS`] servers' roles,
/// how many more servers, and the newest build among all of them.
#[derive(Default)]
struct AheadOf<'h> {
    listed: Vec<Ahead<'h>>,
    /// The servers of `listed`, in order.
    listed_servers: Vec<&'h str>,
    servers: HashSet<&'h str>,
    newest: Option<Build>,
}

impl<'h> AheadOf<'h> {
    fn add(&mut self, other: &Server<'h>, role: &'h ExchangeRole, build: Build) {
        self.newest = self.newest.max(Some(build));
        self.servers.insert(other.name);
        if !self.listed_servers.contains(&other.name) {
            if self.listed_servers.len() >= MAX_AHEAD_SERVERS {
                return;
            }
            self.listed_servers.push(other.name);
        }
        if !self
            .listed
            .iter()
            .any(|a| a.server == other.name && a.role.name == role.name)
        {
            self.listed.push(Ahead {
                server: other.name,
                role,
                build,
                evidence: role_evidence(other, role, build),
            });
        }
    }

    /// Servers ahead that are not listed.
    fn unlisted(&self) -> usize {
        self.servers.len().saturating_sub(MAX_AHEAD_SERVERS)
    }
}

/// The finding of a server whose roles should have been upgraded before roles of later
/// rank that other servers of its organization already run on a newer service pack: one
/// per lagging server, naming the servers upgraded ahead of it (the first
/// [`MAX_AHEAD_SERVERS`], the others counted). `ranks` are the [`ranked`] roles of
/// `servers`, in the same order.
fn lagging<'h>(
    behind: &Server<'h>,
    servers: &[Server<'h>],
    ranks: &[Vec<(&'h ExchangeRole, u8, Build)>],
) -> Option<Finding> {
    let mine = ranked(behind);
    let mut lagging_roles: Vec<(&ExchangeRole, Build)> = Vec::new();
    let mut ahead = AheadOf::default();
    for &(role, r, build) in &mine {
        let mut found = false;
        for (other, theirs) in servers.iter().zip(ranks) {
            if other.name == behind.name || !behind.same_org(other) {
                continue;
            }
            for &(orole, _, obuild) in theirs.iter().filter(|(_, or, ob)| *or > r && ob.minor > build.minor) {
                found = true;
                ahead.add(other, orole, obuild);
            }
        }
        if found {
            lagging_roles.push((role, build));
        }
    }
    let (_, bottom) = lagging_roles.iter().min_by_key(|(_, b)| *b)?;
    let bottom = *bottom;
    let target = ahead
        .newest
        .map(|b| b.level().unwrap_or_else(|| b.to_string()))
        .unwrap_or_default();
    let more = ahead.unlisted();
    let ahead_count = ahead.servers.len();
    let ahead = ahead.listed;
    let mine_text: Vec<String> = lagging_roles
        .iter()
        .map(|(r, b)| format!("{} on {}", role_label(&r.name), build_text(*b)))
        .collect();
    let mut ahead_servers: Vec<&str> = Vec::new();
    for a in &ahead {
        if !ahead_servers.contains(&a.server) {
            ahead_servers.push(a.server);
        }
    }
    let mut ahead_text: Vec<String> = ahead_servers
        .iter()
        .map(|server| {
            let roles: Vec<String> = ahead
                .iter()
                .filter(|a| a.server == *server)
                .map(|a| format!("{} on {}", role_label(&a.role.name), build_text(a.build)))
                .collect();
            format!("{server} ({})", join_and(&roles))
        })
        .collect();
    let mut ahead_names: Vec<String> = ahead_servers.iter().map(|s| s.to_string()).collect();
    if more > 0 {
        ahead_text.push(format!("{more} more servers"));
        ahead_names.push(format!("{more} more"));
    }
    let summary = format!(
        "{} still runs {} while {} of the same organization {} upgraded ahead of it: the service pack must reach the earlier roles first (Client Access, Edge, Hub Transport, Mailbox, Unified Messaging), and client access to the upgraded servers breaks until {} is upgraded.",
        behind.name,
        join_and(&mine_text),
        join_and(&ahead_text),
        if ahead_count == 1 { "was" } else { "were" },
        behind.name
    );
    let roles = join_and(
        &lagging_roles
            .iter()
            .map(|(r, _)| role_label(&r.name))
            .collect::<Vec<_>>(),
    );
    let rule = &UPGRADE_ORDER_VIOLATION;
    let mut steps = vec![format!(
        "Upgrade {} ({roles}) to {target} now: setup.com /mode:upgrade on {}.",
        behind.name, behind.name
    )];
    steps.extend(rule.remediation.iter().skip(1).take(1).map(|s| s.to_string()));
    let mut finding = Finding::new(rule, summary)
        .subject(behind.organization())
        .title(format!(
            "{} ({roles}) was left behind: {} upgraded first",
            behind.name,
            join_and(&ahead_names)
        ))
        .remediation(steps)
        .confidence(Confidence::High)
        .detail("build", bottom.to_string())
        .detail(
            "roles",
            json!(lagging_roles.iter().map(|(r, _)| r.name.clone()).collect::<Vec<_>>()),
        )
        .detail(
            "ahead",
            json!(ahead
                .iter()
                .map(|a| json!({"host": a.server, "role": a.role.name, "build": a.build.to_string(), "level": a.build.level()}))
                .collect::<Vec<_>>()),
        );
    if more > 0 {
        finding = finding.detail("ahead_unlisted", more);
    }
    finding.host = behind.name.to_string();
    for (role, build) in &lagging_roles {
        finding.push_evidence(role_evidence(behind, role, *build));
    }
    for a in ahead {
        finding.push_evidence(a.evidence);
    }
    Some(finding)
}

/// A clustered mailbox server key with Action/Watermark: a half-upgraded cluster.
fn half_upgraded_cluster(server: &Server<'_>) -> Option<Finding> {
    let cms = server.roles().find(|r| {
        r.name.eq_ignore_ascii_case("ClusteredMailboxServer") && (r.action.is_some() || r.watermark.is_some())
    })?;
    let text = format!(
        "Action = {}; Watermark = {}; UnpackedVersion = {}; ConfiguredVersion = {}",
        cms.action.as_deref().unwrap_or("(absent)"),
        cms.watermark.as_deref().unwrap_or("(absent)"),
        cms.unpacked_version.as_deref().unwrap_or("(absent)"),
        cms.configured_version.as_deref().unwrap_or("(absent)")
    );
    let summary = format!(
        "The clustered mailbox server on {} is half-upgraded ({text}): the cluster upgrade (passive node, move the CMS, setup /upgradecms, other node) did not finish.",
        server.name
    );
    let rule = &UPGRADE_ORDER_VIOLATION;
    let mut finding = Finding::new(rule, summary)
        .subject(cms.key.clone())
        .title(format!("Half-upgraded CCR cluster on {}", server.name))
        .evidence(key_evidence(server.state, cms.source.as_ref(), &cms.key, &text))
        .remediation(vec![
            "Find which node the clustered mailbox server runs on and which node is already upgraded (UnpackedVersion of each node).".to_string(),
            "Move the clustered mailbox server to the upgraded node (Move-ClusteredMailboxServer) and run setup.com /upgradecms there; it resumes the pending action.".to_string(),
            "Then upgrade the other node with setup.com /mode:upgrade. Do not delete the Watermark/Action values by hand.".to_string(),
        ])
        .detail("role", cms.name.clone())
        .detail("action", cms.action.clone())
        .detail("watermark", cms.watermark.clone())
        .detail("cluster", true);
    finding.host = server.name.to_string();
    Some(finding)
}

/// The order findings of all servers.
pub(super) fn check(servers: &[Server<'_>]) -> Vec<Finding> {
    let ranks: Vec<_> = servers.iter().map(ranked).collect();
    servers
        .iter()
        .flat_map(|s| [lagging(s, servers, &ranks), half_upgraded_cluster(s)])
        .flatten()
        .collect()
}
