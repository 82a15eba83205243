//! The merged registry of one host: several `.reg` exports applied in order into one
//! view with case-insensitive lookup, full and abbreviated root names, and
//! `CurrentControlSet` resolved to the current `ControlSetNNN`.
//!
//! The view is flat: one ordered map from each key's full path, lowercased with its
//! separators as NUL bytes (so byte order is component order and a key's subkeys are
//! the range that follows it), to the path as first written and its values. Keys only
//! implied by deeper ones (`HKLM\SOFTWARE` when only `HKLM\SOFTWARE\Microsoft\X` was
//! exported) are found from their descendants. Nothing recurses, and memory is linear
//! in the exports with a small factor, whatever the depth or shape of their keys. Keys
//! that Windows cannot hold (deeper than [`MAX_KEY_DEPTH`] levels, a name longer than
//! [`MAX_KEY_NAME_CHARS`]) are left out and reported as [`ViewProblem`]s.

use std::cmp::Ordering;
use std::collections::btree_map::{self, BTreeMap};
use std::collections::HashMap;
use std::fmt;

use exdoctor_parsers::reg::{split_root, RegData, RegFile, RegRoot};
use serde::Serialize;

/// Deepest key Windows can hold: levels below the root key.
pub const MAX_KEY_DEPTH: usize = 512;
/// Longest key name Windows accepts, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 255;
/// Most problems kept with their line; the rest are only counted.
pub const MAX_PROBLEMS: usize = 100;
/// Values of one key found by scanning; more get a name index.
const SCANNED_VALUES: usize = 16;

/// Where a key or value came from: index into [`RegistryView::sources`] and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Index of the file in [`RegistryView::sources`].
    pub source: usize,
    /// 1-based line in that file.
    pub line: u64,
}

/// A value in the view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewValue {
    /// The value name as last written (`""` = default value).
    pub name: String,
    /// The data.
    #[serde(flatten)]
    pub data: RegData<'static>,
    /// The file and line that set it.
    pub origin: Origin,
}

/// Why a key of an export was left out of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewProblemKind {
    /// The path has more levels below its root than Windows allows.
    TooDeep {
        /// Levels below the root.
        levels: usize,
    },
    /// One component of the path is longer than Windows allows.
    NameTooLong {
        /// Characters of the longest component.
        chars: usize,
    },
}

/// A key (or key deletion) of an export that the view left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewProblem {
    /// The file and line of the key.
    pub origin: Origin,
    /// What is wrong with it.
    pub kind: ViewProblemKind,
}

impl fmt::Display for ViewProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ViewProblemKind::TooDeep { levels } => write!(
                f,
                "line {}: key path {levels} levels deep (Windows allows {MAX_KEY_DEPTH}); key and values skipped",
                self.origin.line
            ),
            ViewProblemKind::NameTooLong { chars } => write!(
                f,
                "line {}: key name of {chars} characters (Windows allows {MAX_KEY_NAME_CHARS}); key and values skipped",
                self.origin.line
            ),
        }
    }
}

/// Case-insensitive order of two names (ASCII fast path, Unicode lowercase otherwise).
fn cmp_name(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    }
}

fn eq_name(a: &str, b: &str) -> bool {
    cmp_name(a, b) == Ordering::Equal
}

/// The map key of a full path: lowercased, each `\` a NUL byte (a NUL inside a name
/// becomes 0x01), so that plain byte order sorts a key right before its subkeys and
/// children by name.
fn fold_path(path: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    for (i, part) in path.split('\\').enumerate() {
        if i > 0 {
            out.push(0);
        }
        let start = out.len();
        out.extend_from_slice(lowercase(part).as_bytes());
        for b in &mut out[start..] {
            if *b == 0 {
                *b = 1;
            }
        }
    }
    out
}

/// The bounds of the keys below the folded key `folded`: `folded` + 0 up to `folded` + 1.
fn subtree(folded: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut from = folded.to_vec();
    from.push(0);
    let mut to = folded.to_vec();
    to.push(1);
    (from, to)
}

