//! Value data: the registry types and their decoding from `hex(N):` bytes.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::decode::decode_string_data;

/// `REG_NONE`.
pub const REG_NONE: u32 = 0;
/// `REG_SZ`.
pub const REG_SZ: u32 = 1;
/// `REG_EXPAND_SZ`.
pub const REG_EXPAND_SZ: u32 = 2;
/// `REG_BINARY`.
pub const REG_BINARY: u32 = 3;
/// `REG_DWORD` (little endian).
pub const REG_DWORD: u32 = 4;
/// `REG_MULTI_SZ`.
pub const REG_MULTI_SZ: u32 = 7;
/// `REG_QWORD` (little endian).
pub const REG_QWORD: u32 = 11;

/// The data of a registry value, decoded by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegData<'a> {
    /// `REG_SZ`: `"text"` or `hex(1):`; ends at the first NUL.
    Sz(Cow<'a, str>),
    /// `REG_EXPAND_SZ` (`hex(2):`), unexpanded; ends at the first NUL.
    ExpandSz(String),
    /// `REG_BINARY` (`hex:` or `hex(3):`).
    Binary(Vec<u8>),
    /// `REG_DWORD`: `dword:` or `hex(4):` with exactly four bytes.
    Dword(u32),
    /// `REG_MULTI_SZ` (`hex(7):`), split into its strings (see [`split_multi_sz`]).
    MultiSz(Vec<String>),
    /// `REG_QWORD`: `hex(b):` with exactly eight bytes.
    Qword(u64),
    /// Any other type, and `hex(4)`/`hex(b)` of an unusual length: the raw bytes with
    /// their type number.
    Raw {
        /// The type number `N` of `hex(N):`.
        kind: u32,
        /// The bytes as written.
        bytes: Vec<u8>,
    },
}

impl<'a> RegData<'a> {
    /// Decodes the bytes of `hex(kind):`; string types are UTF-16LE when `utf16` (v5
    /// export) and ANSI (Windows-1252) otherwise (REGEDIT4).
    pub fn from_hex(kind: u32, bytes: &[u8], utf16: bool) -> RegData<'static> {
        match kind {
            REG_SZ => RegData::Sz(Cow::Owned(decode_string_data(until_nul(bytes, utf16), utf16))),
            REG_EXPAND_SZ => RegData::ExpandSz(decode_string_data(until_nul(bytes, utf16), utf16)),
            REG_BINARY => RegData::Binary(bytes.to_vec()),
            REG_DWORD => match <[u8; 4]>::try_from(bytes) {
                Ok(four) => RegData::Dword(u32::from_le_bytes(four)),
                Err(_) => RegData::Raw {
                    kind,
                    bytes: bytes.to_vec(),
                },
            },
            REG_MULTI_SZ => RegData::MultiSz(split_multi_bytes(bytes, utf16)),
            REG_QWORD => match <[u8; 8]>::try_from(bytes) {
                Ok(eight) => RegData::Qword(u64::from_le_bytes(eight)),
                Err(_) => RegData::Raw {
                    kind,
                    bytes: bytes.to_vec(),
                },
            },
            _ => RegData::Raw {
                kind,
                bytes: bytes.to_vec(),
            },
        }
    }

    /// The registry type number (`REG_SZ` = 1 ...).
    pub fn kind(&self) -> u32 {
        match self {
            RegData::Sz(_) => REG_SZ,
            RegData::ExpandSz(_) => REG_EXPAND_SZ,
            RegData::Binary(_) => REG_BINARY,
            RegData::Dword(_) => REG_DWORD,
            RegData::MultiSz(_) => REG_MULTI_SZ,
            RegData::Qword(_) => REG_QWORD,
            RegData::Raw { kind, .. } => *kind,
        }
    }

    /// The type name, e.g. `REG_SZ`; `REG_0x0000001f` style for unknown numbers.
    pub fn type_name(&self) -> Cow<'static, str> {
        type_name(self.kind())
    }

    /// The text of `REG_SZ` / `REG_EXPAND_SZ` data.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            RegData::Sz(s) => Some(s),
            RegData::ExpandSz(s) => Some(s),
            _ => None,
        }
    }

    /// A number from `REG_DWORD`, or from `hex(4):` data of 1 to 3 bytes (zero-extended,
    /// little endian).
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            RegData::Dword(v) => Some(*v),
            RegData::Raw { kind: REG_DWORD, bytes } if bytes.len() <= 4 => {
                Some(bytes.iter().rev().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
            }
            _ => None,
        }
    }

    /// A number from `REG_QWORD` or `REG_DWORD` data.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            RegData::Qword(v) => Some(*v),
            _ => self.as_u32().map(u64::from),
        }
    }

    /// The strings of `REG_MULTI_SZ` data.
    pub fn as_multi(&self) -> Option<&[String]> {
        match self {
            RegData::MultiSz(v) => Some(v),
            _ => None,
        }
    }

    /// The bytes of `REG_BINARY` and raw data.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            RegData::Binary(b) | RegData::Raw { bytes: b, .. } => Some(b),
            _ => None,
        }
    }

    /// Copies borrowed text.
    pub fn into_owned(self) -> RegData<'static> {
        match self {
            RegData::Sz(s) => RegData::Sz(Cow::Owned(s.into_owned())),
            RegData::ExpandSz(s) => RegData::ExpandSz(s),
            RegData::Binary(b) => RegData::Binary(b),
            RegData::Dword(v) => RegData::Dword(v),
            RegData::MultiSz(v) => RegData::MultiSz(v),
            RegData::Qword(v) => RegData::Qword(v),
            RegData::Raw { kind, bytes } => RegData::Raw { kind, bytes },
        }
    }
}

