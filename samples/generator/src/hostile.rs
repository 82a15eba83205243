//! Hand-made hostile inputs for the robustness tests and the fuzz seeds: zip archives
//! written byte by byte (any sizes, CRCs, offsets and names, so also overlapping
//! members, lying sizes and names listed twice), deflate streams of many megabytes of
//! one byte built from one compressed block repeated (a zip bomb in milliseconds),
//! gzip files, and bundles of files framed in one byte string (the input of the
//! fuzzer that analyses a whole bundle).

use std::io::Write;

use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::{Compression, Crc};

/// Stored (no compression).
pub const STORED: u16 = 0;
/// Deflate.
pub const DEFLATED: u16 = 8;

/// One member of a hand-made zip.
#[derive(Debug, Clone)]
pub struct RawMember {
    /// The name as stored.
    pub name: String,
    /// Compression method ([`STORED`], [`DEFLATED`], or any other number).
    pub method: u16,
    /// The data as written in the archive (already compressed for [`DEFLATED`]).
    pub payload: Vec<u8>,
    /// Declared uncompressed size (true or not).
    pub size: u32,
    /// Declared CRC-32 (true or not).
    pub crc32: u32,
    /// General purpose flags (bit 0: encrypted).
    pub flags: u16,
    /// Point the directory entry at the local header of this earlier member instead of
    /// writing its own data (members that overlap).
    pub same_data_as: Option<usize>,
}

/// The CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(data);
    crc.sum()
}

impl RawMember {
    /// `data` deflated, with its true size and CRC.
    pub fn deflated(name: &str, data: &[u8]) -> RawMember {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        let payload = encoder
            .write_all(data)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        RawMember {
            name: name.to_string(),
            method: DEFLATED,
            payload,
            size: u32::try_from(data.len()).unwrap_or(u32::MAX),
            crc32: crc32(data),
            flags: 0,
            same_data_as: None,
        }
    }

    /// `data` stored, with its true size and CRC.
    pub fn stored(name: &str, data: &[u8]) -> RawMember {
        RawMember {
            method: STORED,
            payload: data.to_vec(),
            ..RawMember::deflated(name, data)
        }
    }

    /// `mib` MiB of the byte `fill`, deflated (CRC left 0: a reader that checks it
    /// says the member is damaged).
    pub fn repeated(name: &str, fill: u8, mib: u32) -> RawMember {
        RawMember {
            name: name.to_string(),
            method: DEFLATED,
            payload: deflate_repeated(fill, mib),
            size: mib.saturating_mul(1 << 20),
            crc32: 0,
            flags: 0,
            same_data_as: None,
        }
    }
}

/// A raw deflate stream of `mib` MiB of the byte `fill`: one MiB compressed and
/// flushed to a byte boundary (its back-references stay inside it), repeated, then a
/// final empty block.
pub fn deflate_repeated(fill: u8, mib: u32) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    let one = match encoder.write_all(&vec![fill; 1 << 20]).and_then(|()| encoder.flush()) {
        Ok(()) => encoder.get_ref().clone(),
        Err(_) => Vec::new(),
    };
    let mut out = Vec::with_capacity(one.len() * mib as usize + 8);
    for _ in 0..mib {
        out.extend_from_slice(&one);
    }
    // BFINAL=1, stored, LEN=0, NLEN=0xFFFF.
    out.extend_from_slice(&[0x01, 0x00, 0x00, 0xFF, 0xFF]);
    out
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// A zip of `members`, written as given (sizes, CRCs and offsets true or not).
pub fn raw_zip(members: &[RawMember]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets: Vec<u32> = Vec::new();
    for m in members {
        if let Some(earlier) = m.same_data_as {
            offsets.push(offsets.get(earlier).copied().unwrap_or(0));
            continue;
        }
        offsets.push(len32(out.len()));
        out.extend_from_slice(b"PK\x03\x04");
        for v in [20, m.flags, m.method, 0, 0] {
            push16(&mut out, v);
        }
        push32(&mut out, m.crc32);
        push32(&mut out, len32(m.payload.len()));
        push32(&mut out, m.size);
        push16(&mut out, len16(m.name.len()));
        push16(&mut out, 0);
        out.extend_from_slice(m.name.as_bytes());
        out.extend_from_slice(&m.payload);
    }
    let directory_start = out.len();
    for (m, offset) in members.iter().zip(&offsets) {
        let payload = m
            .same_data_as
            .and_then(|earlier| members.get(earlier))
            .map_or(m.payload.len(), |e| e.payload.len());
        out.extend_from_slice(b"PK\x01\x02");
        for v in [20, 20, m.flags, m.method, 0, 0] {
            push16(&mut out, v);
        }
        push32(&mut out, m.crc32);
        push32(&mut out, len32(payload));
        push32(&mut out, m.size);
        push16(&mut out, len16(m.name.len()));
        for v in [0, 0, 0, 0] {
            push16(&mut out, v);
        }
        push32(&mut out, 0);
        push32(&mut out, *offset);
        out.extend_from_slice(m.name.as_bytes());
    }
    let directory_len = out.len() - directory_start;
    out.extend_from_slice(b"PK\x05\x06");
    for v in [0, 0, len16(members.len()), len16(members.len())] {
        push16(&mut out, v);
    }
    push32(&mut out, len32(directory_len));
    push32(&mut out, len32(directory_start));
    push16(&mut out, 0);
    out
}

