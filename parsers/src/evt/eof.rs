//! The end-of-file record (ELF_EOF_RECORD) that follows the newest live record.

use memchr::memmem;
use nom::bytes::complete::tag;
use nom::number::complete::le_u32;
use nom::Parser;
use serde::Serialize;

/// Size of the end-of-file record.
pub const EOF_RECORD_SIZE: usize = 0x28;

/// The four marker values that follow the size field, as bytes.
pub const EOF_MARKER: [u8; 16] = [
    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x33, 0x33, 0x33, 0x33, 0x44, 0x44, 0x44, 0x44,
];

/// The end-of-file record: current offsets and record numbers, also when the header
/// is stale (dirty log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EofRecord {
    /// Offset of the record in the file.
    pub offset: u32,
    /// Offset of the oldest live record.
    pub begin_record: u32,
    /// Offset of this end-of-file record as the log saw it.
    pub end_record: u32,
    /// Number the next record will get.
    pub current_record_number: u32,
    /// Number of the oldest live record.
    pub oldest_record_number: u32,
}

/// Parses an end-of-file record from its 0x28 bytes; `None` if they are not one.
pub fn parse_eof_record(bytes: &[u8], offset: u32) -> Option<EofRecord> {
    let size = || tag::<_, &[u8], nom::error::Error<&[u8]>>(&[0x28u8, 0, 0, 0][..]);
    let mut fields = (size(), tag(&EOF_MARKER[..]), le_u32, le_u32, le_u32, le_u32, size());
    let (_, (_, _, begin_record, end_record, current, oldest, _)) = fields.parse(bytes).ok()?;
    Some(EofRecord {
        offset,
        begin_record,
        end_record,
        current_record_number: current,
        oldest_record_number: oldest,
    })
}

/// Finds the end-of-file record in a file that is not split at the wrap point.
///
/// With several candidates (stale copies in free space), one whose `end_record` field
/// names its own offset is preferred, and among those the newest (highest current
/// record number); the first candidate wins ties.
pub fn find_eof_record(input: &[u8]) -> Option<EofRecord> {
    let mut best: Option<EofRecord> = None;
    let rank = |eof: &EofRecord| (eof.end_record == eof.offset, eof.current_record_number);
    for pos in memmem::find_iter(input, &EOF_MARKER) {
        let Some(start) = pos.checked_sub(4) else { continue };
        let Some(bytes) = input.get(start..start + EOF_RECORD_SIZE) else {
            continue;
        };
        let Ok(offset) = u32::try_from(start) else { continue };
        if let Some(eof) = parse_eof_record(bytes, offset) {
            let newer = match &best {
                None => true,
                Some(b) => rank(&eof) > rank(b),
            };
            if newer {
                best = Some(eof);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eof_bytes(begin: u32, end: u32) -> Vec<u8> {
        eof_bytes_numbered(begin, end, 12)
    }

    fn eof_bytes_numbered(begin: u32, end: u32, current: u32) -> Vec<u8> {
        let mut out = 0x28u32.to_le_bytes().to_vec();
        out.extend_from_slice(&EOF_MARKER);
        for v in [begin, end, current, 3, 0x28] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    #[test]
    fn finds_the_self_consistent_eof_record() {
        let mut file = vec![0u8; 0x40];
        file.extend(eof_bytes(0x30, 0x999));
        file.extend(vec![0u8; 8]);
        let own = file.len() as u32;
        file.extend(eof_bytes(0x30, own));
        let eof = find_eof_record(&file).unwrap();
        assert_eq!(eof.offset, own);
        assert_eq!(eof.current_record_number, 12);
        assert_eq!(eof.oldest_record_number, 3);
    }

    #[test]
    fn prefers_the_newest_of_several_self_consistent_records() {
        let mut file = vec![0u8; 0x40];
        let stale_at = file.len() as u32;
        file.extend(eof_bytes_numbered(0x30, stale_at, 500));
        file.extend(vec![0u8; 0x10]);
        let live_at = file.len() as u32;
        file.extend(eof_bytes_numbered(0x30, live_at, 900));
        let eof = find_eof_record(&file).unwrap();
        assert_eq!((eof.offset, eof.current_record_number), (live_at, 900));
    }

    #[test]
    fn rejects_truncated_or_wrong_records() {
        assert_eq!(parse_eof_record(&eof_bytes(1, 2)[..0x27], 0), None);
        let mut bad = eof_bytes(1, 2);
        bad[0x24] = 0x29;
        assert_eq!(parse_eof_record(&bad, 0), None);
        assert_eq!(find_eof_record(&eof_bytes(0, 0)[4..]), None);
    }
}
