//! The identity of a finding across runs: its subject (what the problem is about, set by
//! the rule that makes the finding), its fingerprint (a digest of rule, host and
//! subject) and its status against the previous run (`--state`).
//!
//! The fingerprint is the first 16 bytes, in lower-case hex, of the SHA-256 of
//! `exdoctor-finding-v1\n<rule>\n<host>\n<subject>` with host and subject in lower case
//! and every run of white space turned into one space. It depends on nothing else: not
//! on times, counts, evidence or the order of the inputs, and not on the platform or the
//! exdoctor version (a change of the recipe would change the `v1` tag). A shell gets the
//! same value with
//! `printf 'exdoctor-finding-v1\n%s\n%s\n%s' RULE host subject | sha256sum | cut -c1-32`.

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::RuleId;

/// The tag that starts the digested text; a new recipe gets a new tag.
const RECIPE: &str = "exdoctor-finding-v1";

/// Hex digits of a fingerprint (16 bytes of the SHA-256).
pub const FINGERPRINT_LEN: usize = 32;

/// The stable identity of a finding: rule, host and subject (case-insensitive).
pub fn fingerprint(rule: RuleId, host: &str, subject: &str) -> String {
    let text = format!(
        "{RECIPE}\n{}\n{}\n{}",
        rule.as_str(),
        canonical(host),
        canonical(subject)
    );
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(FINGERPRINT_LEN);
    for byte in &digest[..FINGERPRINT_LEN / 2] {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Lower case, white space runs as one space, trimmed.
fn canonical(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Where a finding stands against the previous run of the same state file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not in the previous run.
    New,
    /// In the previous run too.
    Ongoing,
    /// In the previous run and gone now (reported once).
    Resolved,
}

impl Status {
    /// Lowercase name as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Ongoing => "ongoing",
            Status::Resolved => "resolved",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The subject of a finding a host has at most once (a pending reboot, the AD topology,
/// a known error that is one root cause whatever its texts).
pub const HOST_WIDE: &str = "host";

/// The subject of a finding about one setup run: its start as the log writes it (local
/// time) and the log's file name, `setup run 2007-11-30T17:35:15 ExchangeSetup.log`.
/// The folder is left out: a bundle collected again lands in another folder. A run
/// whose dates did not resolve is named by its place in the file.
pub fn setup_run_subject(start: Option<NaiveDateTime>, index: usize, log_path: &str) -> String {
    let log = file_name(log_path);
    match start {
        Some(t) => format!("setup run {} {log}", t.format("%Y-%m-%dT%H:%M:%S")),
        None => format!("setup run #{} {log}", index + 1),
    }
}

/// The last component of a path as reports show it (`/`, `\` and the `!` of a file
/// inside a zip all separate components).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\', '!']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_the_documented_digest() {
        // printf 'exdoctor-finding-v1\nservice-crash\nexmbx01\nmsexchangeis' | sha256sum | cut -c1-32
        assert_eq!(
            fingerprint(RuleId::ServiceCrash, "EXMBX01", "MSExchangeIS"),
            "27b18e9ad944e6f8d6f351a33b85eb6c"
        );
    }

    #[test]
    fn case_and_white_space_do_not_matter_and_every_part_does() {
        let base = fingerprint(RuleId::ServiceCrash, "EXMBX01", "MSExchangeIS");
        assert_eq!(base, fingerprint(RuleId::ServiceCrash, "exmbx01", " msexchangeis "));
        assert_eq!(base.len(), FINGERPRINT_LEN);
        assert!(base.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(
            base,
            fingerprint(RuleId::ServiceStartFailure, "EXMBX01", "MSExchangeIS")
        );
        assert_ne!(base, fingerprint(RuleId::ServiceCrash, "EXMBX02", "MSExchangeIS"));
        assert_ne!(base, fingerprint(RuleId::ServiceCrash, "EXMBX01", "MSExchangeRepl"));
        // The separator keeps the parts apart.
        assert_ne!(
            fingerprint(RuleId::ServiceCrash, "A B", "C"),
            fingerprint(RuleId::ServiceCrash, "A", "B C")
        );
    }

    #[test]
    fn a_setup_run_is_named_by_its_start_and_file_name() {
        let start = NaiveDateTime::parse_from_str("2007-11-30 17:35:15", "%Y-%m-%d %H:%M:%S").ok();
        assert_eq!(
            setup_run_subject(start, 3, "bundles/2024-05/EXMBX02/ExchangeSetupLogs/ExchangeSetup.log"),
            "setup run 2007-11-30T17:35:15 ExchangeSetup.log"
        );
        assert_eq!(
            setup_run_subject(None, 1, "C:\\ExchangeSetupLogs\\ExchangeSetup.log"),
            "setup run #2 ExchangeSetup.log"
        );
        assert_eq!(
            file_name("logs.zip!ExchangeSetupLogs/ExchangeSetup.log"),
            "ExchangeSetup.log"
        );
        assert_eq!(file_name("bundle.zip!ExchangeSetup.log"), "ExchangeSetup.log");
    }
}
