//! Collects keys and values into the net effect of a file: case-insensitive merging,
//! last writer wins, key deletions removing what the file set before.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::path::{eq_ignore_case, fold};
use super::{KeyDeletion, RegData, RegKey, RegValue};

/// Above this many values a key gets a name index instead of a linear search.
const LINEAR_LIMIT: usize = 12;

/// Values reserved for a new key (a service key has about eight).
const VALUES_RESERVED: usize = 8;

struct Entry<'a> {
    key: RegKey<'a>,
    alive: bool,
    /// The previous entry with the same hash (collision chain).
    next_same_hash: Option<usize>,
    names: Option<HashMap<String, usize>>,
}

/// The keys of the path index are already hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8)) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A case-insensitive hash of a key path, without allocating.
fn path_hash(path: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = 0u64;
    let mut add = |c: u64| h = (h.rotate_left(5) ^ c).wrapping_mul(K);
    if path.is_ascii() {
        path.bytes().for_each(|b| add(u64::from(b.to_ascii_lowercase())));
    } else {
        path.chars()
            .flat_map(char::to_lowercase)
            .for_each(|c| add(u64::from(c)));
    }
    h
}

/// Where value lines currently go.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Current {
    /// Before the first key line.
    Nothing,
    /// After a `[-KEY]` line: values are ignored (as regedit does).
    Deleted,
    /// Into this entry.
    Key(usize),
}

/// The merging state.
pub(super) struct Builder<'a> {
    entries: Vec<Entry<'a>>,
    /// Path hash -> newest entry with that hash (older ones via `next_same_hash`).
    index: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    /// Folded path -> live entry, ordered so that the subkeys of a deleted key are one
    /// range; built at the first key deletion only (most exports have none).
    ordered: Option<BTreeMap<String, usize>>,
    deletions: Vec<KeyDeletion<'a>>,
    deleted_index: HashMap<String, usize>,
    pub current: Current,
}

impl<'a> Builder<'a> {
    pub(super) fn new() -> Self {
        Builder {
            entries: Vec::new(),
            index: HashMap::default(),
            ordered: None,
            deletions: Vec::new(),
            deleted_index: HashMap::new(),
            current: Current::Nothing,
        }
    }

    /// The live entry for `path`, if any.
    fn find(&self, path: &str, hash: u64) -> Option<usize> {
        let mut at = self.index.get(&hash).copied();
        while let Some(i) = at {
            let entry = self.entries.get(i)?;
            if entry.alive && eq_ignore_case(&entry.key.path, path) {
                return Some(i);
            }
            at = entry.next_same_hash;
        }
        None
    }

    /// A `[KEY]` line: continue the key if the file has it already, else start it.
    pub(super) fn open_key(&mut self, path: Cow<'a, str>, line: u64) {
        let hash = path_hash(&path);
        if let Some(i) = self.find(&path, hash) {
            self.current = Current::Key(i);
            return;
        }
        let i = self.entries.len();
        if let Some(ordered) = &mut self.ordered {
            ordered.insert(fold(&path), i);
        }
        let next_same_hash = self.index.insert(hash, i);
        self.entries.push(Entry {
            key: RegKey {
                path,
                line,
                values: Vec::with_capacity(VALUES_RESERVED),
            },
            alive: true,
            next_same_hash,
            names: None,
        });
        self.current = Current::Key(i);
    }

    /// A `[-KEY]` line: forget the key and its subkeys set so far, remember the deletion.
    pub(super) fn delete_key(&mut self, path: Cow<'a, str>, line: u64) {
        let entries = &self.entries;
        let ordered = self.ordered.get_or_insert_with(|| {
            entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.alive)
                .map(|(i, e)| (fold(&e.key.path), i))
                .collect()
        });
        let folded = fold(&path);
        let mut doomed = Vec::new();
        if ordered.contains_key(&folded) {
            doomed.push(folded.clone());
        }
        let prefix = format!("{folded}\\");
        doomed.extend(
            ordered
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .map(|(k, _)| k.clone()),
        );
        for k in doomed {
            if let Some(i) = ordered.remove(&k) {
                if let Some(entry) = self.entries.get_mut(i) {
                    entry.alive = false;
                }
            }
        }
        if !self.deleted_index.contains_key(&folded) {
            self.deleted_index.insert(folded, self.deletions.len());
            self.deletions.push(KeyDeletion { path, line });
        }
        self.current = Current::Deleted;
    }

    /// A value line for the current key; `false` when there is no current key.
    pub(super) fn set_value(&mut self, name: Cow<'a, str>, line: u64, data: Option<RegData<'a>>) -> bool {
        let Current::Key(i) = self.current else {
            return false;
        };
        let Some(entry) = self.entries.get_mut(i) else {
            return false;
        };
        let values = &mut entry.key.values;
        let existing = match &mut entry.names {
            Some(names) => names.get(&fold(&name)).copied(),
            None => values.iter().position(|v| eq_ignore_case(&v.name, &name)),
        };
        match existing.and_then(|j| values.get_mut(j)) {
            Some(slot) => *slot = RegValue { name, line, data },
            None => {
                if let Some(names) = &mut entry.names {
                    names.insert(fold(&name), values.len());
                }
                values.push(RegValue { name, line, data });
                if entry.names.is_none() && values.len() > LINEAR_LIMIT {
                    entry.names = Some(values.iter().enumerate().map(|(j, v)| (fold(&v.name), j)).collect());
                }
            }
        }
        true
    }

    /// The live keys in order and the deletions.
    pub(super) fn finish(self) -> (Vec<RegKey<'a>>, Vec<KeyDeletion<'a>>) {
        let keys = self.entries.into_iter().filter(|e| e.alive).map(|e| e.key).collect();
        (keys, self.deletions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_removes_subkeys_and_recreation_starts_fresh() {
        let mut b = Builder::new();
        b.open_key("HKCU\\A\\B".into(), 1);
        assert!(b.set_value("x".into(), 2, Some(RegData::Dword(1))));
        b.open_key("HKCU\\AB".into(), 3);
        b.delete_key("hkcu\\a".into(), 4);
        assert!(!b.set_value("y".into(), 5, None));
        b.open_key("HKCU\\a".into(), 6);
        b.delete_key("HKCU\\A".into(), 7);
        let (keys, deleted) = b.finish();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].path, "HKCU\\AB");
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].line, 4);
    }

    #[test]
    fn many_values_use_the_index() {
        let mut b = Builder::new();
        b.open_key("HKCU\\A".into(), 1);
        for i in 0..40u32 {
            b.set_value(format!("V{i}").into(), u64::from(i), Some(RegData::Dword(i)));
        }
        b.set_value("v7".into(), 99, Some(RegData::Dword(700)));
        let (keys, _) = b.finish();
        assert_eq!(keys[0].values.len(), 40);
        assert_eq!(keys[0].values[7].data, Some(RegData::Dword(700)));
        assert_eq!(keys[0].values[7].name, "v7");
    }
}
