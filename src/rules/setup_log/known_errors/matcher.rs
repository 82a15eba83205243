//! Evaluates the signature table on the last run: compiles the patterns once, builds the
//! search units (error blocks, readiness records, 2007 issues) and collects the matches.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use exdoctor_parsers::setup_log::{ErrorReference, Run, Tag};
use regex::{Regex, RegexSet};

use super::scan::{run_entries, span_entries, Entry};
use super::table::{KnownError, Scope, Signature, KNOWN_ERRORS};
use crate::model::Evidence;
use crate::rules::setup_log::SetupLogFile;

/// Captured facts by name.
pub(crate) type Captures = BTreeMap<String, String>;

/// A signature with its compiled patterns.
pub(super) struct Compiled {
    /// The known error the signature belongs to.
    pub rule: &'static KnownError,
    pub sig: &'static Signature,
    pub pattern: Regex,
    pub also: Vec<Regex>,
    pub extra: Vec<Regex>,
    pub context: Option<Regex>,
}

/// The compiled table and a set of the main patterns to find candidates in one pass.
pub(super) struct Table {
    pub signatures: Vec<Compiled>,
    pub prefilter: RegexSet,
}

/// Compiles the table (patterns are static: a pattern that fails to compile drops its
/// signature, which the table test catches).
fn compile() -> Table {
    let signatures: Vec<Compiled> = KNOWN_ERRORS
        .iter()
        .flat_map(|rule| rule.signatures.iter().map(move |sig| (*rule, sig)))
        .filter_map(|(rule, sig)| {
            Some(Compiled {
                rule,
                sig,
                pattern: Regex::new(&multiline(sig.pattern)).ok()?,
                also: sig.also.iter().map(|p| compile_one(p)).collect::<Option<_>>()?,
                extra: sig.extra.iter().map(|p| compile_one(p)).collect::<Option<_>>()?,
                context: match sig.context {
                    Some(p) => Some(Regex::new(&multiline(p)).ok()?),
                    None => None,
                },
            })
        })
        .collect();
    let prefilter = RegexSet::new(signatures.iter().map(|c| c.pattern.as_str())).unwrap_or_else(|_| RegexSet::empty());
    Table { signatures, prefilter }
}

/// Case-insensitive, `^`/`$` at line ends: records carry their continuation lines.
/// SetupLogReviewer matches with PowerShell `-like`/`-match`, which ignore case, and
/// real logs vary it (`installconfig.ps1` where the table says `InstallConfig.ps1`).
fn multiline(pattern: &str) -> String {
    format!("(?im){pattern}")
}

/// A case-insensitive pattern (see [`multiline`]).
fn compile_one(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("(?i){pattern}")).ok()
}

/// The compiled table, built on first use.
pub(super) static TABLE: LazyLock<Table> = LazyLock::new(compile);

/// Where a unit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Block,
    Readiness,
    Issues,
}

impl UnitKind {
    fn in_scope(self, scope: Scope) -> bool {
        matches!(
            (scope, self),
            (Scope::Blocks, UnitKind::Block)
                | (Scope::BlocksAndReadiness, UnitKind::Block | UnitKind::Readiness)
                | (Scope::Issues, UnitKind::Issues)
        )
    }
}

/// Records searched together, with the `[ERROR-REFERENCE]` that closes them.
struct Unit<'a> {
    kind: UnitKind,
    entries: Vec<Entry>,
    reference: Option<ErrorReference<'a>>,
    /// Byte offset of the unit's end (context matches are taken before it).
    end: usize,
}

/// The units of the last run.
fn units<'a>(file: &SetupLogFile<'a, '_>, run: &Run<'a>) -> Vec<Unit<'a>> {
    let mut units: Vec<Unit<'a>> = run
        .error_blocks
        .iter()
        .enumerate()
        .filter(|(i, block)| block.errors > 0 && !block_ignored(run, *i))
        .map(|(_, block)| Unit {
            kind: UnitKind::Block,
            entries: span_entries(file, block.start, block.end, block.first_line),
            reference: block.reference,
            end: block.end,
        })
        .collect();
    let readiness: Vec<Entry> = run
        .readiness
        .iter()
        .filter(|i| i.tag == Tag::Required)
        .map(Entry::from_issue)
        .collect();
    units.push(Unit {
        kind: UnitKind::Readiness,
        end: readiness.last().map_or(run.end_offset, |e| e.offset + e.text.len()),
        entries: readiness,
        reference: None,
    });
    let mut issues: Vec<Entry> = run
        .errors
        .iter()
        .filter(|e| !e.ignored)
        .chain(run.warnings.iter())
        .map(Entry::from_issue)
        .collect();
    issues.sort_by_key(|e| e.line);
    units.push(Unit {
        kind: UnitKind::Issues,
        entries: issues,
        reference: None,
        end: run.end_offset,
    });
    units
}

/// Whether every error of block `index` was followed by `=== IGNORING PREVIOUS ERRORS ===`.
fn block_ignored(run: &Run<'_>, index: usize) -> bool {
    let mut errors = run.errors.iter().filter(|e| e.block == Some(index)).peekable();
    errors.peek().is_some() && errors.all(|e| e.ignored)
}

/// One signature matched in one unit.
pub(super) struct Match {
    pub index: usize,
    /// Captures of the main pattern's first match (the dedupe key).
    pub key: Captures,
    /// All captures: main pattern, `extra`, `also`, `context`.
    pub captures: Captures,
    /// Number of records matching the main pattern.
    pub count: u64,
    /// The matching lines.
    pub hits: Vec<Evidence>,
    /// Supporting lines: first error, `also`/`context` lines, the ERROR-REFERENCE.
    pub support: Vec<Evidence>,
    /// Two independent lines agree (an ERROR-REFERENCE id, an `also` or `context` line).
    pub corroborated: bool,
    /// Found in the readiness records (the prerequisite engine, not a task error).
    pub readiness: bool,
}

