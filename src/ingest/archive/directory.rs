//! The central directory of a zip archive, read from the bytes with every offset and
//! length checked: the members as the directory lists them (all of them, also those
//! that share a name), where each one's data lies, and which ones overlap.
//!
//! Written here rather than taken from a zip library because an analyzer of collected
//! evidence must see what a library hides: a name listed twice (libraries keep one of
//! them), members whose data overlap (a zip-bomb construction), sizes that lie.

use std::ops::Range;

/// Signature of the end of central directory record.
const END: &[u8; 4] = b"PK\x05\x06";
/// Signature of the zip64 end of central directory locator.
const END64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
/// Signature of the zip64 end of central directory record.
const END64: &[u8; 4] = b"PK\x06\x06";
/// Signature of a central directory header.
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
/// Signature of a local file header.
const LOCAL: &[u8; 4] = b"PK\x03\x04";
/// Length of the fixed part of the end record.
const END_LEN: usize = 22;
/// Length of the fixed part of a central directory header.
const CENTRAL_LEN: usize = 46;
/// Length of the fixed part of a local header.
const LOCAL_LEN: usize = 30;
/// Flag bit: the member is encrypted.
const FLAG_ENCRYPTED: u16 = 1;
/// Flag bit: the name is UTF-8.
const FLAG_UTF8: u16 = 1 << 11;
/// Compression methods read: stored and deflate.
pub(super) const STORED: u16 = 0;
/// Deflate.
pub(super) const DEFLATED: u16 = 8;

/// One member as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member {
    /// The name as stored (decoded from UTF-8 or code page 437), `\` turned into `/`.
    pub name: String,
    /// Compression method (0 stored, 8 deflate, others not read).
    pub method: u16,
    /// Encrypted (not read).
    pub encrypted: bool,
    /// A folder entry.
    pub is_dir: bool,
    /// A symbolic link (Unix mode in the external attributes).
    pub is_symlink: bool,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Size of the compressed data.
    pub compressed: u64,
    /// Size of the uncompressed data, as declared.
    pub size: u64,
    /// Offset of the local header in the archive's bytes.
    pub header: u64,
}

