//! AD objects deleted by setup: `Deleteting DS object <path>` (sic) lines.
//!
//! An Exchange 2007 SP1 upgrade that runs PrepareAD logs, at depth 2 inside a task, one
//! line per deleted object:
//! `[30.11.2007 17:35:15] [2] Deleteting DS object /dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=0`.
//! The path runs from the root down; reversed it is the DN. Both spellings (`Deleting`,
//! `Deleteting`), several entries run together on one line (with or without their own
//! `[time] [depth]` heads), `/dc=` and X.500 `/o=` roots are accepted. A path that is not
//! a well-formed list of `name=value` components is kept as text with a [`PathProblem`].

use std::fmt;

use super::lcid::{culture_name, parse_hex_lcid};
use super::records::Record;
use super::text::Text;
use super::Task;
use crate::timestamp::{parse_raw, RawTimestamp};

/// The marker between the verb and the path.
const MARKER: &[u8] = b"DS object";

/// The offset of [`MARKER`] in `haystack`. Looks for its rarest byte, the `j`, with
/// memchr (paths seldom hold one) and compares around each hit: cheaper than a substring
/// searcher on the short rest of a line, which is where it runs for every entry.
fn find_marker(haystack: &[u8]) -> Option<usize> {
    const J_AT: usize = 5; // b"DS ob|j|ect"
    memchr::memchr_iter(b'j', haystack).find_map(|j| {
        let start = j.checked_sub(J_AT)?;
        haystack
            .get(start..start + MARKER.len())
            .is_some_and(|w| w == MARKER)
            .then_some(start)
    })
}

/// Whether a record message may hold deletion entries: it starts with one of the verbs
/// (the scan then looks for [`MARKER`]). Costs nothing for messages not starting with `D`.
#[inline]
pub(super) fn is_deletion_message(message: &[u8]) -> bool {
    message.starts_with(b"Deleteting ") || message.starts_with(b"Deleting ")
}

/// One AD object that setup logged as deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdChange<'a> {
    /// 1-based line the entry is on (several entries may share a line).
    pub line: u32,
    /// Timestamp of the entry: its own `[time] [depth]` head when entries were run
    /// together on one line, else that of the record.
    pub time: RawTimestamp,
    /// [`AdChange::time`] as written between the brackets.
    pub timestamp_text: Text<'a>,
    /// The verb as logged: `Deleteting` (sic, Exchange 2007 SP1) or `Deleting`.
    pub verb: Text<'a>,
    /// The object's path as logged, root first: `/dc=de/dc=msxfaq/cn=Configuration/...`.
    /// [`AdChange::organization`], [`AdChange::container`], [`AdChange::locale`] and
    /// [`AdChange::dn`] read it on demand (the parse only checks it).
    pub path: Text<'a>,
    /// Index into [`Run::tasks`](super::Run::tasks) of the innermost task open at this
    /// line (`Beginning processing X` without its `Ending processing X` yet).
    pub task: Option<usize>,
    /// Why the path is not a well-formed `/name=value/...` list; `None` when it is. The
    /// organization, container and locale of a malformed path come from the components
    /// before the first bad one.
    pub problem: Option<PathProblem>,
}

impl<'a> AdChange<'a> {
    /// What the path starts with.
    pub fn root(&self) -> PathRoot {
        read_path(self.path.as_bytes()).root
    }

    /// The organization: the `cn` right below `cn=Microsoft Exchange`, else the value of
    /// an `o=` component (X.500 path).
    pub fn organization(&self) -> Option<Text<'a>> {
        read_path(self.path.as_bytes()).organization
    }

    /// The container the object was in: the first `Display-Templates` or
    /// `Address-Templates` component, else the child of `cn=Addressing`, else the
    /// object's parent (see [`AdContainer`]).
    pub fn container(&self) -> Option<AdContainer<'a>> {
        read_path(self.path.as_bytes()).container
    }

    /// The template locale: the hex LCID component right below the template container
    /// (`cn=410` -> 0x410, it-IT).
    pub fn locale(&self) -> Option<Locale<'a>> {
        read_path(self.path.as_bytes()).locale
    }

    /// The distinguished name: the path's components in reverse order joined by commas
    /// (`cn=0,cn=410,cn=Display-Templates,...,dc=msxfaq,dc=de`). RFC 4514 special
    /// characters in values (`,` `+` `"` `\` `<` `>` `;`) are escaped with a backslash.
    /// `None` for a malformed path.
    pub fn dn(&self) -> Option<String> {
        if self.problem.is_some() {
            return None;
        }
        let mut dn = String::with_capacity(self.path.len());
        for component in components(self.path.as_bytes()).rev() {
            let (name, value) = split_component(component)?;
            if !dn.is_empty() {
                dn.push(',');
            }
            dn.push_str(&String::from_utf8_lossy(name));
            dn.push('=');
            for c in String::from_utf8_lossy(value).chars() {
                if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                    dn.push('\\');
                }
                dn.push(c);
            }
        }
        Some(dn)
    }
}

