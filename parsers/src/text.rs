//! Text encoding helpers shared by the parsers: BOM detection and UTF-16LE decoding.

/// The text encoding of a file, detected from its BOM or its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 (with or without BOM) or any ASCII-compatible 8-bit code page.
    Utf8,
    /// UTF-16 little endian (BOM `FF FE`, or detected from zero high bytes).
    Utf16Le,
    /// UTF-16 big endian (BOM `FE FF`).
    Utf16Be,
}

/// Detects the encoding of `input` and returns it with the length of the BOM to skip.
///
/// Without a BOM, UTF-16LE is recognised when most odd bytes of the first 256 bytes are
/// zero and the even bytes are not (ASCII text saved as UTF-16 without BOM).
pub fn detect_encoding(input: &[u8]) -> (TextEncoding, usize) {
    match input {
        [0xEF, 0xBB, 0xBF, ..] => (TextEncoding::Utf8, 3),
        [0xFF, 0xFE, ..] => (TextEncoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (TextEncoding::Utf16Be, 2),
        _ => {
            let head = &input[..input.len().min(256)];
            let pairs = head.len() / 2;
            if pairs >= 4 {
                let odd_zero = head.chunks_exact(2).filter(|p| p[1] == 0 && p[0] != 0).count();
                if odd_zero * 10 >= pairs * 9 {
                    return (TextEncoding::Utf16Le, 0);
                }
            }
            (TextEncoding::Utf8, 0)
        }
    }
}

/// Decodes UTF-16LE bytes (without BOM) lossily. An odd trailing byte becomes U+FFFD.
pub fn decode_utf16le_lossy(bytes: &[u8]) -> String {
    decode_utf16_lossy(bytes, u16::from_le_bytes)
}

/// Decodes UTF-16BE bytes (without BOM) lossily. An odd trailing byte becomes U+FFFD.
pub fn decode_utf16be_lossy(bytes: &[u8]) -> String {
    decode_utf16_lossy(bytes, u16::from_be_bytes)
}

fn decode_utf16_lossy(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut out: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    out
}

/// Decodes a NUL-terminated UTF-16LE string at the start of `bytes`; returns the text
/// and the number of bytes consumed including the terminator (or all bytes if none).
pub fn utf16le_cstr(bytes: &[u8]) -> (String, usize) {
    let mut end = bytes.len() & !1;
    for (i, p) in bytes.chunks_exact(2).enumerate() {
        if p == [0, 0] {
            end = i * 2;
            return (decode_utf16le_lossy(&bytes[..end]), end + 2);
        }
    }
    (decode_utf16le_lossy(&bytes[..end]), bytes.len())
}

/// Share of bytes in `sample` that are neither printable ASCII, common whitespace nor
/// part of a valid UTF-8 sequence; used to tell text from binary garbage.
pub fn binary_ratio(sample: &[u8]) -> f64 {
    if sample.is_empty() {
        return 0.0;
    }
    let lossy = String::from_utf8_lossy(sample);
    let bad = lossy
        .chars()
        .filter(|c| *c == char::REPLACEMENT_CHARACTER || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')))
        .count();
    bad as f64 / lossy.chars().count().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_boms_and_bomless_utf16() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFabc"), (TextEncoding::Utf8, 3));
        assert_eq!(detect_encoding(b"\xFF\xFEa\0"), (TextEncoding::Utf16Le, 2));
        assert_eq!(detect_encoding(b"\xFE\xFF\0a"), (TextEncoding::Utf16Be, 2));
        assert_eq!(detect_encoding(b"[\x001\x002\x00/\x00"), (TextEncoding::Utf16Le, 0));
        assert_eq!(detect_encoding(b"[12/19/2020"), (TextEncoding::Utf8, 0));
    }

    #[test]
    fn decodes_utf16_with_odd_tail_and_cstr() {
        assert_eq!(decode_utf16le_lossy(b"h\0i\0"), "hi");
        assert_eq!(decode_utf16le_lossy(b"h\0i"), "h\u{FFFD}");
        assert_eq!(utf16le_cstr(b"a\0b\0\0\0c\0"), ("ab".to_string(), 6));
        assert_eq!(utf16le_cstr(b"a\0b"), ("a".to_string(), 3));
    }

    #[test]
    fn binary_ratio_separates_text_from_garbage() {
        assert!(binary_ratio(b"[12/19/2020 04:47:15.0307] [0] hello\r\n") < 0.01);
        assert!(binary_ratio(&[0u8, 1, 2, 3, 0xff, 0xfe, 0x80, 7]) > 0.5);
    }
}
