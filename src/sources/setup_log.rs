//! ExchangeSetup.log: run summaries for `analyze`, records, runs and AD deletions as JSONL
//! for `parse`.

use std::io::{self, Write};

use exdoctor_parsers::setup_log::{
    decode, parse_setup_log, utc_offset_minutes, AdChange, Issue, Run, RunResult, SetupLog, Text,
};
use exdoctor_parsers::text::{binary_ratio, TextEncoding};
use exdoctor_parsers::timestamp::RawTimestamp;
use serde_json::json;

use super::{write_json_line, Input, SetupLogRules};
use crate::model::{
    cut_message, AdChangesSummary, Diagnostic, ErrorReferenceSummary, EvaluationSummary, Facts, FailedRuleSummary,
    Finding, GapSummary, IssueSummary, Loaded, Milestone, ParameterSummary, ResumeMismatchSummary, ResumeSummary,
    RunFacts, RunHeaderSummary, RunSummary, SetupLogFacts, SetupLogFile, SetupLogSummary, SourceDetails, SourceKind,
    SourceSummary, TaskSummary,
};

/// Share of undecodable bytes above which a file with no records is called binary.
const BINARY_THRESHOLD: f64 = 0.10;

/// Parses one setup log once: its summary, the findings of its per-file `rules` (run on
/// the borrowed parse) and the run facts.
pub fn load(input: &Input<'_>, rules: SetupLogRules) -> Loaded {
    let decoded = decode(input.bytes());
    let log = parse_setup_log(&decoded.text);
    let findings = rules(&SetupLogFile::new(input.display(), &log));
    Loaded {
        summary: summary_of(input, &log, decoded.encoding),
        facts: Facts::SetupLog(facts_of(&log, findings)),
    }
}

/// Owned facts of a parsed log.
fn facts_of(log: &SetupLog<'_>, findings: Vec<Finding>) -> SetupLogFacts {
    let mut facts = SetupLogFacts {
        findings,
        clock: log.clock(),
        ..SetupLogFacts::default()
    };
    for run in &log.runs {
        let h = &run.header;
        if let Some(name) = h.server_name.map(|n| n.to_string()).filter(|n| !n.is_empty()) {
            facts.server_name = Some(name);
        }
        if let Some(user) = h.user {
            facts.user_domain = user
                .to_string()
                .split_once('\\')
                .map(|(d, _)| d.to_string())
                .or(facts.user_domain.take());
        }
        if let Some(tz) = h.time_zone {
            facts.utc_offset_minutes = utc_offset_minutes(&tz.to_str_lossy());
            facts.time_zone = Some(tz.to_string());
        }
        facts.milestones.extend(milestones(log, run));
        facts.runs.push(RunFacts {
            index: run.index,
            first_line: run.first_line,
            last_line: run.last_line,
            start: run.first_time.and_then(|t| log.resolve(&t)),
            end: run.last_time.and_then(|t| log.resolve(&t)),
            result: run.result,
            ended: run.ended(),
            mode: h.mode(),
            setup_version: h.setup_version.map(|v| v.to_string()),
            unfinished_task: run.unfinished_tasks().last().map(|t| t.name.to_string()),
        });
    }
    facts
}

/// The timeline points of a run: start, role tasks, errors setup did not ignore, long
/// pauses, the result, and the last line of a run that never ended.
fn milestones(log: &SetupLog<'_>, run: &Run<'_>) -> Vec<Milestone> {
    let mut out = Vec::new();
    let mut push = |line: u32, ts: &RawTimestamp, text: String| {
        if let Some(time) = log.resolve(ts) {
            out.push(Milestone { line, time, text });
        }
    };
    if let Some(t) = run.first_time {
        let h = &run.header;
        push(
            run.first_line,
            &t,
            format!(
                "setup run {} started (mode {}, setup {})",
                run.index + 1,
                h.mode().unwrap_or_else(|| "?".into()),
                h.setup_version.map_or_else(|| "?".into(), |v| v.to_string())
            ),
        );
    }
    for task in run
        .tasks
        .iter()
        .filter(|t| t.depth <= 1 && !t.name.as_bytes().eq_ignore_ascii_case(b"Get-ProcessModule"))
    {
        push(task.begin_line, &task.begin, format!("begin {}", task.name));
        if let (Some(line), Some(end)) = (task.end_line, task.end) {
            push(line, &end, format!("end {}", task.name));
        }
    }
    for e in run.errors.iter().filter(|e| !e.ignored) {
        push(
            e.line,
            &e.time,
            format!("[ERROR] {}", shorten(e.message.to_str_lossy().trim(), 200)),
        );
    }
    for g in run.gaps.iter().filter(|g| g.seconds >= 600) {
        push(g.after_line, &g.from, format!("no line for {} min", g.seconds / 60));
    }
    if let (Some(first), Some(deleted)) = (run.ad_changes.first(), AdChangesSummary::of(log, run)) {
        push(first.line, &first.time, deletion_milestone(&deleted));
    }
    if let (Some(line), Some(t)) = (run.result_line, run.last_time) {
        push(
            line,
            &t,
            format!("setup run {} result: {}", run.index + 1, result_word(run.result)),
        );
    } else if let Some(t) = run.last_time.filter(|_| run.is_incomplete()) {
        push(
            run.last_line,
            &t,
            format!("setup run {} stops here: no result, no End of Setup", run.index + 1),
        );
    }
    out
}