/// `data` gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .unwrap_or_default()
}

/// The marker that starts each file of a framed bundle: `--8<-- <name>\n<bytes>`.
pub const FRAME: &[u8] = b"--8<-- ";

/// Most files taken from a framed bundle.
pub const MAX_FRAMES: usize = 32;

/// Files framed into one byte string: for each, [`FRAME`], its name, a line feed and
/// its bytes.
pub fn frames(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        out.extend_from_slice(FRAME);
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(bytes);
    }
    out
}

/// The files of a framed bundle (any bytes: whatever comes before the first marker is
/// a file called `input`; a name is cut at 100 bytes; at most [`MAX_FRAMES`] files).
pub fn split_frames(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    while let Some(found) = data.get(at..).and_then(|rest| find(rest, FRAME)) {
        starts.push(at + found);
        at += found + FRAME.len();
    }
    let mut files = Vec::new();
    if starts.first() != Some(&0) && !data.is_empty() {
        files.push((
            "input".to_string(),
            data.get(..starts.first().copied().unwrap_or(data.len()))
                .unwrap_or_default(),
        ));
    }
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(data.len());
        let frame = data.get(start + FRAME.len()..end).unwrap_or_default();
        let (name, bytes) = match frame.iter().position(|&b| b == b'\n') {
            Some(nl) => (&frame[..nl], &frame[nl + 1..]),
            None => (frame, &frame[frame.len()..]),
        };
        let name = String::from_utf8_lossy(&name[..name.len().min(100)]).into_owned();
        files.push((name, bytes));
    }
    files.truncate(MAX_FRAMES);
    files
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn framed_bundles_split_back_into_their_files() {
        let data = frames(&[("EX01/ExchangeSetup.log", b"[1/1/2008] x\n"), ("b.reg", b"REGEDIT4")]);
        let files = split_frames(&data);
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[0],
            ("EX01/ExchangeSetup.log".to_string(), b"[1/1/2008] x\n".as_slice())
        );
        assert_eq!(files[1], ("b.reg".to_string(), b"REGEDIT4".as_slice()));
        let mut prefixed = b"head".to_vec();
        prefixed.extend_from_slice(&data);
        assert_eq!(split_frames(&prefixed)[0], ("input".to_string(), b"head".as_slice()));
        assert!(split_frames(b"").is_empty());
        assert_eq!(
            split_frames(b"--8<-- name-only"),
            vec![("name-only".to_string(), b"".as_slice())]
        );
    }

    #[test]
    fn repeated_blocks_make_one_valid_deflate_stream() {
        let stream = deflate_repeated(b'a', 3);
        assert!(stream.len() < 30_000, "{}", stream.len());
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.len(), 3 << 20);
        assert!(out.iter().all(|&b| b == b'a'));
    }
}
