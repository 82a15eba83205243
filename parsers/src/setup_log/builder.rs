//! Assembles runs, tasks, error blocks, readiness results and gaps from the records in
//! one pass; the date order is decided at the end and applied to the gap candidates.

use std::collections::HashMap;

use super::ad_changes;
use super::clock;
use super::facts::{classify, Fact};
use super::records::{Record, RecordIter, Tag};
use super::{
    ErrorBlock, ErrorReference, Evaluation, FailedRule, Gap, Issue, Resume, ResumeMismatch, Run, RunHeader, RunResult,
    SetupLog, Task, MIN_GAP_SECONDS,
};
use crate::timestamp::{DateOrder, OrderEvidence, RawTimestamp};
use crate::ParseError;

/// Records after an `[ERROR]` that still count as its context when no
/// `[ERROR-REFERENCE]` closes the block (2007 logs have none).
const MAX_BLOCK_RECORDS: u32 = 50;

/// Day numbers of the current date under both orders, recomputed only when the date
/// changes (rare), so that every record costs two additions.
#[derive(Debug, Clone, Copy, Default)]
struct DayCache {
    date: Option<(u16, u16, u16, bool)>,
    month_first: Option<i64>,
    day_first: Option<i64>,
}

impl DayCache {
    /// Seconds since 0001-01-01 of `ts` under (month-first, day-first).
    #[inline]
    fn epochs(&mut self, ts: &RawTimestamp) -> (Option<i64>, Option<i64>) {
        let key = (ts.first, ts.second, ts.third, ts.year_first);
        if self.date != Some(key) {
            self.date = Some(key);
            let midnight = RawTimestamp {
                seconds_of_day: 0,
                ticks: 0,
                ..*ts
            };
            self.month_first = midnight.epoch_seconds(DateOrder::MonthFirst);
            self.day_first = midnight.epoch_seconds(DateOrder::DayFirst);
        }
        let sod = i64::from(ts.seconds_of_day);
        (self.month_first.map(|d| d + sod), self.day_first.map(|d| d + sod))
    }
}

/// Gaps and backward steps of a run under one date order. A gap is measured from the
/// latest time seen so far, so a single out-of-order line (logs do contain them) makes
/// neither a gap on the way back nor a false one on the way out.
#[derive(Debug, Clone, Default)]
struct Clock {
    latest: Option<(i64, u32, RawTimestamp)>,
    previous: Option<i64>,
    gaps: Vec<Gap>,
    backward_steps: u32,
}

impl Clock {
    #[inline]
    fn feed(&mut self, epoch: Option<i64>, line: u32, ts: RawTimestamp) {
        let Some(now) = epoch else {
            return;
        };
        if self.previous.is_some_and(|p| now < p) {
            self.backward_steps += 1;
        }
        self.previous = Some(now);
        match self.latest {
            Some((latest, _, _)) if now < latest => {}
            Some((latest, latest_line, latest_ts)) => {
                if now - latest >= MIN_GAP_SECONDS {
                    self.gaps.push(Gap {
                        after_line: latest_line,
                        before_line: line,
                        from: latest_ts,
                        to: ts,
                        seconds: now - latest,
                    });
                }
                self.latest = Some((now, line, ts));
            }
            None => self.latest = Some((now, line, ts)),
        }
    }
}

/// A run being built.
struct RunState<'a> {
    run: Run<'a>,
    open_tasks: Vec<usize>,
    open_block: Option<usize>,
    block_records: u32,
    ignore_mark: usize,
    days: DayCache,
    month_first: Clock,
    day_first: Clock,
    /// The last record was a banner: (line, offset); a following start steals it.
    last_banner: Option<(u32, usize)>,
    /// Inside `test-SetupPrerequisites`: its errors and warnings are readiness results.
    in_prerequisites: bool,
    /// Rule name -> `[RuleType:...]` of its `Started [Rule:X]` line.
    rule_types: HashMap<&'a [u8], super::Text<'a>>,
    /// What the last deletion's path had in common with the others, already checked.
    ad_prefix: ad_changes::CheckedPrefix<'a>,
}

