//! The 0x30-byte file header of a legacy `.evt` log (ELF_LOGFILE_HEADER).

use nom::bytes::complete::tag;
use nom::number::complete::le_u32;
use nom::Parser;
use serde::Serialize;

use crate::ParseError;

/// Size of the file header and of its `HeaderSize` / `EndHeaderSize` fields.
pub const HEADER_SIZE: usize = 0x30;

/// The `LfLe` signature of the header and of every record.
pub const SIGNATURE: &[u8; 4] = b"LfLe";

/// Header flag bits (`ELF_LOGFILE_*`).
pub mod flags {
    /// The log was not closed properly; header offsets may be stale.
    pub const DIRTY: u32 = 0x1;
    /// The log has wrapped around.
    pub const WRAPPED: u32 = 0x2;
    /// The last write failed because the log was full.
    pub const LOG_FULL: u32 = 0x4;
    /// The archive bit was set.
    pub const ARCHIVE: u32 = 0x8;
}

/// The file header: where the live records are and what their numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvtHeader {
    /// Format version, 1.1 on every Windows that writes `.evt`.
    pub major_version: u32,
    /// Minor format version.
    pub minor_version: u32,
    /// Offset of the oldest live record.
    pub start_offset: u32,
    /// Offset of the end-of-file record.
    pub end_offset: u32,
    /// Number the next record will get.
    pub current_record_number: u32,
    /// Number of the oldest live record.
    pub oldest_record_number: u32,
    /// Maximum size of the file (the wrap point).
    pub max_size: u32,
    /// `ELF_LOGFILE_*` bits, see [`flags`].
    pub flags: u32,
    /// Retention period in seconds (0 = overwrite as needed).
    pub retention: u32,
}

impl EvtHeader {
    /// The log was not closed cleanly (the end-of-file record holds the current offsets).
    pub fn is_dirty(&self) -> bool {
        self.flags & flags::DIRTY != 0
    }

    /// The log has wrapped around at least once.
    pub fn is_wrapped(&self) -> bool {
        self.flags & flags::WRAPPED != 0
    }

    /// The log was full when a write was attempted.
    pub fn is_log_full(&self) -> bool {
        self.flags & flags::LOG_FULL != 0
    }

    /// The archive bit is set.
    pub fn is_archive(&self) -> bool {
        self.flags & flags::ARCHIVE != 0
    }
}

/// Parses the file header at the start of `input`.
pub fn parse_header(input: &[u8]) -> Result<EvtHeader, ParseError> {
    let wrong = |reason: String| ParseError::WrongFormat {
        expected: "EVT",
        reason,
    };
    if input.len() < HEADER_SIZE {
        return Err(wrong(format!(
            "{} bytes, shorter than the 0x30-byte header",
            input.len()
        )));
    }
    let mut fields = (
        le_u32::<&[u8], nom::error::Error<&[u8]>>,
        tag(&SIGNATURE[..]),
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
        le_u32,
    );
    let (_, (size, _, major, minor, start, end, current, oldest, max_size, flags, retention, end_size)) = fields
        .parse(input)
        .map_err(|_| wrong("no LfLe signature at offset 4".to_string()))?;
    if size as usize != HEADER_SIZE || end_size as usize != HEADER_SIZE {
        return Err(wrong(format!("header sizes {size:#x}/{end_size:#x}, expected 0x30")));
    }
    Ok(EvtHeader {
        major_version: major,
        minor_version: minor,
        start_offset: start,
        end_offset: end,
        current_record_number: current,
        oldest_record_number: oldest,
        max_size,
        flags,
        retention,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_bytes(flags: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for v in [0x30u32, 0x654c_664c, 1, 1, 0x30, 0x100, 9, 1, 0x10000, flags, 0, 0x30] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    #[test]
    fn parses_header_fields_and_flags() {
        let header = parse_header(&header_bytes(flags::DIRTY | flags::WRAPPED)).unwrap();
        assert_eq!(header.end_offset, 0x100);
        assert_eq!(header.current_record_number, 9);
        assert_eq!(header.max_size, 0x10000);
        assert!(header.is_dirty() && header.is_wrapped());
        assert!(!header.is_log_full() && !header.is_archive());
    }

    #[test]
    fn rejects_short_or_unsigned_headers() {
        assert!(matches!(
            parse_header(&header_bytes(0)[..0x20]),
            Err(ParseError::WrongFormat { .. })
        ));
        let mut bad = header_bytes(0);
        bad[4] = b'X';
        assert!(parse_header(&bad).is_err());
        let mut bad_size = header_bytes(0);
        bad_size[0] = 0x31;
        assert!(parse_header(&bad_size).is_err());
    }
}