/// `{"type": "REG_SZ", "data": ...}`: strings as JSON strings, MULTI_SZ as an array,
/// numbers as numbers, bytes as lowercase hex without separators.
impl Serialize for RegData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("RegData", 2)?;
        s.serialize_field("type", &self.type_name())?;
        match self {
            RegData::Sz(v) => s.serialize_field("data", v)?,
            RegData::ExpandSz(v) => s.serialize_field("data", v)?,
            RegData::Binary(b) | RegData::Raw { bytes: b, .. } => s.serialize_field("data", &hex_string(b))?,
            RegData::Dword(v) => s.serialize_field("data", v)?,
            RegData::MultiSz(v) => s.serialize_field("data", v)?,
            RegData::Qword(v) => s.serialize_field("data", v)?,
        }
        s.end()
    }
}

/// The name of registry type `kind`.
pub fn type_name(kind: u32) -> Cow<'static, str> {
    Cow::Borrowed(match kind {
        0 => "REG_NONE",
        1 => "REG_SZ",
        2 => "REG_EXPAND_SZ",
        3 => "REG_BINARY",
        4 => "REG_DWORD",
        5 => "REG_DWORD_BIG_ENDIAN",
        6 => "REG_LINK",
        7 => "REG_MULTI_SZ",
        8 => "REG_RESOURCE_LIST",
        9 => "REG_FULL_RESOURCE_DESCRIPTOR",
        10 => "REG_RESOURCE_REQUIREMENTS_LIST",
        11 => "REG_QWORD",
        other => return Cow::Owned(format!("REG_0x{other:08x}")),
    })
}

/// Lowercase hex of `bytes`, no separators.
pub(super) fn hex_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The code-unit width of string data: 2 for UTF-16LE, 1 for ANSI.
fn unit_width(utf16: bool) -> usize {
    if utf16 {
        2
    } else {
        1
    }
}

/// Whether the unit at `at` (of width `w`) is NUL.
fn is_nul(bytes: &[u8], at: usize, w: usize) -> bool {
    bytes.get(at..at + w).is_some_and(|u| u.iter().all(|&b| b == 0))
}

/// String data up to its first NUL code unit (a string value ends there).
fn until_nul(bytes: &[u8], utf16: bool) -> &[u8] {
    let w = unit_width(utf16);
    let mut i = 0;
    while i + w <= bytes.len() {
        if is_nul(bytes, i, w) {
            return &bytes[..i];
        }
        i += w;
    }
    bytes
}