/// The first component of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathRoot {
    /// `/dc=...`: an LDAP path from the forest root.
    Domain,
    /// `/o=...`: an X.500 (Exchange legacy) path from the organization.
    Organization,
    /// Anything else (including a malformed path).
    Other,
}

/// The container of a deleted object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdContainer<'a> {
    /// `cn=Display-Templates` (details templates).
    DisplayTemplates,
    /// `cn=Address-Templates`.
    AddressTemplates,
    /// Any other container, by name: the child of `cn=Addressing` when the path has one,
    /// else the deleted object's parent.
    Other(Text<'a>),
}

impl fmt::Display for AdContainer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdContainer::DisplayTemplates => f.write_str("Display-Templates"),
            AdContainer::AddressTemplates => f.write_str("Address-Templates"),
            AdContainer::Other(name) => fmt::Display::fmt(name, f),
        }
    }
}

/// A template locale: a hex LCID as logged (`410`), its value and culture name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Locale<'a> {
    /// The component value as logged (`410`, `C0A`).
    pub text: Text<'a>,
    /// The LCID (`0x410`).
    pub lcid: u32,
    /// The culture name (`it-IT`); `None` for an LCID not in the table.
    pub culture: Option<&'static str>,
}

/// What is wrong with a path that cannot be read as a DN. `index` is the 0-based
/// position of the offending component (after the leading `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PathProblem {
    /// Nothing after `DS object`.
    Empty,
    /// The path does not start with `/`.
    NoLeadingSlash,
    /// An empty component (`//`, or a trailing `/`).
    EmptyComponent {
        /// 0-based component position.
        index: usize,
    },
    /// A component without `=` (a path cut inside a name: `.../cn=Addressing/cn`).
    MissingEquals {
        /// 0-based component position.
        index: usize,
    },
    /// A component with an empty name or value (`cn=`, `=x`).
    EmptyNameOrValue {
        /// 0-based component position.
        index: usize,
    },
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::Empty => f.write_str("the path is empty"),
            PathProblem::NoLeadingSlash => f.write_str("the path does not start with '/'"),
            PathProblem::EmptyComponent { index } => write!(f, "component {} is empty", index + 1),
            PathProblem::MissingEquals { index } => write!(f, "component {} has no '='", index + 1),
            PathProblem::EmptyNameOrValue { index } => {
                write!(f, "component {} has an empty name or value", index + 1)
            }
        }
    }
}

/// The components of a path (leading `/` removed).
fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    let body = path.strip_prefix(b"/").unwrap_or(path);
    body.split(|&b| b == b'/')
}

/// `name=value` -> (name, value); `None` without `=`.
fn split_component(component: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = memchr::memchr(b'=', component)?;
    Some((&component[..eq], &component[eq + 1..]))
}

/// What a path says, read in one pass without allocating.
#[derive(Debug, Clone, Copy)]
struct PathFacts<'a> {
    root: PathRoot,
    organization: Option<Text<'a>>,
    container: Option<AdContainer<'a>>,
    locale: Option<Locale<'a>>,
    problem: Option<PathProblem>,
}

/// The start of the last well-formed path, up to and including the `/` before its last
/// two components (`/dc=de/.../cn=Display-Templates/`). Deletions come in runs under
/// one container (`.../cn=410/cn=0`, `.../cn=410/cn=1`, `.../cn=411/cn=0` ...): a path
/// that starts with it only needs the rest checked.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CheckedPrefix<'a>(&'a [u8]);

/// The first problem of a path, or `None` when it is a well-formed `/name=value/...`
/// list: the check the parse makes for every entry ([`read_path`] finds the same problem
/// while reading the components). Skips what `prefix` covers and updates it.
fn path_problem<'a>(path: &'a [u8], prefix: &mut CheckedPrefix<'a>) -> Option<PathProblem> {
    if path.is_empty() {
        return Some(PathProblem::Empty);
    }
    if path.first() != Some(&b'/') {
        return Some(PathProblem::NoLeadingSlash);
    }
    let known = prefix.0;
    let skip = if known.len() > 1 && path.starts_with(known) {
        known.len() - 1
    } else {
        0
    };
    let problem = components_problem(path, skip);
    if problem.is_none() && skip == 0 {
        let last = path.iter().rposition(|&b| b == b'/').unwrap_or(0);
        let before_last = path[..last].iter().rposition(|&b| b == b'/').unwrap_or(0);
        *prefix = CheckedPrefix(&path[..=before_last]);
    }
    problem
}

