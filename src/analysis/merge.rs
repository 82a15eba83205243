//! `exdoctor merge`: the reports of shards (each an analysis of some hosts) joined into
//! the report one run over all their inputs gives. Per-host findings are taken as they
//! are; the fleet rules run again over every host's registry state, since a shard saw
//! only its own hosts.

use std::collections::BTreeMap;
use std::path::Path;

use super::{sort_diagnostics, sort_findings, Analysis, HostReport};
use crate::model::{Diagnostic, Host, HostGroup};
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
/// of its files in each shard.
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
    merged.hosts = hosts.into_values().map(|(host, _)| host).collect();
    let fleet_hosts: Vec<Host> = merged.hosts.iter().map(fleet_host).collect();
    merged.findings.extend(fleet::check(&fleet_hosts));
    sort_findings(&mut merged.findings);
    sort_diagnostics(&mut merged.diagnostics);
    merged
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
