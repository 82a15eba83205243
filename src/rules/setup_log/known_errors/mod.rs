//! Known setup errors: Microsoft SetupLogReviewer's signatures (2013+ logs) and two
//! Exchange 2007-era ones.
//!
//! Pure signatures are data (the `table` module), evaluated with compiled regexes over the last
//! run's error blocks (first `[ERROR]` up to the `[ERROR-REFERENCE]`, blocks setup ignored
//! left out), its readiness records or, for 2007 logs, its errors and warnings. What needs
//! context (the installed build, the schema master's site, a specialised remediation) is
//! code (the `context` module). Every distinct problem is reported; repeats of one problem (same
//! rule, same captured facts) are one finding with a count.

mod context;
mod matcher;
pub(crate) mod scan;
pub(crate) mod table;

use serde_json::Value;

use super::SetupLogFile;
use crate::model::{setup_run_subject, Confidence, Fact, Finding, RuleId, SetupLogFact};
pub(crate) use matcher::Captures;
use matcher::{push_unique, Match, TABLE};
use table::Merge;

/// Most matching lines kept as evidence for one finding (the count says how many there were).
const MAX_HITS: usize = 10;

/// Captures used only to fill templates, not reported as details.
const TEMPLATE_ONLY: &[&str] = &["build_source"];

/// Runs the family's rules on one setup log.
pub fn check(file: &SetupLogFile<'_, '_>) -> Vec<Finding> {
    let Some(run) = file.log.last_run() else {
        return Vec::new();
    };
    let mut groups: Vec<Match> = Vec::new();
    for m in matcher::matches(file, run) {
        merge(&mut groups, m);
    }
    groups.sort_by_key(|g| (g.index, g.hits.first().map(|e| e.location.clone())));
    let run_subject = setup_run_subject(run.first_time.and_then(|t| file.log.resolve(&t)), run.index, file.path);
    groups
        .into_iter()
        .map(|mut g| {
            context::enrich(TABLE.signatures[g.index].rule.info.id, &mut g.captures, run);
            finding(g, &run_subject)
        })
        .collect()
}

/// Adds `m` to the group of the same problem, or starts one.
fn merge(groups: &mut Vec<Match>, m: Match) {
    let compiled = &TABLE.signatures[m.index];
    let same = |g: &Match| {
        let other = &TABLE.signatures[g.index];
        other.rule.info.id == compiled.rule.info.id
            && (compiled.sig.merge == Merge::Id || (g.index == m.index && g.key == m.key))
    };
    let Some(group) = groups.iter_mut().find(|g| same(g)) else {
        groups.push(m);
        return;
    };
    group.count += m.count;
    // A task error and the prerequisite engine saying the same thing are two sources.
    group.corroborated |= m.corroborated || group.readiness != m.readiness;
    for e in m.hits {
        push_unique(&mut group.hits, e);
    }
    for e in m.support {
        push_unique(&mut group.support, e);
    }
    for (k, v) in m.captures {
        group.captures.entry(k).or_insert(v);
    }
}

/// The finding of one group of matches in the run named `run_subject`.
fn finding(g: Match, run_subject: &str) -> Finding {
    let compiled = &TABLE.signatures[g.index];
    let (sig, id) = (compiled.sig, compiled.rule.info.id);
    let mut fill_with = g.captures.clone();
    if let Some(first) = g.hits.first() {
        fill_with.insert("error_line".into(), first.text.clone());
    }
    let mut summary = fill(sig.summary, &fill_with);
    if let Some(more) = context::summary_suffix(id, &g.captures) {
        summary = format!("{summary} {more}");
    }
    let remediation = context::remediation_override(id, &g.captures)
        .unwrap_or_else(|| sig.remediation.iter().map(|s| fill(s, &fill_with)).collect());
    let confidence = if g.corroborated {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let mut f = Finding::new(&compiled.rule.info, summary)
        .subject(subject(sig.merge, &g.key, run_subject))
        .title(fill(sig.title, &fill_with))
        .confidence(confidence)
        .remediation(remediation)
        .count(g.count);
    let mut evidence: Vec<_> = g.hits.into_iter().take(MAX_HITS).collect();
    for e in g.support {
        push_unique(&mut evidence, e);
    }
    evidence.sort_by(|a, b| a.location.cmp(&b.location));
    for e in evidence {
        f.push_evidence(e);
    }
    if let (RuleId::LdifdeImportFailed, Some(file)) = (id, g.captures.get("error_file")) {
        f.push_fact(Fact::SetupLog(SetupLogFact::LdifErrorFile(file.clone())));
    }
    for (k, v) in g
        .captures
        .into_iter()
        .filter(|(k, _)| !TEMPLATE_ONLY.contains(&k.as_str()))
    {
        f.details.insert(k, Value::String(v));
    }
    f
}

/// What a known error is about: the captures of its main pattern (`name=value` in name
/// order), the facts that tell one problem from another; the run when the signature
/// merges by rule id or captures nothing.
fn subject(merge: Merge, key: &Captures, run_subject: &str) -> String {
    if merge == Merge::Id || key.is_empty() {
        return run_subject.to_string();
    }
    key.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Replaces `{name}` placeholders with captured values ("not logged" when missing).
pub(crate) fn fill(template: &str, values: &Captures) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match values.get(key) {
                    Some(v) if !v.is_empty() => out.push_str(v),
                    _ => out.push_str("(not logged)"),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
pub(crate) mod tests;
