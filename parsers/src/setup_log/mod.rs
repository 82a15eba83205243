//! ExchangeSetup.log parser, Exchange 2007 through Subscription Edition.
//!
//! Works on the bytes of the file (a memory map) without copying: records, runs, tasks,
//! errors and readiness results all borrow the input. A UTF-16 file is decoded once by
//! [`decode`] first. Timestamps are kept raw and resolved with the file's
//! [`DateOrder`], decided from the whole file ([`SetupLog::date_order`]).
//! Each run also lists the AD objects setup logged as deleted ([`AdChange`], with
//! [`Run::ad_change_summary`]) and calibrates the clock of the bracket times from
//! `$RoleInvocationID` ([`RoleInvocation`], [`Clock`]).
//!
//! ```
//! use exdoctor_parsers::setup_log::{decode, parse_setup_log, RunResult};
//! let raw = b"[12/19/2020 04:47:15.0307] [0] ****************\r\n\
//! [12/19/2020 04:47:15.0315] [0] Starting Microsoft Exchange Server 2019 Setup\r\n\
//! [12/19/2020 04:47:15.0322] [0] Setup version: 15.2.792.3.\r\n\
//! [12/19/2020 04:50:00.0000] [0] The Exchange Server setup operation completed successfully.\r\n\
//! [12/19/2020 04:50:00.0001] [0] End of Setup\r\n";
//! let decoded = decode(raw);
//! let log = parse_setup_log(&decoded.text);
//! assert_eq!(log.runs.len(), 1);
//! assert_eq!(log.runs[0].result, RunResult::Completed);
//! assert_eq!(log.runs[0].header.setup_version.map(|v| v.to_string()), Some("15.2.792.3".into()));
//! ```

mod ad_changes;
mod builder;
mod clock;
mod facts;
mod lcid;
mod records;
mod text;

use std::borrow::Cow;

use chrono::NaiveDateTime;
use serde::Serialize;

pub use ad_changes::{
    AdChange, AdChangeSummary, AdChangeTask, AdContainer, ContainerCount, Locale, LocaleCount, PathProblem, PathRoot,
};
pub use clock::{utc_offset_minutes, Clock, ClockEvidence, RoleInvocation, MAX_RESIDUAL_SECONDS};
pub use lcid::{culture_name, parse_hex_lcid};
pub use records::{Record, RecordIter, Tag};
pub use text::Text;

use crate::text::{decode_utf16be_lossy, decode_utf16le_lossy, detect_encoding, TextEncoding};
use crate::timestamp::{DateOrder, OrderReason, RawTimestamp};
use crate::ParseError;

/// Gaps between consecutive records of a run at least this long are kept.
pub const MIN_GAP_SECONDS: i64 = 120;

/// A setup log ready to parse: the original bytes, or their UTF-8 decoding for UTF-16.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The text in an ASCII-compatible encoding (UTF-8 BOM removed).
    pub text: Cow<'a, [u8]>,
    /// The encoding found.
    pub encoding: TextEncoding,
}

/// Detects UTF-16 (with or without BOM) and decodes it; otherwise borrows the bytes.
pub fn decode(input: &[u8]) -> Decoded<'_> {
    let (encoding, bom) = detect_encoding(input);
    let body = &input[bom.min(input.len())..];
    let text = match encoding {
        TextEncoding::Utf8 => Cow::Borrowed(body),
        TextEncoding::Utf16Le => Cow::Owned(decode_utf16le_lossy(body).into_bytes()),
        TextEncoding::Utf16Be => Cow::Owned(decode_utf16be_lossy(body).into_bytes()),
    };
    Decoded { text, encoding }
}

/// The parsed log.
#[derive(Debug, Clone)]
pub struct SetupLog<'a> {
    /// The (decoded) input all texts borrow from.
    pub input: &'a [u8],
    /// Lines in the file.
    pub lines: u64,
    /// Timestamped records.
    pub records: u64,
    /// Lines attached to records as continuation.
    pub continuation_lines: u64,
    /// Lines before the first record (head of the file missing, or not a setup log).
    pub orphan_lines: u64,
    /// Day/month order of the file's dates and why it was chosen.
    pub date_order: DateOrder,
    /// Why that order was chosen.
    pub order_reason: OrderReason,
    /// Setup runs in file order.
    pub runs: Vec<Run<'a>>,
    /// Problems with the file as a whole (no records, invalid dates ...).
    pub problems: Vec<ParseError>,
}

