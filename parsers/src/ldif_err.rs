//! The error file of `ldifde` (`ldif.err`), which Exchange setup's schema and AD
//! preparation writes next to its log (`%TEMP%\ldif.err`; the setup log names it:
//! "More details can be found in the error file: '...\ldif.err'").
//!
//! Shape (a real one, from an Exchange 2016 /PrepareSchema that stopped with error code
//! 8245):
//!
//! ```text
//! Entry DN: CN=ms-Exch-Coexistence-Domains,CN=Schema,CN=Configuration,DC=Solo,DC=local
//! Add error on entry starting on line 78: Unwilling To Perform
//!
//! The server side error is: 0x20bb Schema update failed: duplicate OID.
//!
//! The extended server error is:
//!
//! 000020BB: SvcErr: DSID-0326036D, problem 5003 (WILL_NOT_PERFORM), data 8379
//!
//!
//! An error has occurred in the program
//! ```
//!
//! - `Add error on entry starting on line N: <reason>`: the entry of the imported `.ldf`
//!   file starting on line N failed; the reason is the LDAP result text ("Unwilling To
//!   Perform" = LDAP result 53, which ldifde returns as its exit code in Win32 form: 8245 =
//!   0x2035 = `ERROR_DS_UNWILLING_TO_PERFORM`, the "error code 8245" of the setup log).
//! - `The server side error is: 0x20bb <text>`: the Win32 directory-service error the
//!   domain controller gave, the actual cause (0x20bb = 8379 = `ERROR_DS_DUP_OID`, "Schema
//!   update failed: duplicate OID."); see [`ds_error_name`].
//! - `The extended server error is:` then `<code>: <kind>: DSID-<id>, problem <n>
//!   (<NAME>), data <d>`: the same error as the server's extended error string (`SvcErr`
//!   = service error, problem 5003 = `WILL_NOT_PERFORM`; `data` is the Win32 error again,
//!   in decimal here).
//! - `Entry DN: <dn>` (written before the error line) names the entry; ldifde output
//!   also counts `N entries modified successfully.` (or `Number of Objects Modified: N`).
//!
//! Several entries may fail in one file (ldifde `-k`); each becomes an [`LdifErrEntry`].

use serde::{Deserialize, Serialize};

use crate::text::{decode_utf16be_lossy, decode_utf16le_lossy, detect_encoding, TextEncoding};
use crate::ParseError;

/// A parsed `ldif.err`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdifErr {
    /// The failed entries, in file order.
    pub entries: Vec<LdifErrEntry>,
    /// `N entries modified successfully.` / `Number of Objects Modified: N`, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_modified: Option<u64>,
    /// The file ends with ldifde's "An error has occurred in the program".
    pub program_error: bool,
    /// The text encoding of the file (`Utf8` also stands for the ANSI code page, read as
    /// Windows-1252 when the bytes are not UTF-8).
    pub encoding: TextEncoding,
}

/// One failed entry of the import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdifErrEntry {
    /// 1-based line of `ldif.err` where the entry's report starts.
    pub line: u64,
    /// The entry's distinguished name (`Entry DN:`), when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    /// The operation that failed: `Add`, `Modify`, ... (the word before "error on entry").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The line of the imported `.ldf` file where the entry starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ldif_line: Option<u64>,
    /// The LDAP result text, e.g. `Unwilling To Perform`, `Insufficient Rights`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `The server side error is: ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_error: Option<ServerError>,
    /// `The extended server error is: ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_error: Option<ExtendedError>,
}

/// The Win32 directory-service error the server gave, e.g. `0x20bb Schema update
/// failed: duplicate OID.`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerError {
    /// The error code (`0x20bb` = 8379).
    pub code: u32,
    /// The text after the code, as written.
    pub text: String,
}

impl ServerError {
    /// The `winerror.h` name of the code, when [`ds_error_name`] knows it.
    pub fn name(&self) -> Option<&'static str> {
        ds_error_name(self.code)
    }
}