/// The first `components` components of `path`.
fn leading(path: &str, components: usize) -> &str {
    match path.match_indices('\\').nth(components.saturating_sub(1)) {
        Some((at, _)) if components > 0 => &path[..at],
        _ => path,
    }
}

/// A declared key: its path as first written and what it holds.
#[derive(Debug, Clone, PartialEq, Default)]
struct Key {
    path: Box<str>,
    data: KeyData,
}

/// The values of one key in order of first appearance, found by case-insensitive name.
#[derive(Debug, Clone, PartialEq, Default)]
struct Values {
    /// Slots in order of first appearance; `None` once deleted.
    slots: Vec<Option<ViewValue>>,
    /// Lowercase name -> slot of the live value, once there are many values.
    by_name: Option<HashMap<String, usize>>,
}

fn lowercase(name: &str) -> String {
    if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.chars().flat_map(char::to_lowercase).collect()
    }
}

impl Values {
    fn slot_of(&self, name: &str) -> Option<usize> {
        match &self.by_name {
            Some(index) => index.get(&lowercase(name)).copied(),
            None => self
                .slots
                .iter()
                .position(|v| v.as_ref().is_some_and(|v| eq_name(&v.name, name))),
        }
    }

    fn get(&self, name: &str) -> Option<&ViewValue> {
        self.slots.get(self.slot_of(name)?)?.as_ref()
    }

    fn iter(&self) -> impl Iterator<Item = &ViewValue> {
        self.slots.iter().flatten()
    }

    /// Sets (`Some`) or deletes (`None`) the value `name`.
    fn set(&mut self, name: &str, data: Option<RegData<'static>>, origin: Origin) {
        let at = self.slot_of(name);
        match data {
            Some(data) => {
                let value = ViewValue {
                    name: name.to_string(),
                    data,
                    origin,
                };
                if let Some(slot) = at.and_then(|i| self.slots.get_mut(i)) {
                    *slot = Some(value);
                    return;
                }
                if let Some(index) = &mut self.by_name {
                    index.insert(lowercase(name), self.slots.len());
                }
                self.slots.push(Some(value));
                if self.by_name.is_none() && self.slots.len() > SCANNED_VALUES {
                    let index = self
                        .slots
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| Some((lowercase(&v.as_ref()?.name), i)))
                        .collect();
                    self.by_name = Some(index);
                }
            }
            None => {
                if let Some(slot) = at.and_then(|i| self.slots.get_mut(i)) {
                    *slot = None;
                }
                if let Some(index) = &mut self.by_name {
                    index.remove(&lowercase(name));
                }
            }
        }
    }
}

/// What the view holds for a key an export declares.
#[derive(Debug, Clone, PartialEq, Default)]
struct KeyData {
    values: Values,
    origin: Option<Origin>,
}

/// A key of a [`RegistryView`]: a cheap handle that reads the view.
#[derive(Debug, Clone, Copy)]
pub struct KeyNode<'v> {
    view: &'v RegistryView,
    /// The full path, spelled as first written.
    path: &'v str,
    /// `None` for a key only implied by its subkeys.
    data: Option<&'v KeyData>,
}

