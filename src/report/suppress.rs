//! Noise control: a suppression file (TOML) whose entries take known findings out of
//! the report (by rule, host glob and/or text), each with a reason and an optional
//! expiry date. Suppressed findings leave the text, CSV and `--fail-on`, and stay in
//! JSON under `suppressed` with their entry; an expired entry no longer applies and is
//! reported.
//!
//! ```toml
//! [[suppress]]
//! rule = "service-crash"            # a rule id, case-insensitive
//! host = "EXMBX0*"                  # a host glob (`*`, `?`), case-insensitive
//! text = "MSExchangeMonitoring"     # in the title, summary or evidence, case-insensitive
//! reason = "known crash, fixed by RU5 (ticket 4711)"
//! expires = 2025-06-30              # last day it applies (optional)
//! ```

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::analysis::Analysis;
use crate::model::{closest, Diagnostic, Finding, RuleId, Suppressed, SuppressedBy};

/// Why a suppression file cannot be used (a usage error: nothing is analysed).
#[derive(Debug, thiserror::Error)]
pub enum SuppressionError {
    /// The file cannot be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or not shaped as a suppression file.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// An entry that cannot be applied.
    #[error("{path}: entry {entry}: {message}")]
    Entry {
        /// The file.
        path: String,
        /// 1-based entry number.
        entry: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    suppress: Vec<EntrySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySpec {
    rule: Option<String>,
    host: Option<String>,
    text: Option<String>,
    reason: String,
    expires: Option<toml::Value>,
}

/// One entry of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based number in the file.
    pub number: usize,
    /// Only this rule.
    pub rule: Option<RuleId>,
    /// Only hosts matching this glob (`*`, `?`; case-insensitive).
    pub host: Option<String>,
    /// Only findings whose title, summary or evidence contains this (case-insensitive).
    pub text: Option<String>,
    /// Why the findings are suppressed.
    pub reason: String,
    /// The last day the entry applies.
    pub expires: Option<NaiveDate>,
}

impl Entry {
    /// What the entry selects, for messages: `rule service-crash, host EXMBX*`.
    fn selector(&self) -> String {
        [
            self.rule.map(|r| format!("rule {r}")),
            self.host.as_ref().map(|h| format!("host {h}")),
            self.text.as_ref().map(|t| format!("text \"{t}\"")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// Whether the entry selects `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.rule.is_none_or(|r| r == finding.rule)
            && self
                .host
                .as_deref()
                .is_none_or(|glob| glob_matches(glob, &finding.host))
            && self.text.as_deref().is_none_or(|text| {
                let has = |s: &str| s.to_lowercase().contains(&text.to_lowercase());
                has(&finding.title) || has(&finding.summary) || finding.evidence.iter().any(|e| has(&e.text))
            })
    }
}

/// `*` (any run of characters) and `?` (one character), case-insensitive.
fn glob_matches(glob: &str, name: &str) -> bool {
    let glob: Vec<char> = glob.to_lowercase().chars().collect();
    let name: Vec<char> = name.to_lowercase().chars().collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut g, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some(g);
                mark = n;
                g += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                g += 1;
                n += 1;
            }
            _ => match star {
                Some(s) => {
                    g = s + 1;
                    mark += 1;
                    n = mark;
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

/// The entries of one suppression file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressions {
    /// The file as named in messages.
    pub path: String,
    /// Its entries, in file order.
    pub entries: Vec<Entry>,
}

impl Suppressions {
    /// Reads and checks a suppression file.
    pub fn load(path: &Path) -> Result<Suppressions, SuppressionError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SuppressionError::Read {
            path: name.clone(),
            source,
        })?;
        Suppressions::parse(&text, &name)
    }

    /// Checks the text of a suppression file named `path`: every entry has a reason and
    /// selects by at least one of rule, host and text; rule ids exist; dates are dates.
    pub fn parse(text: &str, path: &str) -> Result<Suppressions, SuppressionError> {
        let spec: FileSpec = toml::from_str(text).map_err(|e| SuppressionError::Syntax {
            path: path.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut entries = Vec::with_capacity(spec.suppress.len());
        for (i, e) in spec.suppress.into_iter().enumerate() {
            let number = i + 1;
            let bad = |message: String| SuppressionError::Entry {
                path: path.to_string(),
                entry: number,
                message,
            };
            let rule = match &e.rule {
                Some(id) => Some(RuleId::parse(id).ok_or_else(|| {
                    let near = closest(id, RuleId::ALL.iter().map(|r| r.as_str()), 5);
                    bad(format!("no rule with id '{id}'; closest: {}", near.join(", ")))
                })?),
                None => None,
            };
            let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let (host, text) = (nonempty(e.host), nonempty(e.text));
            if rule.is_none() && host.is_none() && text.is_none() {
                return Err(bad("selects nothing: give a rule, a host glob or a text".into()));
            }
            if e.reason.trim().is_empty() {
                return Err(bad("has no reason".into()));
            }
            let expires = match e.expires {
                None => None,
                Some(value) => {
                    let written = match &value {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Some(
                        NaiveDate::parse_from_str(written.trim(), "%Y-%m-%d")
                            .map_err(|_| bad(format!("expires = {value}: not a date (YYYY-MM-DD)")))?,
                    )
                }
            };
            entries.push(Entry {
                number,
                rule,
                host,
                text,
                reason: e.reason.trim().to_string(),
                expires,
            });
        }
        Ok(Suppressions {
            path: path.to_string(),
            entries,
        })
    }

    /// Moves the findings an entry in force on `today` selects into
    /// `analysis.suppressed` (the first such entry is named), and reports each expired
    /// entry as a warning diagnostic of the file.
    pub fn apply(&self, analysis: &mut Analysis, today: NaiveDate) {
        let (active, expired): (Vec<&Entry>, Vec<&Entry>) =
            self.entries.iter().partition(|e| e.expires.is_none_or(|d| today <= d));
        for entry in expired {
            analysis.diagnostics.push(Diagnostic::warning(
                self.path.clone(),
                format!(
                    "suppression entry {} ({}) expired on {}; its findings are shown again (reason was: {})",
                    entry.number,
                    entry.selector(),
                    entry.expires.map(|d| d.to_string()).unwrap_or_default(),
                    entry.reason
                ),
            ));
        }
        let findings = std::mem::take(&mut analysis.findings);
        for finding in findings {
            match active.iter().find(|e| e.matches(&finding)) {
                Some(entry) => analysis.suppressed.push(Suppressed {
                    finding,
                    suppressed_by: SuppressedBy {
                        entry: entry.number,
                        reason: entry.reason.clone(),
                        expires: entry.expires,
                    },
                }),
                None => analysis.findings.push(finding),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_case_insensitively() {
        assert!(glob_matches("EXMBX0*", "exmbx01"));
        assert!(glob_matches("*mbx*", "EXMBX01"));
        assert!(glob_matches("EX???01", "EXCAS01"));
        assert!(!glob_matches("EXMBX0?", "EXMBX010"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("EXCAS*", "EXMBX01"));
    }

    #[test]
    fn entries_are_checked() {
        let err = |text: &str| {
            Suppressions::parse(text, "s.toml")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("[[suppress]]\nrule = \"service-crsh\"\nreason = \"x\"\n").contains("closest: service-crash"));
        assert!(err("[[suppress]]\nreason = \"x\"\n").contains("entry 1: selects nothing"));
        assert!(err("[[suppress]]\nhost = \"A\"\nreason = \" \"\n").contains("entry 1: has no reason"));
        assert!(err("[[suppress]]\nhost = \"A\"\nreason = \"r\"\nexpires = \"soon\"\n").contains("not a date"));
        assert!(err("[[suppress]]\nhots = \"A\"\nreason = \"r\"\n").contains("unknown field"));
        let ok = Suppressions::parse(
            "[[suppress]]\nrule = \"SERVICE-CRASH\"\nreason = \"r\"\nexpires = 2025-06-30\n[[suppress]]\ntext = \"x\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n",
            "s.toml",
        )
        .map(|s| s.entries)
        .unwrap_or_default();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].rule, Some(RuleId::ServiceCrash));
        assert_eq!(ok[0].expires, NaiveDate::from_ymd_opt(2025, 6, 30));
        assert_eq!(ok[1].expires, NaiveDate::from_ymd_opt(2026, 1, 1));
    }
}
