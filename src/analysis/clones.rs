//! Machines cloned from one template: the same earlier name, renamed differently in
//! each bundle.
//!
//! A virtual machine template that was never generalized (sysprep) gives every clone its
//! random `WIN-...` name; each clone is renamed afterwards (`WIN-ABC -> EXMBX01` in one
//! bundle, `WIN-ABC -> EXMBX02` in another). Joining names by renames alone would make
//! one machine of all the clones. An earlier name that bundles rename to different names
//! (not joined by any other rename) is therefore read per bundle: in a bundle that
//! renames it, it means that bundle's machine. The name is made unique for grouping by a
//! scope mark (never part of a computer name) and the mark is taken off again in the
//! host groups.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::ingest::bundle_dir;
use crate::model::HostGroup;

use super::hosts::{renames_in_whole_log, short_name, FileIdentity, Names};

/// Starts the scope mark inside a short name: `WIN-ABC` + `\u{1}` + bundle number. Not a
/// dot nor a blank, so `short_name` keeps it; no computer name holds it.
const SCOPE: char = '\u{1}';

/// The identities to group: unchanged when no earlier name is shared by clones,
/// otherwise with each shared earlier name scoped to the bundles that rename it.
pub(super) fn scope_cloned_names(files: &[(PathBuf, FileIdentity)]) -> Cow<'_, [(PathBuf, FileIdentity)]> {
    let bundles: Vec<PathBuf> = files.iter().map(|(path, _)| bundle_dir(path)).collect();
    // Every rename (short forms) with the bundle that shows it.
    let mut renames: Vec<(String, String, usize)> = Vec::new();
    let mut bundle_numbers: BTreeMap<&PathBuf, usize> = BTreeMap::new();
    for ((path, identity), bundle) in files.iter().zip(&bundles) {
        let next = bundle_numbers.len();
        let number = *bundle_numbers.entry(bundle).or_insert(next);
        let whole = if identity.whole_log {
            renames_in_whole_log(&path.display().to_string(), identity)
        } else {
            Vec::new()
        };
        let pending = identity.pending.iter().map(|(old, new)| (old.as_str(), new.as_str()));
        let pairs = identity
            .renames
            .iter()
            .chain(&whole)
            .map(|r| (r.old.as_str(), r.new.as_str()))
            .chain(pending);
        for (old, new) in pairs {
            if let (Some(old), Some(new)) = (short_name(old), short_name(new)) {
                if old != new {
                    renames.push((old, new, number));
                }
            }
        }
    }
    let forked = forked_names(&renames);
    if forked.is_empty() {
        return Cow::Borrowed(files);
    }
    // The bundles in which each forked name is renamed: there it is scoped.
    let scoped_in: BTreeSet<(&str, usize)> = renames
        .iter()
        .filter(|(old, _, _)| forked.contains(old))
        .map(|(old, _, bundle)| (old.as_str(), *bundle))
        .collect();
    let scoped = files
        .iter()
        .zip(&bundles)
        .map(|((path, identity), bundle)| {
            let number = bundle_numbers.get(bundle).copied().unwrap_or(0);
            let scope = |raw: &str| -> String {
                match short_name(raw) {
                    Some(short) if scoped_in.contains(&(short.as_str(), number)) => scoped_name(raw, number),
                    _ => raw.to_string(),
                }
            };
            let mut identity = identity.clone();
            for claim in &mut identity.names {
                claim.raw = scope(&claim.raw);
            }
            for rename in &mut identity.renames {
                rename.old = scope(&rename.old);
                rename.new = scope(&rename.new);
            }
            if let Some((current, next)) = &mut identity.pending {
                *current = scope(current);
                *next = scope(next);
            }
            (path.clone(), identity)
        })
        .collect();
    Cow::Owned(scoped)
}

/// Earlier names renamed to two or more different names by different bundles, where no
/// rename between the new names (a chain `A -> B` of one machine) explains it.
fn forked_names(renames: &[(String, String, usize)]) -> BTreeSet<String> {
    let mut targets: BTreeMap<&str, BTreeMap<&str, BTreeSet<usize>>> = BTreeMap::new();
    for (old, new, bundle) in renames {
        targets
            .entry(old.as_str())
            .or_default()
            .entry(new.as_str())
            .or_default()
            .insert(*bundle);
    }
    let mut forked = BTreeSet::new();
    for (old, news) in targets {
        if news.len() < 2 {
            continue;
        }
        // A bundle renaming the name twice differently is one machine's history, not a
        // clone's: no scoping can split it.
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        if news.values().flatten().any(|bundle| !seen.insert(*bundle)) {
            continue;
        }
        // The new names joined by the renames that do not start at `old`.
        let mut names = Names::default();
        for (o, n, _) in renames.iter().filter(|(o, _, _)| o != old) {
            names.join(o, n);
        }
        let mut roots: BTreeSet<usize> = BTreeSet::new();
        for new in news.keys() {
            let id = names.id(new);
            roots.insert(names.root(id));
        }
        if roots.len() > 1 {
            forked.insert(old.to_string());
        }
    }
    forked
}

