//! Which files — and, for event exports holding several computers, which events — belong
//! to which machine.
//!
//! Every name a file gives (event-log `Computer`, registry computer names, the setup log's
//! server name) is a claim; names are compared by their short form, case-insensitively
//! (`EXMBX01.contoso.com` is `EXMBX01`). Names of one machine are joined by what proves a
//! rename: an EventLog 6011 event (old name -> new name), a whole log of the machine
//! whose records carry one name up to a moment and the other after it, or a rename the
//! registry shows pending. The newest name is the host's name, the others its aliases.
//! Two names joined by nothing are two machines, never merged. A file that names no one
//! (an empty channel) joins the one host of the other files of its folder.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::ingest::bundle_dir;
use crate::model::{Attribution, HostGroup, Rename};

use super::clones::{scope_cloned_names, unscope};

/// A name a file gives for the machine it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClaim {
    /// The name as written (`DESKTOP-GNCCVRK`, `ex01.contoso.com`).
    pub raw: String,
    /// What in the file gives it, e.g. "event log Computer field".
    pub how: &'static str,
    /// How many records carry it (1 for a registry or setup-log name).
    pub records: u64,
    /// Which records of an event log carry it, when the file has record ids.
    pub span: Option<RecordSpan>,
}

/// The records of an event log that carry one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSpan {
    /// Record id of the first.
    pub first_record: u64,
    /// Record id of the last.
    pub last_record: u64,
    /// The earliest time among those records, as logged (a clock change can put it
    /// before the rename).
    pub first_time: Option<DateTime<Utc>>,
}

/// What one file says about the machine(s) it comes from.
#[derive(Debug, Clone, Default)]
pub struct FileIdentity {
    /// The names it gives.
    pub names: Vec<NameClaim>,
    /// The renames it proves.
    pub renames: Vec<Rename>,
    /// A rename the registry shows waiting for a reboot: (current name, next name).
    pub pending: Option<(String, String)>,
    /// Each record carries its own computer, so the file can be split between machines
    /// (event logs and exports).
    pub per_event: bool,
    /// The file is a whole log of one machine: a change of name in its records over
    /// time is a rename.
    pub whole_log: bool,
    /// The file as reports show it (a member listed twice in a zip is `name~2` there);
    /// empty: its path.
    pub shown: String,
}

impl FileIdentity {
    /// How reports show the file at `path`.
    fn shown(&self, path: &Path) -> String {
        if self.shown.is_empty() {
            path.display().to_string()
        } else {
            self.shown.clone()
        }
    }
}

/// Longest computer name taken from a file, in bytes (a DNS name has at most 253
/// characters): a longer one is no machine's name, and would be copied into every
/// finding and line of the host.
pub const MAX_HOST_NAME_BYTES: usize = 255;

/// The short form of a computer name: `EXMBX01` for `exmbx01.contoso.com.`; `None`
/// for what is no machine's name (empty, blanks inside, longer than
/// [`MAX_HOST_NAME_BYTES`], placeholders of Windows setup).
pub fn short_name(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('.');
    if raw.len() > MAX_HOST_NAME_BYTES {
        return None;
    }
    let short = raw.split('.').next().unwrap_or("").trim();
    if short.is_empty() || short.contains(char::is_whitespace) {
        return None;
    }
    let upper = short.to_ascii_uppercase();
    // Windows PE and setup write these before the machine has its name.
    if upper == "LOCALHOST" || upper == "MINWINPC" || upper.starts_with("MININT-") {
        return None;
    }
    Some(upper)
}

/// Union-find over short names.
#[derive(Default)]
pub(super) struct Names {
    index: BTreeMap<String, usize>,
    parent: Vec<usize>,
}

impl Names {
    pub(super) fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.parent.len();
        self.parent.push(i);
        self.index.insert(name.to_string(), i);
        i
    }

    pub(super) fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    pub(super) fn join(&mut self, a: &str, b: &str) {
        let (a, b) = (self.id(a), self.id(b));
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.parent[rb] = ra;
        }
    }
}

