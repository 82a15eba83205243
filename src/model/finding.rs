//! Findings: what a rule reports, with its evidence and remediation.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Serialize, Serializer};

use super::{cut_json, cut_message, Fact, RuleId, RuleInfo};

/// How serious a finding is. Ordered: `Info < Warning < Error < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record: nothing to fix.
    Info,
    /// Worth a look: may cause trouble.
    Warning,
    /// Broken: needs fixing.
    Error,
    /// Exchange cannot work until fixed.
    Critical,
}

impl Severity {
    /// Lowercase name as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a finding is: high when two sources agree, medium for one strong
/// signature, low for heuristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A heuristic.
    Low,
    /// One strong signature.
    Medium,
    /// Two sources agree.
    High,
}

/// A point in time: UTC when known, or the host's local time when its time zone is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timestamp {
    /// Serialized `2007-11-30T16:35:15Z`.
    Utc(DateTime<Utc>),
    /// Serialized without zone, `2007-11-30T17:35:15` (ISO 8601 local time).
    Local(NaiveDateTime),
}

impl Timestamp {
    /// The instant as UTC if known.
    pub fn utc(&self) -> Option<DateTime<Utc>> {
        match self {
            Timestamp::Utc(t) => Some(*t),
            Timestamp::Local(_) => None,
        }
    }

    /// A sortable key: UTC, or local time taken as if it were UTC.
    pub fn sort_key(&self) -> NaiveDateTime {
        match self {
            Timestamp::Utc(t) => t.naive_utc(),
            Timestamp::Local(t) => *t,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Utc(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            Timestamp::Local(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3f")),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Where a piece of evidence is in its source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// 1-based line of a text file.
    Line(u32),
    /// Record number of an event log.
    Record(u64),
    /// Registry key (and value).
    Key(String),
    /// The file as a whole.
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record(n) => write!(f, "record {n}"),
            Location::Key(k) => write!(f, "key {k}"),
            Location::File => f.write_str("file"),
        }
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One piece of evidence: a source file, a place in it, a time and the text found there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The file, as shown in reports.
    pub source: String,
    /// Where in the file.
    pub location: Location,
    /// When, if the place has a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// What is there (at most [`super::MAX_MESSAGE_BYTES`], cut and marked beyond).
    pub text: String,
}

impl Evidence {
    /// Evidence at `location` of `source`; a `text` longer than
    /// [`super::MAX_MESSAGE_BYTES`] is cut and marked.
    pub fn new(source: impl Into<String>, location: Location, time: Option<Timestamp>, text: impl AsRef<str>) -> Self {
        Evidence {
            source: source.into(),
            location,
            time,
            text: cut_message(text),
        }
    }
}

/// A problem found, with everything needed to understand and fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule that found it.
    pub rule: RuleId,
    /// How serious it is.
    pub severity: Severity,
    /// The host it was found on (set when the host's findings are collected).
    pub host: String,
    /// One line naming the problem.
    pub title: String,
    /// What was found, in a few sentences (at most [`super::MAX_MESSAGE_BYTES`]).
    pub summary: String,
    /// How sure the finding is.
    pub confidence: Confidence,
    /// Earliest time of its evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Timestamp>,
    /// Latest time of its evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// How many times it occurred.
    pub count: u64,
    /// Where it shows.
    pub evidence: Vec<Evidence>,
    /// What to do, in order.
    pub remediation: Vec<String>,
    /// KB articles and documents.
    pub references: Vec<String>,
    /// Rule-specific facts for the reader (check name, domain controller, build, error
    /// code ...). Output only: correlation reads [`Finding::facts`].
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// What the finding is about, typed, for correlation. Not serialized.
    #[serde(skip)]
    pub facts: Vec<Fact>,
}

impl Finding {
    /// A finding of `rule` with the catalog's title, severity, remediation and references;
    /// a `summary` longer than [`super::MAX_MESSAGE_BYTES`] is cut and marked.
    pub fn new(rule: &RuleInfo, summary: impl AsRef<str>) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.severity,
            host: String::new(),
            title: rule.title.to_string(),
            summary: cut_message(summary),
            confidence: Confidence::Medium,
            first_seen: None,
            last_seen: None,
            count: 1,
            evidence: Vec::new(),
            remediation: rule.remediation.iter().map(|s| s.to_string()).collect(),
            references: rule.references.iter().map(|s| s.to_string()).collect(),
            details: serde_json::Map::new(),
            facts: Vec::new(),
        }
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the confidence.
    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Adds a piece of evidence and widens first/last seen to its time.
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.push_evidence(evidence);
        self
    }

    /// Adds a piece of evidence in place.
    pub fn push_evidence(&mut self, evidence: Evidence) {
        if let Some(t) = evidence.time {
            self.see(t);
        }
        self.evidence.push(evidence);
    }

    /// Widens first/last seen to `t`.
    pub fn see(&mut self, t: Timestamp) {
        if self.first_seen.is_none_or(|f| t.sort_key() < f.sort_key()) {
            self.first_seen = Some(t);
        }
        if self.last_seen.is_none_or(|l| t.sort_key() > l.sort_key()) {
            self.last_seen = Some(t);
        }
    }

    /// Attaches a typed fact for correlation.
    pub fn fact(mut self, fact: Fact) -> Self {
        self.push_fact(fact);
        self
    }

    /// Attaches a typed fact in place (once).
    pub fn push_fact(&mut self, fact: Fact) {
        if !self.facts.contains(&fact) {
            self.facts.push(fact);
        }
    }

    /// Whether a fact matching `pick` is attached.
    pub fn has_fact(&self, pick: impl Fn(&Fact) -> bool) -> bool {
        self.facts.iter().any(pick)
    }

    /// Folds `other` (the same root cause seen elsewhere) into this finding: its
    /// evidence (each piece once), its details (this finding's keep precedence), its
    /// facts and its first/last seen. Two sources agreeing make the confidence high:
    /// when `other` brings evidence from a file this finding had no evidence from.
    /// Title, summary, severity, count and remediation stay this finding's.
    pub fn absorb(&mut self, other: Finding) {
        let new_source = other
            .evidence
            .iter()
            .any(|e| !self.evidence.iter().any(|mine| mine.source == e.source));
        for e in other.evidence {
            if !self.evidence.contains(&e) {
                self.push_evidence(e);
            }
        }
        for (key, value) in other.details {
            self.details.entry(key).or_insert(value);
        }
        for fact in other.facts {
            self.push_fact(fact);
        }
        for t in [other.first_seen, other.last_seen].into_iter().flatten() {
            self.see(t);
        }
        if new_source {
            self.confidence = Confidence::High;
        }
    }

    /// This finding as the history of another that absorbs it: without its details,
    /// which describe it and not the root cause (its facts stay).
    pub fn into_history(mut self) -> Self {
        self.details.clear();
        self
    }

    /// Adds a detail field (its strings cut at [`super::MAX_MESSAGE_BYTES`]).
    pub fn detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details.insert(key.to_string(), cut_json(value.into()));
        self
    }

    /// Replaces the remediation steps.
    pub fn remediation(mut self, steps: Vec<String>) -> Self {
        self.remediation = steps;
        self
    }

    /// Sets the occurrence count.
    pub fn count(mut self, count: u64) -> Self {
        self.count = count;
        self
    }
}