/// The first bad component of `path` after the slash at `skip` (0: the leading one).
fn components_problem(path: &[u8], skip: usize) -> Option<PathProblem> {
    let rest = path.get(skip + 1..).unwrap_or_default();
    for (i, component) in rest.split(|&b| b == b'/').enumerate() {
        let problem = match component.iter().position(|&b| b == b'=') {
            _ if component.is_empty() => PathProblem::EmptyComponent { index: i },
            None => PathProblem::MissingEquals { index: i },
            Some(eq) => {
                let blank = |t: &[u8]| t.iter().all(u8::is_ascii_whitespace);
                if !blank(&component[..eq]) && !blank(&component[eq + 1..]) {
                    continue;
                }
                PathProblem::EmptyNameOrValue { index: i }
            }
        };
        // Rare: count the skipped components to report the position in the whole path.
        let skipped = path
            .get(1..=skip)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'/')
            .count();
        return Some(match problem {
            PathProblem::EmptyComponent { index } => PathProblem::EmptyComponent { index: index + skipped },
            PathProblem::MissingEquals { index } => PathProblem::MissingEquals { index: index + skipped },
            PathProblem::EmptyNameOrValue { index } => PathProblem::EmptyNameOrValue { index: index + skipped },
            other => other,
        });
    }
    None
}

/// A hex LCID component value as a [`Locale`].
fn locale_of(value: &[u8]) -> Option<Locale<'_>> {
    parse_hex_lcid(value).map(|lcid| Locale {
        text: Text(value),
        lcid,
        culture: culture_name(lcid),
    })
}

/// Reads a path: the root, then organization, container and locale from its
/// well-formed components (those before the first bad one), and the first problem.
///
/// Organization: the component after the first `cn=Microsoft Exchange`, else the first
/// `o=`. Container: the first `Display-Templates`/`Address-Templates` (locale = the
/// next component), else the child of `cn=Addressing` (locale = the one after), else
/// the deleted object's parent.
fn read_path(path: &[u8]) -> PathFacts<'_> {
    let mut facts = PathFacts {
        root: PathRoot::Other,
        organization: None,
        container: None,
        locale: None,
        problem: None,
    };
    if path.is_empty() {
        facts.problem = Some(PathProblem::Empty);
        return facts;
    }
    if path.first() != Some(&b'/') {
        facts.problem = Some(PathProblem::NoLeadingSlash);
    }
    let mut after_exchange = false;
    let mut first_o: Option<&[u8]> = None;
    let mut template: Option<AdContainer<'_>> = None;
    let mut template_locale: Option<Locale<'_>> = None;
    let mut template_next = false;
    // 0: no `cn=Addressing` yet, 1: next is its child, 2: next is the child's locale.
    let mut addressing = 0u8;
    let mut addressing_child: Option<&[u8]> = None;
    let mut addressing_locale: Option<Locale<'_>> = None;
    let (mut parent, mut last): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    for (index, component) in components(path).enumerate() {
        let pair = match split_component(component) {
            _ if component.is_empty() => Err(PathProblem::EmptyComponent { index }),
            None => Err(PathProblem::MissingEquals { index }),
            Some((name, value)) if name.trim_ascii().is_empty() || value.trim_ascii().is_empty() => {
                Err(PathProblem::EmptyNameOrValue { index })
            }
            Some(pair) => Ok(pair),
        };
        let (name, value) = match pair {
            Ok(pair) => pair,
            Err(bad) => {
                facts.problem = facts.problem.or(Some(bad));
                break;
            }
        };
        if index == 0 {
            facts.root = if name.eq_ignore_ascii_case(b"dc") {
                PathRoot::Domain
            } else if name.eq_ignore_ascii_case(b"o") {
                PathRoot::Organization
            } else {
                PathRoot::Other
            };
        }
        if after_exchange {
            facts.organization = facts.organization.or(Some(Text(value)));
            after_exchange = false;
        }
        let is_cn = name.eq_ignore_ascii_case(b"cn");
        if is_cn && facts.organization.is_none() && value.eq_ignore_ascii_case(b"Microsoft Exchange") {
            after_exchange = true;
        }
        if first_o.is_none() && name.eq_ignore_ascii_case(b"o") {
            first_o = Some(value);
        }
        if template_next {
            template_locale = locale_of(value);
            template_next = false;
        }
        if template.is_none() {
            if value.eq_ignore_ascii_case(b"Display-Templates") {
                template = Some(AdContainer::DisplayTemplates);
                template_next = true;
            } else if value.eq_ignore_ascii_case(b"Address-Templates") {
                template = Some(AdContainer::AddressTemplates);
                template_next = true;
            }
        }
        match addressing {
            1 => {
                addressing_child = Some(value);
                addressing = 2;
            }
            2 => {
                addressing_locale = locale_of(value);
                addressing = 3;
            }
            0 if is_cn && value.eq_ignore_ascii_case(b"Addressing") => addressing = 1,
            _ => {}
        }
        parent = last;
        last = Some(value);
    }
    facts.organization = facts.organization.or(first_o.map(Text));
    (facts.container, facts.locale) = match (template, addressing_child) {
        (Some(kind), _) => (Some(kind), template_locale),
        (None, Some(child)) => (Some(AdContainer::Other(Text(child))), addressing_locale),
        (None, None) if addressing == 1 => (None, None),
        (None, None) => (parent.map(|p| AdContainer::Other(Text(p))), None),
    };
    facts
}

