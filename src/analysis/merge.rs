//! `exdoctor merge`: the reports of shards (each an analysis of some hosts) joined into
//! the report one run over all their inputs gives. Per-host findings are taken as they
//! are; the fleet rules run again over every host's registry state, since a shard saw
//! only its own hosts.

use std::collections::BTreeMap;
use std::path::Path;

use super::{sort_diagnostics, sort_findings, Analysis, HostReport};
use crate::model::{DiagLevel, Diagnostic, Host, HostGroup};
use crate::rules::fleet;

/// One shard's report as read back, named for diagnostics.
#[derive(Debug, Clone)]
pub struct Shard {
    /// Where it was read from (the file as given to `merge`).
    pub name: String,
    /// Its analysis: hosts, findings (suppressed ones included) and diagnostics.
    pub analysis: Analysis,
}

/// Joins shards into one analysis: hosts in name order, the fleet rules run over all of
/// them, findings and diagnostics sorted as [`analyze`](super::analyze) sorts them. A
/// host found in two shards (its files were split between them) is reported once with
/// the files of both, and gets an error diagnostic: its per-host rules saw only part
/// of its files in each shard. So do hosts of different shards that share a name
/// through their aliases (see `shared_names`).
pub fn merge(shards: Vec<Shard>) -> Analysis {
    let mut merged = Analysis::default();
    let mut hosts: BTreeMap<String, (HostReport, String)> = BTreeMap::new();
    for shard in shards {
        let Analysis {
            hosts: shard_hosts,
            findings,
            suppressed,
            diagnostics,
            unreadable,
        } = shard.analysis;
        merged.unreadable |= unreadable;
        merged.diagnostics.extend(diagnostics);
        merged.findings.extend(
            findings
                .into_iter()
                .chain(suppressed.into_iter().map(|s| s.finding))
                .filter(|f| !fleet::RULES.contains(&f.rule)),
        );
        for host in shard_hosts {
            match hosts.get_mut(&host.name) {
                Some((kept, first_shard)) => {
                    merged.diagnostics.push(Diagnostic::error(
                        shard.name.clone(),
                        format!(
                            "host {} is also in {first_shard}: its files were split between shards, so its \
                             per-host rules ran on each part alone (shard by host folder or bundle)",
                            host.name
                        ),
                    ));
                    merged.unreadable = true;
                    kept.attribution.extend(host.attribution);
                    kept.sources.extend(host.sources);
                    kept.sources.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
                    kept.attribution
                        .sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
                    if kept.registry.is_none() {
                        kept.registry = host.registry;
                    }
                }
                None => {
                    hosts.insert(host.name.clone(), (host, shard.name.clone()));
                }
            }
        }
    }
    merged.diagnostics.extend(shared_names(&hosts));
    merged.unreadable |= merged.diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    merged.hosts = hosts.into_values().map(|(host, _)| host).collect();
    let fleet_hosts: Vec<Host> = merged.hosts.iter().map(fleet_host).collect();
    merged.findings.extend(fleet::check(&fleet_hosts));
    super::identity::identify(&mut merged.findings);
    sort_findings(&mut merged.findings);
    sort_diagnostics(&mut merged.diagnostics);
    merged
}

/// Hosts of different shards that answer to one name (one's name or alias is the
/// other's): one run over all inputs would have joined them into one machine (a
/// rename), so the merge cannot give its report; each pair is an error diagnostic.
fn shared_names(hosts: &BTreeMap<String, (HostReport, String)>) -> Vec<Diagnostic> {
    let mut owners: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for (host, shard) in hosts.values() {
        for name in std::iter::once(&host.name).chain(&host.aliases) {
            owners
                .entry(name.to_ascii_uppercase())
                .or_default()
                .push((host.name.as_str(), shard.as_str()));
        }
    }
    let mut out = Vec::new();
    for (name, owners) in owners {
        for pair in owners.windows(2) {
            let [(a, shard_a), (b, shard_b)] = [pair[0], pair[1]];
            if shard_a != shard_b {
                out.push(Diagnostic::error(
                    shard_b.to_string(),
                    format!(
                        "host {b} and host {a} of {shard_a} both answer to {name}: one run over all inputs \
                         would have joined them as one renamed machine; put their bundles in the same shard"
                    ),
                ));
            }
        }
    }
    out
}

/// A host as the fleet rules see it, rebuilt from its report.
fn fleet_host(report: &HostReport) -> Host {
    Host {
        group: HostGroup {
            name: report.name.clone(),
            fqdn: report.fqdn.clone(),
            attribution: report.attribution.clone(),
            aliases: report.aliases.clone(),
            renames: report.renames.clone(),
            pending_rename: report.pending_rename.clone(),
            ..HostGroup::default()
        },
        registry: report.registry.clone(),
        zone: report.time_zone.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, aliases: &[&str]) -> HostReport {
        serde_json::from_value(serde_json::json!({
            "name": name,
            "aliases": aliases,
            "attribution": [],
            "sources": [],
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn shard(name: &str, hosts: Vec<HostReport>) -> Shard {
        Shard {
            name: name.into(),
            analysis: Analysis {
                hosts,
                ..Analysis::default()
            },
        }
    }

    #[test]
    fn hosts_of_two_shards_with_one_old_name_are_an_error_and_distinct_hosts_are_not() {
        let merged = merge(vec![
            shard("a.json", vec![host("EXMBX01", &["WIN-ABC"]), host("EXCAS01", &[])]),
            shard(
                "b.json",
                vec![host("EXMBX02", &["win-abc"]), host("EXHUB01", &["WIN-XYZ"])],
            ),
        ]);
        let names: Vec<&str> = merged.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["EXCAS01", "EXHUB01", "EXMBX01", "EXMBX02"]);
        assert!(merged.unreadable);
        let messages: Vec<&str> = merged.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].starts_with("host EXMBX02 and host EXMBX01 of a.json both answer to WIN-ABC"));
        // The same old name within one shard is that shard's business (one run joins).
        let one = merge(vec![shard(
            "a.json",
            vec![host("EXMBX01", &["WIN-ABC"]), host("EXMBX02", &["WIN-ABC"])],
        )]);
        assert!(one.diagnostics.is_empty() && !one.unreadable);
    }
}
