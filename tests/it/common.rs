//! Shared helpers of the integration tests: where the corpus is, how to run the binary.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The shared corpus: `$EXDOCTOR_CORPUS`, else `../shared/corpus` beside the repository.
///
/// Returns `None` (and says so) when it is missing, so a developer without the corpus
/// can still run the other tests; under `CI=true` a missing corpus fails the test.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EXDOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "corpus not found at {} (set EXDOCTOR_CORPUS); required in CI",
            dir.display()
        );
    }
    eprintln!("corpus not found at {}: corpus test skipped", dir.display());
    None
}

/// A path inside the repository's samples/ folder.
pub(crate) fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Runs the exdoctor binary with `args`.
pub(crate) fn exdoctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the exdoctor binary runs")
}

/// Stdout of a run as UTF-8 text.
pub(crate) fn stdout_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every source of an `analyze --format json` document (they sit under `hosts[]`).
pub(crate) fn all_sources(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["hosts"]
        .as_array()
        .map(|hosts| {
            hosts
                .iter()
                .flat_map(|h| h["sources"].as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// The `.reg` files of a sample folder, in name order (at least one).
pub(crate) fn sample_reg_paths(folder: &str) -> Vec<PathBuf> {
    let dir = samples_dir().join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "reg"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .reg in {folder}");
    paths
}

/// Every file of a sample folder (recursively) with its path relative to the folder
/// (`/`-separated), in path order.
pub(crate) fn sample_files(folder: &str) -> Vec<(String, PathBuf)> {
    let root = samples_dir().join(folder);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("sample folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let relative = p
                .strip_prefix(&root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            (relative, p)
        })
        .collect()
}

/// The host names of an `analyze --format json` document, in report order.
pub(crate) fn host_names(doc: &serde_json::Value) -> Vec<String> {
    doc["hosts"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|h| h["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The rule ids of the findings of an `analyze --format json` document, sorted.
pub(crate) fn finding_rules(doc: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = doc["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    rules.sort();
    rules
}