/// `[<timestamp>] [<depth>]` at the end of `before` (a record head run into the line):
/// the timestamp and the position of its `[` in `before`.
fn trailing_head(before: &[u8]) -> Option<(RawTimestamp, usize)> {
    let before = before.trim_ascii_end();
    let inner = before.strip_suffix(b"]")?;
    let depth_open = memchr::memrchr(b'[', inner)?;
    let depth = &inner[depth_open + 1..];
    if depth.is_empty() || depth.len() > 2 || !depth.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let body = inner[..depth_open].trim_ascii_end().strip_suffix(b"]")?;
    let open = memchr::memrchr(b'[', body)?;
    parse_raw(&body[open + 1..]).map(|ts| (ts, open))
}

/// The verb right before `marker_at` when it is `Deleting`/`Deleteting`: (start, verb).
fn verb_before(line: &[u8], marker_at: usize) -> Option<(usize, &[u8])> {
    let before = line.get(..marker_at)?;
    let end = before.trim_ascii_end().len();
    if end == before.len() {
        return None; // no space between verb and marker
    }
    let start = before[..end]
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let verb = &before[start..end];
    (verb.eq_ignore_ascii_case(b"Deleting") || verb.eq_ignore_ascii_case(b"Deleteting")).then_some((start, verb))
}

/// Context of the line being scanned.
pub(super) struct LineContext<'a> {
    /// 1-based line number.
    pub line: u32,
    /// The record's timestamp (used when an entry has no head of its own).
    pub time: RawTimestamp,
    /// That timestamp as written.
    pub timestamp_text: Text<'a>,
    /// Innermost open task (index into the run's tasks).
    pub task: Option<usize>,
}

/// An entry found on a line, waiting for the next one (which ends its path).
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    verb: &'a [u8],
    path_start: usize,
    /// Its own `[time] [depth]` head, when run into the line.
    head: Option<(RawTimestamp, &'a [u8])>,
}

/// Appends the deletion entries of one line to `out`. Allocation-free apart from `out`.
pub(super) fn scan_line<'a>(
    line: &'a [u8],
    ctx: &LineContext<'a>,
    prefix: &mut CheckedPrefix<'a>,
    out: &mut Vec<AdChange<'a>>,
) {
    // A record's message starts with the first entry: no search, no verb check for it.
    let mut pending: Option<Entry<'a>> = [&b"Deleteting"[..], b"Deleting"].into_iter().find_map(|verb| {
        let rest = line.strip_prefix(verb)?.strip_prefix(b" ")?;
        rest.starts_with(MARKER).then_some(Entry {
            verb,
            path_start: verb.len() + 1 + MARKER.len(),
            head: None,
        })
    });
    let mut next = match pending {
        Some(first) => line
            .get(first.path_start..)
            .and_then(find_marker)
            .map(|i| first.path_start + i),
        None => find_marker(line),
    };
    while let Some(at) = next {
        let resume = at + MARKER.len();
        next = line.get(resume..).and_then(find_marker).map(|i| resume + i);
        let Some((verb_start, verb)) = verb_before(line, at) else {
            continue;
        };
        let prefix_from = pending.map_or(0, |e| e.path_start);
        let before = line.get(prefix_from..verb_start).unwrap_or_default();
        // An embedded head starts at the `[` of its timestamp and ends the previous path.
        let (head, start) = match trailing_head(before) {
            Some((ts, open)) => {
                let start = prefix_from + open;
                let text = line.get(start + 1..).and_then(|t| t.split(|&b| b == b']').next());
                (text.map(|text| (ts, text)), start)
            }
            None => (None, verb_start),
        };
        if let Some(entry) = pending {
            push_entry(line, entry, start, ctx, prefix, out);
        }
        pending = Some(Entry {
            verb,
            path_start: at + MARKER.len(),
            head,
        });
    }
    if let Some(entry) = pending {
        push_entry(line, entry, line.len(), ctx, prefix, out);
    }
}

