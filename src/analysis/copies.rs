//! Copies of one file given twice (the same host folder named twice, a bundle beside
//! its extracted folder): a host's files with the same bytes as an earlier file of
//! that host are analysed once. Only within one host: two servers built alike can
//! export byte-identical `.reg` files, and each host keeps its own.

use std::collections::HashMap;

use crate::model::{ContentId, Diagnostic, HostGroup, LoadedFile};

/// Drops from `group` every file whose content equals an earlier file of the group,
/// with a warning naming the copy and the file kept. Files without a record stay: they
/// hold nothing to analyse twice, and the empty event logs of a collection are
/// byte-identical whatever their channel.
pub(super) fn drop_copies(group: &mut HostGroup, files: &[LoadedFile]) -> Vec<Diagnostic> {
    let mut first: HashMap<ContentId, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(group.files.len());
    let mut diagnostics = Vec::new();
    for &index in &group.files {
        let Some(file) = files.get(index) else {
            continue;
        };
        if file.loaded.summary.records > 0 {
            if let Some(kept) = first.get(&file.content).and_then(|&k| files.get(k)) {
                diagnostics.push(Diagnostic::warning(
                    &file.loaded.summary.path,
                    format!(
                        "same content as {}: analysed once, under that name",
                        kept.loaded.summary.path
                    ),
                ));
                keep.push(false);
                continue;
            }
            first.insert(file.content, index);
        }
        keep.push(true);
    }
    let mut flags = keep.iter();
    group.files.retain(|_| flags.next().copied().unwrap_or(true));
    let mut flags = keep.iter();
    group.attribution.retain(|_| flags.next().copied().unwrap_or(true));
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribution, Facts, Loaded, SourceKind, SourceSummary};

    fn file(path: &str, bytes: &[u8]) -> LoadedFile {
        let mut summary = SourceSummary::new(path, SourceKind::Reg);
        summary.records = bytes.len() as u64 / 4;
        LoadedFile {
            path: path.into(),
            loaded: Loaded {
                summary,
                facts: Facts::None,
            },
            content: ContentId::of(bytes),
        }
    }

    #[test]
    fn a_second_copy_is_dropped_with_a_warning_and_files_without_records_stay() {
        let files = vec![
            file("a/EX01/x.reg", b"REGEDIT4"),
            file("a/EX01/empty.reg", b"REG"),
            file("b/EX01/x.reg", b"REGEDIT4"),
            file("b/EX01/empty.reg", b"REG"),
            file("b/EX01/y.reg", b"REGEDIT4 "),
        ];
        let mut group = HostGroup {
            name: "EX01".into(),
            fqdn: None,
            files: (0..files.len()).collect(),
            attribution: files
                .iter()
                .map(|f| Attribution {
                    path: f.loaded.summary.path.clone(),
                    how: "folder".into(),
                })
                .collect(),
        };
        let diagnostics = drop_copies(&mut group, &files);
        assert_eq!(group.files, [0, 1, 3, 4]);
        let kept: Vec<&str> = group.attribution.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(
            kept,
            ["a/EX01/x.reg", "a/EX01/empty.reg", "b/EX01/empty.reg", "b/EX01/y.reg"]
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].path, "b/EX01/x.reg");
        assert_eq!(
            diagnostics[0].message,
            "same content as a/EX01/x.reg: analysed once, under that name"
        );
    }
}
