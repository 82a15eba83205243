//! Decompression with a ceiling: a member is read into memory up to a limit and no
//! further, whatever its headers claim.

use std::io::{self, Read};

/// Bytes read first to recognise a member's format (the sniffer looks at 16 KiB).
pub(super) const HEAD: usize = 16 << 10;

/// Why a member was not read whole.
#[derive(Debug)]
pub(super) enum Unread {
    /// It decompresses to more than the limit.
    TooLarge,
    /// The compressed data is damaged.
    Damaged(io::Error),
}

/// The first [`HEAD`] bytes of `reader` (fewer when it ends before).
pub(super) fn head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD);
    reader.take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The rest of `reader` after `head`, as long as the whole stays within `limit` bytes;
/// `expected` (clamped to the limit) is reserved up front so the buffer is not grown
/// by doubling.
pub(super) fn rest(reader: &mut dyn Read, head: Vec<u8>, limit: u64, expected: u64) -> Result<Vec<u8>, Unread> {
    let mut data = head;
    let reserve = usize::try_from(expected.min(limit))
        .unwrap_or(0)
        .saturating_sub(data.len());
    data.try_reserve_exact(reserve).map_err(|_| Unread::TooLarge)?;
    let room = limit.saturating_add(1).saturating_sub(data.len() as u64);
    reader.take(room).read_to_end(&mut data).map_err(Unread::Damaged)?;
    if data.len() as u64 > limit {
        return Err(Unread::TooLarge);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let source = vec![7u8; 100_000];
        let mut reader = &source[..];
        let head = head(&mut reader).unwrap_or_default();
        assert_eq!(head.len(), HEAD);
        assert!(matches!(rest(&mut reader, head, 50_000, 0), Err(Unread::TooLarge)));
        let mut reader = &source[..];
        let head = super::head(&mut reader).unwrap_or_default();
        let whole = rest(&mut reader, head, 100_000, 100_000).unwrap_or_default();
        assert_eq!(whole.len(), 100_000);
    }
}