impl<'v> KeyNode<'v> {
    /// The last component of the path, as first written.
    pub fn name(&self) -> &'v str {
        self.path.rsplit('\\').next().unwrap_or(self.path)
    }

    /// The canonical full path: full root name, `CurrentControlSet` resolved.
    pub fn path(&self) -> &'v str {
        self.path
    }

    /// Where the key was last declared (`None` for keys only implied by subkeys).
    pub fn origin(&self) -> Option<Origin> {
        self.data?.origin
    }

    /// The subkeys, ordered by case-insensitive name.
    pub fn subkeys(&self) -> Subkeys<'v> {
        let folded = fold_path(self.path);
        let (from, to) = subtree(&folded);
        Subkeys {
            view: self.view,
            prefix: from.len(),
            components: self.path.split('\\').count(),
            range: self.view.keys.range(from..to),
            last: None,
        }
    }

    /// The subkey called `name` (case-insensitive), one level down.
    pub fn subkey(&self, name: &str) -> Option<KeyNode<'v>> {
        if name.is_empty() || name.contains('\\') {
            return None;
        }
        self.view.find(&format!("{}\\{name}", self.path))
    }

    /// The subkey at a relative path `a\b\c` (case-insensitive).
    pub fn descend(&self, relative: &str) -> Option<KeyNode<'v>> {
        relative
            .split('\\')
            .filter(|c| !c.is_empty())
            .try_fold(*self, |node, component| node.subkey(component))
    }

    /// The values in order of first appearance.
    pub fn values(&self) -> impl Iterator<Item = &'v ViewValue> + 'v {
        self.data.into_iter().flat_map(|d| d.values.iter())
    }

    /// The value called `name` (case-insensitive; `""` = default value).
    pub fn value(&self, name: &str) -> Option<&'v ViewValue> {
        self.data?.values.get(name)
    }

    /// The text of a `REG_SZ`/`REG_EXPAND_SZ` value.
    pub fn str_value(&self, name: &str) -> Option<&'v str> {
        self.value(name).and_then(|v| v.data.as_str())
    }

    /// The text of a string value, `None` when absent or empty after trimming.
    pub fn text_value(&self, name: &str) -> Option<String> {
        self.str_value(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// A `REG_DWORD` value (also odd-sized `hex(4)` data).
    pub fn u32_value(&self, name: &str) -> Option<u32> {
        self.value(name).and_then(|v| v.data.as_u32())
    }

    /// The strings of a `REG_MULTI_SZ` value (a `REG_SZ` counts as one string).
    pub fn multi_value(&self, name: &str) -> Option<Vec<String>> {
        let value = self.value(name)?;
        match &value.data {
            RegData::MultiSz(items) => Some(items.clone()),
            RegData::Sz(s) => Some(vec![s.to_string()]),
            _ => None,
        }
    }
}

/// The subkeys of a key, in case-insensitive name order ([`KeyNode::subkeys`]).
#[derive(Debug)]
pub struct Subkeys<'v> {
    view: &'v RegistryView,
    /// Bytes of the parent's folded path and its separator.
    prefix: usize,
    /// Components of the parent's path.
    components: usize,
    range: btree_map::Range<'v, Vec<u8>, Key>,
    /// The folded name of the child returned last (its subtree is skipped).
    last: Option<&'v [u8]>,
}

impl<'v> Iterator for Subkeys<'v> {
    type Item = KeyNode<'v>;

    fn next(&mut self) -> Option<KeyNode<'v>> {
        loop {
            let (folded, key) = self.range.next()?;
            let rest = folded.get(self.prefix..)?;
            let name = rest.split(|&b| b == 0).next().unwrap_or(rest);
            if self.last == Some(name) {
                continue;
            }
            self.last = Some(name);
            let declared = name.len() == rest.len();
            return Some(KeyNode {
                view: self.view,
                path: leading(&key.path, self.components + 1),
                data: declared.then_some(&key.data),
            });
        }
    }
}

/// Several exports of one host merged into one view.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegistryView {
    sources: Vec<String>,
    /// Every declared key by folded full path ([`fold_path`]); implied keys are not
    /// stored.
    keys: BTreeMap<Vec<u8>, Key>,
    control_set: u32,
    problems: Vec<ViewProblem>,
    problem_count: u64,
}

