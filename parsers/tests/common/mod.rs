//! Shared helpers of the parser tests: where the corpus and the samples are.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root (the parsers crate sits one level below it).
pub(crate) fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared corpus: `$EXDOCTOR_CORPUS`, else `../shared/corpus` beside the repository.
///
/// Returns `None` (and says so) when it is missing, so a developer without the corpus
/// can still run the other tests; under `CI=true` a missing corpus fails the test.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EXDOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_dir().join("../shared/corpus"),
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

/// The repository's samples/ folder.
pub(crate) fn samples_dir() -> PathBuf {
    repo_dir().join("samples")
}

/// The repository's shared test fixtures (tests/fixtures).
pub(crate) fn fixtures_dir() -> PathBuf {
    repo_dir().join("tests/fixtures")
}
