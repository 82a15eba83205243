//! The merged registry of one host: several `.reg` exports applied in order into one
//! tree with case-insensitive lookup, full and abbreviated root names, and
//! `CurrentControlSet` resolved to the current `ControlSetNNN`.

use std::collections::BTreeMap;

use exdoctor_parsers::reg::{split_root, RegData, RegFile, RegRoot};
use serde::Serialize;

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

/// A key in the view.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyNode {
    name: String,
    path: String,
    children: BTreeMap<String, KeyNode>,
    values: Vec<ViewValue>,
    origin: Option<Origin>,
}

impl KeyNode {
    fn new(name: &str, path: String) -> KeyNode {
        KeyNode {
            name: name.to_string(),
            path,
            children: BTreeMap::new(),
            values: Vec::new(),
            origin: None,
        }
    }

    /// The last component of the path, as first written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical full path: full root name, `CurrentControlSet` resolved.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where the key was last declared (`None` for keys only implied by subkeys).
    pub fn origin(&self) -> Option<Origin> {
        self.origin
    }

    /// The subkeys, ordered by case-folded name.
    pub fn subkeys(&self) -> impl Iterator<Item = &KeyNode> {
        self.children.values()
    }

    /// The subkey called `name` (case-insensitive), one level down.
    pub fn subkey(&self, name: &str) -> Option<&KeyNode> {
        self.children.get(&fold(name))
    }

    /// The subkey at a relative path `a\b\c` (case-insensitive).
    pub fn descend(&self, relative: &str) -> Option<&KeyNode> {
        relative
            .split('\\')
            .filter(|c| !c.is_empty())
            .try_fold(self, |node, component| node.subkey(component))
    }

    /// The values in order of first appearance.
    pub fn values(&self) -> &[ViewValue] {
        &self.values
    }

    /// The value called `name` (case-insensitive; `""` = default value).
    pub fn value(&self, name: &str) -> Option<&ViewValue> {
        self.values.iter().find(|v| eq_fold(&v.name, name))
    }

    /// The text of a `REG_SZ`/`REG_EXPAND_SZ` value.
    pub fn str_value(&self, name: &str) -> Option<&str> {
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

    fn child_mut(&mut self, name: &str) -> &mut KeyNode {
        let path = format!("{}\\{}", self.path, name);
        self.children
            .entry(fold(name))
            .or_insert_with(|| KeyNode::new(name, path))
    }

    fn set(&mut self, name: &str, data: Option<RegData<'static>>, origin: Origin) {
        let at = self.values.iter().position(|v| eq_fold(&v.name, name));
        match (at, data) {
            (Some(i), Some(data)) => {
                if let Some(slot) = self.values.get_mut(i) {
                    *slot = ViewValue {
                        name: name.to_string(),
                        data,
                        origin,
                    };
                }
            }
            (None, Some(data)) => self.values.push(ViewValue {
                name: name.to_string(),
                data,
                origin,
            }),
            (Some(i), None) => {
                self.values.remove(i);
            }
            (None, None) => {}
        }
    }
}

fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

fn eq_fold(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        fold(a) == fold(b)
    }
}

/// Several exports of one host merged into one tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegistryView {
    sources: Vec<String>,
    roots: BTreeMap<RegRoot, KeyNode>,
    control_set: u32,
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
    /// first, then keys and values. Keys under unknown roots are left out.
    pub fn from_files<'f, 'a: 'f>(files: &[(&str, &'f RegFile<'a>)]) -> RegistryView {
        let mut view = RegistryView {
            sources: Vec::with_capacity(files.len()),
            roots: BTreeMap::new(),
            control_set: current_control_set(files),
        };
        for (index, (source, file)) in files.iter().enumerate() {
            view.sources.push((*source).to_string());
            for deletion in &file.deleted_keys {
                view.delete(&deletion.path);
            }
            for key in &file.keys {
                let Some(node) = view.node_mut(&key.path) else {
                    continue;
                };
                node.origin = Some(Origin {
                    source: index,
                    line: key.line,
                });
                for value in &key.values {
                    let origin = Origin {
                        source: index,
                        line: value.line,
                    };
                    node.set(&value.name, value.data.clone().map(RegData::into_owned), origin);
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
        self.roots.is_empty()
    }

    /// The root and the path components of `path`, with `CurrentControlSet` resolved.
    fn resolve<'p>(&self, path: &'p str) -> Option<(RegRoot, Vec<std::borrow::Cow<'p, str>>)> {
        let (root, _, rest) = split_root(path)?;
        let mut parts: Vec<std::borrow::Cow<'p, str>> =
            rest.split('\\').filter(|c| !c.is_empty()).map(Into::into).collect();
        if root == RegRoot::HkeyLocalMachine
            && parts.len() >= 2
            && parts[0].eq_ignore_ascii_case("SYSTEM")
            && parts[1].eq_ignore_ascii_case("CurrentControlSet")
        {
            parts[1] = format!("ControlSet{:03}", self.control_set).into();
        }
        Some((root, parts))
    }

    fn node_mut(&mut self, path: &str) -> Option<&mut KeyNode> {
        let (root, parts) = self.resolve(path)?;
        let mut node = self
            .roots
            .entry(root)
            .or_insert_with(|| KeyNode::new(root.full_name(), root.full_name().to_string()));
        for part in &parts {
            node = node.child_mut(part);
        }
        Some(node)
    }

    fn delete(&mut self, path: &str) {
        let Some((root, parts)) = self.resolve(path) else {
            return;
        };
        let Some((last, parents)) = parts.split_last() else {
            self.roots.remove(&root);
            return;
        };
        let mut node = self.roots.get_mut(&root);
        for part in parents {
            node = node.and_then(|n| n.children.get_mut(&fold(part)));
        }
        if let Some(parent) = node {
            parent.children.remove(&fold(last));
        }
    }

    /// The key at `path` (`HKLM\...` or `HKEY_LOCAL_MACHINE\...`, any case;
    /// `CurrentControlSet` or the current `ControlSetNNN`).
    pub fn key(&self, path: &str) -> Option<&KeyNode> {
        let (root, parts) = self.resolve(path)?;
        parts
            .iter()
            .try_fold(self.roots.get(&root)?, |node, part| node.subkey(part))
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
            .map(|k| k.subkeys().map(KeyNode::name).collect())
            .unwrap_or_default();
        assert_eq!(names, vec!["MSExchangeIS"]);
    }

    #[test]
    fn value_deletion_and_default_control_set() {
        let a = file("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\X]\n\"a\"=\"1\"\n\"b\"=\"2\"\n");
        let b = file("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\X]\n\"A\"=-\n");
        let view = RegistryView::from_files(&[("a", &a), ("b", &b)]);
        assert_eq!(view.control_set(), 1);
        let x = view
            .key("HKLM\\SYSTEM\\CurrentControlSet\\X")
            .unwrap_or_else(|| panic!("X"));
        assert!(x.value("a").is_none());
        assert_eq!(x.str_value("B"), Some("2"));
        assert!(view.key("HKCU\\Software").is_none());
    }
}
