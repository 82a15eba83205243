//! Findings: what a rule reports, with its evidence and remediation.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use exdoctor_parsers::event::EventLocation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{cut_json, cut_message, fingerprint, Fact, RuleId, RuleInfo, Status};

/// How serious a finding is. Ordered: `Info < Warning < Error < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

impl Timestamp {
    /// The time as a person reads it in a report: UTC with `Z`; a local time whose zone
    /// is unknown says so (`2007-11-30T17:35:15.000 (local, zone unknown)`).
    pub fn labelled(&self) -> String {
        match self {
            Timestamp::Utc(_) => self.to_string(),
            Timestamp::Local(_) => format!("{self} (local, zone unknown)"),
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

impl FromStr for Timestamp {
    type Err = chrono::ParseError;

    /// The serialized form: UTC with a `Z` suffix, else local time.
    fn from_str(text: &str) -> Result<Timestamp, chrono::ParseError> {
        match text.strip_suffix('Z') {
            Some(utc) => {
                NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M:%S%.f").map(|t| Timestamp::Utc(t.and_utc()))
            }
            None => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(Timestamp::Local),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a piece of evidence is in its source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// 1-based line of a text file.
    Line(u32),
    /// Record number of an event log (EVTX `EventRecordID`, EVT `RecordNumber`).
    Record(u64),
    /// Data row of a CSV export, and the file line the row starts on.
    Row {
        /// 1-based data row (the header is not counted).
        row: u64,
        /// 1-based line of the file.
        line: u64,
    },
    /// Position of an `<Event>` element of an XML export that has no record id.
    Element(u64),
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
            Location::Row { row, line } => write!(f, "row {row} (line {line})"),
            Location::Element(n) => write!(f, "event #{n}"),
            Location::Key(k) => write!(f, "key {k}"),
            Location::File => f.write_str("file"),
        }
    }
}

impl From<EventLocation> for Location {
    fn from(location: EventLocation) -> Location {
        match location {
            EventLocation::Record { record_id } => Location::Record(record_id),
            EventLocation::Row { row, line } => Location::Row { row, line },
            EventLocation::Element { ordinal } => Location::Element(ordinal),
        }
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl FromStr for Location {
    type Err = String;

    /// The displayed form: `line 12`, `record 345`, `key HKLM\...`, `file`.
    fn from_str(text: &str) -> Result<Location, String> {
        let bad = || format!("not a location: '{text}'");
        if let Some(n) = text.strip_prefix("line ") {
            return n.parse().map(Location::Line).map_err(|_| bad());
        }
        if let Some(n) = text.strip_prefix("record ") {
            return n.parse().map(Location::Record).map_err(|_| bad());
        }
        if let Some(rest) = text.strip_prefix("row ") {
            let (row, line) = rest
                .strip_suffix(')')
                .and_then(|r| r.split_once(" (line "))
                .ok_or_else(bad)?;
            return match (row.parse(), line.parse()) {
                (Ok(row), Ok(line)) => Ok(Location::Row { row, line }),
                _ => Err(bad()),
            };
        }
        if let Some(n) = text.strip_prefix("event #") {
            return n.parse().map(Location::Element).map_err(|_| bad());
        }
        if let Some(key) = text.strip_prefix("key ") {
            return Ok(Location::Key(key.to_string()));
        }
        if text == "file" {
            return Ok(Location::File);
        }
        Err(bad())
    }
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One piece of evidence: a source file, a place in it, a time and the text found there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that found it.
    pub rule: RuleId,
    /// How serious it is.
    pub severity: Severity,
    /// The host it was found on (set when the host's findings are collected).
    pub host: String,
    /// The stable identity of the problem across runs: a digest of rule, host and
    /// subject (see [`fingerprint`]); set by the analysis once the host is known.
    pub fingerprint: String,
    /// What the problem is about, set by the rule (the service, the setup run, the
    /// readiness check, the registry key ...): with rule and host it makes the
    /// fingerprint.
    pub subject: String,
    /// New, ongoing or resolved against the previous run (only with a state file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
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
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
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
            fingerprint: String::new(),
            subject: String::new(),
            status: None,
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

    /// Sets what the finding is about (see [`Finding::subject`](#structfield.subject));
    /// a `subject` longer than [`super::MAX_MESSAGE_BYTES`] is cut and marked.
    pub fn subject(mut self, subject: impl AsRef<str>) -> Self {
        self.subject = cut_message(subject);
        self
    }

    /// Sets the fingerprint from rule, host and subject.
    pub fn identify(&mut self) {
        self.fingerprint = fingerprint(self.rule, &self.host, &self.subject);
    }

    /// Whether the finding is one of the previous run that is gone now.
    pub fn is_resolved(&self) -> bool {
        self.status == Some(Status::Resolved)
    }

    /// Sets the title (cut and marked beyond [`super::MAX_MESSAGE_BYTES`]).
    pub fn title(mut self, title: impl AsRef<str>) -> Self {
        self.title = cut_message(title);
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
    /// evidence (each piece once: a line or record this finding already cites is not
    /// cited again, whatever its text), its details (this finding's keep precedence), its
    /// facts and its first/last seen. Two sources agreeing make the confidence high:
    /// when `other` brings evidence from a file this finding had no evidence from.
    /// Title, summary, severity, count, remediation and subject stay this finding's.
    pub fn absorb(&mut self, other: Finding) {
        let new_source = other
            .evidence
            .iter()
            .any(|e| !self.evidence.iter().any(|mine| mine.source == e.source));
        for e in other.evidence {
            if !self.cites(&e) {
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

    /// Whether this finding already cites `e`: the same evidence, or the same line or
    /// record of the same source (keys and whole files can hold several facts).
    pub fn cites(&self, e: &Evidence) -> bool {
        self.evidence.iter().any(|mine| {
            mine == e
                || (mine.source == e.source
                    && mine.location == e.location
                    && matches!(e.location, Location::Line(_) | Location::Record(_)))
        })
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

    /// Replaces the remediation steps (each cut and marked beyond
    /// [`super::MAX_MESSAGE_BYTES`]: steps name services, processes and paths of the
    /// inputs).
    pub fn remediation(mut self, steps: Vec<String>) -> Self {
        self.remediation = steps.into_iter().map(cut_message).collect();
        self
    }

    /// Sets the occurrence count.
    pub fn count(mut self, count: u64) -> Self {
        self.count = count;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RuleId, RuleInfo};

    const RULE: RuleInfo = RuleInfo {
        id: RuleId::SetupFailed,
        title: "t",
        severity: Severity::Error,
        description: "d",
        remediation: &[],
        references: &[],
    };

    #[test]
    fn texts_taken_from_inputs_are_cut_where_they_enter_a_finding() {
        let long = "x".repeat(3 * super::super::MAX_MESSAGE_BYTES);
        let cut_len = super::super::MAX_MESSAGE_BYTES + super::super::cut_marker(long.len()).len();
        let f = Finding::new(&RULE, &long)
            .title(&long)
            .subject(&long)
            .remediation(vec![long.clone(), "net start MSExchangeIS".into()])
            .detail("line", long.as_str())
            .evidence(Evidence::new("ExchangeSetup.log", Location::Line(7), None, &long));
        for text in [&f.summary, &f.title, &f.subject, &f.remediation[0], &f.evidence[0].text] {
            assert_eq!(text.len(), cut_len);
            assert!(text.ends_with(" [... cut, 12288 bytes in all]"));
        }
        assert_eq!(f.details["line"].as_str().map(str::len), Some(cut_len));
        assert_eq!(f.remediation[1], "net start MSExchangeIS");
        // The fingerprint is made of the cut subject: stable from run to run.
        let mut g = Finding::new(&RULE, "s").subject(&long);
        let mut h = Finding::new(&RULE, "s").subject(format!("{long}y"));
        g.identify();
        h.identify();
        assert_eq!(g.subject.len(), cut_len);
        assert_ne!(g.fingerprint, h.fingerprint, "the marker says the lengths differ");
    }

    #[test]
    fn absorb_cites_each_line_or_record_once_but_keeps_several_facts_of_a_file_or_key() {
        let line = |n: u32, text: &str| Evidence::new("ExchangeSetup.log", Location::Line(n), None, text);
        let file = |text: &str| Evidence::new("System.evtx", Location::File, None, text);
        let mut root = Finding::new(&RULE, "root")
            .evidence(line(94, "[ERROR] No more endpoints"))
            .evidence(file("gap 1"));
        let other = Finding::new(&RULE, "other")
            .evidence(line(94, "No more endpoints"))
            .evidence(line(121, "[ERROR-REFERENCE] Id=X"))
            .evidence(file("gap 2"));
        root.absorb(other);
        let cited: Vec<String> = root
            .evidence
            .iter()
            .map(|e| format!("{} {}", e.location, e.text))
            .collect();
        assert_eq!(
            cited,
            [
                "line 94 [ERROR] No more endpoints",
                "file gap 1",
                "line 121 [ERROR-REFERENCE] Id=X",
                "file gap 2"
            ]
        );
    }
}