impl<'a> SetupLog<'a> {
    /// The last run (the one to report on); earlier runs are history.
    pub fn last_run(&self) -> Option<&Run<'a>> {
        self.runs.last()
    }

    /// A raw timestamp as local date-time under the file's order.
    pub fn resolve(&self, ts: &RawTimestamp) -> Option<NaiveDateTime> {
        ts.resolve(self.date_order)
    }

    /// Iterates over all records again (cheap: no allocation).
    pub fn records(&self) -> RecordIter<'a> {
        RecordIter::new(self.input)
    }

    /// Iterates over the records of one run only.
    pub fn run_records(&self, run: &Run<'_>) -> RecordIter<'a> {
        RecordIter::range(self.input, run.start_offset, run.end_offset, run.first_line)
    }

    /// The bytes `start..end` of the input (empty when out of range).
    pub fn slice(&self, start: usize, end: usize) -> Text<'a> {
        Text(self.input.get(start..end).unwrap_or_default())
    }

    /// The file's `Local time zone:` header: that of the last run that logged one.
    pub fn time_zone(&self) -> Option<Text<'a>> {
        self.runs.iter().rev().find_map(|r| r.header.time_zone)
    }

    /// The standard offset (minutes east of UTC) of [`SetupLog::time_zone`].
    pub fn utc_offset_minutes(&self) -> Option<i32> {
        self.time_zone().and_then(|zone| clock::utc_offset_of(zone.as_bytes()))
    }

    /// The first clean `$RoleInvocationID` measurement of any run (see
    /// [`RoleInvocation::offset_minutes`]), else the first one found at all.
    pub fn role_invocation(&self) -> Option<&RoleInvocation<'a>> {
        let mut found = self.runs.iter().filter_map(|r| r.role_invocation.as_ref());
        let first = found.clone().next();
        found.find(|m| m.offset_minutes().is_some()).or(first)
    }

    /// The clock of the file's bracket times: a clean `$RoleInvocationID` measurement in
    /// any run wins; else the version rule of the last run that logged a setup version.
    /// One writer, one clock: all runs of a file share it. `None` when nothing tells.
    pub fn clock(&self) -> Option<Clock> {
        let version = self.runs.iter().rev().find_map(|r| r.header.setup_version_major());
        Clock::decide(self.role_invocation(), version)
    }
}

/// Parses a (decoded) setup log. Never fails: damage and oddities are in `problems`.
pub fn parse_setup_log(input: &[u8]) -> SetupLog<'_> {
    builder::build(input)
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunResult {
    /// `The Exchange Server setup operation completed successfully.`
    Completed,
    /// `The Exchange Server setup operation didn't complete.`
    Failed,
    /// `Setup is stopping now because of one or more critical errors.` without a result line.
    CriticalStop,
    /// No result line: setup was interrupted, or the log was cut short.
    Incomplete,
}

/// Facts from a run's header (mostly depth-0 lines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunHeader<'a> {
    /// `Local time zone: (UTC-06:00) Central Time (US & Canada)`.
    pub time_zone: Option<Text<'a>>,
    /// `Operating system version: Microsoft Windows NT 6.2.9200.0`.
    pub os_version: Option<Text<'a>>,
    /// `Setup version: 15.2.792.3` (trailing dot removed).
    pub setup_version: Option<Text<'a>>,
    /// `Logged on user: SOLO\Han`.
    pub user: Option<Text<'a>>,
    /// The command line setup was started with.
    pub command_line: Option<Text<'a>>,
    /// `Command Line Parameter Name='mode', Value='Upgrade'` items in order.
    pub parameters: Vec<Parameter<'a>>,
    /// `The installation mode is set to: 'Install'`.
    pub installation_mode: Option<Text<'a>>,
    /// `The locally installed version is X`.
    pub installed_version: Option<Text<'a>>,
    /// `The backup copy of the previously installed version is 'X'`.
    pub backup_version: Option<Text<'a>>,
    /// `Schema Update Required Status : 'True'`.
    pub schema_update_required: Option<bool>,
    /// `Organization Configuration Update Required Status : ...`.
    pub organization_update_required: Option<bool>,
    /// `Domain Configuration Update Required Status : ...`.
    pub domain_update_required: Option<bool>,
    /// `Setup will use the domain controller 'X'`.
    pub domain_controller: Option<Text<'a>>,
    /// `Setup will use the global catalog 'X'`.
    pub global_catalog: Option<Text<'a>>,
    /// The local server's name as setup searched for it.
    pub server_name: Option<Text<'a>>,
    /// `The following roles have been unpacked: ...`.
    pub roles_unpacked: Option<Text<'a>>,
    /// `The following roles are installed: ...`.
    pub roles_installed: Option<Text<'a>>,
}

