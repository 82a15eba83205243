//! The regashii `.reg` test files (shared corpus) parse to the values the format
//! defines. Expected tables are written from the files themselves.
//!
//! MULTI_SZ: the regashii file names (`a-_`, `a-b-_`) describe the raw NUL separation;
//! the parser follows the registry's meaning (the list ends at the empty string, one
//! list and one string terminator are dropped, empty strings inside are kept), so `a-_`
//! is `["a"]` and `a-_-b` is `["a", "", "b"]`.

mod common;

use std::borrow::Cow;
use std::path::PathBuf;

use exdoctor_parsers::reg::{parse_reg, RegData, RegEncoding, RegFile, RegHeader};
use exdoctor_parsers::ParseError;

fn regashii() -> Option<PathBuf> {
    common::corpus_dir().map(|d| d.join("reg/regashii"))
}

fn parse(name: &str) -> Option<RegFile<'static>> {
    let dir = regashii()?;
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(parse_reg(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")).into_owned())
}

fn sz(s: &str) -> Option<RegData<'static>> {
    Some(RegData::Sz(Cow::Owned(s.to_string())))
}

fn expand(s: &str) -> Option<RegData<'static>> {
    Some(RegData::ExpandSz(s.to_string()))
}

fn multi(items: &[&str]) -> Option<RegData<'static>> {
    Some(RegData::MultiSz(items.iter().map(|s| s.to_string()).collect()))
}

fn bin(bytes: &[u8]) -> Option<RegData<'static>> {
    Some(RegData::Binary(bytes.to_vec()))
}

/// Expected values of one key: (name, data; `None` = deleted).
type Values = Vec<(&'static str, Option<RegData<'static>>)>;

