//! Unit tests of the whole parser on small inputs.

use super::*;

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn lines_of(file: &RegFile<'_>) -> Vec<u64> {
    file.diagnostics
        .iter()
        .map(|d| match d {
            ParseError::Line { line, .. } => *line,
            _ => 0,
        })
        .collect()
}

#[test]
fn ascii_ansi_file_borrows_the_input() {
    let input = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n\"x\"=\"y\"\r\n";
    let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(file.keys[0].path, Cow::Borrowed(_)));
    assert!(matches!(file.keys[0].values[0].name, Cow::Borrowed("x")));
    assert_eq!(file.keys[0].values[0].data, Some(RegData::Sz(Cow::Borrowed("y"))));
    assert_eq!(file.header, RegHeader::Regedit4);
    assert_eq!(file.encoding, RegEncoding::Windows1252);
    assert_eq!(file.line_count, 4);
}

#[test]
fn utf16_file_with_continuations_comments_and_blank_lines() {
    let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\S]\r\n\
                \"DependOnService\"=hex(7):4e,00,74,00,\\\r\n\r\n; comment\r\n  4c,00,00,00,00,00\r\n\
                \"Esc\"=\"a\\\\b\\\"c\\n\"\r\n";
    let bytes = utf16(text);
    let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    let key = &file.keys[0];
    assert_eq!(
        key.value("dependonservice").and_then(|v| v.data.as_ref()),
        Some(&RegData::MultiSz(vec!["NtL".to_string()]))
    );
    assert_eq!(
        key.value("esc").and_then(|v| v.data.as_ref()).and_then(RegData::as_str),
        Some("a\\b\"c\\n")
    );
    assert_eq!(key.value("Esc").map(|v| v.line), Some(8));
}

#[test]
fn malformed_lines_are_reported_and_the_rest_parses() {
    let input = b"REGEDIT4\n[HKLM\\A]\n\"a\"=\"b\" garbage\n\"c\"=dword:123456789\n\"d\"=hex:zz\n\
                  junk\n\"e\"=dword:1\n[HKEY_LOCAL_MACHINE\\B\n\"f\"=hex:01,\\\n";
    let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines_of(&file), vec![2, 3, 4, 5, 6, 8, 9]);
    assert_eq!(file.keys.len(), 1);
    assert_eq!(file.keys[0].values.len(), 1);
    assert_eq!(file.keys[0].values[0].data, Some(RegData::Dword(1)));
    assert_eq!(file.problem_count, 7);
}

#[test]
fn continuation_interrupted_by_a_new_value_keeps_that_value() {
    let input = b"REGEDIT4\n[HKEY_CURRENT_USER\\A]\n\"a\"=hex:01,\\\n\"b\"=dword:2\n";
    let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines_of(&file), vec![3]);
    assert_eq!(file.keys[0].values.len(), 1);
    assert_eq!(file.keys[0].values[0].name, "b");
}

#[test]
fn wrong_formats() {
    assert!(matches!(parse_reg(b""), Err(ParseError::WrongFormat { .. })));
    assert!(matches!(
        parse_reg(b"WINE REGISTRY Version 2\n"),
        Err(ParseError::WrongFormat { reason, .. }) if reason.contains("Wine")
    ));
    assert!(matches!(
        parse_reg(&[0u8, 1, 2, 3, 0xff]),
        Err(ParseError::WrongFormat { .. })
    ));
}

#[test]
fn joined_exports_repeat_the_header() {
    let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"a\"=dword:00000001\r\n\r\n\
                \u{feff}Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\B]\r\n\"b\"=\"x\"\r\nREGEDIT4\r\n";
    let bytes = utf16(text);
    let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines_of(&file), vec![10]);
    let paths: Vec<&str> = file.keys.iter().map(|k| k.path.as_ref()).collect();
    assert_eq!(paths, vec!["HKEY_LOCAL_MACHINE\\A", "HKEY_LOCAL_MACHINE\\B"]);
}
