//! Turns the bytes of a `.reg` file into text: UTF-16LE when the BOM says so (or when
//! the first character is clearly UTF-16 without BOM), else the ANSI code page read as
//! Windows-1252. Never UTF-8 unless a UTF-8 BOM says so.

use std::borrow::Cow;

use encoding_rs::{UTF_16LE, UTF_8, WINDOWS_1252};

use super::RegEncoding;

/// The decoded text and what was noticed on the way (message, to be put on line 1 or
/// on the last line by the caller).
pub(super) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: RegEncoding,
    pub problems: Vec<DecodeProblem>,
}

/// A problem found while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DecodeProblem {
    /// UTF-16 with an odd number of bytes: the last byte was dropped.
    OddUtf16Length,
    /// UTF-16LE recognised without a BOM.
    Utf16WithoutBom,
    /// A UTF-8 BOM (regedit never writes one).
    Utf8Bom,
    /// Invalid UTF-16 (unpaired surrogates) or UTF-8 replaced by U+FFFD.
    Malformed,
}

/// Decodes `input` in one pass.
pub(super) fn decode(input: &[u8]) -> Decoded<'_> {
    let mut problems = Vec::new();
    let (encoding, body) = match input {
        [0xFF, 0xFE, rest @ ..] => (RegEncoding::Utf16Le, rest),
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            problems.push(DecodeProblem::Utf8Bom);
            (RegEncoding::Utf8, rest)
        }
        [first, 0, ..] if *first != 0 => {
            problems.push(DecodeProblem::Utf16WithoutBom);
            (RegEncoding::Utf16Le, input)
        }
        _ => (RegEncoding::Windows1252, input),
    };
    let text = match encoding {
        RegEncoding::Utf16Le => {
            let even = if body.len() % 2 == 1 {
                problems.push(DecodeProblem::OddUtf16Length);
                &body[..body.len() - 1]
            } else {
                body
            };
            let (text, had_errors) = UTF_16LE.decode_without_bom_handling(even);
            if had_errors {
                problems.push(DecodeProblem::Malformed);
            }
            text
        }
        RegEncoding::Utf8 => {
            let (text, had_errors) = UTF_8.decode_without_bom_handling(body);
            if had_errors {
                problems.push(DecodeProblem::Malformed);
            }
            text
        }
        // Windows-1252 maps every byte; nothing can be malformed.
        RegEncoding::Windows1252 => WINDOWS_1252.decode_without_bom_handling(body).0,
    };
    Decoded {
        text,
        encoding,
        problems,
    }
}

/// Decodes string data of a `hex(N):` value: UTF-16LE in a v5 export, ANSI in REGEDIT4.
/// A single odd trailing byte of UTF-16 data is dropped when it is zero.
pub(super) fn decode_string_data(bytes: &[u8], utf16: bool) -> String {
    if utf16 {
        let even = match bytes {
            [head @ .., 0] if bytes.len() % 2 == 1 => head,
            _ => bytes,
        };
        // Fast path for short ASCII strings (paths, service names): no decoder set-up.
        if even.len() % 2 == 0 && even.chunks_exact(2).all(|u| u[0] < 0x80 && u[1] == 0) {
            return even.chunks_exact(2).map(|u| char::from(u[0])).collect();
        }
        UTF_16LE.decode_without_bom_handling(even).0.into_owned()
    } else {
        WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_windows_1252_and_borrowed_when_ascii() {
        let d = decode(b"REGEDIT4\r\n");
        assert_eq!(d.encoding, RegEncoding::Windows1252);
        assert!(matches!(d.text, Cow::Borrowed("REGEDIT4\r\n")));
        let d = decode(b"M\xfcller \x80");
        assert_eq!(d.text, "Müller €");
    }

    #[test]
    fn utf16_with_bom_odd_length_and_without_bom() {
        let d = decode(b"\xff\xfeR\0E\0G");
        assert_eq!(d.encoding, RegEncoding::Utf16Le);
        assert_eq!(d.text, "RE");
        assert_eq!(d.problems, vec![DecodeProblem::OddUtf16Length]);
        let d = decode(b"W\0i\0");
        assert_eq!(d.text, "Wi");
        assert_eq!(d.problems, vec![DecodeProblem::Utf16WithoutBom]);
        let d = decode(b"\xff\xfe\x00\xd8a\0");
        assert_eq!(d.text, "\u{FFFD}a");
        assert_eq!(d.problems, vec![DecodeProblem::Malformed]);
    }

    #[test]
    fn string_data_follows_header_encoding() {
        assert_eq!(decode_string_data(b"a\0b\0", true), "ab");
        assert_eq!(decode_string_data(&[0x42, 0x30], true), "あ");
        assert_eq!(decode_string_data(b"\xfc", false), "ü");
        assert_eq!(decode_string_data(b"a\0\0", true), "a");
    }
}