/// The members of an archive, in directory order.
#[derive(Debug, Default)]
pub(super) struct Directory {
    /// Every member listed.
    pub members: Vec<Member>,
    /// What is wrong with the directory itself (members are still listed).
    pub problems: Vec<String>,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// Where the central directory is: start, length, declared number of members, and
/// the shift of every offset (bytes prepended to the archive, as by self-extractors).
struct Location {
    start: usize,
    len: usize,
    count: u64,
    shift: usize,
}

/// Finds the end record (searching back over a comment of up to 64 KiB) and reads the
/// directory's location from it, or from its zip64 record.
fn locate(bytes: &[u8]) -> Result<Location, String> {
    let lowest = bytes.len().saturating_sub(END_LEN + usize::from(u16::MAX));
    let mut at = bytes.len().checked_sub(END_LEN).ok_or("too short for a zip archive")?;
    loop {
        if bytes.get(at..at + 4) == Some(END.as_slice()) {
            if let Some(location) = read_end(bytes, at) {
                return Ok(location);
            }
        }
        if at == lowest {
            return Err("no end of central directory record".into());
        }
        at -= 1;
    }
}

/// The directory location an end record at `at` describes, if it is consistent.
fn read_end(bytes: &[u8], at: usize) -> Option<Location> {
    let mut count = u64::from(u16_at(bytes, at + 10)?);
    let mut len = u64::from(u32_at(bytes, at + 12)?);
    let mut start = u64::from(u32_at(bytes, at + 16)?);
    let mut end_of_directory = at;
    if let Some(locator) = at
        .checked_sub(20)
        .filter(|&l| bytes.get(l..l + 4) == Some(END64_LOCATOR.as_slice()))
    {
        let record = usize::try_from(u64_at(bytes, locator + 8)?).ok()?;
        if bytes.get(record..record + 4) == Some(END64.as_slice()) {
            count = u64_at(bytes, record + 32)?;
            len = u64_at(bytes, record + 40)?;
            start = u64_at(bytes, record + 48)?;
            end_of_directory = record;
        }
    }
    let len = usize::try_from(len).ok()?;
    let start = usize::try_from(start).ok()?;
    // Where the directory really ends tells how many bytes were prepended.
    let shift = end_of_directory.checked_sub(start.checked_add(len)?)?;
    let start = start.checked_add(shift)?;
    (count == 0 || bytes.get(start..start + 4) == Some(CENTRAL.as_slice())).then_some(Location {
        start,
        len,
        count,
        shift,
    })
}

/// Reads the central directory of `bytes`: `Err` when there is none to read.
pub(super) fn read(bytes: &[u8]) -> Result<Directory, String> {
    let location = locate(bytes)?;
    let mut directory = Directory::default();
    let end = location.start.saturating_add(location.len).min(bytes.len());
    let mut at = location.start;
    while (directory.members.len() as u64) < location.count {
        match member_at(bytes, at, end, location.shift) {
            Some((member, next)) => {
                directory.members.push(member);
                at = next;
            }
            None => {
                directory.problems.push(format!(
                    "central directory lists {} members, {} readable",
                    location.count,
                    directory.members.len()
                ));
                break;
            }
        }
    }
    Ok(directory)
}

/// The central directory header at `at` (below `end`) and where the next one starts.
fn member_at(bytes: &[u8], at: usize, end: usize, shift: usize) -> Option<(Member, usize)> {
    let fixed = bytes.get(at..at.checked_add(CENTRAL_LEN)?.min(end))?;
    if fixed.len() < CENTRAL_LEN || !fixed.starts_with(CENTRAL) {
        return None;
    }
    let flags = u16_at(fixed, 8)?;
    let method = u16_at(fixed, 10)?;
    let crc32 = u32_at(fixed, 16)?;
    let mut compressed = u64::from(u32_at(fixed, 20)?);
    let mut size = u64::from(u32_at(fixed, 24)?);
    let name_len = usize::from(u16_at(fixed, 28)?);
    let extra_len = usize::from(u16_at(fixed, 30)?);
    let comment_len = usize::from(u16_at(fixed, 32)?);
    let external = u32_at(fixed, 38)?;
    let mut header = u64::from(u32_at(fixed, 42)?);
    let name_start = at + CENTRAL_LEN;
    let extra_start = name_start + name_len;
    let next = extra_start + extra_len + comment_len;
    if next > end {
        return None;
    }
    let raw_name = bytes.get(name_start..extra_start)?;
    let extra = bytes.get(extra_start..extra_start + extra_len)?;
    zip64_sizes(extra, &mut size, &mut compressed, &mut header);
    let name = decode_name(raw_name, flags & FLAG_UTF8 != 0).replace('\\', "/");
    let unix_mode = (external >> 16) & 0o170_000;
    let member = Member {
        is_dir: name.ends_with('/'),
        is_symlink: unix_mode == 0o120_000,
        name,
        method,
        encrypted: flags & FLAG_ENCRYPTED != 0,
        crc32,
        compressed,
        size,
        header: header.saturating_add(shift as u64),
    };
    Some((member, next))
}

/// Replaces the 32-bit fields saturated at `0xFFFFFFFF` by their zip64 extra values
/// (in the order the format gives them: size, compressed size, header offset). Every
/// zip64 field is applied in turn: some writers leave a placeholder field before the
/// one with the real values.
fn zip64_sizes(mut extra: &[u8], size: &mut u64, compressed: &mut u64, header: &mut u64) {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0).unwrap_or(0);
        let len = usize::from(u16_at(extra, 2).unwrap_or(0));
        let Some(data) = extra.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut values = data.chunks_exact(8).map(|c| u64_at(c, 0).unwrap_or(0));
            for field in [&mut *size, &mut *compressed, &mut *header] {
                if *field == u64::from(u32::MAX) {
                    let Some(value) = values.next() else { break };
                    *field = value;
                }
            }
        }
        extra = &extra[4 + len..];
    }
}

