//! The analysis of many inputs with bounded memory: bundles (a folder or `.zip` per
//! server) are loaded and analysed in batches of about [`BATCH_BYTES`] of input, and only
//! each host's report, findings and registry state are kept. A host whose files turn out
//! to span batches (one machine collected in two folders, a rename joining two bundles)
//! is analysed again from its files, so the result is the same as one analysis of
//! everything at once, for any batch size. Copies (a host's files with the bytes of an
//! earlier file of that host, [`super::copies`]) are found on the hosts of everything:
//! a bundle and its extracted copy are two bundles that may fall in different batches.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use super::copies::{drop_copies, CopyKey};
use super::hosts::{group, FileIdentity};
use super::shares::EventShares;
use super::{
    analyse_host, finish, host_for, hosts_with_shares, identity, load_options, Analysis, HostReport, Progress,
};
use crate::ingest::{batches, discover, load_files, nothing_found, InputLoad, ProgressCounter};
use crate::model::{ContentId, DiagLevel, Diagnostic, Finding, Host, HostGroup, LoadedFile};
use crate::sources::LoadOptions;

/// Input loaded at once, in bytes (whole bundles; a bundle larger than this is loaded
/// alone).
pub const BATCH_BYTES: u64 = 256 << 20;

/// A loaded file as the pipeline tells files apart: its path and the path reports show
/// (two members listed under one name in a zip share the path, not the shown path).
type FileKey = (PathBuf, String);

/// What a host is made of: its files, and its shares of files split between hosts.
type Makeup = (BTreeSet<FileKey>, BTreeMap<FileKey, BTreeSet<String>>);

/// A host analysed within one batch.
struct Analysed {
    host: Host,
    report: HostReport,
    findings: Vec<Finding>,
}

/// One loaded file's identity, in the order of the discovered inputs.
struct Identity {
    /// The discovered input it came from (a `.zip` gives several files).
    input: usize,
    key: FileKey,
    identity: FileIdentity,
    content: ContentId,
    records: u64,
}

impl Identity {
    fn copy_key(&self) -> CopyKey<'_> {
        CopyKey {
            content: self.content,
            records: self.records,
            shown: &self.key.1,
        }
    }
}

/// How the pipeline names a loaded file.
fn key_of(file: &LoadedFile) -> FileKey {
    (file.path.clone(), file.loaded.summary.path.clone())
}

/// Analyses files and folders in batches of whole bundles (see the module doc).
pub fn analyze_in_batches(paths: &[PathBuf], budget: u64, progress: Option<Progress<'_>>) -> Analysis {
    let discovered = discover(paths);
    let options = load_options(false);
    let counter = ProgressCounter::new(progress, &discovered.files);
    let mut diagnostics: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
    let mut identities: Vec<Identity> = Vec::new();
    // By makeup: a fleet has thousands of hosts to match.
    let mut analysed: HashMap<Makeup, Vec<Analysed>> = HashMap::new();
    for batch in batches(&discovered.files, budget) {
        let (files, inputs) = flatten(
            load_files(&discovered.files, &batch, options, &counter),
            &mut diagnostics,
        );
        for (file, &input) in files.iter().zip(&inputs) {
            identities.push(Identity {
                input,
                key: key_of(file),
                identity: identity(&file.loaded.summary.path, &file.loaded.facts),
                content: file.content,
                records: file.loaded.summary.records,
            });
        }
        // Copies within the batch are left out here too (their warnings come from the
        // hosts of everything, below), so a host whose copies all fell in this batch
        // is the host of everything.
        let (hosts, shares, _) = hosts_with_shares(&files);
        for host in hosts {
            let (report, findings) = analyse_host(&host, &files, &shares);
            let makeup = (
                host.group
                    .files
                    .iter()
                    .filter_map(|&i| files.get(i))
                    .map(key_of)
                    .collect(),
                partial_by_key(&host.group, |i| files.get(i).map(key_of)),
            );
            analysed
                .entry(makeup)
                .or_default()
                .push(Analysed { host, report, findings });
        }
    }
    // The hosts of everything at once, from the files' identities in input order.
    identities.sort_by_key(|id| id.input);
    let all: Vec<(PathBuf, FileIdentity)> = identities
        .iter()
        .map(|id| (id.key.0.clone(), id.identity.clone()))
        .collect();
    let mut analysis = Analysis::default();
    let mut hosts: Vec<Host> = Vec::new();
    let mut copies = Vec::new();
    for mut group in group(&all) {
        copies.extend(drop_copies(&mut group, |i| identities.get(i).map(Identity::copy_key)));
        let files: BTreeSet<FileKey> = group
            .files
            .iter()
            .filter_map(|&i| identities.get(i))
            .map(|id| id.key.clone())
            .collect();
        let partial = partial_by_key(&group, |i| identities.get(i).map(|id| id.key.clone()));
        let same = analysed.get_mut(&(files, partial)).and_then(Vec::pop);
        let (host, report, findings) = match same {
            Some(a) => (a.host, a.report, a.findings),
            None => reanalyse(&discovered.files, &identities, &group, options),
        };
        analysis.hosts.push(report);
        analysis.findings.extend(findings);
        hosts.push(host);
    }
    diagnostics.sort_by_key(|(input, _)| *input);
    analysis.diagnostics = discovered.unreadable;
    analysis
        .diagnostics
        .extend(diagnostics.into_iter().flat_map(|(_, d)| d));
    analysis.diagnostics.extend(copies);
    if identities.is_empty() {
        analysis.diagnostics.push(nothing_found(paths));
    }
    analysis.unreadable = analysis.diagnostics.iter().any(|d| d.level == DiagLevel::Error);
    finish(&mut analysis, &hosts);
    analysis
}

