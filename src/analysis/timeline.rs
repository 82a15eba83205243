//! The merged timeline of every source: setup-log milestones and events, per host
//! placed in UTC (setup-log times stay local, marked so, when the zone is unknown).

use serde::Serialize;

use super::{host_events, hosts_with_shares, localized_events, registry_zone, LoadedFile, LogClock};
use crate::model::Facts;
use crate::model::{Location, Timestamp};

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// When (UTC when known).
    pub time: Timestamp,
    /// The host.
    pub host: String,
    /// The file.
    pub source: String,
    /// Where in the file.
    pub location: Location,
    /// `setup` or `event`.
    pub kind: &'static str,
    /// What happened.
    pub text: String,
}

/// Every milestone and event of `files`, in time order (ties: host, source, location),
/// of the hosts named in `hosts` (name, FQDN or alias; all hosts when empty).
pub fn timeline(files: &[LoadedFile], hosts: &[String]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let (all, shares, _) = hosts_with_shares(files);
    for host in all {
        let registry_zone = registry_zone(&host);
        let (group, zone) = (host.group, host.zone);
        if !hosts.is_empty() && !hosts.iter().any(|h| group.answers_to(h)) {
            continue;
        }
        for (index, f) in group.files.iter().filter_map(|&i| Some((i, files.get(i)?))) {
            let source = &f.loaded.summary.path;
            match &f.loaded.facts {
                Facts::SetupLog(s) => {
                    let clock = LogClock::of(s, registry_zone.as_ref(), zone.as_ref());
                    entries.extend(s.milestones.iter().map(|m| Entry {
                        time: match &clock {
                            LogClock::Local(None) => Timestamp::Local(m.time),
                            known => Timestamp::Utc(known.to_utc(m.time)),
                        },
                        host: group.name.clone(),
                        source: source.clone(),
                        location: Location::Line(m.line),
                        kind: "setup",
                        text: m.text.clone(),
                    }))
                }
                Facts::Events(e) => {
                    let converted = localized_events(e, registry_zone.as_ref().or(zone.as_ref()));
                    let events = converted.as_deref().unwrap_or(&e.events);
                    let local = e.local_times && converted.is_none();
                    entries.extend(
                        host_events(&group, index, e, events, &shares).map(|(ev, location)| Entry {
                            time: if local {
                                Timestamp::Local(ev.time.naive_utc())
                            } else {
                                Timestamp::Utc(ev.time)
                            },
                            host: group.name.clone(),
                            source: source.clone(),
                            location: Location::from(location),
                            kind: "event",
                            text: event_text(ev),
                        }),
                    );
                }
                Facts::Registry(_) | Facts::TaskScript(_) | Facts::LdifErr(_) | Facts::None => {}
            }
        }
    }
    entries.sort_by(|a, b| {
        (a.time.sort_key(), &a.host, &a.source, &a.location).cmp(&(b.time.sort_key(), &b.host, &b.source, &b.location))
    });
    entries
}

/// `System: Service Control Manager 7036 (information): Microsoft Exchange ... | running`.
fn event_text(e: &exdoctor_parsers::event::Event) -> String {
    let data: Vec<&str> = e
        .data
        .iter()
        .map(|d| d.value.trim())
        .filter(|v| !v.is_empty())
        .collect();
    let mut text = format!("{}: {} {} ({:?})", e.channel, e.provider, e.event_id, e.level).to_string();
    if !data.is_empty() {
        text.push_str(": ");
        text.push_str(&data.join(" | "));
    }
    text.chars().take(400).collect()
}