/// A stored name: UTF-8 when flagged or valid, else code page 437 (the zip default).
fn decode_name(raw: &[u8], utf8: bool) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_string(),
        Err(_) if utf8 => String::from_utf8_lossy(raw).into_owned(),
        Err(_) => raw
            .iter()
            .map(|&b| match b {
                0..=0x7F => char::from(b),
                _ => CP437_HIGH[usize::from(b - 0x80)],
            })
            .collect(),
    }
}

/// Code page 437, bytes 0x80 to 0xFF.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û',
    'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡',
    '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─',
    '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█',
    '▄', '▌', '▐', '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±', '≥',
    '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// Where the compressed data of `member` lies in `bytes` (after its local header).
pub(super) fn data_range(bytes: &[u8], member: &Member) -> Result<Range<usize>, String> {
    let header = usize::try_from(member.header).map_err(|_| "local header beyond the archive".to_string())?;
    let fixed = bytes
        .get(header..header.saturating_add(LOCAL_LEN))
        .filter(|f| f.len() == LOCAL_LEN && f.starts_with(LOCAL))
        .ok_or("no local header where the directory points")?;
    let name_len = usize::from(u16_at(fixed, 26).unwrap_or(0));
    let extra_len = usize::from(u16_at(fixed, 28).unwrap_or(0));
    let start = header + LOCAL_LEN + name_len + extra_len;
    let end = usize::try_from(member.compressed)
        .ok()
        .and_then(|c| start.checked_add(c))
        .filter(|&end| end <= bytes.len())
        .ok_or("data runs past the end of the archive")?;
    Ok(start..end)
}

/// For each member (by index) whose bytes, from local header to end of data, overlap
/// those of a member kept before it (in the order of the bytes): the index of that
/// member. The members left `None` share no byte.
pub(super) fn overlaps(spans: &[Option<Range<usize>>]) -> Vec<Option<usize>> {
    let mut order: Vec<(usize, &Range<usize>)> = spans
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_ref()?)))
        .collect();
    order.sort_by_key(|(i, s)| (s.start, *i));
    let mut out = vec![None; spans.len()];
    // The end of the last member kept, and that member.
    let mut reach: Option<(usize, usize)> = None;
    for (i, span) in order {
        match reach {
            Some((end, owner)) if span.start < end => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(owner);
                }
            }
            _ => reach = Some((span.end, i)),
        }
    }
    out
}

/// The span of `member` from its local header to the end of its data.
pub(super) fn span(member: &Member, data: &Range<usize>) -> Range<usize> {
    usize::try_from(member.header).unwrap_or(data.start)..data.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_point_at_the_member_they_overlap() {
        let spans = vec![Some(0..10), Some(10..20), Some(5..12), None, Some(19..30), Some(40..50)];
        assert_eq!(overlaps(&spans), vec![None, None, Some(0), None, Some(1), None]);
    }

    #[test]
    fn names_in_code_page_437_and_utf8() {
        assert_eq!(decode_name(b"Gr\x94\xe1e.log", false), "Größe.log");
        assert_eq!(decode_name("Größe.log".as_bytes(), true), "Größe.log");
        assert_eq!(decode_name(b"a\xff", true), "a\u{fffd}");
    }

    #[test]
    fn not_a_zip_and_a_lying_end_record_are_errors() {
        assert!(read(b"hello").is_err());
        // An end record claiming a directory before the start of the file.
        let mut lying = b"PK\x03\x04junk".to_vec();
        lying.extend_from_slice(END);
        lying.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0, 0xFF, 0, 0, 0, 0x40, 0, 0, 0, 0, 0]);
        assert!(read(&lying).is_err());
    }
}