impl<'a> RunState<'a> {
    fn new(index: usize, first_line: u32, start_offset: usize, has_start_banner: bool) -> Self {
        RunState {
            run: Run {
                index,
                first_line,
                last_line: first_line,
                start_offset,
                end_offset: start_offset,
                has_start_banner,
                product: None,
                first_time: None,
                last_time: None,
                records: 0,
                header: RunHeader::default(),
                result: RunResult::Incomplete,
                result_line: None,
                critical_stop_line: None,
                end_of_setup_line: None,
                resume: None,
                resume_mismatch: None,
                tasks: Vec::new(),
                errors: Vec::new(),
                warnings: Vec::new(),
                error_blocks: Vec::new(),
                readiness: Vec::new(),
                evaluations: Vec::new(),
                failed_rules: Vec::new(),
                gaps: Vec::new(),
                backward_steps: 0,
                ad_changes: Vec::new(),
                role_invocation: None,
            },
            open_tasks: Vec::new(),
            open_block: None,
            block_records: 0,
            ignore_mark: 0,
            days: DayCache::default(),
            month_first: Clock::default(),
            day_first: Clock::default(),
            last_banner: None,
            in_prerequisites: false,
            rule_types: HashMap::new(),
            ad_prefix: ad_changes::CheckedPrefix::default(),
        }
    }

    /// Adds one record (not a start banner) to the run.
    #[inline]
    fn add(&mut self, rec: &Record<'a>, fact: Fact<'a>) {
        let run = &mut self.run;
        run.records += 1;
        run.last_line = rec.end_line;
        run.end_offset = rec.end;
        if run.first_time.is_none() {
            run.first_time = Some(rec.timestamp);
        }
        run.last_time = Some(rec.timestamp);
        self.track_time(rec);
        self.last_banner = if fact == Fact::Banner {
            Some((rec.line, rec.offset))
        } else {
            None
        };
        self.extend_block(rec);
        match rec.tag {
            Tag::None => {}
            Tag::Error => self.add_error(rec),
            Tag::Warning => {
                let issue = issue(rec, None);
                if self.in_prerequisites || is_readiness_text(rec) {
                    self.run.readiness.push(issue);
                }
                self.run.warnings.push(issue);
            }
            Tag::ErrorReference => self.add_reference(rec),
            Tag::Required | Tag::Recommended => self.run.readiness.push(issue(rec, None)),
        }
        self.apply(rec, fact);
    }

