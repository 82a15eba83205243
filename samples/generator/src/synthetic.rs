//! Large synthetic inputs for benchmarks, made by repeating real-shaped files.

use std::fs;
use std::path::{Path, PathBuf};

/// Concatenates `parts` (each ending with a line break) until at least `target_bytes`.
/// Returns an empty buffer when `parts` holds no bytes.
pub fn repeat_to_size(parts: &[Vec<u8>], target_bytes: usize) -> Vec<u8> {
    let total: usize = parts.iter().map(Vec::len).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(target_bytes + total);
    while out.len() < target_bytes {
        for part in parts {
            out.extend_from_slice(part);
            if !part.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// Every `ExchangeSetup*.log` under the given folders (recursively), sorted, read whole.
/// UTF-16 files are skipped (the benchmark measures the 8-bit path).
pub fn setup_logs_under(dirs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for dir in dirs {
        collect(dir, &mut paths);
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| fs::read(p).ok())
        .filter(|b| !b.starts_with(&[0xFF, 0xFE]))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("ExchangeSetup") && n.ends_with(".log"))
        {
            out.push(path);
        }
    }
}

/// The benchmark input folders: the repository's samples and, when present, the shared
/// corpus (`$EXDOCTOR_CORPUS` or `../shared/corpus` beside the repository).
pub fn benchmark_dirs(repo_root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![repo_root.join("samples")];
    let corpus = std::env::var_os("EXDOCTOR_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root.join("../shared/corpus"));
    let logs = corpus.join("setup-logs");
    if logs.is_dir() {
        dirs.push(logs);
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_until_the_target_and_keeps_line_breaks() {
        let out = repeat_to_size(&[b"a\r\n".to_vec(), b"b".to_vec()], 10);
        assert_eq!(out, b"a\r\nb\r\na\r\nb\r\n");
        assert!(repeat_to_size(&[], 10).is_empty());
    }
}
