//! The real ldif.err of an Exchange 2016 /PrepareSchema that stopped with error 8245
//! (corpus/setup-logs/css-exchange/KnownIssues, from Microsoft's CSS-Exchange tests), in
//! its own encoding and as UTF-16 and ANSI; sniffing; mutated copies never panic.

mod common;

use exdoctor_parsers::ldif_err::{ds_error_message, ds_error_name, looks_like_ldif_err, parse_ldif_err, LdifErr};
use exdoctor_parsers::text::TextEncoding;

fn real() -> Option<Vec<u8>> {
    let dir = common::corpus_dir()?;
    Some(std::fs::read(dir.join("setup-logs/css-exchange/KnownIssues/ldif.err")).expect("ldif.err readable"))
}

fn check_real(err: &LdifErr) {
    assert_eq!(err.entries.len(), 1);
    let entry = &err.entries[0];
    assert_eq!(entry.line, 1);
    assert_eq!(
        entry.dn.as_deref(),
        Some("CN=ms-Exch-Coexistence-Domains,CN=Schema,CN=Configuration,DC=Solo,DC=local")
    );
    assert_eq!(entry.operation.as_deref(), Some("Add"));
    assert_eq!(entry.ldif_line, Some(78));
    assert_eq!(entry.reason.as_deref(), Some("Unwilling To Perform"));
    let server = entry.server_error.as_ref().expect("server side error");
    assert_eq!(server.code, 0x20bb);
    assert_eq!(server.code, 8379);
    assert_eq!(server.text, "Schema update failed: duplicate OID.");
    assert!(server.text.contains("duplicate OID"));
    assert_eq!(server.name(), Some("ERROR_DS_DUP_OID"));
    let extended = entry.extended_error.as_ref().expect("extended server error");
    assert_eq!(
        extended.text,
        "000020BB: SvcErr: DSID-0326036D, problem 5003 (WILL_NOT_PERFORM), data 8379"
    );
    assert_eq!(extended.code, Some(0x20bb));
    assert_eq!(extended.kind.as_deref(), Some("SvcErr"));
    assert_eq!(extended.dsid.as_deref(), Some("DSID-0326036D"));
    assert_eq!(extended.problem, Some(5003));
    assert_eq!(extended.problem_name.as_deref(), Some("WILL_NOT_PERFORM"));
    assert_eq!(extended.data.as_deref(), Some("8379"));
    assert_eq!(err.entries_modified, None);
    assert!(err.program_error);
}

#[test]
fn real_ldif_err_of_a_failed_prepare_schema() {
    let Some(bytes) = real() else { return };
    let err = parse_ldif_err(&bytes).expect("ldif.err");
    assert_eq!(err.encoding, TextEncoding::Utf8);
    check_real(&err);
    // The setup log's "error code is: 8245" is the LDAP result of the entry; the server
    // side error is the cause.
    assert_eq!(ds_error_name(8245), Some("ERROR_DS_UNWILLING_TO_PERFORM"));
    assert_eq!(
        ds_error_message(8245),
        Some("The server is unwilling to process the request.")
    );
    assert_eq!(ds_error_message(0x20bb), Some("Schema update failed: duplicate OID."));
}

#[test]
fn same_file_in_utf16_and_ansi() {
    let Some(bytes) = real() else { return };
    let text = String::from_utf8(bytes).expect("ASCII");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.replace('\n', "\r\n").encode_utf16().flat_map(u16::to_le_bytes));
    let err = parse_ldif_err(&utf16).expect("UTF-16 ldif.err");
    assert_eq!(err.encoding, TextEncoding::Utf16Le);
    check_real(&err);
    // Without BOM too.
    let err = parse_ldif_err(&utf16[2..]).expect("UTF-16 ldif.err without BOM");
    check_real(&err);
    // An ANSI (Windows-1252) DN: é is one byte 0xE9.
    let ansi = text.replace("DC=Solo", "DC=Sol\u{e9}");
    let ansi: Vec<u8> = ansi
        .chars()
        .map(|c| if c == '\u{e9}' { 0xE9 } else { c as u8 })
        .collect();
    let err = parse_ldif_err(&ansi).expect("ANSI ldif.err");
    assert_eq!(
        err.entries[0].dn.as_deref(),
        Some("CN=ms-Exch-Coexistence-Domains,CN=Schema,CN=Configuration,DC=Sol\u{e9},DC=local")
    );
}

#[test]
fn sniffing_by_name_or_content() {
    let Some(bytes) = real() else { return };
    assert!(looks_like_ldif_err("ldif.err", b""));
    assert!(looks_like_ldif_err(r"C:\Users\Han\AppData\Local\Temp\LDIF.ERR", b""));
    assert!(looks_like_ldif_err("collected/ldifde-output.txt", &bytes));
    assert!(!looks_like_ldif_err(
        "ExchangeSetup.log",
        b"[01/08/2021 23:18:33.0453] [1] Started"
    ));
    assert!(!looks_like_ldif_err(
        "ldif.log",
        b"Connecting to \"dc25\"\r\nLoading entries.\r\n"
    ));
}

#[test]
fn mutated_copies_never_panic() {
    let Some(original) = real() else { return };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const INJECT: &[u8] = b":0123456789xX()., \r\n\xff\x00\xfe";
    for _ in 0..2_000 {
        let mut bytes = original.clone();
        for _ in 0..1 + next() % 8 {
            if bytes.is_empty() {
                break;
            }
            let at = (next() % bytes.len() as u64) as usize;
            match next() % 4 {
                0 => bytes[at] = INJECT[(next() % INJECT.len() as u64) as usize],
                1 => bytes.insert(at, INJECT[(next() % INJECT.len() as u64) as usize]),
                2 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        if let Ok(err) = parse_ldif_err(&bytes) {
            for entry in &err.entries {
                assert!(entry.line >= 1);
            }
        }
        let _ = looks_like_ldif_err("x", &bytes);
    }
}