    fn apply(&mut self, rec: &Record<'a>, fact: Fact<'a>) {
        let run = &mut self.run;
        match fact {
            Fact::BeginTask(name) => {
                self.in_prerequisites |= is_prerequisite_task(name);
                self.open_tasks.push(run.tasks.len());
                run.tasks.push(Task {
                    name,
                    depth: rec.depth,
                    begin_line: rec.line,
                    begin: rec.timestamp,
                    end_line: None,
                    end: None,
                });
            }
            Fact::EndTask(name) => {
                let found = self.open_tasks.iter().rposition(|&i| {
                    let t = &run.tasks[i];
                    t.depth == rec.depth && t.name.as_bytes().eq_ignore_ascii_case(name.as_bytes())
                });
                if is_prerequisite_task(name) {
                    self.in_prerequisites = false;
                }
                if let Some(pos) = found {
                    let i = self.open_tasks.remove(pos);
                    run.tasks[i].end_line = Some(rec.line);
                    run.tasks[i].end = Some(rec.timestamp);
                }
            }
            Fact::Evaluated {
                kind,
                name,
                has_exception,
                value,
                parent_value,
            } => run.evaluations.push(Evaluation {
                line: rec.line,
                kind,
                name,
                has_exception,
                value,
                parent_value,
                rule_type: self.rule_types.get(name.as_bytes()).copied(),
            }),
            Fact::StartedRule { name, rule_type } => {
                self.rule_types.insert(name.as_bytes(), rule_type);
            }
            Fact::FailedRule { name, message } => run.failed_rules.push(FailedRule {
                line: rec.line,
                name,
                message,
                help_url: None,
            }),
            Fact::HelpUrl(url) => {
                // `.../ms.exch.setupreadiness.<Rule>.aspx` names its rule; all Failed lines
                // may come before the Help URLs, so match by name, else take the last rule.
                let named = help_url_rule(url);
                let by_name = named.and_then(|name| {
                    run.failed_rules
                        .iter()
                        .position(|r| r.help_url.is_none() && r.name.as_bytes().eq_ignore_ascii_case(name))
                });
                let index = by_name.or_else(|| {
                    run.failed_rules
                        .len()
                        .checked_sub(1)
                        .filter(|&i| named.is_none() && run.failed_rules[i].help_url.is_none())
                });
                if let Some(rule) = index.and_then(|i| run.failed_rules.get_mut(i)) {
                    rule.help_url = Some(url);
                }
            }
            Fact::Completed => {
                run.result = RunResult::Completed;
                run.result_line = Some(rec.line);
            }
            Fact::Failed => {
                run.result = RunResult::Failed;
                run.result_line = Some(rec.line);
            }
            Fact::CriticalStop => {
                run.critical_stop_line.get_or_insert(rec.line);
                if run.result == RunResult::Incomplete {
                    run.result = RunResult::CriticalStop;
                    run.result_line = Some(rec.line);
                }
            }
            Fact::EndOfSetup => {
                run.end_of_setup_line = Some(rec.line);
                self.close_block();
            }
            Fact::Resume { action, task_id } => {
                run.resume.get_or_insert(Resume {
                    line: rec.line,
                    previous_action: action,
                    task_id,
                });
            }
            Fact::ResumeMismatch { previous, requested } => {
                run.resume_mismatch.get_or_insert(ResumeMismatch {
                    line: rec.line,
                    previous_action: previous,
                    requested_action: requested,
                });
            }
            Fact::IgnoringPreviousErrors => {
                for e in &mut run.errors[self.ignore_mark..] {
                    e.ignored = true;
                }
                self.ignore_mark = run.errors.len();
                self.close_block();
            }
            Fact::DeleteDsObject => {
                let task = self.open_tasks.last().copied();
                ad_changes::scan_record(rec, task, &mut self.ad_prefix, &mut run.ad_changes);
            }
            Fact::Executing => {
                if run.role_invocation.is_none() {
                    run.role_invocation = clock::find_role_invocation(rec);
                }
            }
            Fact::Banner | Fact::Start { .. } | Fact::Other => {}
        }
    }

    /// Gap and monotonicity bookkeeping under both possible date orders.
    #[inline]
    fn track_time(&mut self, rec: &Record<'a>) {
        let (mf, df) = self.days.epochs(&rec.timestamp);
        self.month_first.feed(mf, rec.line, rec.timestamp);
        self.day_first.feed(df, rec.line, rec.timestamp);
    }

    fn add_error(&mut self, rec: &Record<'a>) {
        let block = match self.open_block {
            Some(i) => i,
            None => {
                self.run.error_blocks.push(ErrorBlock {
                    first_line: rec.line,
                    last_line: rec.end_line,
                    start: rec.offset,
                    end: rec.end,
                    errors: 0,
                    reference: None,
                });
                self.block_records = 0;
                self.open_block = Some(self.run.error_blocks.len() - 1);
                self.run.error_blocks.len() - 1
            }
        };
        self.run.error_blocks[block].errors += 1;
        let issue = issue(rec, Some(block));
        if self.in_prerequisites || is_readiness_text(rec) {
            self.run.readiness.push(issue);
        }
        self.run.errors.push(issue);
    }