/// Runs every signature on the last run of `file`.
pub(super) fn matches(file: &SetupLogFile<'_, '_>, run: &Run<'_>) -> Vec<Match> {
    let table = &*TABLE;
    let units = units(file, run);
    let mut run_records: Option<Vec<Entry>> = None;
    let mut out = Vec::new();
    for unit in &units {
        let mut candidates: Vec<Vec<&Entry>> = vec![Vec::new(); table.signatures.len()];
        for entry in &unit.entries {
            for i in table.prefilter.matches(&entry.text).iter() {
                if unit.kind.in_scope(table.signatures[i].sig.scope) {
                    candidates[i].push(entry);
                }
            }
        }
        for (index, hits) in candidates.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
            let compiled = &table.signatures[index];
            let records = run_records.get_or_insert_with(|| run_entries(file, run));
            if let Some(m) = match_unit(file, compiled, index, unit, hits, records) {
                out.push(m);
            }
        }
    }
    out
}

/// Evaluates one signature whose main pattern matched `hits` of `unit`.
fn match_unit(
    file: &SetupLogFile<'_, '_>,
    compiled: &Compiled,
    index: usize,
    unit: &Unit<'_>,
    hits: &[&Entry],
    run_records: &[Entry],
) -> Option<Match> {
    let sig = compiled.sig;
    let reference_ok = match (sig.reference, unit.reference) {
        (Some(prefix), Some(r)) => {
            r.id.as_bytes()
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
        }
        _ => false,
    };
    if sig.reference_required && !reference_ok {
        return None;
    }
    let mut m = Match {
        index,
        key: Captures::new(),
        captures: Captures::new(),
        count: 0,
        hits: Vec::new(),
        support: Vec::new(),
        corroborated: reference_ok,
        readiness: unit.kind == UnitKind::Readiness,
    };
    for entry in hits {
        let Some(caps) = compiled.pattern.captures(&entry.text) else {
            continue;
        };
        if m.count == 0 {
            m.key = named(&compiled.pattern, &caps);
        }
        m.count += 1;
        let pos = caps.get(0).map_or(0, |g| g.start());
        push_unique(&mut m.hits, entry.evidence_at(file, pos));
    }
    if m.count == 0 {
        return None;
    }
    m.captures = m.key.clone();
    for re in &compiled.also {
        let (entry, pos, caps) = first_match(re, unit.entries.iter())?;
        m.captures.extend(caps);
        m.corroborated = true;
        push_unique(&mut m.support, entry.evidence_at(file, pos));
    }
    for re in &compiled.extra {
        if let Some((_, _, caps)) = first_match(re, unit.entries.iter()) {
            for (k, v) in caps {
                m.captures.entry(k).or_insert(v);
            }
        }
    }
    if let Some(re) = &compiled.context {
        // Logged lines only: script bodies in continuations quote the same texts.
        let before = run_records.iter().rev().filter(|e| e.offset < unit.end);
        let found = first_message_match(re, before).or_else(|| first_message_match(re, run_records.iter()));
        match found {
            Some((entry, pos, caps)) => {
                m.captures.extend(caps);
                m.corroborated = true;
                push_unique(&mut m.support, entry.evidence_at(file, pos));
            }
            None if sig.context_required => return None,
            None => {}
        }
    }
    if let Some(first) = unit.entries.iter().find(|e| e.tag == Tag::Error) {
        push_unique(&mut m.support, first.evidence(file));
    }
    if let Some(r) = unit.reference {
        let evidence = match unit.entries.iter().find(|e| e.line == r.line) {
            Some(entry) => entry.evidence(file),
            None => file.evidence(
                r.line,
                None,
                format!("[ERROR-REFERENCE] Id={} Component={}", r.id, r.component),
            ),
        };
        push_unique(&mut m.support, evidence);
    }
    Some(m)
}

/// The first entry matching `re`, the match position and its named captures.
fn first_match<'e>(re: &Regex, mut entries: impl Iterator<Item = &'e Entry>) -> Option<(&'e Entry, usize, Captures)> {
    entries.find_map(|e| {
        let caps = re.captures(&e.text)?;
        let pos = caps.get(0).map_or(0, |g| g.start());
        Some((e, pos, named(re, &caps)))
    })
}

/// Like [`first_match`], on the first line of each record only.
fn first_message_match<'e>(
    re: &Regex,
    mut entries: impl Iterator<Item = &'e Entry>,
) -> Option<(&'e Entry, usize, Captures)> {
    entries.find_map(|e| {
        let message = e.text.lines().next().unwrap_or_default();
        let caps = re.captures(message)?;
        let pos = caps.get(0).map_or(0, |g| g.start());
        Some((e, pos, named(re, &caps)))
    })
}

/// The named groups that matched, trimmed.
fn named(re: &Regex, caps: &regex::Captures<'_>) -> Captures {
    re.capture_names()
        .flatten()
        .filter_map(|name| Some((name.to_string(), caps.name(name)?.as_str().trim().to_string())))
        .collect()
}

/// Adds `e` unless the same line is already there.
pub(super) fn push_unique(list: &mut Vec<Evidence>, e: Evidence) {
    if !list.iter().any(|x| x.location == e.location && x.source == e.source) {
        list.push(e);
    }
}