/// One command-line parameter as setup logged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter<'a> {
    /// The parameter's name (`mode`).
    pub name: Text<'a>,
    /// Its value (`Upgrade`).
    pub value: Text<'a>,
}

impl RunHeader<'_> {
    /// The standard offset in minutes east of UTC of the `Local time zone:` header
    /// (`(UTC-06:00) Central Time (US & Canada)` -> -360); see [`utc_offset_minutes`].
    pub fn utc_offset_minutes(&self) -> Option<i32> {
        self.time_zone.and_then(|zone| clock::utc_offset_of(zone.as_bytes()))
    }

    /// The setup version's major number: 8 = 2007, 14 = 2010, 15 = 2013 and later.
    pub fn setup_version_major(&self) -> Option<u32> {
        self.setup_version.and_then(|v| clock::version_major(v.as_bytes()))
    }

    /// The value of a command-line parameter (case-insensitive name).
    pub fn parameter(&self, name: &str) -> Option<Text<'_>> {
        self.parameters
            .iter()
            .find(|p| p.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| p.value)
    }

    /// The setup mode: the `mode` parameter, else a prepare switch
    /// (`PrepareSchema`, `PrepareAD`, ...), else the installation mode line.
    pub fn mode(&self) -> Option<String> {
        if let Some(mode) = self.parameter("mode").filter(|m| !m.is_empty()) {
            return Some(mode.to_string());
        }
        const SWITCHES: [(&str, &str); 9] = [
            ("prepareschema", "PrepareSchema"),
            ("ps", "PrepareSchema"),
            ("preparead", "PrepareAD"),
            ("p", "PrepareAD"),
            ("preparedomain", "PrepareDomain"),
            ("pd", "PrepareDomain"),
            ("preparealldomains", "PrepareAllDomains"),
            ("recoverserver", "RecoverServer"),
            ("upgradecms", "UpgradeCMS"),
        ];
        for p in &self.parameters {
            if let Some((_, mode)) = SWITCHES
                .iter()
                .find(|(s, _)| p.name.as_bytes().eq_ignore_ascii_case(s.as_bytes()))
            {
                return Some((*mode).to_string());
            }
        }
        if let Some(mode) = self.command_line.and_then(mode_switch) {
            return Some(mode);
        }
        self.installation_mode.map(|m| m.to_string())
    }
}

/// `/mode:X` or `/m:X` in a command line.
fn mode_switch(command_line: Text<'_>) -> Option<String> {
    let line = command_line.to_str_lossy();
    line.split_whitespace().find_map(|arg| {
        let lower = arg.to_ascii_lowercase();
        let value = lower.strip_prefix("/mode:").or_else(|| lower.strip_prefix("/m:"))?;
        let start = arg.len() - value.len();
        Some(arg[start..].trim_matches(['"', '\'']).to_string())
    })
}

/// `Beginning processing X` and its `Ending processing X` (None while unfinished).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task<'a> {
    /// The task (`install-MailboxRole`, `Start-SetupService`).
    pub name: Text<'a>,
    /// Its depth (1 = role task, 2 = cmdlet).
    pub depth: u8,
    /// Line of its `Beginning processing`.
    pub begin_line: u32,
    /// Time of that line.
    pub begin: RawTimestamp,
    /// Line of its `Ending processing`; `None` while unfinished.
    pub end_line: Option<u32>,
    /// Time of that line.
    pub end: Option<RawTimestamp>,
}

/// An `[ERROR]`, `[WARNING]`, `[REQUIRED]` or `[RECOMENDED]` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue<'a> {
    /// Line of the record.
    pub line: u32,
    /// Byte offset of the record in the (decoded) log.
    pub offset: usize,
    /// Its timestamp.
    pub time: RawTimestamp,
    /// Its depth.
    pub depth: u8,
    /// Its tag.
    pub tag: Tag,
    /// The text after the tag.
    pub message: Text<'a>,
    /// The lines attached to it (stack trace, script body).
    pub continuation: Text<'a>,
    /// Index into the run's `error_blocks` (errors only).
    pub block: Option<usize>,
    /// Followed by `=== IGNORING PREVIOUS ERRORS ===`: setup treated it as benign.
    pub ignored: bool,
}