/// Asserts that `file` has exactly the keys `expected` (path, values in order).
fn assert_keys(file: &RegFile<'_>, expected: &[(&str, Values)]) {
    let got: Vec<&str> = file.keys.iter().map(|k| k.path.as_ref()).collect();
    let want: Vec<&str> = expected.iter().map(|(p, _)| *p).collect();
    assert_eq!(got, want, "key paths");
    for (key, (path, values)) in file.keys.iter().zip(expected) {
        let got: Vec<(&str, Option<&RegData<'_>>)> =
            key.values.iter().map(|v| (v.name.as_ref(), v.data.as_ref())).collect();
        let want: Vec<(&str, Option<&RegData<'_>>)> = values.iter().map(|(n, d)| (*n, d.as_ref())).collect();
        assert_eq!(got, want, "values of {path}");
    }
}

fn complex_values() -> Values {
    vec![
        ("binary-a", bin(b"a")),
        ("binary-a-b", bin(b"ab")),
        ("dword-0", Some(RegData::Dword(0))),
        ("dword-255", Some(RegData::Dword(255))),
        ("expand-sz", expand("")),
        ("expand-sz-a", expand("a")),
        ("multi-sz", multi(&[])),
        ("multi-sz-a", multi(&["a"])),
        ("multi-sz-a-b", multi(&["a", "b"])),
        ("qword-0", Some(RegData::Qword(0))),
        ("qword-255", Some(RegData::Qword(255))),
        ("sz-a", sz("a")),
        ("sz-sp\\ec\"ial", sz("sp\\ec\"ial")),
    ]
}

#[test]
fn complex_regedit4_and_regedit5_decode_every_type() {
    for (name, header, encoding) in [
        ("complex-regedit4.reg", RegHeader::Regedit4, RegEncoding::Windows1252),
        ("complex-regedit5.reg", RegHeader::V5, RegEncoding::Utf16Le),
    ] {
        let Some(file) = parse(name) else { return };
        assert_eq!(file.header, header, "{name}");
        assert_eq!(file.encoding, encoding, "{name}");
        assert!(file.diagnostics.is_empty(), "{name}: {:?}", file.diagnostics);
        assert!(file.deleted_keys.is_empty());
        assert_keys(
            &file,
            &[("HKEY_CURRENT_USER\\Software\\regashii\\complex", complex_values())],
        );
    }
}

#[test]
fn irregular_file_odd_cases() {
    let Some(file) = parse("irregular-regedit5.reg") else {
        return;
    };
    // ANSI bytes with a v5 header: hex(1) data is still UTF-16LE.
    assert_eq!(file.header, RegHeader::V5);
    assert_eq!(file.encoding, RegEncoding::Windows1252);
    let long: Vec<u8> = (0u8..=0x1f).collect();
    assert_keys(
        &file,
        &[(
            // The key runs to the last ']' of the line; " addendum ; blah" is ignored.
            "HKEY_CURRENT_USER\\Software\\regashii\\\\irre]\";gular",
            vec![
                ("", sz("")),
                (
                    "dword",
                    Some(RegData::Raw {
                        kind: 4,
                        bytes: vec![0],
                    }),
                ),
                ("sz-line-break", sz("a\nb")),
                ("hex-continuations", bin(&[0, 1, 2])),
                ("semi;colons", sz("and\"quotes;")),
                (
                    "hex-continuations-with-long-name ............................................ end",
                    Some(RegData::Binary(long)),
                ),
            ],
        )],
    );
    let odd = file.keys[0].value("dword").and_then(|v| v.data.as_ref());
    assert_eq!(odd.and_then(RegData::as_u32), Some(0));
    // `dword:00000000\` is not a continuation: the line is reported and skipped.
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    assert!(matches!(&file.diagnostics[0], ParseError::Line { line: 11, message } if message.contains("dword")));
}

#[test]
fn japanese_utf16_names_and_data() {
    let Some(file) = parse("japanese-regedit5.reg") else {
        return;
    };
    assert!(file.diagnostics.is_empty());
    assert_keys(
        &file,
        &[(
            "HKEY_CURRENT_USER\\Software\\regashii\\日本語",
            vec![
                ("sz-あ", sz("あ")),
                ("expand-sz", expand("あ")),
                ("multi-sz-1", multi(&["あ"])),
                ("multi-sz-2", multi(&["あ", "い"])),
            ],
        )],
    );
}

#[test]
fn multi_sz_separation_in_both_formats() {
    for name in ["multi-sz-separation-regedit4.reg", "multi-sz-separation-regedit5.reg"] {
        let Some(file) = parse(name) else { return };
        assert!(file.diagnostics.is_empty(), "{name}");
        assert_keys(
            &file,
            &[(
                "HKEY_CURRENT_USER\\Software\\regashii\\multi-sz-separation",
                vec![
                    ("a", multi(&["a"])),
                    ("a-_", multi(&["a"])),
                    ("a-_-b", multi(&["a", "", "b"])),
                    ("a-b", multi(&["a", "b"])),
                    ("a-b-_", multi(&["a", "b"])),
                ],
            )],
        );
    }
}

#[test]
fn repetition_merges_case_insensitively_and_applies_deletions_in_order() {
    let Some(file) = parse("repetition-regedit5.reg") else {
        return;
    };
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    // "repeated-Key" (foo=1) is deleted by [-...repeated-key]; the value below the
    // deletion ("skipped") is ignored; the key is then re-created as "repeated-kEy" and
    // continued as "repeated-keY".
    assert_keys(
        &file,
        &[
            (
                "HKEY_CURRENT_USER\\Software\\regashii\\repeated-kEy",
                vec![("bar", sz("2")), ("baz", sz("3"))],
            ),
            // foo=1, FOO=- (deleted), fOo=2, foO=3: one value, the last writer wins.
            (
                "HKEY_CURRENT_USER\\Software\\regashii\\repeated-value",
                vec![("foO", sz("3"))],
            ),
        ],
    );
    assert_eq!(file.keys[0].line, 9);
    assert_eq!(file.keys[1].values[0].line, 19);
    assert_eq!(file.deleted_keys.len(), 1);
    assert_eq!(
        file.deleted_keys[0].path,
        "HKEY_CURRENT_USER\\Software\\regashii\\repeated-key"
    );
    assert_eq!(file.deleted_keys[0].line, 6);
}

#[test]
fn simple_files_with_value_and_key_deletions() {
    for name in ["simple-regedit4.reg", "simple-regedit5.reg"] {
        let Some(file) = parse(name) else { return };
        assert!(file.diagnostics.is_empty(), "{name}");
        assert_keys(
            &file,
            &[(
                "HKEY_CURRENT_USER\\Software\\regashii\\simple",
                vec![
                    ("", sz("default")),
                    ("sz-a", sz("a")),
                    ("dword-1", Some(RegData::Dword(1))),
                    ("binary-a", bin(b"a")),
                    ("remove", None),
                ],
            )],
        );
        let deleted: Vec<&str> = file.deleted_keys.iter().map(|d| d.path.as_ref()).collect();
        assert_eq!(deleted, vec!["HKEY_CURRENT_USER\\Software\\regashii\\remove"], "{name}");
    }
}

#[test]
fn sample_with_lf_line_ends() {
    let Some(file) = parse("sample.reg") else { return };
    assert_eq!(file.encoding, RegEncoding::Utf16Le);
    assert_keys(
        &file,
        &[(
            "HKEY_CURRENT_USER\\Software\\Foo",
            vec![("", sz("some string")), ("this is a dword", Some(RegData::Dword(255)))],
        )],
    );
}

#[test]
fn wine_dialect_is_not_a_regedit_export() {
    let Some(dir) = regashii() else { return };
    let bytes = std::fs::read(dir.join("wine-v2.reg")).unwrap_or_default();
    assert!(!bytes.is_empty());
    match parse_reg(&bytes) {
        Err(ParseError::WrongFormat { reason, .. }) => assert!(reason.contains("Wine"), "{reason}"),
        other => panic!("expected WrongFormat, got {other:?}"),
    }
}

#[test]
fn every_corpus_file_has_an_expectation() {
    let Some(dir) = regashii() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".reg"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "complex-regedit4.reg",
            "complex-regedit5.reg",
            "irregular-regedit5.reg",
            "japanese-regedit5.reg",
            "multi-sz-separation-regedit4.reg",
            "multi-sz-separation-regedit5.reg",
            "repetition-regedit5.reg",
            "sample.reg",
            "simple-regedit4.reg",
            "simple-regedit5.reg",
            "wine-v2.reg",
        ]
    );
}
