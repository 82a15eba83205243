//! `.reg` parser on hostile or damaged input: never a panic, always diagnostics with
//! line numbers, the rest of the file still read.

mod common;

use std::time::Instant;

use exdoctor_parsers::reg::{parse_reg, RegData, RegEncoding, RegFile};
use exdoctor_parsers::ParseError;

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn diag_lines(file: &RegFile<'_>) -> Vec<u64> {
    file.diagnostics
        .iter()
        .map(|d| match d {
            ParseError::Line { line, .. } => *line,
            other => panic!("unexpected diagnostic {other:?}"),
        })
        .collect()
}

/// Deterministic pseudo-random bytes (xorshift).
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn regedit4_windows_1252_bytes_decode() {
    let input = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\M\xfcller]\r\n\
                  \"DisplayName\"=\"J\xfcrgen M\xfcller \x80 5\"\r\n\"Expand\"=hex(2):4d,fc,00\r\n";
    let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.encoding, RegEncoding::Windows1252);
    assert!(file.diagnostics.is_empty());
    let key = file
        .key("hkey_local_machine\\software\\MÜLLER")
        .unwrap_or_else(|| panic!("key"));
    assert_eq!(key.path, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Müller");
    let display = key
        .value("displayname")
        .and_then(|v| v.data.as_ref())
        .and_then(RegData::as_str);
    assert_eq!(display, Some("Jürgen Müller € 5"));
    let expand = key
        .value("Expand")
        .and_then(|v| v.data.as_ref())
        .and_then(RegData::as_str);
    assert_eq!(expand, Some("Mü"));
}

#[test]
fn truncated_utf16_reports_the_last_line_and_keeps_the_rest() {
    let mut bytes =
        utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"a\"=dword:00000002\r\n");
    bytes.push(b'"');
    let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.keys[0].values[0].data, Some(RegData::Dword(2)));
    assert_eq!(diag_lines(&file), vec![4]);
    assert!(format!("{:?}", file.diagnostics[0]).contains("odd number of bytes"));
}

#[test]
fn continuation_at_end_of_file_is_reported_on_its_line() {
    let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"ok\"=\"1\"\r\n\
                \"multi\"=hex(7):41,00,\\\r\n  42,00,\\\r\n\r\n";
    let bytes = utf16(text);
    let file = parse_reg(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(diag_lines(&file), vec![6]);
    assert_eq!(file.keys[0].values.len(), 1);
    assert_eq!(file.keys[0].values[0].name, "ok");
}

#[test]
fn garbage_after_a_value_drops_only_that_value() {
    let input = b"REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\A]\n\"a\"=\"x\"y\n\"b\"=dword:00000001 zz\n\"c\"=hex:01,02 03\n\
                  \"d\"=\"kept\" ; comment\n";
    let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(diag_lines(&file), vec![4, 5, 6]);
    let names: Vec<&str> = file.keys[0].values.iter().map(|v| v.name.as_ref()).collect();
    assert_eq!(names, vec!["d"]);
}

/// A 100 MB export holding one REG_BINARY value of ~33 million bytes, wrapped as regedit
/// wraps it. Kept fast enough for debug builds.
#[test]
fn huge_single_hex_value() {
    const TARGET: usize = 100 << 20;
    let mut text = String::with_capacity(TARGET + 1024);
    text.push_str("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Big]\r\n\"blob\"=hex:");
    let line = "ab,".repeat(25) + "\\\r\n  ";
    while text.len() + line.len() < TARGET {
        text.push_str(&line);
    }
    text.push_str("cd\r\n\"after\"=dword:00000007\r\n");
    let start = Instant::now();
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let elapsed = start.elapsed();
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    let key = &file.keys[0];
    let blob = key
        .value("blob")
        .and_then(|v| v.data.as_ref())
        .and_then(RegData::as_bytes);
    let blob = blob.unwrap_or_else(|| panic!("blob missing"));
    assert!(blob.len() > 30_000_000, "{}", blob.len());
    assert_eq!(blob.last(), Some(&0xcd));
    assert!(blob[..blob.len() - 1].iter().all(|&b| b == 0xab));
    assert_eq!(
        key.value("after").and_then(|v| v.data.as_ref()),
        Some(&RegData::Dword(7))
    );
    eprintln!("100 MB hex value parsed in {elapsed:?}");
}

#[test]
fn binary_garbage_never_panics() {
    for seed in 1..40u64 {
        let noise = garbage(4096 + seed as usize * 97, seed);
        // Pure garbage: not an export at all.
        assert!(parse_reg(&noise).is_err() || noise.starts_with(b"REGEDIT4"));
        // Garbage behind a valid header (ANSI and UTF-16, even and odd lengths).
        let mut ansi = b"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\A]\r\n".to_vec();
        ansi.extend_from_slice(&noise);
        let file = parse_reg(&ansi).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.problem_count > 0);
        assert!(diag_lines(&file).iter().all(|&l| l >= 1 && l <= file.line_count));
        let mut wide = utf16("Windows Registry Editor Version 5.00\r\n");
        wide.extend_from_slice(&noise);
        let file = parse_reg(&wide).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.problem_count > 0);
    }
    // Structured garbage: brackets, quotes, backslashes and hex prefixes in every order.
    let pieces = [
        "[", "]", "\"", "\\", "=", "hex(7):", "dword:", "@", "-", ",", "\r\n", "  ", ";", "ff", "ü",
    ];
    let mut text = String::from("REGEDIT4\r\n");
    let noise = garbage(20_000, 7);
    for b in noise {
        text.push_str(pieces[usize::from(b) % pieces.len()]);
    }
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.problem_count > 0);
    assert!(file.diagnostics.len() <= exdoctor_parsers::reg::MAX_DIAGNOSTICS);
}

/// Random byte flips and truncations of a real sample export: no panic, and every
/// diagnostic line number lies inside the file.
#[test]
fn mutated_sample_exports_never_panic() {
    let path = common::samples_dir().join("sp1-interrupted/exchange.reg");
    let original = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let noise = garbage(4 * 300, 99);
    for round in 0..300usize {
        let mut bytes = original.clone();
        let pick =
            |k: usize| usize::from(noise[round * 4 + k]) << 8 | usize::from(noise[(round * 4 + k + 1) % noise.len()]);
        for k in 0..3 {
            let at = pick(k) % bytes.len();
            bytes[at] = noise[(round * 4 + k + 2) % noise.len()];
        }
        if round % 3 == 0 {
            bytes.truncate(pick(3) % bytes.len());
        }
        if let Ok(file) = parse_reg(&bytes) {
            assert!(diag_lines(&file).iter().all(|&l| l >= 1 && l <= file.line_count.max(1)));
        }
    }
}