/// Consecutive errors and the records after them up to the `[ERROR-REFERENCE]`: the
/// context in which known errors are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorBlock<'a> {
    /// First line of the block.
    pub first_line: u32,
    /// Last line of the block.
    pub last_line: u32,
    /// Byte offset of its start.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
    /// Number of `[ERROR]` records in the block.
    pub errors: u32,
    /// The `[ERROR-REFERENCE]` that closes it.
    pub reference: Option<ErrorReference<'a>>,
}

/// `[ERROR-REFERENCE] Id=<id> Component=<component>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReference<'a> {
    /// Line of the reference.
    pub line: u32,
    /// The reference id (`DomainGlobalConfig___...`).
    pub id: Text<'a>,
    /// The component.
    pub component: Text<'a>,
}

/// Rule or setting of the prerequisite engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvaluationKind {
    /// `[Rule:X]`: a check (True = failed).
    Rule,
    /// `[Setting:X]`: a fact the checks use.
    Setting,
}

/// `Evaluated [Rule:X] [HasException:False] [Value:"True"] [ParentValue:"..."]`.
/// For a rule, a value of `True` means the check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation<'a> {
    /// Line of the `Evaluated` record.
    pub line: u32,
    /// Rule or setting.
    pub kind: EvaluationKind,
    /// Its name.
    pub name: Text<'a>,
    /// `[HasException:True]`: the evaluation threw.
    pub has_exception: bool,
    /// `[Value:...]`.
    pub value: Text<'a>,
    /// `[ParentValue:...]` (the role or object it applies to).
    pub parent_value: Text<'a>,
    /// The `[RuleType:...]` of the rule's `Started [Rule:X] [Parent:...] [RuleType:...]`
    /// line in the same run (`Error`, `Warning`, `None`), when one was logged before.
    pub rule_type: Option<Text<'a>>,
}

impl Evaluation<'_> {
    /// A rule that evaluated to True (the check failed).
    pub fn is_failed_rule(&self) -> bool {
        self.kind == EvaluationKind::Rule && self.value.as_bytes().eq_ignore_ascii_case(b"True")
    }

    /// A rule started as `[RuleType:Warning]`: when True, setup prints it as
    /// `[RECOMENDED]`, writes no `Failed [Rule:X]` line and goes on.
    pub fn is_warning_rule(&self) -> bool {
        self.rule_type
            .is_some_and(|t| t.trim().as_bytes().eq_ignore_ascii_case(b"Warning"))
    }
}

/// `Failed [Rule:X] [Message:...]` with the `Help URL:` that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedRule<'a> {
    /// Line of the `Failed` record.
    pub line: u32,
    /// The rule.
    pub name: Text<'a>,
    /// `[Message:...]`.
    pub message: Text<'a>,
    /// The `Help URL:` logged after it.
    pub help_url: Option<Text<'a>>,
}

/// `Setup failed previously while performing the action X.  Looking for the failed task with ID Y.`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume<'a> {
    /// Line of the marker.
    pub line: u32,
    /// The action that failed before (`Install`).
    pub previous_action: Text<'a>,
    /// The failed task's id.
    pub task_id: Option<Text<'a>>,
}

/// `Setup previously failed while performing the action "X". You can't resume setup by performing the action 'Y'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeMismatch<'a> {
    /// Line of the message.
    pub line: u32,
    /// The action that failed before.
    pub previous_action: Text<'a>,
    /// The action requested now.
    pub requested_action: Text<'a>,
}

/// A long pause between two consecutive records of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// Line of the record before the pause.
    pub after_line: u32,
    /// Line of the record after the pause.
    pub before_line: u32,
    /// Time before the pause.
    pub from: RawTimestamp,
    /// Time after it.
    pub to: RawTimestamp,
    /// Its length.
    pub seconds: i64,
}

