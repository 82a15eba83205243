//! Registry exports (`.reg`): regedit v5 (`Windows Registry Editor Version 5.00`, usually
//! UTF-16LE) and `REGEDIT4` (ANSI, read as Windows-1252).
//!
//! [`parse_reg`] decodes the file (encoding from the BOM), checks the header and reads
//! key lines, value lines, deletions and hex continuations. The result is the *net effect*
//! of the file: keys are merged case-insensitively in order of first appearance, values
//! inside a key are merged case-insensitively (last writer wins), and key deletions that
//! are not followed by a re-creation are listed apart. Applying a [`RegFile`] to an
//! existing registry means: first delete [`RegFile::deleted_keys`] (with their subkeys),
//! then apply [`RegFile::keys`] in order (a value whose data is `None` is deleted).
//!
//! Malformed lines become [`ParseError::Line`] diagnostics and the rest of the file is
//! still read; only a file that is not a regedit export at all (no header, the Wine
//! dialect) is an `Err`.
//!
//! Text that can be borrowed from the input (an all-ASCII ANSI file) is borrowed; text
//! of a UTF-16 file is decoded once in bulk and the parts that end up in the output are
//! copied out of that buffer.

mod builder;
mod data;
mod decode;
mod path;
mod syntax;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

pub use data::{
    split_multi_sz, type_name, RegData, REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ,
};
pub use path::{split_root, RegRoot};

/// Most diagnostics kept for one file; the rest are only counted.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// The header line of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegHeader {
    /// `Windows Registry Editor Version 5.00` (Windows 2000 and later). String data in
    /// `hex(N):` values is UTF-16LE.
    V5,
    /// `REGEDIT4` (Windows 9x/NT4 format). String data in `hex(N):` values is ANSI.
    Regedit4,
}

/// The text encoding the file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegEncoding {
    /// UTF-16 little endian (BOM `FF FE`, or recognised without BOM).
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// The ANSI code page, read as Windows-1252 (no BOM).
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// UTF-8 with a BOM (not written by regedit; accepted and flagged).
    #[serde(rename = "utf-8")]
    Utf8,
}

/// A parsed registry export: the net effect of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegFile<'a> {
    /// Which header the file has.
    pub header: RegHeader,
    /// How the text was decoded.
    pub encoding: RegEncoding,
    /// Keys that exist after applying the file, in order of first appearance, each with
    /// its merged values.
    pub keys: Vec<RegKey<'a>>,
    /// Keys the file deletes (`[-KEY]`, with all subkeys) and does not re-create.
    /// A key deleted and then re-created appears in both lists: deletion first.
    pub deleted_keys: Vec<KeyDeletion<'a>>,
    /// Problems found, each with its 1-based line number (at most [`MAX_DIAGNOSTICS`]).
    pub diagnostics: Vec<ParseError>,
    /// Number of problems found, including those beyond [`MAX_DIAGNOSTICS`].
    pub problem_count: u64,
    /// Number of lines in the file.
    pub line_count: u64,
}

/// One key of the export with its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegKey<'a> {
    /// The full key path as written (first spelling after the last deletion).
    pub path: Cow<'a, str>,
    /// 1-based line of the first `[KEY]` line for this key.
    pub line: u64,
    /// Values in order of first appearance; names unique case-insensitively.
    pub values: Vec<RegValue<'a>>,
}

/// A value line (`"name"=data`, `@=data` or a deletion `"name"=-`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegValue<'a> {
    /// The value name; empty for the default value `@`.
    pub name: Cow<'a, str>,
    /// 1-based line of the value line that won (the last one for this name).
    pub line: u64,
    /// The data, or `None` when the file deletes the value (`"name"=-`).
    pub data: Option<RegData<'a>>,
}

/// A key deletion `[-KEY]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyDeletion<'a> {
    /// The deleted key path as written (without the `-`).
    pub path: Cow<'a, str>,
    /// 1-based line of the deletion.
    pub line: u64,
}

impl<'a> RegFile<'a> {
    /// Number of value entries (set or deleted) in the file after merging.
    pub fn value_count(&self) -> usize {
        self.keys.iter().map(|k| k.values.len()).sum()
    }

    /// The key with `path`, compared case-insensitively (exact path, no root aliasing).
    pub fn key(&self, path: &str) -> Option<&RegKey<'a>> {
        self.keys.iter().find(|k| path::eq_ignore_case(&k.path, path))
    }

    /// Copies all borrowed text so the result no longer borrows the input.
    pub fn into_owned(self) -> RegFile<'static> {
        RegFile {
            header: self.header,
            encoding: self.encoding,
            keys: self.keys.into_iter().map(RegKey::into_owned).collect(),
            deleted_keys: self
                .deleted_keys
                .into_iter()
                .map(|d| KeyDeletion {
                    path: Cow::Owned(d.path.into_owned()),
                    line: d.line,
                })
                .collect(),
            diagnostics: self.diagnostics,
            problem_count: self.problem_count,
            line_count: self.line_count,
        }
    }
}

impl<'a> RegKey<'a> {
    /// The value called `name` (case-insensitive; `""` = default value).
    pub fn value(&self, name: &str) -> Option<&RegValue<'a>> {
        self.values.iter().find(|v| path::eq_ignore_case(&v.name, name))
    }

    /// Copies all borrowed text.
    pub fn into_owned(self) -> RegKey<'static> {
        RegKey {
            path: Cow::Owned(self.path.into_owned()),
            line: self.line,
            values: self.values.into_iter().map(RegValue::into_owned).collect(),
        }
    }
}

impl RegValue<'_> {
    /// Copies all borrowed text.
    pub fn into_owned(self) -> RegValue<'static> {
        RegValue {
            name: Cow::Owned(self.name.into_owned()),
            line: self.line,
            data: self.data.map(RegData::into_owned),
        }
    }
}

/// Parses a registry export.
///
/// Returns `Err(ParseError::WrongFormat)` when the file is not a regedit export (no
/// `Windows Registry Editor Version 5.00` / `REGEDIT4` header; the Wine dialect
/// `WINE REGISTRY Version 2` is named as such). Every other problem is a diagnostic in
/// the returned file.
pub fn parse_reg(input: &[u8]) -> Result<RegFile<'_>, ParseError> {
    let decoded = decode::decode(input);
    match decoded.text {
        Cow::Borrowed(text) => syntax::parse_text(text, decoded.encoding, decoded.problems, Cow::Borrowed),
        Cow::Owned(text) => syntax::parse_text(&text, decoded.encoding, decoded.problems, |s: &str| {
            Cow::Owned(s.to_owned())
        }),
    }
}

#[cfg(test)]
mod tests;
