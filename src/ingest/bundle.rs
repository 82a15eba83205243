//! Bundles: the folder (or `.zip`) that holds what was collected from one server, and
//! batches of whole bundles that bound how much is loaded at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::archive::{self, Limits};
use super::InputFile;

/// Folder names that hold part of a bundle rather than name it.
const INNER_FOLDERS: [&str; 8] = [
    "exchangesetuplogs",
    "logs",
    "eventlogs",
    "evtx",
    "registry",
    "reg",
    "events",
    "winevt",
];

/// The folder that stands for the host a file was collected from.
pub fn bundle_dir(path: &Path) -> PathBuf {
    let mut dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    while dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| INNER_FOLDERS.contains(&n.to_ascii_lowercase().as_str()))
    {
        match dir.parent() {
            Some(parent) => dir = parent.to_path_buf(),
            None => break,
        }
    }
    dir
}

/// The bundle a discovered file belongs to: a `.zip` is a bundle of its own, any other
/// file belongs to its [`bundle_dir`].
pub fn bundle_of(path: &Path) -> PathBuf {
    if is_zip_name(path) {
        path.to_path_buf()
    } else {
        bundle_dir(path)
    }
}

/// Whether `path` is named like a zip archive.
fn is_zip_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// The bytes `path` brings into memory: a zip's declared decompressed size (a
/// 400 KB bundle of event logs holds 6 MB of them), else the file's size.
fn input_size(path: &Path) -> u64 {
    let on_disk = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if !is_zip_name(path) {
        return on_disk;
    }
    InputFile::open(path)
        .ok()
        .and_then(|file| archive::declared_size(&Limits::default(), file.bytes()))
        .unwrap_or(on_disk)
}

/// Splits the discovered files into batches of whole bundles, each holding at most
/// `budget` bytes of input unless one bundle alone is larger. Every file is in exactly
/// one batch; batches and the indices in them come in path order.
pub fn batches(files: &[(PathBuf, bool)], budget: u64) -> Vec<Vec<usize>> {
    let mut bundles: BTreeMap<PathBuf, (Vec<usize>, u64)> = BTreeMap::new();
    for (index, (path, _)) in files.iter().enumerate() {
        let size = input_size(path);
        let bundle = bundles.entry(bundle_of(path)).or_default();
        bundle.0.push(index);
        bundle.1 += size;
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut size = 0u64;
    for (indices, bytes) in bundles.into_values() {
        match out.last_mut() {
            Some(batch) if size + bytes <= budget => {
                batch.extend(indices);
                size += bytes;
            }
            _ => {
                out.push(indices);
                size = bytes;
            }
        }
    }
    for batch in &mut out {
        batch.sort_unstable();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_are_folders_or_zips_and_batches_keep_them_whole() {
        assert_eq!(
            bundle_dir(Path::new("x/EXHUB/ExchangeSetupLogs/ExchangeSetup.log")),
            PathBuf::from("x/EXHUB")
        );
        assert_eq!(
            bundle_dir(Path::new("f/EX1/winevt/Logs/System.evtx")),
            PathBuf::from("f/EX1")
        );
        assert_eq!(bundle_of(Path::new("f/EX2.ZIP")), PathBuf::from("f/EX2.ZIP"));
        let root = std::env::temp_dir().join(format!("exdoctor-batches-{}", std::process::id()));
        let sized = [
            ("f/A/System.evtx", 10),
            ("f/A/winevt/Logs/Application.evtx", 10),
            ("f/B.zip", 30),
            ("f/C/ExchangeSetupLogs/ExchangeSetup.log", 10),
        ];
        let mut files = Vec::new();
        for (rel, len) in sized {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(&root)).expect("dir");
            std::fs::write(&path, vec![0u8; len]).expect("file");
            files.push((path, false));
        }
        // 25 bytes a batch: A (20) alone, B (30) alone although larger, C (10).
        assert_eq!(batches(&files, 25), vec![vec![0, 1], vec![2], vec![3]]);
        assert_eq!(batches(&files, 50), vec![vec![0, 1, 2], vec![3]]);
        assert_eq!(batches(&files, u64::MAX), vec![vec![0, 1, 2, 3]]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_zip_counts_what_it_decompresses_to() {
        use std::io::Write;
        let root = std::env::temp_dir().join(format!("exdoctor-zip-batches-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("dir");
        let zip_path = |name: &str| root.join(name);
        // Two zips of 100 KB of zeros each: a few hundred bytes on disk.
        for name in ["EX1.zip", "EX2.zip"] {
            let mut buf = std::io::Cursor::new(Vec::new());
            let mut writer = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            writer.start_file("System.evtx", options).expect("member");
            writer.write_all(&[0u8; 100_000]).expect("data");
            writer.finish().expect("zip");
            std::fs::write(zip_path(name), buf.into_inner()).expect("file");
        }
        let on_disk = std::fs::metadata(zip_path("EX1.zip")).map(|m| m.len()).unwrap_or(0);
        assert!(on_disk < 2_000, "{on_disk}");
        assert_eq!(input_size(&zip_path("EX1.zip")), 100_000);
        let files = vec![(zip_path("EX1.zip"), true), (zip_path("EX2.zip"), true)];
        // By their size on disk both would fit in one batch of 150 KB; decompressed not.
        assert_eq!(batches(&files, 150_000), vec![vec![0], vec![1]]);
        assert_eq!(batches(&files, 200_000), vec![vec![0, 1]]);
        // Not a zip inside: its size on disk.
        std::fs::write(zip_path("EX3.zip"), b"not a zip").expect("file");
        assert_eq!(input_size(&zip_path("EX3.zip")), 9);
        let _ = std::fs::remove_dir_all(&root);
    }
}