/// One setup run: from a start banner to the next one (or the end of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<'a> {
    /// 0-based index in the file.
    pub index: usize,
    /// First line of the run.
    pub first_line: u32,
    /// Last line of the run.
    pub last_line: u32,
    /// Byte offset of its first record.
    pub start_offset: usize,
    /// Byte offset after its last record.
    pub end_offset: usize,
    /// False for records before the first start banner (a log whose head is missing).
    pub has_start_banner: bool,
    /// What the banner names: `2007`, `2019`, `Subscription Edition`; empty if unnamed.
    pub product: Option<Text<'a>>,
    /// Timestamp of the first and the last record (file order, not min/max).
    pub first_time: Option<RawTimestamp>,
    /// Timestamp of the last record.
    pub last_time: Option<RawTimestamp>,
    /// Records in the run.
    pub records: u32,
    /// Its header facts.
    pub header: RunHeader<'a>,
    /// How it ended.
    pub result: RunResult,
    /// Line of the result line (or of the critical stop).
    pub result_line: Option<u32>,
    /// Line of the critical stop.
    pub critical_stop_line: Option<u32>,
    /// Line of `End of Setup`.
    pub end_of_setup_line: Option<u32>,
    /// The resume marker.
    pub resume: Option<Resume<'a>>,
    /// The resume with the wrong action.
    pub resume_mismatch: Option<ResumeMismatch<'a>>,
    /// Tasks begun, in order.
    pub tasks: Vec<Task<'a>>,
    /// `[ERROR]` records.
    pub errors: Vec<Issue<'a>>,
    /// `[WARNING]` records.
    pub warnings: Vec<Issue<'a>>,
    /// The error blocks.
    pub error_blocks: Vec<ErrorBlock<'a>>,
    /// `[REQUIRED]`/`[RECOMENDED]` records and 2007 "setup cannot continue because" texts.
    pub readiness: Vec<Issue<'a>>,
    /// The prerequisite engine's evaluations.
    pub evaluations: Vec<Evaluation<'a>>,
    /// `Failed [Rule:X]` records.
    pub failed_rules: Vec<FailedRule<'a>>,
    /// Pauses of at least [`MIN_GAP_SECONDS`] between consecutive records.
    pub gaps: Vec<Gap>,
    /// Consecutive records whose time goes backwards.
    pub backward_steps: u32,
    /// AD objects the run logged as deleted (`Deleteting DS object <path>`), in file order.
    pub ad_changes: Vec<AdChange<'a>>,
    /// The run's first `$RoleInvocationID = '...'` (in an `Executing:` record), with
    /// its bracket time resolved under the file's date order: the clock calibration.
    pub role_invocation: Option<RoleInvocation<'a>>,
}

impl<'a> Run<'a> {
    /// The deletions of the run summed up (per container, per locale, the tasks they ran
    /// in and whether those ended); `None` when the run deleted nothing.
    pub fn ad_change_summary(&self) -> Option<AdChangeSummary<'a>> {
        ad_changes::summarize(&self.ad_changes, &self.tasks, self.result != RunResult::Completed)
    }

    /// The innermost task open when `change` was logged.
    pub fn ad_change_task(&self, change: &AdChange<'_>) -> Option<&Task<'a>> {
        change.task.and_then(|i| self.tasks.get(i))
    }

    /// The clock of the run's bracket times: its `$RoleInvocationID` measurement when
    /// clean, else the version rule (see [`Clock::decide`]).
    pub fn clock(&self) -> Option<Clock> {
        Clock::decide(self.role_invocation.as_ref(), self.header.setup_version_major())
    }

    /// Tasks begun and never ended (the work in progress of an interrupted run).
    pub fn unfinished_tasks(&self) -> impl Iterator<Item = &Task<'a>> {
        self.tasks.iter().filter(|t| t.end_line.is_none())
    }

    /// The first `[ERROR]` that setup did not ignore (`=== IGNORING PREVIOUS ERRORS ===`):
    /// the root cause of a failed run.
    pub fn first_error(&self) -> Option<&Issue<'a>> {
        self.errors.iter().find(|e| !e.ignored)
    }

    /// Whether the run reached `End of Setup`.
    pub fn ended(&self) -> bool {
        self.end_of_setup_line.is_some()
    }

    /// Started, no result and no end: interrupted (or a log cut short).
    pub fn is_incomplete(&self) -> bool {
        self.result == RunResult::Incomplete && !self.ended()
    }

    /// Rules of the prerequisite engine that failed (Value True), deduplicated by name.
    pub fn failed_evaluations(&self) -> Vec<&Evaluation<'a>> {
        let mut seen: Vec<&[u8]> = Vec::new();
        let mut out = Vec::new();
        for e in self.evaluations.iter().filter(|e| e.is_failed_rule()) {
            if !seen.contains(&e.name.as_bytes()) {
                seen.push(e.name.as_bytes());
                out.push(e);
            }
        }
        out
    }

    /// Setting evaluations called `name` (case-insensitive).
    pub fn setting(&self, name: &str) -> impl Iterator<Item = &Evaluation<'a>> + '_ {
        let name = name.to_owned();
        self.evaluations.iter().filter(move |e| {
            e.kind == EvaluationKind::Setting && e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes())
        })
    }
}