/// `setup deleted 73 details templates of 24 locales (organization BEISPIEL;
/// Remove-AddressTemplates, lines 596-668)`.
fn deletion_milestone(deleted: &AdChangesSummary) -> String {
    let org = deleted
        .organizations
        .first()
        .map(|o| format!("organization {o}; "))
        .unwrap_or_default();
    format!("setup deleted {} ({org}{})", deleted.what(), deleted.place())
}

fn summary_of(input: &Input<'_>, log: &SetupLog<'_>, encoding: TextEncoding) -> SourceSummary {
    let mut summary = SourceSummary::new(input.display(), SourceKind::SetupLog);
    summary.diagnostics = diagnostics(input, log, encoding);
    summary.records = log.records;
    summary.errors = log.orphan_lines;
    summary.details = SourceDetails::SetupLog(SetupLogSummary {
        encoding,
        lines: log.lines,
        continuation_lines: log.continuation_lines,
        date_order: log.date_order,
        date_order_reason: log.order_reason,
        clock: log.clock(),
        runs_total: log.runs.len(),
        runs: recent(&log.runs, SUMMARY_RUNS)
            .iter()
            .map(|r| run_summary(log, r))
            .collect(),
    });
    summary
}

/// Runs detailed in a summary (the last ones; earlier runs are history).
const SUMMARY_RUNS: usize = 100;

/// The last `n` runs.
fn recent<'r, 'a>(runs: &'r [Run<'a>], n: usize) -> &'r [Run<'a>] {
    &runs[runs.len().saturating_sub(n)..]
}

/// Writes a `file` line, one `run` line per run, one `ad_change` line per object a run
/// logged as deleted in Active Directory, then one `record` line per record.
pub fn write_records(input: &Input<'_>, out: &mut dyn Write) -> io::Result<Vec<Diagnostic>> {
    let decoded = decode(input.bytes());
    let log = parse_setup_log(&decoded.text);
    write_json_line(
        out,
        &json!({
            "type": "file", "path": input.display(), "kind": "setup_log", "encoding": decoded.encoding,
            "lines": log.lines, "records": log.records, "continuation_lines": log.continuation_lines,
            "date_order": log.date_order, "date_order_reason": log.order_reason, "runs": log.runs.len(),
        }),
    )?;
    for run in &log.runs {
        let mut value = serde_json::to_value(run_summary(&log, run)).map_err(io::Error::other)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("type".into(), "run".into());
        }
        write_json_line(out, &value)?;
    }
    for run in &log.runs {
        for change in &run.ad_changes {
            write_json_line(out, &ad_change_line(&log, run, change))?;
        }
    }
    for rec in log.records() {
        let mut value = json!({
            "type": "record",
            "line": rec.line,
            "offset": rec.offset,
            "time": time(&log, &rec.timestamp),
            "timestamp": rec.timestamp_text,
            "depth": rec.depth,
            "tag": rec.tag,
            "message": rec.message,
        });
        if !rec.continuation.is_empty() {
            if let Some(obj) = value.as_object_mut() {
                obj.insert("continuation".into(), rec.continuation.to_str_lossy().into());
                obj.insert("end_line".into(), rec.end_line.into());
            }
        }
        write_json_line(out, &value)?;
    }
    Ok(diagnostics(input, &log, decoded.encoding))
}

/// One deletion as a `parse` line: where, when, the path as logged and what it names.
fn ad_change_line(log: &SetupLog<'_>, run: &Run<'_>, change: &AdChange<'_>) -> serde_json::Value {
    let locale = change
        .locale()
        .map(|l| json!({"lcid": format!("{:X}", l.lcid), "text": l.text, "culture": l.culture}));
    json!({
        "type": "ad_change",
        "run": run.index,
        "line": change.line,
        "time": time(log, &change.time),
        "timestamp": change.timestamp_text,
        "verb": change.verb,
        "path": change.path,
        "root": change.root(),
        "dn": change.dn(),
        "forest": change.forest_dns(),
        "organization": change.organization(),
        "container": change.container().map(|c| c.to_string()),
        "locale": locale,
        "task": run.ad_change_task(change).map(|t| t.name),
        "problem": change.problem.map(|p| p.to_string()),
    })
}

/// Local time as ISO 8601 without zone (setup logs are in the server's local time).
fn time(log: &SetupLog<'_>, ts: &RawTimestamp) -> Option<String> {
    log.resolve(ts).map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
}

fn result_word(result: RunResult) -> &'static str {
    match result {
        RunResult::Completed => "completed",
        RunResult::Failed => "failed",
        RunResult::CriticalStop => "critical-stop",
        RunResult::Incomplete => "incomplete",
    }
}

fn opt(t: Option<Text<'_>>) -> Option<String> {
    t.map(|t| t.to_string())
}

