//! "Did you mean": the names closest to one that matched nothing (a mistyped rule id or
//! host name), for usage errors.

/// At most `max` of `names` closest to `wanted` (case-insensitive): names that contain
/// it or are contained in it first, then by Jaro-Winkler similarity (above 0.7), each
/// once, best first.
pub fn closest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>, max: usize) -> Vec<&'a str> {
    let wanted = wanted.trim().to_ascii_lowercase();
    let mut scored: Vec<(f64, &'a str)> = names
        .into_iter()
        .filter_map(|name| {
            let lower = name.to_ascii_lowercase();
            let contains = !wanted.is_empty() && (lower.contains(&wanted) || wanted.contains(&lower));
            let score = strsim::jaro_winkler(&wanted, &lower) + if contains { 1.0 } else { 0.0 };
            (score > 0.7).then_some((score, name))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<&'a str> = Vec::new();
    for (_, name) in scored {
        if out.len() == max {
            break;
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_and_fragments_find_their_names() {
        let names = [
            "service-crash",
            "service-start-failure",
            "setup-failed",
            "pending-reboot",
        ];
        assert_eq!(closest("service-crsh", names, 3)[0], "service-crash");
        assert_eq!(closest("SERVICE", names, 2), ["service-crash", "service-start-failure"]);
        assert_eq!(closest("EXMBX0l", ["EXMBX01", "EXMBX02", "EXCAS01"], 1), ["EXMBX01"]);
        assert!(closest("zzzz", names, 3).is_empty());
    }
}
