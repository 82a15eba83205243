//! Binary security identifiers (SID) as `S-1-5-21-...` text.

/// Formats a binary SID; `None` when the bytes are too short for the declared
/// number of sub-authorities or the revision is not 1.
pub fn format_sid(bytes: &[u8]) -> Option<String> {
    let (&revision, rest) = bytes.split_first()?;
    let (&count, rest) = rest.split_first()?;
    if revision != 1 || rest.len() < 6 + 4 * usize::from(count) {
        return None;
    }
    let authority = rest[..6].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut text = format!("S-{revision}-{authority}");
    for sub in rest[6..6 + 4 * usize::from(count)].chunks_exact(4) {
        let value = u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]]);
        text.push('-');
        text.push_str(&value.to_string());
    }
    Some(text)
}

/// Encodes `S-1-...` text as a binary SID (the inverse of [`format_sid`]).
pub fn encode_sid(text: &str) -> Option<Vec<u8>> {
    let mut parts = text.strip_prefix("S-")?.split('-');
    let revision: u8 = parts.next()?.parse().ok()?;
    let authority: u64 = parts.next()?.parse().ok()?;
    if authority >= 1 << 48 {
        return None;
    }
    let subs = parts.map(|p| p.parse::<u32>().ok()).collect::<Option<Vec<u32>>>()?;
    let count = u8::try_from(subs.len()).ok()?;
    let mut out = vec![revision, count];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_encodes_sids() {
        let system = [1u8, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        assert_eq!(format_sid(&system).as_deref(), Some("S-1-5-18"));
        assert_eq!(encode_sid("S-1-5-18").as_deref(), Some(&system[..]));
        let long = "S-1-5-21-3623811015-3361044348-30300820-1013";
        assert_eq!(format_sid(&encode_sid(long).unwrap()).as_deref(), Some(long));
    }

    #[test]
    fn rejects_short_or_malformed_sids() {
        assert_eq!(format_sid(&[1, 2, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]), None);
        assert_eq!(format_sid(&[2, 0, 0, 0, 0, 0, 0, 5]), None);
        assert_eq!(format_sid(&[]), None);
        assert_eq!(encode_sid("S-1-x"), None);
        assert_eq!(encode_sid("1-5-18"), None);
    }
}
