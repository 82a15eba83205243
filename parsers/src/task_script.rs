//! The informational task scripts Exchange 2007 setup writes next to its log
//! (`Install-MailboxRole-20071130-1729400000.ps1`): each step is introduced by
//! `# [ID = 5b3d6f0e, Wt = 3, isFatal = False] "Starting Information Store"`, and the
//! ID is what setup stores as the role's `Watermark` when that step fails.

use memchr::memmem;
use serde::Serialize;

use crate::setup_log::Text;

/// One step of a task script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskStep<'a> {
    /// 1-based line of the `# [ID = ...]` comment.
    pub line: u32,
    /// The step's id: what setup stores as the registry `Watermark`.
    pub id: Text<'a>,
    /// `Wt`: the step's weight in the progress bar.
    pub weight: Option<u32>,
    /// `isFatal`: setup stops when the step fails.
    pub fatal: bool,
    /// The step's description (quoted text after the bracket), may be empty.
    pub name: Text<'a>,
}

/// All steps of a task script, in file order. Lines that only look like steps are skipped.
pub fn parse_task_script(input: &[u8]) -> Vec<TaskStep<'_>> {
    let mut steps = Vec::new();
    for (index, line) in input.split(|&b| b == b'\n').enumerate() {
        let line_text = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(at) = memmem::find(line_text, b"[ID = ") else {
            continue;
        };
        if !line_text[..at].trim_ascii().starts_with(b"#") {
            continue;
        }
        let rest = &line_text[at + 6..];
        let Some(close) = rest.iter().position(|&b| b == b']') else {
            continue;
        };
        let fields = &rest[..close];
        let mut parts = fields.split(|&b| b == b',').map(<[u8]>::trim_ascii);
        let id = parts.next().unwrap_or_default();
        if id.is_empty() || !id.iter().all(u8::is_ascii_alphanumeric) {
            continue;
        }
        let mut weight = None;
        let mut fatal = false;
        for part in parts {
            if let Some(w) = part.strip_prefix(b"Wt = ") {
                weight = std::str::from_utf8(w).ok().and_then(|w| w.trim().parse().ok());
            } else if let Some(f) = part.strip_prefix(b"isFatal = ") {
                fatal = f.eq_ignore_ascii_case(b"True");
            }
        }
        let after = Text(&rest[close + 1..]).trim();
        let name = after.between("\"", "\"").unwrap_or(after);
        steps.push(TaskStep {
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            id: Text(id),
            weight,
            fatal,
            name,
        });
    }
    steps
}

/// Whether `input` looks like a task script (a `# [ID = ` step comment near the top).
pub fn looks_like_task_script(input: &[u8]) -> bool {
    let head = &input[..input.len().min(16 * 1024)];
    memmem::find(head, b"# [ID = ").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_with_ids_weights_and_names() {
        let script = b"# header\r\n# [ID = 5b3d6f0e, Wt = 3, isFatal = False] \"Starting Information Store\"\r\nstart-SetupService -ServiceName MSExchangeIS\r\n  # [ID = fdfe6b1a, Wt = 1, isFatal = True] \"Mailbox Service Configuration\"\n$x = '[ID = nope]'\n# [ID = bad id!, Wt = 1]\n";
        let steps = parse_task_script(script);
        assert_eq!(steps.len(), 2);
        assert_eq!(
            (steps[0].line, steps[0].id, steps[0].weight, steps[0].fatal),
            (2, Text(b"5b3d6f0e"), Some(3), false)
        );
        assert_eq!(steps[0].name, Text(b"Starting Information Store"));
        assert_eq!((steps[1].line, steps[1].fatal), (4, true));
        assert!(looks_like_task_script(script));
        assert!(parse_task_script(b"\xff\x00garbage").is_empty());
    }
}
