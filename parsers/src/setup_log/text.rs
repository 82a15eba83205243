//! [`Text`]: a borrowed byte string from a log, shown lossily when not UTF-8.

use std::borrow::Cow;
use std::fmt;

use memchr::memmem;

/// Bytes of the input (usually valid UTF-8 or ANSI), never copied; invalid UTF-8 is kept
/// as it is and shown with U+FFFD replacement characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Text<'a>(pub &'a [u8]);

impl<'a> Text<'a> {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text as UTF-8, borrowed when valid.
    pub fn to_str_lossy(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.0)
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Byte length.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text contains `needle` (case-sensitive).
    pub fn contains(&self, needle: &str) -> bool {
        memmem::find(self.0, needle.as_bytes()).is_some()
    }

    /// Whether the text contains `needle`, ASCII case-insensitively.
    pub fn contains_ignore_case(&self, needle: &str) -> bool {
        let n = needle.as_bytes();
        n.is_empty() || self.0.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    }

    /// Whether the text starts with `prefix`.
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.0.starts_with(prefix.as_bytes())
    }

    /// The text after `prefix`, if it starts with it.
    pub fn strip_prefix(&self, prefix: &str) -> Option<Text<'a>> {
        self.0.strip_prefix(prefix.as_bytes()).map(Text)
    }

    /// The text with ASCII whitespace trimmed on both ends.
    pub fn trim(&self) -> Text<'a> {
        Text(self.0.trim_ascii())
    }

    /// The text with one trailing `.` (and surrounding whitespace) removed.
    pub fn trim_end_dot(&self) -> Text<'a> {
        let t = self.0.trim_ascii();
        Text(t.strip_suffix(b".").unwrap_or(t).trim_ascii_end())
    }

    /// The text between the first `open` and the next `close` after it.
    pub fn between(&self, open: &str, close: &str) -> Option<Text<'a>> {
        let start = memmem::find(self.0, open.as_bytes())? + open.len();
        let len = memmem::find(&self.0[start..], close.as_bytes())?;
        Some(Text(&self.0[start..start + len]))
    }

    /// Splits at the first occurrence of `sep`.
    pub fn split_once(&self, sep: &str) -> Option<(Text<'a>, Text<'a>)> {
        let at = memmem::find(self.0, sep.as_bytes())?;
        Some((Text(&self.0[..at]), Text(&self.0[at + sep.len()..])))
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_str_lossy(), f)
    }
}

impl serde::Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_str_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let t = Text(b"Command Line Parameter Name='mode', Value='Upgrade'.");
        assert_eq!(t.between("Name='", "'"), Some(Text(b"mode")));
        assert!(t.contains_ignore_case("PARAMETER"));
        assert_eq!(
            Text(b" Setup version: 15.2.792.3. ").trim_end_dot(),
            Text(b"Setup version: 15.2.792.3")
        );
        assert_eq!(Text(b"caf\xe9").to_str_lossy(), "caf\u{FFFD}");
    }
}