/// The loaded files of a batch with the input each came from; their diagnostics go to
/// `diagnostics` (by input).
fn flatten(loads: Vec<InputLoad>, diagnostics: &mut Vec<(usize, Vec<Diagnostic>)>) -> (Vec<LoadedFile>, Vec<usize>) {
    let mut files = Vec::new();
    let mut inputs = Vec::new();
    for load in loads {
        diagnostics.push((load.index, load.diagnostics));
        for file in load.files {
            inputs.push(load.index);
            files.push(file);
        }
    }
    (files, inputs)
}

/// A host group's shares of split files, by file.
fn partial_by_key(group: &HostGroup, key_of: impl Fn(usize) -> Option<FileKey>) -> BTreeMap<FileKey, BTreeSet<String>> {
    group
        .partial
        .iter()
        .filter_map(|(i, names)| Some((key_of(*i)?, names.clone())))
        .collect()
}

/// Loads the files of a host that spans batches again and analyses it whole.
fn reanalyse(
    discovered: &[(PathBuf, bool)],
    identities: &[Identity],
    group: &HostGroup,
    options: LoadOptions,
) -> (Host, HostReport, Vec<Finding>) {
    let wanted: BTreeSet<&FileKey> = group
        .files
        .iter()
        .filter_map(|&i| identities.get(i))
        .map(|id| &id.key)
        .collect();
    let inputs: BTreeSet<usize> = group
        .files
        .iter()
        .filter_map(|&i| identities.get(i))
        .map(|id| id.input)
        .collect();
    let inputs: Vec<usize> = inputs.into_iter().collect();
    let silent = ProgressCounter::silent();
    let mut ignored = Vec::new();
    let (loaded, _) = flatten(load_files(discovered, &inputs, options, &silent), &mut ignored);
    let files: Vec<LoadedFile> = loaded.into_iter().filter(|f| wanted.contains(&key_of(f))).collect();
    // The group, with its indices into `files`.
    let index_of: BTreeMap<FileKey, usize> = files.iter().enumerate().map(|(i, f)| (key_of(f), i)).collect();
    let remap = |i: usize| identities.get(i).and_then(|id| index_of.get(&id.key).copied());
    let mut local = group.clone();
    local.files = group.files.iter().filter_map(|&i| remap(i)).collect();
    local.partial = group
        .partial
        .iter()
        .filter_map(|(i, names)| Some((remap(*i)?, names.clone())))
        .collect();
    let shares = EventShares::of([&local], &files);
    let host = host_for(local, &files, &shares);
    let (report, findings) = analyse_host(&host, &files, &shares);
    (host, report, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
    }

    /// The shared corpus, when present (its folders hold renamed machines whose files
    /// sit in different bundles).
    fn corpus() -> Option<PathBuf> {
        let dir = std::env::var_os("EXDOCTOR_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
        dir.is_dir().then_some(dir)
    }

    #[test]
    fn any_batch_size_gives_the_analysis_of_everything_at_once() {
        let mut paths = vec![samples()];
        paths.extend(corpus());
        let (files, diagnostics) = super::super::load(&paths, false);
        let whole = super::super::analyze_loaded(&files, diagnostics);
        let json = |a: &Analysis| {
            serde_json::to_string(&(&a.hosts, &a.findings, &a.diagnostics, a.unreadable)).unwrap_or_default()
        };
        let marks = |a: &Analysis| a.hosts.iter().map(|h| h.marks.clone()).collect::<Vec<_>>();
        assert!(marks(&whole).iter().all(Option::is_some));
        for budget in [0, 1 << 20] {
            let batched = analyze_in_batches(&paths, budget, None);
            assert_eq!(json(&batched), json(&whole), "budget {budget}");
            // The timeline pictures' marks, which the JSON does not carry, too.
            assert!(marks(&batched) == marks(&whole), "budget {budget}: marks differ");
        }
    }

    /// Every file below `dir` as discovery finds it, with its path relative to `dir`.
    fn files_below(dir: &std::path::Path) -> Vec<(PathBuf, PathBuf)> {
        discover(&[dir.to_path_buf()])
            .files
            .into_iter()
            .filter_map(|(path, _)| Some((path.strip_prefix(dir).ok()?.to_path_buf(), path)))
            .collect()
    }

    #[test]
    fn copies_in_different_batches_are_analysed_once_for_any_batch_size() {
        use exdoctor_samples::hostile::{raw_zip, RawMember};
        let root = std::env::temp_dir().join(format!("exdoctor-batched-copies-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let sample = samples().join("crl-stall");
        let files = files_below(&sample);
        // The bundle, its extracted folder, and the folder again under another name: three
        // bundles, each a batch of its own with a budget of 0.
        let mut members = Vec::new();
        for (relative, path) in &files {
            let bytes = std::fs::read(path).unwrap_or_default();
            let name = relative.to_string_lossy().replace('\\', "/");
            members.push(RawMember::deflated(&format!("crl-stall/{name}"), &bytes));
            for copy in ["extracted/crl-stall", "again/crl-stall"] {
                let target = root.join(copy).join(relative);
                std::fs::create_dir_all(target.parent().unwrap_or(&root)).unwrap_or_default();
                std::fs::write(&target, &bytes).unwrap_or_default();
            }
        }
        std::fs::write(root.join("crl-stall.zip"), raw_zip(&members)).unwrap_or_default();
        let paths = vec![root.clone()];
        let (loaded, diagnostics) = super::super::load(&paths, false);
        let whole = super::super::analyze_loaded(&loaded, diagnostics);
        let json = |a: &Analysis| {
            serde_json::to_string(&(&a.hosts, &a.findings, &a.diagnostics, a.unreadable)).unwrap_or_default()
        };
        let copies = |a: &Analysis| {
            a.diagnostics
                .iter()
                .filter(|d| d.message.starts_with("same content as "))
                .count()
        };
        assert_eq!(whole.hosts.len(), 1);
        assert_eq!(whole.hosts[0].sources.len(), files.len(), "each file analysed once");
        assert_eq!(copies(&whole), 2 * files.len());
        let stalls = |a: &Analysis| {
            a.findings
                .iter()
                .filter(|f| f.rule == crate::model::RuleId::SetupStall)
                .count()
        };
        assert_eq!(stalls(&whole), 1);
        for budget in [0, 1 << 20, u64::MAX] {
            let batched = analyze_in_batches(&paths, budget, None);
            assert_eq!(json(&batched), json(&whole), "budget {budget}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn members_listed_twice_in_a_zip_stay_apart_when_their_host_spans_batches() {
        use exdoctor_samples::hostile::{raw_zip, RawMember};
        let root = std::env::temp_dir().join(format!("exdoctor-batched-twice-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let log = |folder: &str| std::fs::read(samples().join(folder).join("ExchangeSetupLogs/ExchangeSetup.log"));
        let (prereq, healthy) = (
            log("prereq-gaps").unwrap_or_default(),
            log("healthy").unwrap_or_default(),
        );
        // One name, two setup logs of two servers: the second is `EX9/ExchangeSetup.log~2`.
        let zip = raw_zip(&[
            RawMember::deflated("EX9/ExchangeSetup.log", &healthy),
            RawMember::deflated("EX9/ExchangeSetup.log", &prereq),
        ]);
        std::fs::create_dir_all(root.join("rest")).unwrap_or_default();
        std::fs::write(root.join("bundle.zip"), zip).unwrap_or_default();
        // The healthy server's other files in a bundle of their own: its host spans two
        // batches with a budget of 0 and is analysed again from its files.
        for (name, path) in files_below(&samples().join("healthy")) {
            if name.extension().is_some_and(|e| e != "log") {
                std::fs::write(root.join("rest").join(&name), std::fs::read(path).unwrap_or_default())
                    .unwrap_or_default();
            }
        }
        let paths = vec![root.clone()];
        let (loaded, diagnostics) = super::super::load(&paths, false);
        let whole = super::super::analyze_loaded(&loaded, diagnostics);
        let sources = |a: &Analysis, host: &str| -> Vec<String> {
            a.hosts
                .iter()
                .filter(|h| h.name == host)
                .flat_map(|h| h.sources.iter().map(|s| s.path.clone()))
                .collect()
        };
        let twice = root
            .join("bundle.zip")
            .join("EX9")
            .join("ExchangeSetup.log")
            .display()
            .to_string();
        assert!(sources(&whole, "EXMBX05").contains(&twice));
        assert_eq!(sources(&whole, "EXMBX05").len(), 6);
        assert!(!sources(&whole, "EXMBX05").contains(&format!("{twice}~2")));
        // Each host's attribution names its member as the sources do.
        let attributed: Vec<&str> = whole
            .hosts
            .iter()
            .flat_map(|h| h.attribution.iter().map(|a| a.path.as_str()))
            .filter(|p| p.contains("EX9"))
            .collect();
        assert_eq!(attributed.len(), 2);
        assert!(attributed.contains(&format!("{twice}~2").as_str()), "{attributed:?}");
        let json = |a: &Analysis| {
            serde_json::to_string(&(&a.hosts, &a.findings, &a.diagnostics, a.unreadable)).unwrap_or_default()
        };
        for budget in [0, u64::MAX] {
            let batched = analyze_in_batches(&paths, budget, None);
            assert_eq!(json(&batched), json(&whole), "budget {budget}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
