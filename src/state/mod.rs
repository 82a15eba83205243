//! State across runs (`--state FILE`): which findings the previous run reported, by
//! fingerprint, so that each finding of this run is `new` or `ongoing` and each finding
//! of the previous run that is gone is reported once as `resolved`.
//!
//! This module is the format and the comparison; reading, locking and writing the file
//! is the CLI's (`cli::state_file`). A finding of a host that is not among this run's
//! hosts (names and earlier names) is neither resolved nor forgotten: its entry is kept
//! as it was (a host whose logs were not collected this time has not been repaired).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Finding, RuleId, RuleInfo, Severity, Status};

/// The `format` of a state file.
pub const STATE_FORMAT: &str = "exdoctor-state";
/// The version of the state file format this exdoctor reads and writes.
pub const STATE_VERSION: u32 = 1;

/// The findings of the last run, by fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Always [`STATE_FORMAT`]: tells a state file from any other JSON.
    pub format: String,
    /// [`STATE_VERSION`] when written.
    pub version: u32,
    /// The exdoctor that wrote it (`exdoctor 0.1.0`).
    pub written_by: String,
    /// When it was written; `None` for an empty state.
    pub updated: Option<DateTime<Utc>>,
    /// The findings, by fingerprint.
    pub findings: BTreeMap<String, Entry>,
}

/// What the state keeps of a finding: enough to recognise it and to report it resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its rule id.
    pub rule: String,
    /// Its host.
    pub host: String,
    /// Its subject.
    pub subject: String,
    /// Its severity in the last run.
    pub severity: Severity,
    /// Its title in the last run.
    pub title: String,
    /// Its summary in the last run.
    pub summary: String,
    /// Its count in the last run.
    pub count: u64,
    /// The first run that reported it.
    pub first_reported: DateTime<Utc>,
    /// The last run that reported it.
    pub last_reported: DateTime<Utc>,
}

/// Why a state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Not JSON, or JSON of another shape.
    #[error("not a valid state file ({0}); it is left as it is: move it away to start a new state")]
    Corrupt(serde_json::Error),
    /// JSON without the state format marker.
    #[error("not an exdoctor state file (no \"format\": \"{STATE_FORMAT}\"); it is left as it is")]
    Foreign,
    /// Written by a newer exdoctor.
    #[error("state version {0} is newer than this exdoctor reads ({STATE_VERSION}); use a newer exdoctor")]
    Newer(u32),
}

impl State {
    /// A state without findings.
    pub fn empty() -> State {
        State {
            format: STATE_FORMAT.to_string(),
            version: STATE_VERSION,
            written_by: written_by(),
            updated: None,
            findings: BTreeMap::new(),
        }
    }

    /// Reads a state file's bytes: an empty file is an empty state; anything that is not
    /// a state file of a version this exdoctor reads is an error.
    pub fn parse(bytes: &[u8]) -> Result<State, StateError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(State::empty());
        }
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(StateError::Corrupt)?;
        if value.get("format").and_then(serde_json::Value::as_str) != Some(STATE_FORMAT) {
            return Err(StateError::Foreign);
        }
        let version = value.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if version > u64::from(STATE_VERSION) {
            return Err(StateError::Newer(u32::try_from(version).unwrap_or(u32::MAX)));
        }
        serde_json::from_value(value).map_err(StateError::Corrupt)
    }

    /// The state as the file holds it (pretty JSON, fingerprints in order, final newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

fn written_by() -> String {
    format!("exdoctor {}", env!("CARGO_PKG_VERSION"))
}

/// Sets the status of each of this run's `findings` against `previous` and appends the
/// previous findings that are gone, as `resolved` (of the `hosts` of this run only, in
/// host, rule and fingerprint order). Returns them with the state to write for the next
/// run.
pub fn track(
    previous: &State,
    mut findings: Vec<Finding>,
    hosts: &[&str],
    now: DateTime<Utc>,
) -> (Vec<Finding>, State) {
    let mut next = State {
        updated: Some(now),
        ..State::empty()
    };
    for finding in &mut findings {
        let before = previous.findings.get(&finding.fingerprint);
        finding.status = Some(if before.is_some() { Status::Ongoing } else { Status::New });
        next.findings.insert(
            finding.fingerprint.clone(),
            Entry {
                rule: finding.rule.as_str().to_string(),
                host: finding.host.clone(),
                subject: finding.subject.clone(),
                severity: finding.severity,
                title: finding.title.clone(),
                summary: finding.summary.clone(),
                count: finding.count,
                first_reported: before.map_or(now, |b| b.first_reported),
                last_reported: now,
            },
        );
    }
    let analysed: BTreeSet<String> = hosts.iter().map(|h| h.to_lowercase()).collect();
    let mut resolved = Vec::new();
    for (fingerprint, entry) in &previous.findings {
        if next.findings.contains_key(fingerprint) {
            continue;
        }
        if !analysed.contains(&entry.host.to_lowercase()) {
            next.findings.insert(fingerprint.clone(), entry.clone());
            continue;
        }
        if let Some(finding) = resolved_finding(fingerprint, entry) {
            resolved.push(finding);
        }
    }
    resolved.sort_by(|a, b| (&a.host, a.rule, &a.fingerprint).cmp(&(&b.host, b.rule, &b.fingerprint)));
    findings.extend(resolved);
    (findings, next)
}

/// The finding of the previous run that is gone: its identity and last words, no
/// evidence. `None` for a rule this exdoctor no longer has.
fn resolved_finding(fingerprint: &str, entry: &Entry) -> Option<Finding> {
    let rule = RuleId::parse(&entry.rule)?;
    let info = RuleInfo {
        id: rule,
        title: "",
        severity: entry.severity,
        description: "",
        remediation: &[],
        references: &[],
    };
    let summary = format!(
        "No longer found (last reported {}): {}",
        entry.last_reported.to_rfc3339_opts(SecondsFormat::Secs, true),
        entry.summary
    );
    let mut finding = Finding::new(&info, summary)
        .subject(entry.subject.clone())
        .title(entry.title.clone())
        .count(entry.count);
    finding.host = entry.host.clone();
    finding.fingerprint = fingerprint.to_string();
    finding.status = Some(Status::Resolved);
    Some(finding)
}

#[cfg(test)]
mod tests;