/// The extended error string, e.g. `000020BB: SvcErr: DSID-0326036D, problem 5003
/// (WILL_NOT_PERFORM), data 8379`; its parts are `None` when not in that shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedError {
    /// The whole text (continuation lines joined with `\n`).
    pub text: String,
    /// The leading hex code (`000020BB` = 0x20bb).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// The kind of error: `SvcErr`, `SecErr`, `RefErr`, `AtrErr`, `NameErr`, `UpdErr` ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The `DSID-...` that locates the error in the directory service's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dsid: Option<String>,
    /// `problem 5003`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<u32>,
    /// The problem's name in parentheses: `WILL_NOT_PERFORM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem_name: Option<String>,
    /// What follows `data ` (its base depends on the error kind: kept as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// Win32 directory-service errors met in `ldif.err` files: (code, `winerror.h` name,
/// system message). Checked against Microsoft's "System Error Codes (8200-8999)" page
/// (MicrosoftDocs/win32, desktop-src/Debug/system-error-codes--8200-8999-.md, which
/// lists WinError.h).
const DS_ERRORS: &[(u32, &str, &str)] = &[
    (
        8202,
        "ERROR_DS_NO_ATTRIBUTE_OR_VALUE",
        "The specified directory service attribute or value does not exist.",
    ),
    (
        8205,
        "ERROR_DS_ATTRIBUTE_OR_VALUE_EXISTS",
        "The specified directory service attribute or value already exists.",
    ),
    (8224, "ERROR_DS_OPERATIONS_ERROR", "An operations error occurred."),
    (8235, "ERROR_DS_REFERRAL", "A referral was returned from the server."),
    (
        8239,
        "ERROR_DS_CONSTRAINT_VIOLATION",
        "A constraint violation occurred.",
    ),
    (
        8240,
        "ERROR_DS_NO_SUCH_OBJECT",
        "There is no such object on the server.",
    ),
    (
        8245,
        "ERROR_DS_UNWILLING_TO_PERFORM",
        "The server is unwilling to process the request.",
    ),
    (8250, "ERROR_DS_SERVER_DOWN", "The server is not operational."),
    (
        8344,
        "ERROR_DS_INSUFF_ACCESS_RIGHTS",
        "Insufficient access rights to perform the operation.",
    ),
    (8378, "ERROR_DS_DUP_RDN", "Schema update failed: duplicate RDN."),
    (8379, "ERROR_DS_DUP_OID", "Schema update failed: duplicate OID."),
    (
        8380,
        "ERROR_DS_DUP_MAPI_ID",
        "Schema update failed: duplicate MAPI identifier.",
    ),
    (
        8381,
        "ERROR_DS_DUP_SCHEMA_ID_GUID",
        "Schema update failed: duplicate schema-id GUID.",
    ),
    (
        8382,
        "ERROR_DS_DUP_LDAP_DISPLAY_NAME",
        "Schema update failed: duplicate LDAP display name.",
    ),
];

/// The `winerror.h` name of a Win32 directory-service error met in `ldif.err` files
/// and ldifde exit codes: `8245` (0x2035) -> `ERROR_DS_UNWILLING_TO_PERFORM`, `8379`
/// (0x20bb) -> `ERROR_DS_DUP_OID`, `8344` (0x2098) -> `ERROR_DS_INSUFF_ACCESS_RIGHTS` ...
/// `None` for codes outside the small verified table (source: Microsoft's "System Error
/// Codes (8200-8999)", WinError.h).
pub fn ds_error_name(code: u32) -> Option<&'static str> {
    DS_ERRORS.iter().find(|(c, _, _)| *c == code).map(|(_, name, _)| *name)
}

/// The system message of a code [`ds_error_name`] knows, e.g. 8379 -> "Schema update
/// failed: duplicate OID."
pub fn ds_error_message(code: u32) -> Option<&'static str> {
    DS_ERRORS.iter().find(|(c, _, _)| *c == code).map(|(_, _, text)| *text)
}

