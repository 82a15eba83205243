//! The circular buffer of a legacy `.evt` log: records live between the header
//! (offset 0x30) and the wrap point, and may continue from 0x30 after the wrap.

use std::borrow::Cow;

/// Byte positions of the ring: `[start, end)`; `end` may lie beyond the input when the
/// file was truncated (those bytes are then missing).
#[derive(Debug, Clone, Copy)]
pub struct Ring<'a> {
    input: &'a [u8],
    start: usize,
    end: usize,
}

impl<'a> Ring<'a> {
    /// A ring over `input` from `start` to `end` (`end > start`).
    pub fn new(input: &'a [u8], start: usize, end: usize) -> Ring<'a> {
        Ring {
            input,
            start,
            end: end.max(start + 1),
        }
    }

    /// The input bytes.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// First byte of the ring (just after the header).
    pub fn start(&self) -> usize {
        self.start
    }

    /// The wrap point.
    pub fn end(&self) -> usize {
        self.end
    }

    /// Capacity in bytes.
    pub fn size(&self) -> usize {
        self.end - self.start
    }

    /// True if `pos` lies inside the ring.
    pub fn contains(&self, pos: usize) -> bool {
        (self.start..self.end).contains(&pos)
    }

    /// `len` bytes from `pos` in ring order, reassembled across the wrap point; `None`
    /// if any of them lie beyond the input or `len` exceeds the ring.
    pub fn read(&self, pos: usize, len: usize) -> Option<Cow<'a, [u8]>> {
        if !self.contains(pos) || len > self.size() {
            return None;
        }
        let first = (self.end - pos).min(len);
        let head = self.input.get(pos..pos + first)?;
        if first == len {
            return Some(Cow::Borrowed(head));
        }
        let tail = self.input.get(self.start..self.start + (len - first))?;
        let mut joined = Vec::with_capacity(len);
        joined.extend_from_slice(head);
        joined.extend_from_slice(tail);
        Some(Cow::Owned(joined))
    }

    /// A little-endian u32 at `pos` (ring order).
    pub fn u32_at(&self, pos: usize) -> Option<u32> {
        let bytes = self.read(pos, 4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// The position `n` bytes after `pos` (`n` at most the ring size).
    pub fn advance(&self, pos: usize, n: usize) -> usize {
        let to_end = self.end.saturating_sub(pos);
        if n < to_end {
            pos + n
        } else {
            self.start + (n - to_end) % self.size()
        }
    }

    /// Bytes from `from` to `to` in ring order.
    pub fn distance(&self, from: usize, to: usize) -> usize {
        if to >= from {
            to - from
        } else {
            (self.end.saturating_sub(from)) + to.saturating_sub(self.start)
        }
    }

    /// The linear pieces `[a, b)` of the `len` bytes from `pos` in ring order.
    pub fn pieces(&self, pos: usize, len: usize) -> Vec<(usize, usize)> {
        let len = len.min(self.size());
        let first = self.end.saturating_sub(pos).min(len);
        let mut out = vec![(pos, pos + first)];
        if first < len {
            out.push((self.start, self.start + (len - first)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_the_wrap_point() {
        let input: Vec<u8> = (0u8..20).collect();
        let ring = Ring::new(&input, 4, 20);
        assert_eq!(ring.read(18, 4).unwrap().as_ref(), &[18, 19, 4, 5]);
        assert!(matches!(ring.read(6, 4), Some(Cow::Borrowed(_))));
        assert_eq!(ring.read(3, 1), None);
        assert_eq!(ring.read(10, 17), None);
        assert_eq!(ring.advance(18, 4), 6);
        assert_eq!(ring.advance(5, 4), 9);
        assert_eq!(ring.distance(18, 6), 4);
        assert_eq!(ring.pieces(18, 4), vec![(18, 20), (4, 6)]);
    }

    #[test]
    fn missing_bytes_of_a_truncated_ring_are_none() {
        let input = [0u8; 10];
        let ring = Ring::new(&input, 2, 32);
        assert!(ring.read(4, 6).is_some());
        assert_eq!(ring.read(8, 4), None);
        assert_eq!(ring.u32_at(30), None);
    }
}