fn issue_summary(log: &SetupLog<'_>, issue: &Issue<'_>) -> IssueSummary {
    IssueSummary {
        line: issue.line,
        time: time(log, &issue.time),
        depth: issue.depth,
        message: cut_message(issue.message.to_str_lossy()),
        ignored: issue.ignored,
    }
}

fn run_summary(log: &SetupLog<'_>, run: &Run<'_>) -> RunSummary {
    let h = &run.header;
    RunSummary {
        index: run.index,
        first_line: run.first_line,
        last_line: run.last_line,
        has_start_banner: run.has_start_banner,
        product: opt(run.product),
        start: run.first_time.and_then(|t| time(log, &t)),
        end: run.last_time.and_then(|t| time(log, &t)),
        records: run.records,
        result: result_word(run.result).to_string(),
        result_line: run.result_line,
        critical_stop_line: run.critical_stop_line,
        end_of_setup_line: run.end_of_setup_line,
        header: RunHeaderSummary {
            setup_version: opt(h.setup_version),
            mode: h.mode(),
            installation_mode: opt(h.installation_mode),
            parameters: h
                .parameters
                .iter()
                .map(|p| ParameterSummary {
                    name: p.name.to_string(),
                    value: p.value.to_string(),
                })
                .collect(),
            command_line: opt(h.command_line),
            user: opt(h.user),
            os_version: opt(h.os_version),
            time_zone: opt(h.time_zone),
            installed_version: opt(h.installed_version),
            backup_version: opt(h.backup_version),
            schema_update_required: h.schema_update_required,
            organization_update_required: h.organization_update_required,
            domain_update_required: h.domain_update_required,
            domain_controller: opt(h.domain_controller),
            global_catalog: opt(h.global_catalog),
            server_name: opt(h.server_name),
            roles_unpacked: opt(h.roles_unpacked),
            roles_installed: opt(h.roles_installed),
        },
        resume: run.resume.map(|r| ResumeSummary {
            line: r.line,
            previous_action: r.previous_action.to_string(),
            task_id: opt(r.task_id),
        }),
        resume_mismatch: run.resume_mismatch.map(|r| ResumeMismatchSummary {
            line: r.line,
            previous_action: r.previous_action.to_string(),
            requested_action: r.requested_action.to_string(),
        }),
        tasks: run.tasks.len(),
        unfinished_tasks: run
            .unfinished_tasks()
            .map(|t| TaskSummary {
                name: t.name.to_string(),
                depth: t.depth,
                line: t.begin_line,
                time: time(log, &t.begin),
            })
            .collect(),
        first_error: run.first_error().map(|e| issue_summary(log, e)),
        errors: run.errors.len(),
        warnings: run.warnings.len(),
        error_references: run
            .error_blocks
            .iter()
            .filter_map(|b| b.reference)
            .map(|r| ErrorReferenceSummary {
                line: r.line,
                id: r.id.to_string(),
                component: r.component.to_string(),
            })
            .collect(),
        readiness: run.readiness.iter().map(|i| issue_summary(log, i)).collect(),
        failed_rules: run
            .failed_rules
            .iter()
            .map(|f| FailedRuleSummary {
                line: f.line,
                rule: f.name.to_string(),
                message: cut_message(f.message.to_str_lossy()),
                help_url: opt(f.help_url),
            })
            .collect(),
        failed_evaluations: run
            .failed_evaluations()
            .iter()
            .map(|e| EvaluationSummary {
                line: e.line,
                rule: e.name.to_string(),
            })
            .collect(),
        gaps: run
            .gaps
            .iter()
            .map(|g| GapSummary {
                after_line: g.after_line,
                before_line: g.before_line,
                seconds: g.seconds,
                from: time(log, &g.from),
                to: time(log, &g.to),
            })
            .collect(),
        backward_steps: run.backward_steps,
        ad_changes: AdChangesSummary::of(log, run),
    }
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn diagnostics(input: &Input<'_>, log: &SetupLog<'_>, encoding: TextEncoding) -> Vec<Diagnostic> {
    let path = input.display();
    let mut out = Vec::new();
    if log.records == 0 {
        let sample = &input.bytes()[..input.bytes().len().min(64 * 1024)];
        let message = if input.bytes().is_empty() {
            "empty file".to_string()
        } else if encoding == TextEncoding::Utf8 && binary_ratio(sample) > BINARY_THRESHOLD {
            "binary content, not a text setup log: no records read".to_string()
        } else {
            "no setup-log records found (no `[<date> <time>] [<depth>]` lines)".to_string()
        };
        out.push(Diagnostic::error(path, message));
        return out;
    }
    if encoding != TextEncoding::Utf8 {
        out.push(Diagnostic::warning(
            path,
            format!("file is {encoding:?}; decoded before parsing"),
        ));
    }
    for problem in &log.problems {
        out.push(Diagnostic::warning(path, problem.to_string()));
    }
    if let Some(run) = log.last_run() {
        if run.result == RunResult::Incomplete && !run.ended() {
            out.push(Diagnostic::warning(
                path,
                format!(
                    "last run (line {}) has no result and no End of Setup: interrupted or truncated",
                    run.first_line
                ),
            ));
        }
    }
    out
}