/// Appends `entry`, whose path ends at `end`.
fn push_entry<'a>(
    line: &'a [u8],
    entry: Entry<'a>,
    end: usize,
    ctx: &LineContext<'a>,
    prefix: &mut CheckedPrefix<'a>,
    out: &mut Vec<AdChange<'a>>,
) {
    let path = line
        .get(entry.path_start..end.max(entry.path_start))
        .unwrap_or_default()
        .trim_ascii();
    let (time, timestamp_text) = match entry.head {
        Some((ts, text)) => (ts, Text(text)),
        None => (ctx.time, ctx.timestamp_text),
    };
    out.push(AdChange {
        line: ctx.line,
        time,
        timestamp_text,
        verb: Text(entry.verb),
        path: Text(path),
        task: ctx.task,
        problem: path_problem(path, prefix),
    });
}

/// Appends the deletion entries of a record: its message, and continuation lines that
/// hold entries too (entries whose timestamp was lost).
pub(super) fn scan_record<'a>(
    rec: &Record<'a>,
    task: Option<usize>,
    prefix: &mut CheckedPrefix<'a>,
    out: &mut Vec<AdChange<'a>>,
) {
    let mut ctx = LineContext {
        line: rec.line,
        time: rec.timestamp,
        timestamp_text: rec.timestamp_text,
        task,
    };
    scan_line(rec.message.as_bytes(), &ctx, prefix, out);
    let continuation = rec.continuation.as_bytes();
    if continuation.is_empty() || find_marker(continuation).is_none() {
        return;
    }
    for (k, line) in continuation.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if find_marker(line).is_none() {
            continue;
        }
        let offset = u32::try_from(k).unwrap_or(u32::MAX).saturating_add(1);
        ctx.line = rec.line.saturating_add(offset);
        scan_line(line, &ctx, prefix, out);
    }
}

/// Deletions counted per container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerCount<'a> {
    /// The container.
    pub container: AdContainer<'a>,
    /// Deletions in it.
    pub count: usize,
}

/// Deletions counted per locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocaleCount {
    /// The template locale's LCID.
    pub lcid: u32,
    /// Culture name of the LCID (`None` when not in the table).
    pub culture: Option<&'static str>,
    /// Deletions under it.
    pub count: usize,
}

/// A task that deletions ran in (or the deletions outside any task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdChangeTask<'a> {
    /// Index into [`Run::tasks`](super::Run::tasks); `None` for deletions logged while
    /// no task was open.
    pub index: Option<usize>,
    /// The task's name.
    pub name: Option<Text<'a>>,
    /// Line of its `Beginning processing`.
    pub begin_line: Option<u32>,
    /// Line of its `Ending processing`; `None` when it never ended (or for no task).
    pub end_line: Option<u32>,
    /// Deletions logged in it.
    pub changes: usize,
}

impl AdChangeTask<'_> {
    /// Whether the task reached its `Ending processing` line.
    pub fn ended(&self) -> bool {
        self.end_line.is_some()
    }
}

/// What a run deleted, summed up (see [`Run::ad_change_summary`](super::Run::ad_change_summary)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdChangeSummary<'a> {
    /// Number of deletions.
    pub total: usize,
    /// Line of the first deletion.
    pub first_line: u32,
    /// Line of the last deletion.
    pub last_line: u32,
    /// Deletions per container, containers in order of first appearance.
    pub by_container: Vec<ContainerCount<'a>>,
    /// Deletions per template locale, by ascending LCID.
    pub by_locale: Vec<LocaleCount>,
    /// Deletions without a locale (not under a template container, or malformed).
    pub without_locale: usize,
    /// Deletions whose path is malformed.
    pub malformed: usize,
    /// Distinct organizations named by the paths, in order of first appearance.
    pub organizations: Vec<Text<'a>>,
    /// The tasks the deletions ran in, in order of first deletion.
    pub tasks: Vec<AdChangeTask<'a>>,
    /// Some deletions ran in a task that never logged its `Ending processing`, or
    /// outside any task in a run that did not complete: the objects were deleted and
    /// the step that deleted them did not finish.
    pub unfinished: bool,
    /// Tasks begun before the first deletion that never ended, other than the
    /// deletions' own tasks (index into [`Run::tasks`](super::Run::tasks)): the
    /// enclosing work that stopped after the deletions, such as `install-MailboxRole`.
    pub unfinished_enclosing: Vec<usize>,
}

