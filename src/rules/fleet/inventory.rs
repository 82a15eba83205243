//! `build-inventory`: one info finding per Exchange host with its version, level,
//! roles and support state; when the hosts run different builds, the list.

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

/// Inventory findings, one per server.
pub(super) fn check(servers: &[Server<'_>]) -> Vec<Finding> {
    let builds: Vec<(&str, Option<Build>)> = servers.iter().map(|s| (s.name, s.state.exchange_build())).collect();
    let mut distinct: Vec<Build> = builds.iter().filter_map(|(_, b)| *b).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let fleet = (distinct.len() > 1).then(|| {
        builds
            .iter()
            .filter_map(|(n, b)| Some(format!("{n} {}", build_text((*b)?))))
            .collect::<Vec<_>>()
    });
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
            if let Some(list) = &fleet {
                summary.push_str(&format!(
                    " The hosts of this analysis run different builds: {}.",
                    list.join("; ")
                ));
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
