//! Files split between hosts (exports and logs whose events name several computers):
//! their events indexed once by the short name of their computer, so that each host
//! reads its share directly. Scanning the whole file for every host it names took time
//! in hosts x events: an export of 8,000 events of as many computers, 3.5 MB, took 13 s.

use std::collections::{BTreeSet, HashMap};

use super::hosts::short_name;
use crate::model::{Facts, HostGroup, LoadedFile};

/// The events of the split files of a set of hosts, by file and computer short name.
#[derive(Debug, Default)]
pub(crate) struct EventShares {
    by_file: HashMap<usize, HashMap<String, Vec<usize>>>,
}

impl EventShares {
    /// Indexes the event files of `files` that one of `groups` holds only in part.
    pub(crate) fn of<'g>(groups: impl IntoIterator<Item = &'g HostGroup>, files: &[LoadedFile]) -> EventShares {
        let split: BTreeSet<usize> = groups.into_iter().flat_map(|g| g.partial.keys().copied()).collect();
        let mut by_file = HashMap::new();
        for index in split {
            let Some(Facts::Events(facts)) = files.get(index).map(|f| &f.loaded.facts) else {
                continue;
            };
            let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
            // Many events name the same computer: its short name is worked out once.
            let mut shorts: HashMap<&str, Option<String>> = HashMap::new();
            for (i, event) in facts.events.iter().enumerate() {
                let short = shorts
                    .entry(event.computer.as_str())
                    .or_insert_with(|| short_name(&event.computer));
                if let Some(short) = short {
                    by_name.entry(short.clone()).or_default().push(i);
                }
            }
            by_file.insert(index, by_name);
        }
        EventShares { by_file }
    }

    /// The positions, in file order, of the events of file `index` whose computer has
    /// one of the short `names`.
    pub(crate) fn events(&self, index: usize, names: &BTreeSet<String>) -> Vec<usize> {
        let Some(by_name) = self.by_file.get(&index) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = names.iter().filter_map(|n| by_name.get(n)).flatten().copied().collect();
        out.sort_unstable();
        out
    }
}