/// Splits `REG_MULTI_SZ` bytes into decoded strings, with the rules of
/// [`split_multi_sz`], decoding each string once from the bytes.
fn split_multi_bytes(bytes: &[u8], utf16: bool) -> Vec<String> {
    let w = unit_width(utf16);
    let mut body = bytes;
    if utf16 && body.len() % 2 == 1 && body.last() == Some(&0) {
        body = &body[..body.len() - 1];
    }
    if body.len() % w == 0 {
        for _ in 0..2 {
            if body.len() >= w && is_nul(body, body.len() - w, w) {
                body = &body[..body.len() - w];
            }
        }
    }
    if body.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + w <= body.len() {
        if is_nul(body, i, w) {
            out.push(decode_string_data(&body[start..i], utf16));
            start = i + w;
        }
        i += w;
    }
    out.push(decode_string_data(&body[start..], utf16));
    out
}

/// Splits decoded `REG_MULTI_SZ` text into its strings.
///
/// The data is `s1 NUL s2 NUL ... sn NUL NUL`: the final empty string ends the list.
/// One list terminator and one string terminator are removed from the end (either may
/// be missing, as in hand-written files), then the rest is split at each NUL. Empty
/// strings *inside* the list are kept (`a NUL NUL b NUL` = `["a", "", "b"]`); empty data
/// or a lone NUL is the empty list.
pub fn split_multi_sz(text: &str) -> Vec<String> {
    let body = text.strip_suffix('\0').unwrap_or(text);
    let body = body.strip_suffix('\0').unwrap_or(body);
    if body.is_empty() {
        return Vec::new();
    }
    body.split('\0').map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_sz_rules() {
        assert_eq!(split_multi_sz(""), Vec::<String>::new());
        assert_eq!(split_multi_sz("\0"), Vec::<String>::new());
        assert_eq!(split_multi_sz("a"), vec!["a"]);
        assert_eq!(split_multi_sz("a\0"), vec!["a"]);
        assert_eq!(split_multi_sz("a\0\0"), vec!["a"]);
        assert_eq!(split_multi_sz("a\0\0b\0"), vec!["a", "", "b"]);
        assert_eq!(split_multi_sz("a\0b\0\0"), vec!["a", "b"]);
        for text in ["", "\0", "a", "a\0", "a\0\0", "a\0\0b\0", "a\0b\0\0", "\0\0\0", "ab\0c"] {
            let wide: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert_eq!(split_multi_bytes(&wide, true), split_multi_sz(text), "{text:?}");
            assert_eq!(
                split_multi_bytes(text.as_bytes(), false),
                split_multi_sz(text),
                "{text:?}"
            );
        }
        assert_eq!(split_multi_bytes(b"a\0\0\0\0", true), vec!["a"]);
    }

    #[test]
    fn typed_decoding() {
        assert_eq!(RegData::from_hex(4, &[1, 0, 0, 0], true), RegData::Dword(1));
        let odd = RegData::from_hex(4, &[0x34, 0x12], true);
        assert_eq!(
            odd,
            RegData::Raw {
                kind: 4,
                bytes: vec![0x34, 0x12]
            }
        );
        assert_eq!(odd.as_u32(), Some(0x1234));
        assert_eq!(
            RegData::from_hex(11, &[0xff, 0, 0, 0, 0, 0, 0, 0], true),
            RegData::Qword(255)
        );
        assert_eq!(
            RegData::from_hex(2, b"%\0a\0%\0\0\0x\0", true),
            RegData::ExpandSz("%a%".into())
        );
        assert_eq!(RegData::from_hex(1, b"M\xfcller\0", false).as_str(), Some("Müller"));
        assert_eq!(RegData::from_hex(0x20, &[1], true).type_name(), "REG_0x00000020");
        assert_eq!(RegData::from_hex(5, &[1], true).type_name(), "REG_DWORD_BIG_ENDIAN");
    }

    #[test]
    fn serializes_by_type() {
        let j = serde_json::to_string(&RegData::Binary(vec![0, 0xab])).unwrap_or_default();
        assert_eq!(j, r#"{"type":"REG_BINARY","data":"00ab"}"#);
        let j = serde_json::to_string(&RegData::MultiSz(vec!["a".into()])).unwrap_or_default();
        assert_eq!(j, r#"{"type":"REG_MULTI_SZ","data":["a"]}"#);
    }
}