/// The renames a whole log shows by itself: in the order its records were written
/// (record ids: a clock change does not disturb them), they carry one name up to a
/// record and another name from the next one on, never both interleaved.
pub(super) fn renames_in_whole_log(path: &str, identity: &FileIdentity) -> Vec<Rename> {
    let mut spans: Vec<(String, &RecordSpan)> = identity
        .names
        .iter()
        .filter_map(|c| Some((short_name(&c.raw)?, c.span.as_ref()?)))
        .collect();
    spans.sort_by_key(|(_, s)| s.first_record);
    spans
        .windows(2)
        .filter(|w| w[0].0 != w[1].0 && w[0].1.last_record < w[1].1.first_record)
        .map(|w| {
            let (old, before) = (&w[0].0, w[0].1);
            let (new, after) = (&w[1].0, w[1].1);
            Rename {
                old: old.clone(),
                new: new.clone(),
                time: after.first_time,
                how: format!(
                    "{path}: records up to {} carry {old}, records from {} carry {new}",
                    before.last_record, after.first_record
                ),
            }
        })
        .collect()
}

/// One machine while grouping: its names and what joined them.
#[derive(Default)]
struct Machine {
    names: BTreeSet<String>,
    /// Full names seen (`DESKTOP-GNCCVRK.corp.local`), by short name.
    fqdns: BTreeMap<String, String>,
    renames: Vec<Rename>,
    pending: Option<(String, String)>,
    /// Records per short name (to choose between equals).
    records: BTreeMap<String, u64>,
}

impl Machine {
    /// The newest name: the end of the rename chain (the latest rename when the chain
    /// forks or loops), else the pending rename's current name, else the most used name.
    fn name(&self) -> String {
        let olds: BTreeSet<&str> = self.renames.iter().map(|r| r.old.as_str()).collect();
        let ends: Vec<&Rename> = self.renames.iter().filter(|r| !olds.contains(r.new.as_str())).collect();
        let newest = |list: &[&Rename]| -> Option<String> {
            list.iter()
                .max_by(|a, b| a.time.cmp(&b.time).then_with(|| b.new.cmp(&a.new)))
                .map(|r| r.new.clone())
        };
        if let Some(name) = newest(&ends) {
            return name;
        }
        let all: Vec<&Rename> = self.renames.iter().collect();
        if let Some(name) = newest(&all) {
            return name;
        }
        if let Some((current, _)) = &self.pending {
            return current.clone();
        }
        self.names
            .iter()
            .max_by(|a, b| {
                let count = |n: &String| self.records.get(n).copied().unwrap_or(0);
                count(a).cmp(&count(b)).then_with(|| b.cmp(a))
            })
            .cloned()
            .unwrap_or_default()
    }
}

/// The part of one file that names one host.
#[derive(Default)]
struct Share {
    /// Records carrying one of the host's names.
    records: u64,
    /// Those names, short form.
    shorts: BTreeSet<String>,
    /// Those names as written, first seen first.
    written: Vec<String>,
    /// What in the file gives them.
    how: &'static str,
}

/// Joins the names of a rename (short forms) and keeps the rename.
fn link(names: &mut Names, renames: &mut Vec<Rename>, r: Rename) {
    if let (Some(old), Some(new)) = (short_name(&r.old), short_name(&r.new)) {
        if old != new {
            names.join(&old, &new);
            renames.push(Rename { old, new, ..r });
        }
    }
}

/// Groups files into hosts. `files` holds each file's path and what it says about its
/// machine. Hosts come back in name order. Clones of one template that share an earlier
/// name stay apart (`analysis::clones`).
pub fn group(files: &[(PathBuf, FileIdentity)]) -> Vec<HostGroup> {
    let scoped = scope_cloned_names(files);
    let mut hosts = group_named(&scoped);
    if matches!(scoped, Cow::Owned(_)) {
        unscope(&mut hosts);
    }
    hosts
}

