//! Key paths: root names (full and abbreviated) and case-insensitive comparison.

use serde::Serialize;

/// A registry root key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegRoot {
    /// `HKEY_LOCAL_MACHINE` (`HKLM`).
    HkeyLocalMachine,
    /// `HKEY_CURRENT_USER` (`HKCU`).
    HkeyCurrentUser,
    /// `HKEY_CLASSES_ROOT` (`HKCR`).
    HkeyClassesRoot,
    /// `HKEY_USERS` (`HKU`).
    HkeyUsers,
    /// `HKEY_CURRENT_CONFIG` (`HKCC`).
    HkeyCurrentConfig,
    /// `HKEY_DYN_DATA` (Windows 9x).
    HkeyDynData,
}

impl RegRoot {
    /// The full name regedit writes, e.g. `HKEY_LOCAL_MACHINE`.
    pub fn full_name(self) -> &'static str {
        match self {
            RegRoot::HkeyLocalMachine => "HKEY_LOCAL_MACHINE",
            RegRoot::HkeyCurrentUser => "HKEY_CURRENT_USER",
            RegRoot::HkeyClassesRoot => "HKEY_CLASSES_ROOT",
            RegRoot::HkeyUsers => "HKEY_USERS",
            RegRoot::HkeyCurrentConfig => "HKEY_CURRENT_CONFIG",
            RegRoot::HkeyDynData => "HKEY_DYN_DATA",
        }
    }

    /// The root called `name` (case-insensitive) and whether `name` is an abbreviation.
    pub fn from_name(name: &str) -> Option<(RegRoot, bool)> {
        const NAMES: [(&str, RegRoot, bool); 11] = [
            ("HKEY_LOCAL_MACHINE", RegRoot::HkeyLocalMachine, false),
            ("HKEY_CURRENT_USER", RegRoot::HkeyCurrentUser, false),
            ("HKEY_CLASSES_ROOT", RegRoot::HkeyClassesRoot, false),
            ("HKEY_USERS", RegRoot::HkeyUsers, false),
            ("HKEY_CURRENT_CONFIG", RegRoot::HkeyCurrentConfig, false),
            ("HKEY_DYN_DATA", RegRoot::HkeyDynData, false),
            ("HKLM", RegRoot::HkeyLocalMachine, true),
            ("HKCU", RegRoot::HkeyCurrentUser, true),
            ("HKCR", RegRoot::HkeyClassesRoot, true),
            ("HKU", RegRoot::HkeyUsers, true),
            ("HKCC", RegRoot::HkeyCurrentConfig, true),
        ];
        NAMES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, root, abbreviated)| (root, abbreviated))
    }
}

/// Splits `path` into its root, whether the root was abbreviated, and the rest after the
/// first `\` (empty for the root itself). `None` when the first component is no root.
pub fn split_root(path: &str) -> Option<(RegRoot, bool, &str)> {
    let (first, rest) = match path.find('\\') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (path, ""),
    };
    RegRoot::from_name(first).map(|(root, abbreviated)| (root, abbreviated, rest))
}

/// Case-insensitive comparison of registry names (ASCII fast path, Unicode lowercase
/// otherwise).
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}

/// The case-folded form of a name, used as a map key.
pub(crate) fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_full_and_abbreviated() {
        assert_eq!(
            split_root("HKLM\\SOFTWARE\\x"),
            Some((RegRoot::HkeyLocalMachine, true, "SOFTWARE\\x"))
        );
        assert_eq!(
            split_root("hkey_current_user"),
            Some((RegRoot::HkeyCurrentUser, false, ""))
        );
        assert_eq!(split_root("SOFTWARE\\x"), None);
        assert_eq!(RegRoot::HkeyUsers.full_name(), "HKEY_USERS");
    }

    #[test]
    fn case_insensitive_names() {
        assert!(eq_ignore_case("Repeated-Key", "repeated-kEY"));
        assert!(eq_ignore_case("MÜLLER", "müller"));
        assert!(!eq_ignore_case("a", "ab"));
        assert_eq!(fold("ÄB"), "äb");
    }
}