    fn add_reference(&mut self, rec: &Record<'a>) {
        let reference = parse_reference(rec);
        match self.open_block.take() {
            Some(i) => self.run.error_blocks[i].reference = Some(reference),
            None => self.run.error_blocks.push(ErrorBlock {
                first_line: rec.line,
                last_line: rec.end_line,
                start: rec.offset,
                end: rec.end,
                errors: 0,
                reference: Some(reference),
            }),
        }
    }

    /// Extends the open error block over `rec`, or closes it when it grew too long.
    #[inline]
    fn extend_block(&mut self, rec: &Record<'a>) {
        let Some(i) = self.open_block else {
            return;
        };
        if rec.tag != Tag::Error && rec.tag != Tag::ErrorReference {
            self.block_records += 1;
            if self.block_records > MAX_BLOCK_RECORDS {
                self.close_block();
                return;
            }
        }
        let block = &mut self.run.error_blocks[i];
        block.last_line = rec.end_line;
        block.end = rec.end;
    }

    fn close_block(&mut self) {
        self.open_block = None;
    }

    /// Takes the gaps of the file's date order, settles the result and returns the run.
    fn finish(mut self, order: DateOrder) -> Run<'a> {
        let clock = match order {
            DateOrder::MonthFirst => self.month_first,
            DateOrder::DayFirst => self.day_first,
        };
        self.run.gaps = clock.gaps;
        self.run.backward_steps = clock.backward_steps;
        if let Some(m) = self.run.role_invocation.as_mut() {
            m.resolve(order);
        }
        // Reached `End of Setup` without a result line (2007 logs, invalid arguments):
        // failed when it logged errors it did not ignore, else completed.
        if self.run.result == RunResult::Incomplete && self.run.end_of_setup_line.is_some() {
            self.run.result = if self.run.errors.iter().any(|e| !e.ignored) {
                RunResult::Failed
            } else {
                RunResult::Completed
            };
        }
        self.run
    }
}

fn issue<'a>(rec: &Record<'a>, block: Option<usize>) -> Issue<'a> {
    Issue {
        line: rec.line,
        offset: rec.offset,
        time: rec.timestamp,
        depth: rec.depth,
        tag: rec.tag,
        message: rec.message,
        continuation: rec.continuation,
        block,
        ignored: false,
    }
}

/// The rule a readiness help URL names (`ms.exch.setupreadiness.<Rule>.aspx`).
fn help_url_rule(url: super::Text<'_>) -> Option<&[u8]> {
    let (_, rest) = url.split_once("setupreadiness.")?;
    let bytes = rest.as_bytes();
    let end = bytes
        .iter()
        .position(|&b| b == b'.' || b == b'?' || b == b'&')
        .unwrap_or(bytes.len());
    (end > 0).then(|| &bytes[..end])
}

/// The prerequisite engine's task.
fn is_prerequisite_task(name: super::Text<'_>) -> bool {
    name.as_bytes().eq_ignore_ascii_case(b"test-SetupPrerequisites")
}

/// 2007 readiness failures are plain errors/warnings: "... setup cannot continue because ...".
fn is_readiness_text(rec: &Record<'_>) -> bool {
    rec.message.contains_ignore_case("cannot continue")
}

/// `Id=<id> Component=<component>`.
fn parse_reference<'a>(rec: &Record<'a>) -> ErrorReference<'a> {
    let m = rec.message;
    let (id, component) = match m.split_once(" Component=") {
        Some((id, component)) => (id, component.trim()),
        None => (m, super::Text::default()),
    };
    ErrorReference {
        line: rec.line,
        id: id.strip_prefix("Id=").unwrap_or(id).trim(),
        component,
    }
}