/// The number of the current control set: `HKLM\SYSTEM\Select\Current` of the last file
/// that has it, else 1.
fn current_control_set<'f, 'a: 'f>(files: &[(&str, &'f RegFile<'a>)]) -> u32 {
    let mut current = None;
    for (_, file) in files {
        for key in &file.keys {
            let Some((RegRoot::HkeyLocalMachine, _, rest)) = split_root(&key.path) else {
                continue;
            };
            let mut parts = rest.split('\\').filter(|c| !c.is_empty());
            let is_select = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("SYSTEM"))
                && parts.next().is_some_and(|c| c.eq_ignore_ascii_case("Select"))
                && parts.next().is_none();
            if is_select {
                if let Some(n) = key
                    .value("Current")
                    .and_then(|v| v.data.as_ref())
                    .and_then(RegData::as_u32)
                {
                    current = Some(n);
                }
            }
        }
    }
    current.filter(|n| (1..=999).contains(n)).unwrap_or(1)
}

impl RegistryView {
    /// Merges parsed exports of one host, applied in the given order (later files win).
    /// Each file is `(source path, parsed file)`; per file, key deletions are applied
    /// first, then keys and values. Keys under unknown roots are left out, and so are
    /// keys Windows cannot hold (see [`RegistryView::problems`]).
    pub fn from_files<'f, 'a: 'f>(files: &[(&str, &'f RegFile<'a>)]) -> RegistryView {
        let mut view = RegistryView {
            sources: Vec::with_capacity(files.len()),
            control_set: current_control_set(files),
            ..RegistryView::default()
        };
        for (index, (source, file)) in files.iter().enumerate() {
            view.sources.push((*source).to_string());
            for deletion in &file.deleted_keys {
                let origin = Origin {
                    source: index,
                    line: deletion.line,
                };
                if let Some(path) = view.canonical(&deletion.path, origin) {
                    view.delete(path);
                }
            }
            for key in &file.keys {
                let origin = Origin {
                    source: index,
                    line: key.line,
                };
                let Some(path) = view.canonical(&key.path, origin) else {
                    continue;
                };
                let data = view.declare(path);
                data.origin = Some(origin);
                for value in &key.values {
                    let origin = Origin {
                        source: index,
                        line: value.line,
                    };
                    data.values
                        .set(&value.name, value.data.clone().map(RegData::into_owned), origin);
                }
            }
        }
        view
    }

    /// The files merged, in order ([`Origin::source`] indexes this).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// The control set `CurrentControlSet` stands for (1 when `Select` is not exported).
    pub fn control_set(&self) -> u32 {
        self.control_set
    }

    /// `true` when no key was merged.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys left out because Windows cannot hold them, in the order they were met (at
    /// most [`MAX_PROBLEMS`]; [`RegistryView::problem_count`] counts them all).
    pub fn problems(&self) -> &[ViewProblem] {
        &self.problems
    }

    /// Number of keys left out, including those beyond [`MAX_PROBLEMS`].
    pub fn problem_count(&self) -> u64 {
        self.problem_count
    }

    /// The canonical form of `path`: full root name, no empty components,
    /// `CurrentControlSet` resolved. `None` under an unknown root.
    fn resolve(&self, path: &str) -> Option<String> {
        let (root, _, rest) = split_root(path)?;
        let parts: Vec<&str> = rest.split('\\').filter(|c| !c.is_empty()).collect();
        let current_control_set = root == RegRoot::HkeyLocalMachine
            && parts.len() >= 2
            && parts[0].eq_ignore_ascii_case("SYSTEM")
            && parts[1].eq_ignore_ascii_case("CurrentControlSet");
        let mut out = String::with_capacity(path.len() + 24);
        out.push_str(root.full_name());
        for (i, part) in parts.iter().enumerate() {
            out.push('\\');
            if current_control_set && i == 1 {
                out.push_str(&format!("ControlSet{:03}", self.control_set));
            } else {
                out.push_str(part);
            }
        }
        Some(out)
    }

    /// [`RegistryView::resolve`] for a key of an export; `None` (reported) for a key
    /// Windows cannot hold.
    fn canonical(&mut self, path: &str, origin: Origin) -> Option<String> {
        let path = self.resolve(path)?;
        let levels = path.split('\\').count() - 1;
        let kind = if levels > MAX_KEY_DEPTH {
            Some(ViewProblemKind::TooDeep { levels })
        } else {
            path.split('\\')
                .skip(1)
                .filter(|p| p.len() > MAX_KEY_NAME_CHARS)
                .map(|p| p.chars().count())
                .max()
                .filter(|&chars| chars > MAX_KEY_NAME_CHARS)
                .map(|chars| ViewProblemKind::NameTooLong { chars })
        };
        match kind {
            Some(kind) => {
                self.problem_count += 1;
                if self.problems.len() < MAX_PROBLEMS {
                    self.problems.push(ViewProblem { origin, kind });
                }
                None
            }
            None => Some(path),
        }
    }

    /// The key at canonical `path`, declared when missing (spelled like a subkey that
    /// implied it, else as given).
    fn declare(&mut self, path: String) -> &mut KeyData {
        let folded = fold_path(&path);
        let spelled = match self.keys.contains_key(&folded) {
            true => None,
            false => {
                let (from, to) = subtree(&folded);
                self.keys
                    .range(from..to)
                    .next()
                    .map(|(_, below)| Box::from(leading(&below.path, path.split('\\').count())))
            }
        };
        let key = self.keys.entry(folded).or_insert_with(|| Key {
            path: spelled.unwrap_or_else(|| path.into_boxed_str()),
            data: KeyData::default(),
        });
        &mut key.data
    }

    /// Removes the key at canonical `path` and its subkeys.
    fn delete(&mut self, path: String) {
        let folded = fold_path(&path);
        let (from, to) = subtree(&folded);
        let doomed: Vec<Vec<u8>> = self.keys.range(from..to).map(|(k, _)| k.clone()).collect();
        for key in doomed {
            self.keys.remove(&key);
        }
        self.keys.remove(&folded);
    }

    /// The key at canonical `path`, declared or implied by a subkey.
    fn find(&self, path: &str) -> Option<KeyNode<'_>> {
        let folded = fold_path(path);
        if let Some(key) = self.keys.get(&folded) {
            return Some(KeyNode {
                view: self,
                path: &key.path,
                data: Some(&key.data),
            });
        }
        let (from, to) = subtree(&folded);
        let (_, below) = self.keys.range(from..to).next()?;
        Some(KeyNode {
            view: self,
            path: leading(&below.path, path.split('\\').count()),
            data: None,
        })
    }

    /// The key at `path` (`HKLM\...` or `HKEY_LOCAL_MACHINE\...`, any case;
    /// `CurrentControlSet` or the current `ControlSetNNN`).
    pub fn key(&self, path: &str) -> Option<KeyNode<'_>> {
        self.find(&self.resolve(path)?)
    }

    /// The value `name` of the key at `path`.
    pub fn value(&self, path: &str, name: &str) -> Option<&ViewValue> {
        self.key(path)?.value(name)
    }

    /// The source file and line of `origin` as `path:line`.
    pub fn locate(&self, origin: Origin) -> String {
        match self.sources.get(origin.source) {
            Some(source) => format!("{source}:{}", origin.line),
            None => format!("line {}", origin.line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exdoctor_parsers::reg::parse_reg;

    fn file(text: &str) -> RegFile<'static> {
        parse_reg(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_owned()
    }

    #[test]
    fn merges_files_with_aliases_and_control_sets() {
        let services = file(
            "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeIS]\n\"Start\"=dword:2\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Old]\n\"Start\"=dword:4\n",
        );
        let system = file(
            "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n\"Current\"=dword:2\n\
             [HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\MSExchangeIS]\n\"DisplayName\"=\"IS\"\n\
             [HKLM\\SYSTEM\\ControlSet002\\Services\\msexchangeis]\n\"start\"=dword:3\n\
             [-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\OLD]\n",
        );
        let view = RegistryView::from_files(&[("services.reg", &services), ("system.reg", &system)]);
        assert_eq!(view.control_set(), 2);
        let is = view
            .key("hklm\\system\\currentcontrolset\\services\\MSEXCHANGEIS")
            .unwrap_or_else(|| panic!("IS"));
        assert_eq!(
            is.path(),
            "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\MSExchangeIS"
        );
        assert_eq!(is.u32_value("START"), Some(3));
        assert_eq!(is.str_value("displayname"), Some("IS"));
        assert_eq!(
            is.value("start").map(|v| view.locate(v.origin)),
            Some("system.reg:7".to_string())
        );
        assert!(view
            .key("HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet002\\Services\\Old")
            .is_none());
        assert!(view
            .key("HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services")
            .is_none());
        let names: Vec<&str> = view
            .key("HKLM\\SYSTEM\\CurrentControlSet\\Services")
            .map(|k| k.subkeys().map(|s| s.name()).collect())
            .unwrap_or_default();
        assert_eq!(names, vec!["MSExchangeIS"]);
        assert_eq!(view.problem_count(), 0);
    }

    #[test]
    fn value_deletion_and_default_control_set() {
        let a = file("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\X]\n\"a\"=\"1\"\n\"b\"=\"2\"\n");
        let b = file("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\X]\n\"A\"=-\n");
        let c = file("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\X]\n\"a\"=\"3\"\n");
        let view = RegistryView::from_files(&[("a", &a), ("b", &b)]);
        assert_eq!(view.control_set(), 1);
        let x = view
            .key("HKLM\\SYSTEM\\CurrentControlSet\\X")
            .unwrap_or_else(|| panic!("X"));
        assert!(x.value("a").is_none());
        assert_eq!(x.str_value("B"), Some("2"));
        assert!(view.key("HKCU\\Software").is_none());
        // Deleted, then set again: it comes back after the values that stayed.
        let view = RegistryView::from_files(&[("a", &a), ("b", &b), ("c", &c)]);
        let x = view
            .key("HKLM\\SYSTEM\\ControlSet001\\X")
            .unwrap_or_else(|| panic!("X"));
        let values: Vec<(&str, Option<&str>)> = x.values().map(|v| (v.name.as_str(), v.data.as_str())).collect();
        assert_eq!(values, vec![("b", Some("2")), ("a", Some("3"))]);
    }

    #[test]
    fn implied_keys_subkeys_and_subtree_deletion() {
        let a = file(
            "REGEDIT4\n[HKEY_LOCAL_MACHINE\\S\\A\\B\\C]\n[HKEY_LOCAL_MACHINE\\S\\a0]\n\
             [HKEY_LOCAL_MACHINE\\S\\A\\B0]\n[hklm\\s\\a\\b]\n\"x\"=\"1\"\n",
        );
        let b = file("REGEDIT4\n[-HKEY_LOCAL_MACHINE\\s\\a\\b]\n");
        let names = |view: &RegistryView, path: &str| -> Vec<String> {
            view.key(path)
                .map(|k| k.subkeys().map(|s| s.path().to_string()).collect())
                .unwrap_or_default()
        };
        let view = RegistryView::from_files(&[("a", &a)]);
        assert_eq!(
            names(&view, "HKLM\\S"),
            ["HKEY_LOCAL_MACHINE\\S\\A", "HKEY_LOCAL_MACHINE\\S\\a0"]
        );
        assert_eq!(
            names(&view, "hklm\\s\\A"),
            ["HKEY_LOCAL_MACHINE\\S\\A\\B", "HKEY_LOCAL_MACHINE\\S\\A\\B0"]
        );
        let implied = view.key("HKLM\\s\\a").unwrap_or_else(|| panic!("implied key"));
        assert_eq!((implied.name(), implied.origin()), ("A", None));
        let declared = view.key("HKLM\\S\\A\\B").unwrap_or_else(|| panic!("declared key"));
        assert_eq!(
            declared.path(),
            "HKEY_LOCAL_MACHINE\\S\\A\\B",
            "spelled as first written"
        );
        assert_eq!(declared.origin().map(|o| o.line), Some(5));
        assert_eq!(declared.str_value("X"), Some("1"));
        assert_eq!(
            implied.descend("b\\c").map(|k| k.path()),
            Some("HKEY_LOCAL_MACHINE\\S\\A\\B\\C")
        );
        let view = RegistryView::from_files(&[("a", &a), ("b", &b)]);
        assert_eq!(names(&view, "HKLM\\S\\A"), ["HKEY_LOCAL_MACHINE\\S\\A\\B0"]);
        assert!(view.key("HKLM\\S\\A\\B\\C").is_none());
        assert!(view.key("HKLM\\S\\a0").is_some());
    }

    #[test]
    fn keys_windows_cannot_hold_are_left_out_and_reported() {
        let deep = format!("HKEY_LOCAL_MACHINE{}", "\\a".repeat(MAX_KEY_DEPTH + 1));
        let deepest = format!("HKEY_LOCAL_MACHINE{}", "\\a".repeat(MAX_KEY_DEPTH));
        let long = format!("HKEY_LOCAL_MACHINE\\SOFTWARE\\{}", "n".repeat(MAX_KEY_NAME_CHARS + 1));
        let text = format!(
            "REGEDIT4\n[{deep}]\n\"x\"=\"1\"\n[{deepest}]\n\"y\"=\"2\"\n[{long}]\n[-{deep}b]\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Ok]\n"
        );
        let parsed = file(&text);
        let view = RegistryView::from_files(&[("deep.reg", &parsed)]);
        let problems: Vec<String> = view.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "line 7: key path 513 levels deep (Windows allows 512); key and values skipped",
                "line 2: key path 513 levels deep (Windows allows 512); key and values skipped",
                "line 6: key name of 256 characters (Windows allows 255); key and values skipped",
            ]
        );
        let kept = view.key(&deepest).unwrap_or_else(|| panic!("512 levels are allowed"));
        assert_eq!(kept.str_value("y"), Some("2"));
        assert_eq!(kept.path(), deepest);
        assert!(kept.subkey("a").is_none());
        assert!(view.key("HKLM\\SOFTWARE\\Ok").is_some());
    }

    #[test]
    fn many_problems_are_counted_beyond_the_ones_kept() {
        let deep = format!("[HKEY_LOCAL_MACHINE{}]\n", "\\a".repeat(MAX_KEY_DEPTH + 1));
        // Distinct paths, so the parser keeps each key.
        let text: String = std::iter::once("REGEDIT4\n".to_string())
            .chain((0..MAX_PROBLEMS + 5).map(|i| deep.replacen("\\a]", &format!("\\b{i}]"), 1)))
            .collect();
        let view = RegistryView::from_files(&[("many.reg", &file(&text))]);
        assert_eq!(view.problems().len(), MAX_PROBLEMS);
        assert_eq!(view.problem_count(), (MAX_PROBLEMS + 5) as u64);
    }

    #[test]
    fn many_values_in_one_key_are_merged_by_name() {
        let a: String = std::iter::once("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n".to_string())
            .chain((0..5000).map(|i| format!("\"v{i}\"=\"a\"\n")))
            .collect();
        let b: String = std::iter::once("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n".to_string())
            .chain((0..5000).map(|i| format!("\"V{i}\"=-\n\"w{i}\"=\"b\"\n")))
            .collect();
        let (a, b) = (file(&a), file(&b));
        let view = RegistryView::from_files(&[("a", &a), ("b", &b)]);
        let x = view.key("HKLM\\SOFTWARE\\X").unwrap_or_else(|| panic!("X"));
        assert_eq!(x.values().count(), 5000);
        assert!(x.value("v4999").is_none());
        assert_eq!(x.str_value("W4999"), Some("b"));
    }
}