/// The text of the file: BOM / UTF-16 detection, else UTF-8, else Windows-1252.
fn decode(input: &[u8]) -> (String, TextEncoding) {
    let (encoding, bom) = detect_encoding(input);
    let body = &input[bom..];
    let text = match encoding {
        TextEncoding::Utf16Le => decode_utf16le_lossy(body),
        TextEncoding::Utf16Be => decode_utf16be_lossy(body),
        TextEncoding::Utf8 => match std::str::from_utf8(body) {
            Ok(text) => text.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
        },
    };
    (text, encoding)
}

const ERROR_ON_ENTRY: &str = " error on entry starting on line ";
const SERVER_ERROR: [&str; 2] = ["the server side error is", "the server-side error is"];
const EXTENDED_ERROR: &str = "the extended server error is";
const PROGRAM_ERROR: &str = "an error has occurred in the program";

/// True when `name` (a path or file name) is `ldif.err` (any case), or the start of
/// `bytes` reads like ldifde error output.
pub fn looks_like_ldif_err(name: &str, bytes: &[u8]) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if file.eq_ignore_ascii_case("ldif.err") {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let (text, _) = decode(head);
    let text = text.to_ascii_lowercase();
    text.contains(ERROR_ON_ENTRY.trim_start())
        || text.contains(EXTENDED_ERROR)
        || SERVER_ERROR.iter().any(|m| text.contains(m))
}

/// Text after `marker` (ASCII, matched case-insensitively) in `line`, with the colon
/// after it skipped.
fn after_marker<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    let at = line.to_ascii_lowercase().find(marker)?;
    let rest = line.get(at + marker.len()..)?;
    Some(rest.trim_start().strip_prefix(':').unwrap_or(rest).trim())
}

/// `Add error on entry starting on line 78: Unwilling To Perform` -> (Add, 78, reason).
fn error_line(line: &str) -> Option<(String, Option<u64>, Option<String>)> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find(ERROR_ON_ENTRY)?;
    let operation = line.get(..at)?.trim().to_string();
    let rest = line.get(at + ERROR_ON_ENTRY.len()..)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ldif_line = rest.get(..digits)?.parse().ok();
    let reason = rest
        .get(digits..)?
        .trim_start()
        .strip_prefix(':')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    Some((operation, ldif_line, reason))
}

/// `0x20bb Schema update failed: duplicate OID.` (the code may also be decimal).
fn server_error(text: &str) -> Option<ServerError> {
    let text = text.trim().trim_matches('"');
    let (code, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let code = match code.strip_prefix("0x").or_else(|| code.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => code.parse().ok()?,
    };
    Some(ServerError {
        code,
        text: rest.trim().to_string(),
    })
}

/// Splits `000020BB: SvcErr: DSID-0326036D, problem 5003 (WILL_NOT_PERFORM), data 8379`.
fn extended_error(text: &str) -> ExtendedError {
    let mut out = ExtendedError {
        text: text.to_string(),
        ..ExtendedError::default()
    };
    let first = text.lines().next().unwrap_or("");
    let mut parts = first.splitn(3, ':');
    let (Some(code), Some(kind)) = (parts.next(), parts.next()) else {
        return out;
    };
    let code = code.trim();
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
        return out;
    }
    out.code = u32::from_str_radix(code, 16).ok();
    out.kind = Some(kind.trim().to_string()).filter(|k| !k.is_empty());
    for piece in parts.next().unwrap_or("").split(',') {
        let piece = piece.trim();
        if piece.starts_with("DSID-") {
            out.dsid = Some(piece.to_string());
        } else if let Some(problem) = piece.strip_prefix("problem ") {
            let (number, name) = problem.split_once(' ').unwrap_or((problem, ""));
            out.problem = number.trim().parse().ok();
            let name = name.trim().trim_start_matches('(').trim_end_matches(')').trim();
            out.problem_name = Some(name.to_string()).filter(|n| !n.is_empty());
        } else if let Some(data) = piece.strip_prefix("data ") {
            out.data = Some(data.trim().to_string());
        }
    }
    out
}

/// `79 entries modified successfully.`, `1 entry modified successfully.`,
/// `Number of Objects Modified: 0`.
fn modified_count(line: &str) -> Option<u64> {
    let lower = line.trim().to_ascii_lowercase();
    if let Some(rest) = after_marker(&lower, "number of objects modified") {
        return rest.trim_end_matches('.').trim().parse().ok();
    }
    let (number, rest) = lower.split_once(' ')?;
    (rest.starts_with("entries modified successfully") || rest.starts_with("entry modified successfully"))
        .then(|| number.parse().ok())
        .flatten()
}

