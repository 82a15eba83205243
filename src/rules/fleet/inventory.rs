//! `build-inventory`: one info finding per Exchange host with its version, level,
//! roles and support state; when the hosts run different builds, the list.

use std::collections::BTreeMap;

use serde_json::json;

use super::{build_text, Server, BUILD_INVENTORY};
use crate::model::{Confidence, Finding};
use crate::registry::Build;
use crate::rules::registry::{join_and, key_evidence, role_label};

/// The support state of a build (Microsoft lifecycle dates), and whether it is known.
fn support(build: Build) -> (String, bool) {
    let text: String = match (build.major, build.minor) {
        (8, minor) if minor < 3 => format!(
            "Exchange 2007 reached end of support in April 2017, and {} was out of support well before that (only SP3 was supported at the end).",
            build.level().unwrap_or_else(|| "this service-pack level".into())
        ),
        (8, _) => "Exchange 2007 reached end of support in April 2017 (SP3 was the last supported level).".into(),
        (14, _) => "Exchange 2010 reached end of support in October 2020.".into(),
        (15, 0) => "Exchange 2013 reached end of support in April 2023.".into(),
        (15, 1) | (15, 2) => "Exchange 2016 and 2019 reached end of support in October 2025.".into(),
        _ => return ("Support state unknown for this build.".into(), false),
    };
    (text, true)
}

/// Hosts listed with their build in each finding of a mixed fleet; beyond, the builds
/// are listed with their number of hosts. Every server's finding carries the list: a
/// whole fleet in each would grow with the square of the fleet.
const MAX_FLEET_LISTED: usize = 20;

/// Hosts named per build in the sentence of a large mixed fleet.
const HOSTS_PER_BUILD: usize = 3;

/// Builds named in the sentence of a large mixed fleet (oldest first).
const BUILDS_LISTED: usize = 10;

/// The sentence on a fleet of different builds: each host with its build, or for a
/// large fleet each build with its number of hosts and the first few.
fn fleet_sentence(builds: &[(&str, Build)]) -> String {
    if builds.len() <= MAX_FLEET_LISTED {
        let each: Vec<String> = builds.iter().map(|(n, b)| format!("{n} {}", build_text(*b))).collect();
        return format!(" The hosts of this analysis run different builds: {}.", each.join("; "));
    }
    let mut by_build: BTreeMap<Build, Vec<&str>> = BTreeMap::new();
    for (name, build) in builds {
        by_build.entry(*build).or_default().push(name);
    }
    let mut each: Vec<String> = by_build
        .iter()
        .take(BUILDS_LISTED)
        .map(|(build, hosts)| {
            let shown = hosts[..hosts.len().min(HOSTS_PER_BUILD)].join(", ");
            let more = hosts.len().saturating_sub(HOSTS_PER_BUILD);
            format!(
                "{} on {} host(s) ({shown}{})",
                build_text(*build),
                hosts.len(),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let more_builds = by_build.len().saturating_sub(BUILDS_LISTED);
    if more_builds > 0 {
        each.push(format!("{more_builds} newer builds"));
    }
    format!(
        " The {} hosts of this analysis run {} different builds: {}.",
        builds.len(),
        by_build.len(),
        each.join("; ")
    )
}

/// Inventory findings, one per server.
pub(super) fn check(servers: &[Server<'_>]) -> Vec<Finding> {
    let builds: Vec<(&str, Build)> = servers
        .iter()
        .filter_map(|s| Some((s.name, s.state.exchange_build()?)))
        .collect();
    let mut distinct: Vec<Build> = builds.iter().map(|(_, b)| *b).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mixed_fleet = distinct.len() > 1;
    let sentence = mixed_fleet.then(|| fleet_sentence(&builds));
    let fleet = mixed_fleet.then(|| {
        builds
            .iter()
            .take(MAX_FLEET_LISTED)
            .map(|(n, b)| format!("{n} {}", build_text(*b)))
            .collect::<Vec<_>>()
    });
    let unlisted = builds.len().saturating_sub(MAX_FLEET_LISTED);
    servers
        .iter()
        .filter_map(|server| {
            let build = server.state.exchange_build()?;
            // A role not at the host's build (half-upgraded) is named with its versions.
            let mut mixed = false;
            let roles: Vec<String> = server
                .roles()
                .map(|r| {
                    let label = role_label(&r.name);
                    match r.configured_build {
                        Some(c) if c != build => {
                            mixed = true;
                            format!(
                                "{label} (configured {}, unpacked {})",
                                build_text(c),
                                r.unpacked_version.as_deref().unwrap_or("-")
                            )
                        }
                        _ => label,
                    }
                })
                .collect();
            let product = build.name().unwrap_or_else(|| format!("Exchange {build}"));
            let (support, known) = support(build);
            let mut summary = format!(
                "{}: {product} ({build}); roles {}. {}",
                server.name,
                if roles.is_empty() {
                    "unknown".to_string()
                } else {
                    join_and(&roles)
                },
                support
            );
            if let Some(sentence) = &sentence {
                summary.push_str(sentence);
            }
            let mut finding = Finding::new(&BUILD_INVENTORY, summary)
                .subject(build.to_string())
                .title(format!("{}: {product}", server.name))
                .confidence(Confidence::High)
                .detail("version", build.to_string())
                .detail("level", build.level())
                .detail("product", build.product())
                .detail(
                    "roles",
                    json!(server.roles().map(|r| r.name.clone()).collect::<Vec<_>>()),
                )
                .detail("supported", known.then_some(false))
                .detail("mixed_role_builds", mixed)
                .detail("fleet_builds", json!(fleet));
            if mixed_fleet && unlisted > 0 {
                finding = finding.detail("fleet_builds_unlisted", unlisted);
            }
            finding.host = server.name.to_string();
            for role in server.roles() {
                let text = format!(
                    "UnpackedVersion = {}; ConfiguredVersion = {}",
                    role.unpacked_version.as_deref().unwrap_or("(absent)"),
                    role.configured_version.as_deref().unwrap_or("(absent)")
                );
                finding.push_evidence(key_evidence(server.state, role.source.as_ref(), &role.key, &text));
            }
            Some(finding)
        })
        .collect()
}
