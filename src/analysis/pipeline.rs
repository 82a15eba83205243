//! The analysis of many inputs with bounded memory: bundles (a folder or `.zip` per
//! server) are loaded and analysed in batches of about [`BATCH_BYTES`] of input, and only
//! each host's report, findings and registry state are kept. A host whose files turn out
//! to span batches (one machine collected in two folders, a rename joining two bundles)
//! is analysed again from its files, so the result is the same as one analysis of
//! everything at once, for any batch size.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::hosts::{group, FileIdentity};
use super::{analyse_host, finish, host_for, identity, load_options, Analysis, HostReport, Progress};
use crate::ingest::{batches, discover, load_files, nothing_found, InputLoad, ProgressCounter};
use crate::model::{DiagLevel, Diagnostic, Finding, Host, HostGroup, LoadedFile};
use crate::sources::LoadOptions;

/// Input loaded at once, in bytes (whole bundles; a bundle larger than this is loaded
/// alone).
pub const BATCH_BYTES: u64 = 256 << 20;

/// A host analysed within one batch, with what it was made of.
struct Analysed {
    /// The paths of its files.
    paths: BTreeSet<PathBuf>,
    /// Its shares of files split between hosts, by path.
    partial: BTreeMap<PathBuf, BTreeSet<String>>,
    host: Host,
    report: HostReport,
    findings: Vec<Finding>,
}

/// One loaded file's identity, in the order of the discovered inputs.
struct Identity {
    /// The discovered input it came from (a `.zip` gives several files).
    input: usize,
    path: PathBuf,
    identity: FileIdentity,
}

/// Analyses files and folders in batches of whole bundles (see the module doc).
pub fn analyze_in_batches(paths: &[PathBuf], budget: u64, progress: Option<Progress<'_>>) -> Analysis {
    let discovered = discover(paths);
    let options = load_options(false);
    let counter = ProgressCounter::new(progress, &discovered.files);
    let mut diagnostics: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
    let mut identities: Vec<Identity> = Vec::new();
    let mut analysed: Vec<Analysed> = Vec::new();
    for batch in batches(&discovered.files, budget) {
        let (files, inputs) = flatten(
            load_files(&discovered.files, &batch, options, &counter),
            &mut diagnostics,
        );
        for (file, &input) in files.iter().zip(&inputs) {
            identities.push(Identity {
                input,
                path: file.path.clone(),
                identity: identity(&file.loaded.summary.path, &file.loaded.facts),
            });
        }
        for host in super::hosts_of(&files) {
            let (report, findings) = analyse_host(&host, &files);
            analysed.push(Analysed {
                paths: host
                    .group
                    .files
                    .iter()
                    .filter_map(|&i| files.get(i))
                    .map(|f| f.path.clone())
                    .collect(),
                partial: partial_by_path(&host.group, |i| files.get(i).map(|f| f.path.clone())),
                host,
                report,
                findings,
            });
        }
    }
    // The hosts of everything at once, from the files' identities in input order.
    identities.sort_by_key(|id| id.input);
    let all: Vec<(PathBuf, FileIdentity)> = identities
        .iter()
        .map(|id| (id.path.clone(), id.identity.clone()))
        .collect();
    let mut analysis = Analysis::default();
    let mut hosts: Vec<Host> = Vec::new();
    for group in group(&all) {
        let paths: BTreeSet<PathBuf> = group
            .files
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|f| f.0.clone())
            .collect();
        let partial = partial_by_path(&group, |i| all.get(i).map(|f| f.0.clone()));
        let same = analysed.iter().position(|a| a.paths == paths && a.partial == partial);
        let (host, report, findings) = match same {
            Some(at) => {
                let a = analysed.swap_remove(at);
                (a.host, a.report, a.findings)
            }
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

/// A host group's shares of split files, keyed by path.
fn partial_by_path(
    group: &HostGroup,
    path_of: impl Fn(usize) -> Option<PathBuf>,
) -> BTreeMap<PathBuf, BTreeSet<String>> {
    group
        .partial
        .iter()
        .filter_map(|(i, names)| Some((path_of(*i)?, names.clone())))
        .collect()
}

/// Loads the files of a host that spans batches again and analyses it whole.
fn reanalyse(
    discovered: &[(PathBuf, bool)],
    identities: &[Identity],
    group: &HostGroup,
    options: LoadOptions,
) -> (Host, HostReport, Vec<Finding>) {
    let wanted: BTreeSet<&PathBuf> = group
        .files
        .iter()
        .filter_map(|&i| identities.get(i))
        .map(|id| &id.path)
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
    let files: Vec<LoadedFile> = loaded.into_iter().filter(|f| wanted.contains(&f.path)).collect();
    // The group, with its indices into `files`.
    let index_of: BTreeMap<&PathBuf, usize> = files.iter().enumerate().map(|(i, f)| (&f.path, i)).collect();
    let remap = |i: usize| identities.get(i).and_then(|id| index_of.get(&id.path).copied());
    let mut local = group.clone();
    local.files = group.files.iter().filter_map(|&i| remap(i)).collect();
    local.partial = group
        .partial
        .iter()
        .filter_map(|(i, names)| Some((remap(*i)?, names.clone())))
        .collect();
    let host = host_for(local, &files);
    let (report, findings) = analyse_host(&host, &files);
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
}