/// Reads an `ldif.err` file (UTF-8, UTF-16 with or without BOM, or ANSI). Lines it does
/// not know are skipped. `Err` when the text holds nothing of an ldifde error file; a
/// blank file is an `ldif.err` without errors.
pub fn parse_ldif_err(input: &[u8]) -> Result<LdifErr, ParseError> {
    let (text, encoding) = decode(input);
    let mut out = LdifErr {
        entries: Vec::new(),
        entries_modified: None,
        program_error: false,
        encoding,
    };
    let mut current: Option<LdifErrEntry> = None;
    // After `The extended server error is:` with nothing after it: the next text lines.
    let mut awaiting_extended = false;
    let mut in_extended = false;
    let mut recognized = false;
    let start_entry = |current: &mut Option<LdifErrEntry>, out: &mut LdifErr, line: u64| {
        if let Some(done) = current.take() {
            out.entries.push(done);
        }
        *current = Some(LdifErrEntry {
            line,
            ..LdifErrEntry::default()
        });
    };
    for (index, raw) in text.lines().enumerate() {
        let number = index as u64 + 1;
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() {
            in_extended = false;
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(dn) = lower.starts_with("entry dn:").then(|| line["entry dn:".len()..].trim()) {
            recognized = true;
            awaiting_extended = false;
            in_extended = false;
            start_entry(&mut current, &mut out, number);
            if let Some(entry) = current.as_mut() {
                entry.dn = Some(dn.to_string()).filter(|d| !d.is_empty());
            }
        } else if let Some((operation, ldif_line, reason)) = error_line(line) {
            recognized = true;
            awaiting_extended = false;
            in_extended = false;
            // A DN line written just before belongs to this error.
            let fresh = current
                .as_ref()
                .is_some_and(|e| e.operation.is_none() && e.server_error.is_none() && e.extended_error.is_none());
            if !fresh {
                start_entry(&mut current, &mut out, number);
            }
            if let Some(entry) = current.as_mut() {
                entry.operation = Some(operation).filter(|o| !o.is_empty());
                entry.ldif_line = ldif_line;
                entry.reason = reason;
            }
        } else if let Some(rest) = SERVER_ERROR.iter().find_map(|m| after_marker(line, m)) {
            recognized = true;
            awaiting_extended = false;
            in_extended = false;
            if current.as_ref().is_none_or(|e| e.server_error.is_some()) {
                start_entry(&mut current, &mut out, number);
            }
            if let Some(entry) = current.as_mut() {
                entry.server_error = server_error(rest).or(Some(ServerError {
                    code: 0,
                    text: rest.to_string(),
                }));
            }
        } else if let Some(rest) = after_marker(line, EXTENDED_ERROR) {
            recognized = true;
            in_extended = false;
            if current.as_ref().is_none_or(|e| e.extended_error.is_some()) {
                start_entry(&mut current, &mut out, number);
            }
            if rest.is_empty() {
                awaiting_extended = true;
            } else {
                awaiting_extended = false;
                in_extended = true;
                if let Some(entry) = current.as_mut() {
                    entry.extended_error = Some(extended_error(rest));
                }
            }
        } else if let Some(count) = modified_count(line) {
            recognized = true;
            awaiting_extended = false;
            in_extended = false;
            out.entries_modified = Some(count);
        } else if lower.starts_with(PROGRAM_ERROR) {
            recognized = true;
            awaiting_extended = false;
            in_extended = false;
            out.program_error = true;
        } else if awaiting_extended {
            awaiting_extended = false;
            in_extended = true;
            if let Some(entry) = current.as_mut() {
                entry.extended_error = Some(extended_error(line));
            }
        } else if in_extended {
            // Continuation of the extended error (`RefErr` lists its access points).
            if let Some(extended) = current.as_mut().and_then(|e| e.extended_error.as_mut()) {
                extended.text.push('\n');
                extended.text.push_str(line);
            }
        }
    }
    if let Some(done) = current.take() {
        out.entries.push(done);
    }
    if !recognized && !text.trim().is_empty() {
        return Err(ParseError::WrongFormat {
            expected: "ldif.err",
            reason: "no ldifde error, server error or modified-entries line".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ds_error_table_names_the_codes_of_the_schema_failure() {
        assert_eq!(ds_error_name(0x20bb), Some("ERROR_DS_DUP_OID"));
        assert_eq!(ds_error_name(8379), Some("ERROR_DS_DUP_OID"));
        assert_eq!(ds_error_name(8245), Some("ERROR_DS_UNWILLING_TO_PERFORM"));
        assert_eq!(0x2035, 8245);
        assert_eq!(ds_error_message(8379), Some("Schema update failed: duplicate OID."));
        assert_eq!(ds_error_name(0x2098), Some("ERROR_DS_INSUFF_ACCESS_RIGHTS"));
        assert_eq!(ds_error_name(1), None);
    }

    #[test]
    fn one_line_report_with_modified_count_and_referral() {
        // The shape of the AWS schema-extension troubleshooting page (one line).
        let text = "Add error on entry starting on line 1: Referral\r\n\
                    The server side error is: 0x202b A referral was returned from the server.\r\n\
                    The extended server error is: 0000202B: RefErr: DSID-0310082F, data 0, 1 access points\r\n\
                    \tref 1: 'example.com'\r\n\r\n\
                    Number of Objects Modified: 0\r\n";
        let err = parse_ldif_err(text.as_bytes()).expect("ldif.err");
        assert_eq!(err.entries.len(), 1);
        let entry = &err.entries[0];
        assert_eq!(entry.reason.as_deref(), Some("Referral"));
        assert_eq!(entry.server_error.as_ref().map(|s| s.code), Some(0x202b));
        assert_eq!(
            entry.server_error.as_ref().and_then(ServerError::name),
            Some("ERROR_DS_REFERRAL")
        );
        let extended = entry.extended_error.as_ref().expect("extended error");
        assert_eq!(extended.kind.as_deref(), Some("RefErr"));
        assert_eq!(extended.dsid.as_deref(), Some("DSID-0310082F"));
        assert_eq!(extended.data.as_deref(), Some("0"));
        assert_eq!(extended.problem, None);
        assert!(extended.text.ends_with("\nref 1: 'example.com'"), "{}", extended.text);
        assert_eq!(err.entries_modified, Some(0));
        assert!(!err.program_error);
    }

    #[test]
    fn several_entries_and_counts() {
        let text = "Add error on entry starting on line 1: Insufficient Rights\n\
                    The server side error is: 0x2098 Insufficient access rights to perform the operation.\n\
                    The extended server error is:\n\
                    00002098: SecErr: DSID-03151656, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0\n\n\
                    Entry DN: CN=b,DC=x\n\
                    Modify error on entry starting on line 9: No Such Object\n\
                    12 entries modified successfully.\n";
        let err = parse_ldif_err(text.as_bytes()).expect("ldif.err");
        assert_eq!(err.entries.len(), 2);
        assert_eq!(err.entries[0].dn, None);
        assert_eq!(
            err.entries[0].extended_error.as_ref().and_then(|e| e.problem),
            Some(4003)
        );
        assert_eq!(err.entries[1].dn.as_deref(), Some("CN=b,DC=x"));
        assert_eq!(err.entries[1].line, 6);
        assert_eq!(err.entries[1].operation.as_deref(), Some("Modify"));
        assert_eq!(err.entries[1].ldif_line, Some(9));
        assert_eq!(err.entries_modified, Some(12));
    }

    #[test]
    fn blank_is_empty_and_other_text_is_wrong_format() {
        assert_eq!(parse_ldif_err(b"\r\n  \r\n").expect("blank").entries, vec![]);
        assert!(matches!(
            parse_ldif_err(b"[01/08/2021 23:18:33.0453] [1] Started"),
            Err(ParseError::WrongFormat { .. })
        ));
    }
}