/// `raw` with its short part scoped to bundle `number`: `WIN-ABC.corp.local` ->
/// `WIN-ABC\u{1}3.corp.local`.
fn scoped_name(raw: &str, number: usize) -> String {
    let trimmed = raw.trim().trim_end_matches('.');
    match trimmed.split_once('.') {
        Some((short, domain)) => format!("{short}{SCOPE}{number}.{domain}"),
        None => format!("{trimmed}{SCOPE}{number}"),
    }
}

/// `text` without scope marks (the mark and the bundle number after it).
fn unscoped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == SCOPE {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Takes the scope marks off everything a host group says.
pub(super) fn unscope(hosts: &mut [HostGroup]) {
    for host in hosts {
        host.name = unscoped(&host.name);
        host.fqdn = host.fqdn.as_deref().map(unscoped);
        let aliases: BTreeSet<String> = host
            .aliases
            .iter()
            .map(|a| unscoped(a))
            .filter(|a| *a != host.name)
            .collect();
        host.aliases = aliases.into_iter().collect();
        for rename in &mut host.renames {
            rename.old = unscoped(&rename.old);
            rename.new = unscoped(&rename.new);
            rename.how = unscoped(&rename.how);
        }
        for attribution in &mut host.attribution {
            attribution.how = unscoped(&attribution.how);
        }
        for shorts in host.partial.values_mut() {
            *shorts = shorts.iter().map(|s| unscoped(s)).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::hosts::{group, NameClaim};
    use crate::model::Rename;

    fn log_of(names: &[&str], renames: &[(&str, &str)]) -> FileIdentity {
        FileIdentity {
            names: names
                .iter()
                .map(|n| NameClaim {
                    raw: (*n).into(),
                    how: "event log Computer field",
                    records: 10,
                    span: None,
                })
                .collect(),
            renames: renames
                .iter()
                .map(|(old, new)| Rename {
                    old: (*old).into(),
                    new: (*new).into(),
                    time: None,
                    how: format!("EventLog 6011: {old} -> {new}"),
                })
                .collect(),
            per_event: true,
            whole_log: true,
            ..FileIdentity::default()
        }
    }

    #[test]
    fn clones_of_one_template_renamed_in_their_bundles_stay_separate_machines() {
        let files = vec![
            (
                PathBuf::from("fleet/EX01/System.evtx"),
                log_of(&["WIN-TEMPLATE1", "EX01.corp.local"], &[("WIN-TEMPLATE1", "EX01")]),
            ),
            (PathBuf::from("fleet/EX01/Setup.evtx"), log_of(&["WIN-TEMPLATE1"], &[])),
            (
                PathBuf::from("fleet/EX02/System.evtx"),
                log_of(&["WIN-TEMPLATE1", "EX02.corp.local"], &[("WIN-TEMPLATE1", "EX02")]),
            ),
            (
                PathBuf::from("fleet/EX02/Setup.evtx"),
                log_of(&["win-template1.corp.local"], &[]),
            ),
        ];
        let hosts = group(&files);
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["EX01", "EX02"], "{hosts:#?}");
        for (host, files) in hosts.iter().zip([[0, 1], [2, 3]]) {
            assert_eq!(host.files, files);
            assert_eq!(host.aliases, ["WIN-TEMPLATE1"]);
            assert_eq!(host.renames.len(), 1);
            assert_eq!(host.renames[0].old, "WIN-TEMPLATE1");
            assert!(
                host.attribution[1].how.contains("WIN-TEMPLATE1"),
                "{:?}",
                host.attribution
            );
            assert!(host.attribution.iter().all(|a| !a.how.contains(SCOPE)));
        }
    }

    #[test]
    fn one_machine_renamed_along_a_chain_across_bundles_stays_one() {
        // Two collections of one machine: the first knew WIN-A -> B, the second shows
        // WIN-A -> C with the rename B -> C between them.
        let files = vec![
            (
                PathBuf::from("one/System.evtx"),
                log_of(&["WIN-A", "B"], &[("WIN-A", "B")]),
            ),
            (
                PathBuf::from("two/System.evtx"),
                log_of(&["WIN-A", "C"], &[("WIN-A", "C"), ("B", "C")]),
            ),
        ];
        let hosts = group(&files);
        assert_eq!(hosts.len(), 1, "{hosts:#?}");
        assert_eq!(hosts[0].name, "C");
        // The same rename in two bundles (two collections of one machine): one machine.
        let files = vec![
            (
                PathBuf::from("one/System.evtx"),
                log_of(&["WIN-A", "B"], &[("WIN-A", "B")]),
            ),
            (
                PathBuf::from("two/System.evtx"),
                log_of(&["WIN-A", "B"], &[("WIN-A", "B")]),
            ),
        ];
        assert_eq!(group(&files).len(), 1);
    }

    #[test]
    fn scope_marks_survive_short_names_and_come_off() {
        let scoped = scoped_name("win-abc.corp.local.", 12);
        assert_eq!(short_name(&scoped).as_deref(), Some("WIN-ABC\u{1}12"));
        assert_eq!(unscoped(&scoped), "win-abc.corp.local");
        assert_eq!(unscoped("names WIN-ABC\u{1}7, EX01"), "names WIN-ABC, EX01");
    }
}
