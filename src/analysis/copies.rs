//! Copies of one file given twice (the same host folder named twice, a bundle beside
//! its extracted folder): a host's files with the same bytes as an earlier file of
//! that host are analysed once. Only within one host: two servers built alike can
//! export byte-identical `.reg` files, and each host keeps its own.

use std::collections::HashMap;

use crate::model::{ContentId, Diagnostic, HostGroup, LoadedFile};

/// What copy detection reads of a file: its content, whether it holds a record, and the
/// path reports show.
#[derive(Debug, Clone, Copy)]
pub(super) struct CopyKey<'a> {
    /// Length and hash of its bytes.
    pub(super) content: ContentId,
    /// Records read from it.
    pub(super) records: u64,
    /// Its path as reports show it.
    pub(super) shown: &'a str,
}

impl<'a> CopyKey<'a> {
    /// The key of a loaded file.
    pub(super) fn of(file: &'a LoadedFile) -> CopyKey<'a> {
        CopyKey {
            content: file.content,
            records: file.loaded.summary.records,
            shown: &file.loaded.summary.path,
        }
    }
}

/// Drops from `group` every file whose content equals an earlier file of the group
/// (`key_of` an index of `group.files`), with a warning naming the copy and the file
/// kept. Files without a record stay: they hold nothing to analyse twice, and the empty
/// event logs of a collection are byte-identical whatever their channel.
pub(super) fn drop_copies<'a>(group: &mut HostGroup, key_of: impl Fn(usize) -> Option<CopyKey<'a>>) -> Vec<Diagnostic> {
    let mut first: HashMap<ContentId, (usize, &'a str)> = HashMap::new();
    let mut keep = Vec::with_capacity(group.files.len());
    let mut diagnostics = Vec::new();
    for &index in &group.files {
        let copy_of = key_of(index).filter(|key| key.records > 0).and_then(|key| {
            let (kept_index, kept) = *first.entry(key.content).or_insert((index, key.shown));
            (kept_index != index).then_some((key.shown, kept))
        });
        match copy_of {
            Some((copy, kept)) => {
                diagnostics.push(Diagnostic::warning(
                    copy,
                    format!("same content as {kept}: analysed once, under that name"),
                ));
                group.partial.remove(&index);
                keep.push(false);
            }
            None => keep.push(true),
        }
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
        let files = [
            file("a/EX01/x.reg", b"REGEDIT4"),
            file("a/EX01/empty.reg", b"REG"),
            file("b/EX01/x.reg", b"REGEDIT4"),
            file("b/EX01/empty.reg", b"REG"),
            file("b/EX01/y.reg", b"REGEDIT4 "),
        ];
        let mut group = HostGroup {
            name: "EX01".into(),
            files: (0..files.len()).collect(),
            attribution: files
                .iter()
                .map(|f| Attribution {
                    path: f.loaded.summary.path.clone(),
                    how: "folder".into(),
                })
                .collect(),
            partial: [(2, ["EX01".to_string()].into()), (4, ["EX01".to_string()].into())].into(),
            ..HostGroup::default()
        };
        let diagnostics = drop_copies(&mut group, |i| files.get(i).map(CopyKey::of));
        assert_eq!(group.files, [0, 1, 3, 4]);
        let kept: Vec<&str> = group.attribution.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(
            kept,
            ["a/EX01/x.reg", "a/EX01/empty.reg", "b/EX01/empty.reg", "b/EX01/y.reg"]
        );
        assert_eq!(group.partial.keys().copied().collect::<Vec<_>>(), [4]);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].path, "b/EX01/x.reg");
        assert_eq!(
            diagnostics[0].message,
            "same content as a/EX01/x.reg: analysed once, under that name"
        );
    }
}