/// [`group`] once shared earlier names are scoped.
fn group_named(files: &[(PathBuf, FileIdentity)]) -> Vec<HostGroup> {
    let mut names = Names::default();
    let mut renames: Vec<Rename> = Vec::new();
    let mut pendings: Vec<(String, String)> = Vec::new();
    for (_, identity) in files {
        for claim in &identity.names {
            if let Some(short) = short_name(&claim.raw) {
                names.id(&short);
            }
        }
        for r in identity.renames.iter().cloned() {
            link(&mut names, &mut renames, r);
        }
        if let Some((current, next)) = &identity.pending {
            if let (Some(current), Some(next)) = (short_name(current), short_name(next)) {
                if current != next {
                    names.join(&current, &next);
                    pendings.push((current, next));
                }
            }
        }
    }
    // Renames a whole log shows by its records come after the renames the machine
    // logged (6011): when both show the same rename, the event is the better evidence.
    for (path, identity) in files.iter().filter(|(_, identity)| identity.whole_log) {
        for r in renames_in_whole_log(&identity.shown(path), identity) {
            // Names already joined (a logged chain old -> ... -> new) need no new link.
            let joined = match (short_name(&r.old), short_name(&r.new)) {
                (Some(old), Some(new)) => {
                    let (a, b) = (names.id(&old), names.id(&new));
                    names.root(a) == names.root(b)
                }
                _ => true,
            };
            if !joined {
                link(&mut names, &mut renames, r);
            }
        }
    }
    // Machines by root of the union-find.
    let all_names: Vec<(String, usize)> = names.index.iter().map(|(n, &i)| (n.clone(), i)).collect();
    let mut machines: BTreeMap<usize, Machine> = BTreeMap::new();
    for (name, i) in &all_names {
        let root = names.root(*i);
        machines.entry(root).or_default().names.insert(name.clone());
    }
    let machine_of = |names: &mut Names, short: &str| -> Option<usize> {
        let i = *names.index.get(short)?;
        Some(names.root(i))
    };
    for r in renames {
        if let Some(m) = machine_of(&mut names, &r.old).and_then(|root| machines.get_mut(&root)) {
            if !m.renames.iter().any(|x| x.old == r.old && x.new == r.new) {
                m.renames.push(r);
            }
        }
    }
    for (current, next) in pendings {
        if let Some(m) = machine_of(&mut names, &current).and_then(|root| machines.get_mut(&root)) {
            m.pending = Some((current, next));
        }
    }
    for (_, identity) in files {
        for claim in &identity.names {
            let Some(short) = short_name(&claim.raw) else { continue };
            if let Some(m) = machine_of(&mut names, &short).and_then(|root| machines.get_mut(&root)) {
                *m.records.entry(short.clone()).or_default() += claim.records;
                let raw = claim.raw.trim().trim_end_matches('.');
                if raw.contains('.') {
                    m.fqdns.entry(short).or_insert_with(|| raw.to_string());
                }
            }
        }
    }
    let mut hosts: BTreeMap<String, HostGroup> = BTreeMap::new();
    let mut host_of_machine: BTreeMap<usize, String> = BTreeMap::new();
    for (root, m) in &machines {
        let name = m.name();
        let mut renames = m.renames.clone();
        renames.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.old.cmp(&b.old)));
        hosts.insert(
            name.clone(),
            HostGroup {
                fqdn: m.fqdns.get(&name).cloned(),
                aliases: m.names.iter().filter(|n| **n != name).cloned().collect(),
                renames,
                pending_rename: m.pending.as_ref().map(|(_, next)| next.clone()),
                name: name.clone(),
                ..HostGroup::default()
            },
        );
        host_of_machine.insert(*root, name);
    }
    // Files to hosts.
    let mut named_in_dir: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut unnamed: Vec<usize> = Vec::new();
    for (index, (path, identity)) in files.iter().enumerate() {
        // Records per host of this file, and the names by which they came.
        let mut shares: BTreeMap<String, Share> = BTreeMap::new();
        for claim in &identity.names {
            let Some(short) = short_name(&claim.raw) else { continue };
            let Some(host) = machine_of(&mut names, &short).and_then(|root| host_of_machine.get(&root)) else {
                continue;
            };
            let share = shares.entry(host.clone()).or_insert_with(|| Share {
                how: claim.how,
                ..Share::default()
            });
            share.records += claim.records.max(1);
            share.shorts.insert(short);
            let written = claim.raw.trim().trim_end_matches('.').to_string();
            if !share.written.contains(&written) {
                share.written.push(written);
            }
        }
        let display = identity.shown(path);
        if shares.is_empty() {
            unnamed.push(index);
            continue;
        }
        named_in_dir
            .entry(bundle_dir(path))
            .or_default()
            .extend(shares.keys().cloned());
        let total: u64 = shares.values().map(|s| s.records).sum();
        let split = shares.len() > 1 && identity.per_event;
        let chosen: Vec<(String, Share)> = if split {
            shares.into_iter().collect()
        } else {
            // One machine (or a file that cannot be split: the one most of it names).
            let best = shares
                .into_iter()
                .max_by(|a, b| a.1.records.cmp(&b.1.records).then_with(|| b.0.cmp(&a.0)));
            best.into_iter().collect()
        };
        for (host_name, share) in chosen {
            let Some(host) = hosts.get_mut(&host_name) else {
                continue;
            };
            let mut text = format!("{} names {}", share.how, share.written.join(", "));
            let earlier: Vec<&String> = share
                .shorts
                .iter()
                .filter(|n| host.renames.iter().any(|r| r.old == **n))
                .collect();
            if let Some(first) = earlier.first() {
                text.push_str(&format!(
                    " ({}{} an earlier name of {host_name})",
                    first,
                    if earlier.len() > 1 { " and others:" } else { ":" }
                ));
            }
            if split {
                text.push_str(&format!(
                    "; {} of its {total} records belong to this host",
                    share.records
                ));
                host.partial.insert(index, share.shorts);
            }
            host.files.push(index);
            host.attribution.push(Attribution {
                path: display.clone(),
                how: text,
            });
        }
    }
    for index in unnamed {
        let Some((path, identity)) = files.get(index) else {
            continue;
        };
        let dir = bundle_dir(path);
        let display = identity.shown(path);
        let (name, how) = match named_in_dir
            .get(&dir)
            .filter(|n| n.len() == 1)
            .and_then(|n| n.iter().next())
        {
            Some(only) => (only.clone(), format!("same folder as the files naming {only}")),
            None => {
                let folder = dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("unknown")
                    .to_string();
                (
                    folder.to_ascii_uppercase(),
                    format!("folder name {folder} (no host name in the file)"),
                )
            }
        };
        let host = hosts.entry(name.clone()).or_insert_with(|| HostGroup {
            name,
            ..HostGroup::default()
        });
        host.files.push(index);
        host.attribution.push(Attribution { path: display, how });
    }
    for host in hosts.values_mut() {
        let mut order: Vec<usize> = (0..host.files.len()).collect();
        order.sort_by_key(|&i| host.files[i]);
        host.files = order.iter().map(|&i| host.files[i]).collect();
        host.attribution = order.iter().map(|&i| host.attribution[i].clone()).collect();
    }
    hosts.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(raw: &str, how: &'static str, records: u64) -> NameClaim {
        NameClaim {
            raw: raw.into(),
            how,
            records,
            span: None,
        }
    }

    fn named(raw: &str) -> FileIdentity {
        FileIdentity {
            names: vec![claim(raw, "test", 1)],
            ..FileIdentity::default()
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn content_names_win_and_folders_place_the_rest() {
        let files = vec![
            (PathBuf::from("b/EXMBX01/System.evtx"), named("EXMBX01.contoso.com")),
            (
                PathBuf::from("b/EXMBX01/ExchangeSetupLogs/ExchangeSetup.log"),
                named("exmbx01"),
            ),
            (
                PathBuf::from("b/EXMBX01/registry/services.reg"),
                FileIdentity::default(),
            ),
            (PathBuf::from("b/other/SysEvent.Evt"), named("EXCAS11")),
            (PathBuf::from("b/mixed/a.evtx"), named("A")),
            (PathBuf::from("b/mixed/b.evtx"), named("B")),
            (PathBuf::from("b/mixed/c.reg"), FileIdentity::default()),
        ];
        let hosts = group(&files);
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "EXCAS11", "EXMBX01", "MIXED"]);
        let ex = &hosts[3];
        assert_eq!(ex.files, [0, 1, 2]);
        assert_eq!(ex.fqdn.as_deref(), Some("EXMBX01.contoso.com"));
        assert!(ex.attribution[2].how.contains("same folder"));
        assert!(ex.aliases.is_empty());
        // Two names in one folder: never merged, the unnamed file goes by the folder.
        assert!(hosts[4].attribution[0].how.starts_with("folder name mixed"));
    }

    #[test]
    fn a_6011_chain_of_three_names_is_one_host_named_by_the_newest() {
        let mut system = named("WIN-HRJHA99CCDO");
        system.renames = vec![
            Rename {
                old: "WIN-HRJHA99CCDO".into(),
                new: "WIN-E0PO207ERMD".into(),
                time: Some(at("2021-01-01T10:00:00Z")),
                how: "6011".into(),
            },
            Rename {
                old: "WIN-E0PO207ERMD".into(),
                new: "CITADEL-DC01".into(),
                time: Some(at("2021-01-02T10:00:00Z")),
                how: "6011".into(),
            },
        ];
        let files = vec![
            (PathBuf::from("c/System.evtx"), system),
            (PathBuf::from("c/Application.evtx"), named("CITADEL-DC01.C137.local")),
            (PathBuf::from("c/Setup.evtx"), named("WIN-E0PO207ERMD")),
            (PathBuf::from("c/Empty.evtx"), FileIdentity::default()),
        ];
        let hosts = group(&files);
        assert_eq!(hosts.len(), 1, "{hosts:#?}");
        let h = &hosts[0];
        assert_eq!(h.name, "CITADEL-DC01");
        assert_eq!(h.fqdn.as_deref(), Some("CITADEL-DC01.C137.local"));
        assert_eq!(h.aliases, ["WIN-E0PO207ERMD", "WIN-HRJHA99CCDO"]);
        assert_eq!(h.files, [0, 1, 2, 3]);
        assert_eq!(h.renames.len(), 2);
        assert!(
            h.attribution[2].how.contains("earlier name of CITADEL-DC01"),
            "{:?}",
            h.attribution[2]
        );
    }

    #[test]
    fn a_whole_log_switching_names_proves_a_rename_and_interleaving_does_not() {
        let span = |first: u64, last: u64| RecordSpan {
            first_record: first,
            last_record: last,
            first_time: None,
        };
        let log = |old: RecordSpan, new: RecordSpan, whole_log: bool| FileIdentity {
            names: vec![
                NameClaim {
                    raw: "WIN-OLD".into(),
                    how: "event log Computer field",
                    records: 10,
                    span: Some(old),
                },
                NameClaim {
                    raw: "NEWNAME".into(),
                    how: "event log Computer field",
                    records: 90,
                    span: Some(new),
                },
            ],
            per_event: true,
            whole_log,
            ..FileIdentity::default()
        };
        // Records 1-10 carry the old name, 11-100 the new one (whatever their times).
        let hosts = group(&[(PathBuf::from("x/System.evtx"), log(span(1, 10), span(11, 100), true))]);
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].name, "NEWNAME");
        assert_eq!(hosts[0].aliases, ["WIN-OLD"]);
        assert!(hosts[0].renames[0].how.contains("records up to 10 carry WIN-OLD"));
        // Interleaved names in a whole log: two machines, never merged.
        let hosts = group(&[(PathBuf::from("x/System.evtx"), log(span(1, 50), span(2, 100), true))]);
        assert_eq!(hosts.len(), 2);
        // A collector's export: not a whole log; the file is split between the machines.
        let hosts = group(&[(PathBuf::from("x/Forwarded.xml"), log(span(1, 10), span(11, 100), false))]);
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["NEWNAME", "WIN-OLD"]);
        assert_eq!(hosts[0].partial.get(&0).map(|s| s.len()), Some(1));
        assert!(
            hosts[1].attribution[0].how.contains("10 of its 100 records"),
            "{:?}",
            hosts[1].attribution
        );
    }

    #[test]
    fn short_names_and_placeholders() {
        assert_eq!(short_name("exmbx01.contoso.com."), Some("EXMBX01".into()));
        assert_eq!(short_name(" "), None);
        assert_eq!(short_name("MINWINPC"), None);
        assert_eq!(short_name("minint-4k2j3"), None);
        let longest = format!("{}.contoso.com", "a".repeat(MAX_HOST_NAME_BYTES - 12));
        assert_eq!(short_name(&longest).map(|s| s.len()), Some(MAX_HOST_NAME_BYTES - 12));
        assert_eq!(short_name(&format!("{longest}x")), None);
    }
}
