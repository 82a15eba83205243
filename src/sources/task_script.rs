//! Exchange 2007 setup task scripts (`Install-<Role>-<date>.ps1`): their step ids let a
//! registry watermark name the step that failed.

use std::io::{self, Write};

use exdoctor_parsers::task_script::parse_task_script;

use super::write_json_line;
use super::Input;
use crate::model::{Diagnostic, Loaded};
use crate::model::{Facts, SourceSummary, TaskScriptFacts, TaskStepFacts};
use crate::model::{SourceDetails, SourceKind, TaskScriptSummary, TaskStepSummary};

/// Reads one task script: its steps.
pub fn load(input: &Input<'_>) -> Loaded {
    let steps: Vec<TaskStepFacts> = parse_task_script(input.bytes())
        .iter()
        .map(|s| TaskStepFacts {
            line: s.line,
            id: s.id.to_string(),
            name: s.name.to_string(),
            fatal: s.fatal,
        })
        .collect();
    let mut summary = SourceSummary::new(input.display(), SourceKind::TaskScript);
    summary.records = steps.len() as u64;
    summary.details = SourceDetails::TaskScript(TaskScriptSummary {
        steps: steps
            .iter()
            .map(|s| TaskStepSummary {
                line: s.line,
                id: s.id.clone(),
                name: s.name.clone(),
                fatal: s.fatal,
            })
            .collect(),
    });
    if steps.is_empty() {
        summary
            .diagnostics
            .push(Diagnostic::warning(input.display(), "no `# [ID = ...]` steps found"));
    }
    Loaded {
        summary,
        facts: Facts::TaskScript(TaskScriptFacts { steps }),
    }
}

/// The steps as JSON lines.
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    for step in parse_task_script(input.bytes()) {
        write_json_line(out, &step)?;
    }
    Ok(Vec::new())
}
