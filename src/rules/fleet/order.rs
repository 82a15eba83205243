//! `upgrade-order-violation`: a server of a later role in the service-pack order on a
//! newer Exchange 2007 service pack than a server of an earlier role of the same
//! organization (classically Mailbox or Hub on SP1 while Client Access is on RTM), and
//! clustered mailbox servers left half-upgraded.

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

/// A role on another server that should have been upgraded first.
struct Behind<'h> {
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

fn out_of_order(ahead: &Server<'_>, servers: &[Server<'_>]) -> Option<Finding> {
    let mine = ranked(ahead);
    let mut ahead_roles: Vec<(&ExchangeRole, Build)> = Vec::new();
    let mut behind: Vec<Behind<'_>> = Vec::new();
    for &(role, r, build) in &mine {
        let mut found = false;
        for other in servers.iter().filter(|o| o.name != ahead.name && ahead.same_org(o)) {
            for (orole, _, obuild) in ranked(other)
                .into_iter()
                .filter(|(_, or, ob)| *or < r && ob.minor < build.minor)
            {
                found = true;
                if !behind
                    .iter()
                    .any(|b| b.server == other.name && b.role.name == orole.name)
                {
                    behind.push(Behind {
                        server: other.name,
                        role: orole,
                        build: obuild,
                        evidence: role_evidence(other, orole, obuild),
                    });
                }
            }
        }
        if found {
            ahead_roles.push((role, build));
        }
    }
    let (_, top) = ahead_roles.iter().max_by_key(|(_, b)| *b)?;
    let top = *top;
    let mine_text: Vec<String> = ahead_roles
        .iter()
        .map(|(r, b)| format!("{} on {}", role_label(&r.name), build_text(*b)))
        .collect();
    let behind_text: Vec<String> = behind
        .iter()
        .map(|b| {
            format!(
                "{} server {} on {}",
                role_label(&b.role.name),
                b.server,
                build_text(b.build)
            )
        })
        .collect();
    let summary = format!(
        "{} runs {} while {} of the same organization {} still behind: the service pack must reach the earlier roles first (Client Access, Edge, Hub Transport, Mailbox, Unified Messaging), and client access to the upgraded server breaks until then.",
        ahead.name,
        join_and(&mine_text),
        join_and(&behind_text),
        if behind.len() == 1 { "is" } else { "are" }
    );
    let target = top.level().unwrap_or_else(|| top.to_string());
    let mut steps: Vec<String> = behind
        .iter()
        .map(|b| {
            format!(
                "Upgrade {} ({}) to {target} now: setup.com /mode:upgrade on {}.",
                b.server,
                role_label(&b.role.name),
                b.server
            )
        })
        .collect();
    steps.dedup();
    let rule = &UPGRADE_ORDER_VIOLATION;
    steps.extend(rule.remediation.iter().skip(1).take(1).map(|s| s.to_string()));
    let first_behind = behind
        .first()
        .map(|b| format!("{} server {}", role_label(&b.role.name), b.server));
    let mut finding = Finding::new(rule, summary)
        .subject(ahead.organization())
        .title(format!(
            "{} was upgraded before {}",
            ahead.name,
            first_behind.unwrap_or_default()
        ))
        .remediation(steps)
        .confidence(Confidence::High)
        .detail("build", top.to_string())
        .detail(
            "roles",
            json!(ahead_roles.iter().map(|(r, _)| r.name.clone()).collect::<Vec<_>>()),
        )
        .detail(
            "behind",
            json!(behind
                .iter()
                .map(|b| json!({"host": b.server, "role": b.role.name, "build": b.build.to_string(), "level": b.build.level()}))
                .collect::<Vec<_>>()),
        );
    finding.host = ahead.name.to_string();
    for (role, build) in &ahead_roles {
        finding.push_evidence(role_evidence(ahead, role, *build));
    }
    for b in behind {
        finding.push_evidence(b.evidence);
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
        .flat_map(|s| [out_of_order(s, servers), half_upgraded_cluster(s)])
        .flatten()
        .collect()
}
