//! Input diagnostics grouped for people: one line per kind of problem with its count
//! and the first few files, instead of one line per diagnostic (the JSON report keeps
//! every one). A kind is the message with its numbers left out. Paths and messages come
//! from the inputs: they are written through [`printable`].

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use super::escape::printable;
use super::TextStyle;
use crate::model::{DiagLevel, Diagnostic};

/// Files named per group before `(+N more)`.
const PATHS_PER_GROUP: usize = 5;

/// Diagnostics of one level and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticGroup<'a> {
    /// Their level.
    pub level: DiagLevel,
    /// The message with every number replaced by `#`.
    pub kind: String,
    /// The first message of the group as written.
    pub example: &'a str,
    /// Whether every message of the group is the example.
    pub identical: bool,
    /// How many.
    pub count: usize,
    /// The files, each once, in report order.
    pub paths: Vec<&'a str>,
}

/// `record ids jump from 1155 to 1418` -> `record ids jump from # to #` (hex `0x..`
/// included).
fn kind_of(message: &str) -> String {
    let mut kind = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let hex = c == '0' && chars.peek() == Some(&'x');
            if hex {
                chars.next();
            }
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_digit() || (hex && n.is_ascii_hexdigit()))
            {
                chars.next();
            }
            kind.push('#');
        } else {
            kind.push(c);
        }
    }
    kind
}

/// The groups: errors first, then the most frequent kinds, then by kind.
pub fn diagnostic_groups(diagnostics: &[Diagnostic]) -> Vec<DiagnosticGroup<'_>> {
    let mut groups: Vec<DiagnosticGroup<'_>> = Vec::new();
    // Indexed: a damaged fleet can give a hundred thousand diagnostics of as many kinds.
    let mut index: HashMap<(DiagLevel, String), usize> = HashMap::new();
    let mut paths: Vec<HashSet<&str>> = Vec::new();
    for d in diagnostics {
        let kind = kind_of(&d.message);
        match index.get(&(d.level, kind.clone())).copied() {
            Some(at) => {
                let (Some(group), Some(seen)) = (groups.get_mut(at), paths.get_mut(at)) else {
                    continue;
                };
                group.count += 1;
                group.identical &= group.example == d.message;
                if seen.insert(&d.path) {
                    group.paths.push(&d.path);
                }
            }
            None => {
                index.insert((d.level, kind.clone()), groups.len());
                paths.push(HashSet::from([d.path.as_str()]));
                groups.push(DiagnosticGroup {
                    level: d.level,
                    kind,
                    example: &d.message,
                    identical: true,
                    count: 1,
                    paths: vec![&d.path],
                });
            }
        }
    }
    groups.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    groups
}

/// Writes the grouped diagnostics (for the text report and for stderr).
pub fn write_diagnostics(diagnostics: &[Diagnostic], style: TextStyle, out: &mut dyn Write) -> io::Result<()> {
    let errors = diagnostics.iter().filter(|d| d.level == DiagLevel::Error).count();
    writeln!(
        out,
        "{} ({} error(s), {} warning(s); every one in --format json)",
        style.paint("1", "Input diagnostics"),
        errors,
        diagnostics.len() - errors
    )?;
    for group in diagnostic_groups(diagnostics) {
        let level = match group.level {
            DiagLevel::Warning => style.paint("33", "warning"),
            DiagLevel::Error => style.paint("31", "error"),
        };
        if group.count == 1 {
            writeln!(
                out,
                "  {level}: {}: {}",
                printable(&group.paths.join(", ")),
                printable(group.example)
            )?;
            continue;
        }
        let text = if group.identical {
            group.example
        } else {
            group.kind.as_str()
        };
        writeln!(out, "  {level} x{}: {}", group.count, printable(text))?;
        let shown = &group.paths[..group.paths.len().min(PATHS_PER_GROUP)];
        let more = group.paths.len() - shown.len();
        writeln!(
            out,
            "      {}{}",
            printable(&shown.join(", ")),
            if more > 0 {
                format!(" (+{more} more files)")
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_make_one_kind_and_paths_are_listed_once() {
        let diags = vec![
            Diagnostic::warning(
                "a.evtx",
                "record ids jump from 1155 to 1418: 262 missing (event-log gap)",
            ),
            Diagnostic::warning("a.evtx", "record ids jump from 2 to 4: 1 missing (event-log gap)"),
            Diagnostic::warning("b.evtx", "offset 0x91000: chunk 9: records CRC32 mismatch"),
            Diagnostic::error("c.reg", "empty file"),
        ];
        let groups = diagnostic_groups(&diags);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].level, DiagLevel::Error);
        assert_eq!(groups[1].kind, "record ids jump from # to #: # missing (event-log gap)");
        assert_eq!((groups[1].count, groups[1].paths.clone()), (2, vec!["a.evtx"]));
        assert!(!groups[1].identical);
        assert_eq!(groups[2].kind, "offset #: chunk #: records CRC# mismatch");
    }
}
