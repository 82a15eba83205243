//! `upgrade-order-violation`: a server of an earlier role in the service-pack order left
//! on an older Exchange 2007 service pack while servers of later roles of the same
//! organization were upgraded (classically Client Access on RTM while Mailbox and Hub
//! are on SP1): one finding per lagging server, naming the servers upgraded ahead of it;
//! and clustered mailbox servers left half-upgraded.

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

/// The finding of a server whose roles should have been upgraded before roles of later
/// rank that other servers of its organization already run on a newer service pack: one
/// per lagging server, naming the servers upgraded ahead of it.
fn lagging(behind: &Server<'_>, servers: &[Server<'_>]) -> Option<Finding> {
    let mine = ranked(behind);
    let mut lagging_roles: Vec<(&ExchangeRole, Build)> = Vec::new();
    let mut ahead: Vec<Ahead<'_>> = Vec::new();
    for &(role, r, build) in &mine {
        let mut found = false;
        for other in servers.iter().filter(|o| o.name != behind.name && behind.same_org(o)) {
            for (orole, _, obuild) in ranked(other)
                .into_iter()
                .filter(|(_, or, ob)| *or > r && ob.minor > build.minor)
            {
                found = true;
                if !ahead
                    .iter()
                    .any(|a| a.server == other.name && a.role.name == orole.name)
                {
                    ahead.push(Ahead {
                        server: other.name,
                        role: orole,
                        build: obuild,
                        evidence: role_evidence(other, orole, obuild),
                    });
                }
            }
        }
        if found {
            lagging_roles.push((role, build));
        }
    }
    let (_, bottom) = lagging_roles.iter().min_by_key(|(_, b)| *b)?;
    let bottom = *bottom;
    let target = ahead
        .iter()
        .map(|a| a.build)
        .max()
        .map(|b| b.level().unwrap_or_else(|| b.to_string()))
        .unwrap_or_default();
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
    let ahead_text: Vec<String> = ahead_servers
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
    let summary = format!(
        "{} still runs {} while {} of the same organization {} upgraded ahead of it: the service pack must reach the earlier roles first (Client Access, Edge, Hub Transport, Mailbox, Unified Messaging), and client access to the upgraded servers breaks until {} is upgraded.",
        behind.name,
        join_and(&mine_text),
        join_and(&ahead_text),
        if ahead_servers.len() == 1 { "was" } else { "were" },
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
            join_and(&ahead_servers.iter().map(|s| s.to_string()).collect::<Vec<_>>())
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
    servers
        .iter()
        .flat_map(|s| [lagging(s, servers), half_upgraded_cluster(s)])
        .flatten()
        .collect()
}
