//! Decides which files belong to which host: from their content first (event-log
//! `Computer`, the setup log's server name, the registry computer name), then from the
//! folder they sit in. Two different names are never merged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::{Attribution, HostGroup};

/// A host name suggested by one file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHint {
    /// Short name, upper case (`EXMBX01` for `EXMBX01.contoso.com`).
    pub name: String,
    /// Full name when the file gives one.
    pub fqdn: Option<String>,
    /// What in the file named the host, e.g. "event log Computer field".
    pub how: &'static str,
}

impl HostHint {
    /// A hint from a computer name as written (`EXMBX01.contoso.com` or `EXMBX01`).
    pub fn from_computer(raw: &str, how: &'static str) -> Option<HostHint> {
        let raw = raw.trim().trim_end_matches('.');
        let short = raw.split('.').next().unwrap_or("").trim();
        if short.is_empty() || short.contains(char::is_whitespace) {
            return None;
        }
        Some(HostHint {
            name: short.to_ascii_uppercase(),
            fqdn: raw.contains('.').then(|| raw.to_string()),
            how,
        })
    }
}

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

/// Groups files into hosts. `files` holds each file's path and content hint.
pub fn group(files: &[(PathBuf, Option<HostHint>)]) -> Vec<HostGroup> {
    let mut hosts: BTreeMap<String, HostGroup> = BTreeMap::new();
    // Content-named hosts per bundle folder, to place the files that name nothing.
    let mut named_in_dir: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for (path, hint) in files {
        if let Some(h) = hint {
            let names = named_in_dir.entry(bundle_dir(path)).or_default();
            if !names.contains(&h.name) {
                names.push(h.name.clone());
            }
        }
    }
    for (index, (path, hint)) in files.iter().enumerate() {
        let display = path.display().to_string();
        let (name, fqdn, how) = match hint {
            Some(h) => (
                h.name.clone(),
                h.fqdn.clone(),
                format!("{} names {}", h.how, h.fqdn.as_deref().unwrap_or(&h.name)),
            ),
            None => {
                let dir = bundle_dir(path);
                match named_in_dir.get(&dir).map(Vec::as_slice) {
                    Some([only]) => (only.clone(), None, format!("same folder as the files naming {only}")),
                    _ => {
                        let folder = dir
                            .file_name()
                            .and_then(|n| n.to_str())
                            .unwrap_or("unknown")
                            .to_string();
                        let name = folder.to_ascii_uppercase();
                        (name, None, format!("folder name {folder} (no host name in the file)"))
                    }
                }
            }
        };
        let host = hosts.entry(name.clone()).or_insert_with(|| HostGroup {
            name,
            ..HostGroup::default()
        });
        if host.fqdn.is_none() {
            host.fqdn = fqdn;
        }
        host.files.push(index);
        host.attribution.push(Attribution { path: display, how });
    }
    hosts.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(name: &str) -> Option<HostHint> {
        HostHint::from_computer(name, "test")
    }

    #[test]
    fn content_names_win_and_folders_place_the_rest() {
        let files = vec![
            (PathBuf::from("b/EXMBX01/System.evtx"), hint("EXMBX01.contoso.com")),
            (
                PathBuf::from("b/EXMBX01/ExchangeSetupLogs/ExchangeSetup.log"),
                hint("exmbx01"),
            ),
            (PathBuf::from("b/EXMBX01/registry/services.reg"), None),
            (PathBuf::from("b/other/SysEvent.Evt"), hint("EXCAS11")),
            (PathBuf::from("b/mixed/a.evtx"), hint("A")),
            (PathBuf::from("b/mixed/b.evtx"), hint("B")),
            (PathBuf::from("b/mixed/c.reg"), None),
        ];
        let hosts = group(&files);
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "EXCAS11", "EXMBX01", "MIXED"]);
        let ex = &hosts[3];
        assert_eq!(ex.files, [0, 1, 2]);
        assert_eq!(ex.fqdn.as_deref(), Some("EXMBX01.contoso.com"));
        assert!(ex.attribution[2].how.contains("same folder"));
        // Two names in one folder: never merged, the unnamed file goes by the folder.
        assert!(hosts[4].attribution[0].how.starts_with("folder name mixed"));
    }

    #[test]
    fn hints_from_computer_names() {
        assert_eq!(
            hint("EXMBX02").map(|h| (h.name, h.fqdn)),
            Some(("EXMBX02".into(), None))
        );
        assert_eq!(hint(" ").map(|h| h.name), None);
        assert_eq!(
            bundle_dir(Path::new("x/EXHUB/ExchangeSetupLogs/ExchangeSetup.log")),
            PathBuf::from("x/EXHUB")
        );
    }
}