/// Sums up `changes` with the run's tasks; `run_stopped`: the run did not complete.
/// `None` when there are no changes.
pub(super) fn summarize<'a>(
    changes: &[AdChange<'a>],
    tasks: &[Task<'a>],
    run_stopped: bool,
) -> Option<AdChangeSummary<'a>> {
    let first = changes.first()?;
    let mut summary = AdChangeSummary {
        total: changes.len(),
        first_line: first.line,
        last_line: first.line,
        by_container: Vec::new(),
        by_locale: Vec::new(),
        without_locale: 0,
        malformed: 0,
        organizations: Vec::new(),
        tasks: Vec::new(),
        unfinished: false,
        unfinished_enclosing: Vec::new(),
    };
    for change in changes {
        summary.first_line = summary.first_line.min(change.line);
        summary.last_line = summary.last_line.max(change.line);
        let facts = read_path(change.path.as_bytes());
        if let Some(container) = facts.container {
            match summary.by_container.iter_mut().find(|c| c.container == container) {
                Some(c) => c.count += 1,
                None => summary.by_container.push(ContainerCount { container, count: 1 }),
            }
        }
        match facts.locale {
            Some(locale) => match summary.by_locale.iter_mut().find(|l| l.lcid == locale.lcid) {
                Some(l) => l.count += 1,
                None => summary.by_locale.push(LocaleCount {
                    lcid: locale.lcid,
                    culture: locale.culture,
                    count: 1,
                }),
            },
            None => summary.without_locale += 1,
        }
        summary.malformed += usize::from(change.problem.is_some());
        if let Some(org) = facts.organization {
            if !summary.organizations.contains(&org) {
                summary.organizations.push(org);
            }
        }
        match summary.tasks.iter_mut().find(|t| t.index == change.task) {
            Some(t) => t.changes += 1,
            None => {
                let task = change.task.and_then(|i| tasks.get(i));
                summary.tasks.push(AdChangeTask {
                    index: change.task.filter(|_| task.is_some()),
                    name: task.map(|t| t.name),
                    begin_line: task.map(|t| t.begin_line),
                    end_line: task.and_then(|t| t.end_line),
                    changes: 1,
                });
            }
        }
    }
    summary.by_locale.sort_by_key(|l| l.lcid);
    summary.unfinished = summary
        .tasks
        .iter()
        .any(|t| if t.index.is_some() { !t.ended() } else { run_stopped });
    let first_line = summary.first_line;
    let own = |i: usize| summary.tasks.iter().any(|t| t.index == Some(i));
    summary.unfinished_enclosing = tasks
        .iter()
        .enumerate()
        .filter(|&(i, t)| t.begin_line < first_line && t.end_line.is_none() && !own(i))
        .map(|(i, _)| i)
        .collect();
    Some(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_PATH_0: &str = "/dc=de/dc=msxfaq/cn=Configuration/cn=Services/cn=Microsoft Exchange/cn=MSXFAQ/cn=Addressing/cn=Display-Templates/cn=410/cn=0";

    fn scan(line: &'static str) -> Vec<AdChange<'static>> {
        let ctx = LineContext {
            line: 7,
            time: RawTimestamp::default(),
            timestamp_text: Text(b"record"),
            task: Some(3),
        };
        let mut out = Vec::new();
        scan_line(line.as_bytes(), &ctx, &mut CheckedPrefix::default(), &mut out);
        out
    }

    #[test]
    fn seed_entry_fields_and_dn() {
        let line = format!("Deleteting DS object {SEED_PATH_0}");
        let line: &'static str = Box::leak(line.into_boxed_str());
        let changes = scan(line);
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(c.verb, Text(b"Deleteting"));
        assert_eq!(c.path, Text(SEED_PATH_0.as_bytes()));
        assert_eq!(c.root(), PathRoot::Domain);
        assert_eq!(c.organization(), Some(Text(b"MSXFAQ")));
        assert_eq!(c.container(), Some(AdContainer::DisplayTemplates));
        let locale = c.locale().unwrap_or_else(|| panic!("locale"));
        assert_eq!(
            (locale.text, locale.lcid, locale.culture),
            (Text(b"410"), 0x410, Some("it-IT"))
        );
        assert_eq!(
            (c.line, c.task, c.problem, c.timestamp_text),
            (7, Some(3), None, Text(b"record"))
        );
        assert_eq!(
            c.dn().as_deref(),
            Some("cn=0,cn=410,cn=Display-Templates,cn=Addressing,cn=MSXFAQ,cn=Microsoft Exchange,cn=Services,cn=Configuration,dc=msxfaq,dc=de")
        );
    }

    #[test]
    fn entries_run_together_with_and_without_heads() {
        let changes = scan("Deleteting DS object /dc=x/cn=Address-Templates/cn=409/cn=0 [30.11.2007 17:35:16] [2] Deleting DS object /dc=x/cn=Address-Templates/cn=407/cn=1 Deleting DS object /o=Org/cn=2");
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0].path, Text(b"/dc=x/cn=Address-Templates/cn=409/cn=0"));
        assert_eq!(changes[0].timestamp_text, Text(b"record"));
        assert_eq!(changes[1].path, Text(b"/dc=x/cn=Address-Templates/cn=407/cn=1"));
        assert_eq!(changes[1].timestamp_text, Text(b"30.11.2007 17:35:16"));
        assert_eq!(changes[1].time.seconds_of_day, 17 * 3600 + 35 * 60 + 16);
        assert_eq!(changes[1].verb, Text(b"Deleting"));
        assert_eq!(changes[1].locale().map(|l| l.culture), Some(Some("de-DE")));
        assert_eq!(changes[2].path, Text(b"/o=Org/cn=2"));
        assert_eq!(changes[2].root(), PathRoot::Organization);
        assert_eq!(changes[2].organization(), Some(Text(b"Org")));
        assert_eq!(changes[2].container(), Some(AdContainer::Other(Text(b"Org"))));
        assert_eq!(changes[2].dn().as_deref(), Some("cn=2,o=Org"));
    }

    #[test]
    fn other_verbs_and_words_are_not_entries() {
        assert!(scan("Creating DS object /dc=x/cn=y").is_empty());
        assert!(scan("DS object /dc=x").is_empty());
        assert!(scan("xDeleting DS object /dc=x").is_empty());
    }

    #[test]
    fn malformed_paths_are_kept_with_a_problem() {
        for (line, problem, path) in [
            ("Deleting DS object ", PathProblem::Empty, ""),
            (
                "Deleting DS object dc=de/cn=x",
                PathProblem::NoLeadingSlash,
                "dc=de/cn=x",
            ),
            (
                "Deleting DS object /dc=de//cn=x",
                PathProblem::EmptyComponent { index: 1 },
                "/dc=de//cn=x",
            ),
            (
                "Deleting DS object /dc=de/cn=Microsoft Exchange/cn=ORG/cn=Addressing/cn",
                PathProblem::MissingEquals { index: 4 },
                "/dc=de/cn=Microsoft Exchange/cn=ORG/cn=Addressing/cn",
            ),
            (
                "Deleting DS object /dc=de/cn=",
                PathProblem::EmptyNameOrValue { index: 1 },
                "/dc=de/cn=",
            ),
            (
                "Deleting DS object /dc=de/",
                PathProblem::EmptyComponent { index: 1 },
                "/dc=de/",
            ),
        ] {
            let changes = scan(line);
            assert_eq!(changes.len(), 1, "{line}");
            assert_eq!(changes[0].problem, Some(problem), "{line}");
            assert_eq!(changes[0].path, Text(path.as_bytes()), "{line}");
            assert_eq!(changes[0].dn(), None, "{line}");
        }
        // Facts of the good prefix survive a truncated tail.
        let c = scan("Deleting DS object /dc=de/cn=Microsoft Exchange/cn=ORG/cn=Addressing/cn=Display-Templates/cn=41");
        assert_eq!(c[0].locale().map(|l| l.lcid), Some(0x41));
        assert_eq!(c[0].locale().and_then(|l| l.culture), None);
        let c = scan("Deleting DS object /dc=de/cn=Microsoft Exchange/cn=ORG/c");
        assert_eq!(c[0].organization(), Some(Text(b"ORG")));
        assert_eq!(c[0].problem, Some(PathProblem::MissingEquals { index: 3 }));
    }

    #[test]
    fn the_parse_check_agrees_with_the_reader() {
        for path in [
            "",
            "/",
            "//",
            "/dc=de",
            "dc=de/cn=x",
            "/dc=de/",
            "/dc=de//cn=x",
            "/dc=de/cn",
            "/dc=de/cn=",
            "/dc=de/=x",
            "/dc=de/ = /cn=x",
            "/o=X/ou=A B/cn=C=D",
            "/dc=de/dc=msxfaq/cn=Configuration/cn",
            "/dc=de/dc=msxfaq/cn=Configuration//",
            "/dc=de/dc=msxfaq/cn=Configurationx/c",
            "/dc=de/dc=msxfaq/cn=Configuration/cn= ",
            SEED_PATH_0,
        ] {
            let expected = read_path(path.as_bytes()).problem;
            assert_eq!(
                path_problem(path.as_bytes(), &mut CheckedPrefix::default()),
                expected,
                "{path:?}"
            );
            // Skipping the components shared with a good path before changes nothing.
            for previous in [
                "/dc=de",
                "/dc=de/cn=x",
                "/dc=de/cn=x/cn=y",
                "/dc=de/dc=msxfaq/cn=Configuration",
                "/dc=de/dc=msxfaq/cn=Configuration/cn=Services",
                SEED_PATH_0,
            ] {
                let mut prefix = CheckedPrefix::default();
                assert_eq!(path_problem(previous.as_bytes(), &mut prefix), None, "{previous:?}");
                assert_eq!(
                    path_problem(path.as_bytes(), &mut prefix),
                    expected,
                    "{path:?} after {previous:?}"
                );
            }
        }
        // The prefix ends at the slash before the last two components, and a bad path
        // leaves it alone.
        let mut prefix = CheckedPrefix::default();
        assert_eq!(path_problem(SEED_PATH_0.as_bytes(), &mut prefix), None);
        assert!(prefix.0.ends_with(b"/cn=Display-Templates/"));
        assert!(path_problem(b"/dc=de/cn", &mut prefix).is_some());
        assert!(prefix.0.ends_with(b"/cn=Display-Templates/"));
    }

    #[test]
    fn marker_search() {
        assert_eq!(find_marker(b"DS object"), Some(0));
        assert_eq!(find_marker(b"x jDS object /DS object"), Some(3));
        assert_eq!(find_marker(b"cn=Fujitsu/DS objec"), None);
        assert_eq!(find_marker(b"j"), None);
        assert_eq!(find_marker(b""), None);
    }

    #[test]
    fn dn_escapes_special_characters() {
        let c = scan("Deleting DS object /dc=com/cn=Smith, John");
        assert_eq!(c[0].dn().as_deref(), Some("cn=Smith\\, John,dc=com"));
    }

    #[test]
    fn trailing_heads() {
        assert_eq!(
            trailing_head(b"/cn=0 [30.11.2007 17:35:15] [2] ").map(|(_, at)| at),
            Some(6)
        );
        assert_eq!(trailing_head(b"/cn=0 [x] [2]"), None);
        assert_eq!(trailing_head(b"/cn=0 [30.11.2007 17:35:15] [222]"), None);
        assert_eq!(trailing_head(b"]"), None);
        assert_eq!(trailing_head(b"[]"), None);
        assert_eq!(trailing_head(b""), None);
    }

    #[test]
    fn summary_counts_tasks_and_unfinished() {
        let changes = scan("Deleting DS object /dc=x/cn=Microsoft Exchange/cn=O/cn=Addressing/cn=Display-Templates/cn=409/cn=0 Deleting DS object /dc=x/cn=Microsoft Exchange/cn=O/cn=Addressing/cn=Address-Templates/cn=409 Deleting DS object /dc=x/cn=bad");
        let task = Task {
            name: Text(b"Remove-AddressTemplates"),
            depth: 2,
            begin_line: 5,
            begin: RawTimestamp::default(),
            end_line: None,
            end: None,
        };
        let tasks = [task, task, task, task];
        let s = summarize(&changes, &tasks, false).unwrap_or_else(|| panic!("summary"));
        assert_eq!(s.total, 3);
        assert_eq!((s.first_line, s.last_line), (7, 7));
        assert_eq!(
            s.by_container,
            vec![
                ContainerCount {
                    container: AdContainer::DisplayTemplates,
                    count: 1
                },
                ContainerCount {
                    container: AdContainer::AddressTemplates,
                    count: 1
                },
                ContainerCount {
                    container: AdContainer::Other(Text(b"x")),
                    count: 1
                },
            ]
        );
        assert_eq!(
            s.by_locale,
            vec![LocaleCount {
                lcid: 0x409,
                culture: Some("en-US"),
                count: 2
            }]
        );
        assert_eq!((s.without_locale, s.malformed), (1, 0));
        assert_eq!(s.organizations, vec![Text(b"O")]);
        assert_eq!(s.tasks.len(), 1);
        assert_eq!(s.tasks[0].index, Some(3));
        assert!(!s.tasks[0].ended());
        assert!(s.unfinished);
        let ended = [Task {
            end_line: Some(9),
            ..task
        }; 4];
        let s = summarize(&changes, &ended, true).unwrap_or_else(|| panic!("summary"));
        assert!(!s.unfinished);
        assert_eq!(summarize(&[], &ended, true), None);
        // Outside any task: unfinished only when the run stopped.
        let mut outside = changes.clone();
        outside.iter_mut().for_each(|c| c.task = None);
        assert!(summarize(&outside, &[], true).is_some_and(|s| s.unfinished));
        assert!(summarize(&outside, &[], false).is_some_and(|s| !s.unfinished));
    }
}
