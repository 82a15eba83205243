//! Format detection from file content (the name is only a tie-breaker).

use crate::model::SourceKind;
use exdoctor_parsers::text::{decode_utf16be_lossy, decode_utf16le_lossy, detect_encoding, TextEncoding};

/// How much of the file head is looked at.
const HEAD: usize = 8192;

/// Decides the kind of a file from its first bytes; `name` (file name) breaks ties for
/// text files that are empty or carry no signature. `None` = not an input we read.
pub fn sniff(name: &str, bytes: &[u8]) -> Option<SourceKind> {
    if bytes.starts_with(b"ElfFile\0") {
        return Some(SourceKind::Evtx);
    }
    if bytes.len() >= 8 && &bytes[4..8] == b"LfLe" {
        return Some(SourceKind::Evt);
    }
    let head = head_text(&bytes[..bytes.len().min(HEAD)]);
    let trimmed = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with("Windows Registry Editor Version")
        || trimmed.starts_with("REGEDIT4")
        || trimmed.starts_with("WINE REGISTRY Version")
    {
        return Some(SourceKind::Reg);
    }
    let xml_start = ["<?xml", "<Events", "<Event ", "<Event>"]
        .iter()
        .any(|p| trimmed.starts_with(p));
    if xml_start && head.contains("<Event") {
        return Some(SourceKind::EventXml);
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if looks_like_event_csv_header(first_line) {
        return Some(SourceKind::EventCsv);
    }
    if exdoctor_parsers::ldif_err::looks_like_ldif_err(name, bytes) {
        return Some(SourceKind::LdifErr);
    }
    if trimmed.lines().take(20).any(looks_like_setup_log_line) {
        return Some(SourceKind::SetupLog);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".ps1") && exdoctor_parsers::task_script::looks_like_task_script(bytes) {
        return Some(SourceKind::TaskScript);
    }
    if lower.starts_with("exchangesetup") && lower.ends_with(".log") {
        return Some(SourceKind::SetupLog);
    }
    // Binary logs whose header is damaged: the parsers can still scan them.
    if bytes.is_empty() || lower.ends_with(".evt") || lower.ends_with(".evtx") {
        return match lower.rsplit('.').next() {
            Some("evtx") => Some(SourceKind::Evtx),
            Some("evt") => Some(SourceKind::Evt),
            Some("reg") => Some(SourceKind::Reg),
            _ => None,
        };
    }
    None
}

/// The head of the file as text, whatever its encoding.
fn head_text(head: &[u8]) -> String {
    match detect_encoding(head) {
        (TextEncoding::Utf8, bom) => String::from_utf8_lossy(&head[bom..]).into_owned(),
        (TextEncoding::Utf16Le, bom) => decode_utf16le_lossy(&head[bom..(head.len() & !1).max(bom)]),
        (TextEncoding::Utf16Be, bom) => decode_utf16be_lossy(&head[bom..(head.len() & !1).max(bom)]),
    }
}

/// `Level,Date and Time,Source,Event ID,Task Category` (English Event Viewer), or any
/// header of short column names with a source (or provider) and an event id column.
/// Prose that mentions the words (a comment, a README) is not a header.
fn looks_like_event_csv_header(line: &str) -> bool {
    let columns: Vec<String> = line
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    let is = |names: &[&str]| columns.iter().any(|c| names.contains(&c.as_str()));
    columns.len() >= 3
        && columns.iter().all(|c| c.len() <= 40)
        && is(&["event id", "eventid", "event_id", "id"])
        && is(&["source", "provider", "provider name", "providername"])
}

/// `[<date> <time>] [<digit>] ...`
fn looks_like_setup_log_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('[') else {
        return false;
    };
    let Some(close) = rest.find("] [") else {
        return false;
    };
    let stamp = &rest[..close];
    let after = &rest[close + 3..];
    stamp.len() >= 12
        && stamp.len() <= 32
        && stamp.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && stamp.contains(':')
        && after.as_bytes().first().is_some_and(|b| b.is_ascii_digit())
        && after.as_bytes().get(1) == Some(&b']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_viewer_headers_and_not_prose() {
        assert!(looks_like_event_csv_header(
            "Level,Date and Time,Source,Event ID,Task Category"
        ));
        assert!(looks_like_event_csv_header(
            "\"Level\",\"Date and Time\",\"Source\",\"Event ID\""
        ));
        assert!(!looks_like_event_csv_header(
            "//! The other channels: the names, providers, event ids and EventData field names"
        ));
        assert_eq!(
            sniff(
                "channels.rs",
                b"//! names, providers, event ids and fields\nfn main() {}\n"
            ),
            None
        );
    }

    #[test]
    fn sniffs_binary_logs() {
        assert_eq!(sniff("x", b"ElfFile\0rest"), Some(SourceKind::Evtx));
        assert_eq!(sniff("x", b"\x30\0\0\0LfLe\x01\0\0\0"), Some(SourceKind::Evt));
    }

    #[test]
    fn sniffs_text_formats_by_content_not_name() {
        assert_eq!(
            sniff("a.txt", b"[12/19/2020 04:47:15.0307] [0] ****\r\n"),
            Some(SourceKind::SetupLog)
        );
        assert_eq!(
            sniff("a.txt", b"[30.11.2007 17:35:15] [2] Deleteting DS object\n"),
            Some(SourceKind::SetupLog)
        );
        assert_eq!(
            sniff("a.txt", b"[11/30/2007 5:35:15 PM] [1] Evaluated\n"),
            Some(SourceKind::SetupLog)
        );
        let utf16: Vec<u8> = "\u{feff}Windows Registry Editor Version 5.00\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff("a.bin", &utf16), Some(SourceKind::Reg));
        assert_eq!(sniff("a", b"REGEDIT4\r\n"), Some(SourceKind::Reg));
        assert_eq!(
            sniff("a", b"<?xml version=\"1.0\"?>\n<Events><Event xmlns="),
            Some(SourceKind::EventXml)
        );
        assert_eq!(
            sniff("a", b"Level,Date and Time,Source,Event ID,Task Category\r\n"),
            Some(SourceKind::EventCsv)
        );
        assert_eq!(sniff("notes.txt", b"hello world"), None);
        assert_eq!(sniff("LDIF.ERR", b""), Some(SourceKind::LdifErr));
        assert_eq!(
            sniff(
                "export-errors.txt",
                b"Entry DN: CN=x,CN=Schema\r\nAdd error on entry starting on line 78: Unwilling To Perform\r\n"
            ),
            Some(SourceKind::LdifErr)
        );
        assert_eq!(
            sniff("ExchangeSetup.log", b"\x00\x01garbage"),
            Some(SourceKind::SetupLog)
        );
    }
}