/// Builds the [`SetupLog`] of a decoded input.
pub(super) fn build(input: &[u8]) -> SetupLog<'_> {
    let mut iter = RecordIter::new(input);
    let mut evidence = OrderEvidence::default();
    let mut done: Vec<RunState<'_>> = Vec::new();
    let mut current: Option<RunState<'_>> = None;
    // A banner seen before any run: it starts the next run (or a headless one).
    let mut leading_banner: Option<(u32, usize)> = None;
    let mut scratch;
    let mut records = 0u64;

    for rec in iter.by_ref() {
        records += 1;
        evidence.add(&rec.timestamp);
        let header = match current.as_mut() {
            Some(state) => &mut state.run.header,
            None => {
                scratch = RunHeader::default();
                &mut scratch
            }
        };
        let fact = classify(rec.depth, rec.message, header);
        if let Fact::Start { product } = fact {
            let index = done.len() + usize::from(current.is_some());
            let (first_line, offset) = match current.as_mut() {
                Some(prev) => match prev.last_banner.take() {
                    Some((line, offset)) => {
                        // The banner before the start line belongs to the new run.
                        prev.run.records = prev.run.records.saturating_sub(1);
                        prev.run.last_line = line.saturating_sub(1).max(prev.run.first_line);
                        prev.run.end_offset = offset;
                        prev.month_first.gaps.retain(|g| g.before_line != line);
                        prev.day_first.gaps.retain(|g| g.before_line != line);
                        (line, offset)
                    }
                    None => (rec.line, rec.offset),
                },
                None => leading_banner.take().unwrap_or((rec.line, rec.offset)),
            };
            if let Some(prev) = current.take() {
                done.push(prev);
            }
            let mut state = RunState::new(index, first_line, offset, true);
            if first_line != rec.line {
                state.run.records = 1; // the stolen banner
            }
            state.run.product = Some(product);
            state.add(&rec, Fact::Other);
            current = Some(state);
            continue;
        }
        if current.is_none() {
            if fact == Fact::Banner && leading_banner.is_none() {
                leading_banner = Some((rec.line, rec.offset));
                continue;
            }
            let (line, offset) = leading_banner.take().unwrap_or((rec.line, rec.offset));
            let mut state = RunState::new(done.len(), line, offset, false);
            if line != rec.line {
                state.run.records = 1;
            }
            // Re-classify into the run's own header (the scratch one is discarded).
            let fact = classify(rec.depth, rec.message, &mut state.run.header);
            state.add(&rec, fact);
            current = Some(state);
            continue;
        }
        if let Some(state) = current.as_mut() {
            state.add(&rec, fact);
        }
    }
    // A file holding only a banner line.
    if current.is_none() && done.is_empty() {
        if let Some((line, offset)) = leading_banner {
            let mut state = RunState::new(0, line, offset, false);
            state.run.records = 1;
            state.run.end_offset = input.len();
            current = Some(state);
        }
    }
    if let Some(state) = current.take() {
        done.push(state);
    }

    let (date_order, order_reason) = evidence.decide();
    let runs: Vec<Run<'_>> = done.into_iter().map(|s| s.finish(date_order)).collect();
    let mut problems = Vec::new();
    if records == 0 {
        problems.push(ParseError::File(
            "no setup-log records (`[<date> <time>] [<depth>] <message>` lines) found".into(),
        ));
    } else if iter.orphan_lines() > 0 {
        problems.push(ParseError::Line {
            line: 1,
            message: format!(
                "{} line(s) before the first timestamped record: the head of the log is missing or damaged",
                iter.orphan_lines()
            ),
        });
    }
    // Deletion entries whose path is not a DN: kept as text, reported here.
    for change in runs.iter().flat_map(|r| &r.ad_changes) {
        if let Some(problem) = change.problem {
            problems.push(ParseError::Line {
                line: u64::from(change.line),
                message: format!("malformed DS object path ({problem}), kept as text: {}", change.path),
            });
        }
    }
    SetupLog {
        input,
        lines: iter.lines_read(),
        records,
        continuation_lines: iter.continuation_lines(),
        orphan_lines: iter.orphan_lines(),
        date_order,
        order_reason,
        runs,
        problems,
    }
}
