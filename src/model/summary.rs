//! What `analyze` reports about each input, typed per format: the source adapters fill
//! these, the JSON report serializes them and the text report renders them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use exdoctor_parsers::event::{LogState, RecordGap};
use exdoctor_parsers::event_export::TimeBasis;
use exdoctor_parsers::ldif_err::LdifErrEntry;
use exdoctor_parsers::reg::{RegEncoding, RegHeader};
use exdoctor_parsers::setup_log::Clock;
use exdoctor_parsers::text::TextEncoding;
use exdoctor_parsers::timestamp::{DateOrder, OrderReason};
use serde::{Deserialize, Serialize};

use super::{AdChangesSummary, SourceKind};
use crate::registry::HostState;

/// The format-specific part of a [`SourceSummary`](super::SourceSummary).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(untagged)]
pub enum SourceDetails {
    /// Nothing could be read (serialized as `null`).
    #[default]
    None,
    /// An ExchangeSetup.log.
    SetupLog(SetupLogSummary),
    /// An `.evtx` file or an XML/CSV event export.
    EventLog(EventLogSummary),
    /// A legacy `.evt` file.
    Evt(EvtSummary),
    /// A registry export.
    Registry(Box<RegistrySummary>),
    /// A file that is not a regedit export.
    RegistryError {
        /// Why it was not read.
        error: String,
    },
    /// An Exchange 2007 setup task script.
    TaskScript(TaskScriptSummary),
    /// An ldifde error file.
    LdifErr(LdifErrSummary),
}

impl SourceDetails {
    /// The details of a file of `kind` read back from a JSON report (`null` is
    /// [`SourceDetails::None`]).
    pub fn from_json(kind: SourceKind, value: serde_json::Value) -> Result<SourceDetails, serde_json::Error> {
        use serde_json::from_value;
        if value.is_null() {
            return Ok(SourceDetails::None);
        }
        Ok(match kind {
            SourceKind::SetupLog => SourceDetails::SetupLog(from_value(value)?),
            SourceKind::Evtx | SourceKind::EventXml | SourceKind::EventCsv => {
                SourceDetails::EventLog(from_value(value)?)
            }
            SourceKind::Evt => SourceDetails::Evt(from_value(value)?),
            SourceKind::Reg => match value.get("error").and_then(|e| e.as_str()) {
                Some(error) => SourceDetails::RegistryError {
                    error: error.to_string(),
                },
                None => SourceDetails::Registry(Box::new(from_value(value)?)),
            },
            SourceKind::TaskScript => SourceDetails::TaskScript(from_value(value)?),
            SourceKind::LdifErr => SourceDetails::LdifErr(from_value(value)?),
        })
    }
}

/// An ExchangeSetup.log: its encoding, date order and its (last) runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetupLogSummary {
    /// Encoding of the file (decoded before parsing when not UTF-8).
    pub encoding: TextEncoding,
    /// Lines in the file.
    pub lines: u64,
    /// Lines without a timestamp attached to the record before them.
    pub continuation_lines: u64,
    /// Day/month order chosen for the file's dates.
    pub date_order: DateOrder,
    /// Why that order was chosen.
    pub date_order_reason: OrderReason,
    /// The clock of the bracket times (`utc` or `local`) and why; absent when nothing
    /// says (then taken as local).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// Runs in the file.
    pub runs_total: usize,
    /// The last runs (at most 100; earlier runs are history).
    pub runs: Vec<RunSummary>,
}

/// One setup run (times are the log's local times, ISO 8601 without zone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    /// 0-based index of the run in the file.
    pub index: usize,
    /// First line of the run.
    pub first_line: u32,
    /// Last line of the run.
    pub last_line: u32,
    /// Whether the run starts with a setup banner.
    pub has_start_banner: bool,
    /// Product named by the banner.
    pub product: Option<String>,
    /// Time of the first record.
    pub start: Option<String>,
    /// Time of the last record.
    pub end: Option<String>,
    /// Records in the run.
    pub records: u32,
    /// `completed`, `failed`, `critical-stop` or `incomplete`.
    pub result: String,
    /// Line of the result.
    pub result_line: Option<u32>,
    /// Line of "Setup is stopping now because of one or more critical errors".
    pub critical_stop_line: Option<u32>,
    /// Line of `End of Setup`.
    pub end_of_setup_line: Option<u32>,
    /// Header facts of the run.
    pub header: RunHeaderSummary,
    /// "Setup failed previously while performing the action X".
    pub resume: Option<ResumeSummary>,
    /// "You can't resume setup by performing the action Y".
    pub resume_mismatch: Option<ResumeMismatchSummary>,
    /// Tasks begun in the run.
    pub tasks: usize,
    /// Tasks begun and never ended.
    pub unfinished_tasks: Vec<TaskSummary>,
    /// The first error setup did not ignore.
    pub first_error: Option<IssueSummary>,
    /// `[ERROR]` records.
    pub errors: usize,
    /// `[WARNING]` records.
    pub warnings: usize,
    /// `[ERROR-REFERENCE]` records.
    pub error_references: Vec<ErrorReferenceSummary>,
    /// Readiness records (`[REQUIRED]`, `[RECOMENDED]`, 2007 texts).
    pub readiness: Vec<IssueSummary>,
    /// `Failed [Rule:X]` lines.
    pub failed_rules: Vec<FailedRuleSummary>,
    /// Prerequisite rules that evaluated True.
    pub failed_evaluations: Vec<EvaluationSummary>,
    /// Pauses between consecutive lines.
    pub gaps: Vec<GapSummary>,
    /// Times the clock stepped backwards.
    pub backward_steps: u32,
    /// What the run logged as deleted in Active Directory (`Deleteting DS object`
    /// lines); absent when it deleted nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_changes: Option<AdChangesSummary>,
}

impl RunSummary {
    /// Whether the run has no result and no End of Setup.
    pub fn is_incomplete(&self) -> bool {
        self.result == "incomplete" && self.end_of_setup_line.is_none()
    }
}

/// The header facts of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunHeaderSummary {
    /// `Setup version: 15.1.2106.2.`
    pub setup_version: Option<String>,
    /// The mode (`Install`, `Upgrade`, `PrepareAD`, ...).
    pub mode: Option<String>,
    /// The installation mode as logged.
    pub installation_mode: Option<String>,
    /// Command line parameters.
    pub parameters: Vec<ParameterSummary>,
    /// The command line.
    pub command_line: Option<String>,
    /// `Logged on user: DOMAIN\user.`
    pub user: Option<String>,
    /// `Operating system version: ...`
    pub os_version: Option<String>,
    /// `Local time zone: (UTC-06:00) ...`
    pub time_zone: Option<String>,
    /// `The locally installed version is X.`
    pub installed_version: Option<String>,
    /// `The backup copy of the previously installed version is 'X'.`
    pub backup_version: Option<String>,
    /// Schema update required.
    pub schema_update_required: Option<bool>,
    /// Organization update required.
    pub organization_update_required: Option<bool>,
    /// Domain update required.
    pub domain_update_required: Option<bool>,
    /// `Setup will use the domain controller 'X'.`
    pub domain_controller: Option<String>,
    /// `Setup will use the global catalog 'X'.`
    pub global_catalog: Option<String>,
    /// The server name setup searched for.
    pub server_name: Option<String>,
    /// Roles unpacked.
    pub roles_unpacked: Option<String>,
    /// Roles installed.
    pub roles_installed: Option<String>,
}

/// A command line parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A resume marker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResumeSummary {
    /// Its line.
    pub line: u32,
    /// The action that failed before.
    pub previous_action: String,
    /// The failed task's id.
    pub task_id: Option<String>,
}

/// A resume with the wrong action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResumeMismatchSummary {
    /// Its line.
    pub line: u32,
    /// The action that failed before.
    pub previous_action: String,
    /// The action requested now.
    pub requested_action: String,
}

/// A task begun and never ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskSummary {
    /// The task's name.
    pub name: String,
    /// Its depth.
    pub depth: u8,
    /// The line of its `Beginning processing`.
    pub line: u32,
    /// The time of that line.
    pub time: Option<String>,
}

/// An error, warning or readiness record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueSummary {
    /// Its line.
    pub line: u32,
    /// Its time.
    pub time: Option<String>,
    /// Its depth.
    pub depth: u8,
    /// Its message.
    pub message: String,
    /// Whether setup ignored it (`=== IGNORING PREVIOUS ERRORS ===`).
    pub ignored: bool,
}

/// An `[ERROR-REFERENCE]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorReferenceSummary {
    /// Its line.
    pub line: u32,
    /// The reference id.
    pub id: String,
    /// The component.
    pub component: String,
}

/// A `Failed [Rule:X]` line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailedRuleSummary {
    /// Its line.
    pub line: u32,
    /// The rule's name.
    pub rule: String,
    /// The message.
    pub message: String,
    /// The help URL that followed it.
    pub help_url: Option<String>,
}

/// A prerequisite rule that evaluated True.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationSummary {
    /// Its line.
    pub line: u32,
    /// The rule's name.
    pub rule: String,
}

/// A pause between two consecutive lines of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapSummary {
    /// The line before the pause.
    pub after_line: u32,
    /// The line after it.
    pub before_line: u32,
    /// Its length.
    pub seconds: i64,
    /// The time before it.
    pub from: Option<String>,
    /// The time after it.
    pub to: Option<String>,
}

/// Most entries a summary lists per list (channels, computers, record-id gaps); the
/// rest are counted in [`Unlisted`]. A file whose events name many computers is split
/// between their hosts, and each host's report carries the file's summary.
pub const MAX_LISTED: usize = 20;

/// What the lists of a summary leave out beyond [`MAX_LISTED`] entries each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlisted {
    /// Channels not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub channels: usize,
    /// Computers not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub computers: usize,
    /// Record-id gaps not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub record_id_gaps: usize,
    /// Record ids missing in the gaps not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub record_ids_missing: u64,
}

impl Unlisted {
    /// Whether every list is whole.
    pub fn is_empty(&self) -> bool {
        *self == Unlisted::default()
    }
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

/// The first [`MAX_LISTED`] of `items`, and how many are left out.
pub fn first_listed<T, C: FromIterator<T>>(items: impl ExactSizeIterator<Item = T>) -> (C, usize) {
    let total = items.len();
    (items.take(MAX_LISTED).collect(), total.saturating_sub(MAX_LISTED))
}

/// An `.evtx` file or an event export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventLogSummary {
    /// `empty` (created or cleared: healthy), `complete` or `damaged`.
    pub state: LogState,
    /// Channels of its events (the first [`MAX_LISTED`] in name order).
    pub channels: BTreeSet<String>,
    /// Computers of its events (the first [`MAX_LISTED`] in name order).
    pub computers: BTreeSet<String>,
    /// First event time.
    pub first_time: Option<DateTime<Utc>>,
    /// Last event time.
    pub last_time: Option<DateTime<Utc>>,
    /// Records that could not be read.
    pub unreadable: u64,
    /// Jumps in the record ids (the first [`MAX_LISTED`]).
    pub record_id_gaps: Vec<GapCount>,
    /// What the lists leave out (absent when they are whole).
    #[serde(default, skip_serializing_if = "Unlisted::is_empty")]
    pub unlisted: Unlisted,
    /// Damaged places.
    pub problems: usize,
    /// Counts of the events the rules read.
    pub rule_events: Vec<RuleEventCount>,
    /// How the export's times relate to UTC (exports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_basis: Option<TimeBasis>,
}

/// A record-id gap with its size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapCount {
    /// The last id before the gap.
    pub after: u64,
    /// The first id after it.
    pub before: u64,
    /// Ids missing.
    pub missing: u64,
}

/// How many events of one rule event a log holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleEventCount {
    /// The provider.
    pub provider: String,
    /// The event id.
    pub event_id: u16,
    /// The number of events.
    pub count: u64,
}

/// A legacy `.evt` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvtSummary {
    /// `empty` (created or cleared: healthy), `complete` or `damaged`.
    pub state: LogState,
    /// The log (from the file name).
    pub channel: String,
    /// Records in the live range.
    pub live_records: u64,
    /// Records recovered outside it.
    pub recovered_records: u64,
    /// Records that could not be read.
    pub unreadable_records: u64,
    /// First event time (UTC, RFC 3339).
    pub first: Option<String>,
    /// Last event time.
    pub last: Option<String>,
    /// Computers of its events (the first [`MAX_LISTED`] in name order).
    pub computers: Vec<String>,
    /// The header says the log wrapped around.
    pub wrapped: Option<bool>,
    /// The header says the log was not closed cleanly.
    pub dirty: Option<bool>,
    /// The header's oldest record number.
    pub oldest_record_number: Option<u32>,
    /// The header's next record number.
    pub current_record_number: Option<u32>,
    /// Jumps in the record numbers (the first [`MAX_LISTED`]).
    pub record_id_gaps: Vec<RecordGap>,
    /// What the lists leave out (absent when they are whole).
    #[serde(default, skip_serializing_if = "Unlisted::is_empty")]
    pub unlisted: Unlisted,
    /// Counts of the events the rules read.
    pub rule_events: Vec<RuleEventCount>,
    /// The header says the log is full (present only when it does).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub log_full: bool,
}

/// A registry export and the host state it alone shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrySummary {
    /// `Windows Registry Editor Version 5.00` or `REGEDIT4`.
    pub header: RegHeader,
    /// Its encoding.
    pub encoding: RegEncoding,
    /// Keys in the file.
    pub keys: usize,
    /// Values in the file.
    pub values: u64,
    /// Key deletions.
    pub deleted_keys: usize,
    /// Lines in the file.
    pub lines: u64,
    /// The host state this file shows.
    pub host_state: HostState,
}

/// An ldifde error file (`ldif.err`): the entries the import could not write.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LdifErrSummary {
    /// The text encoding of the file.
    pub encoding: TextEncoding,
    /// The failed entries, in file order.
    pub entries: Vec<LdifErrEntry>,
    /// `N entries modified successfully.`, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_modified: Option<u64>,
    /// The file ends with ldifde's "An error has occurred in the program".
    pub program_error: bool,
}

/// A setup task script.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskScriptSummary {
    /// Its steps.
    pub steps: Vec<TaskStepSummary>,
}

/// One step of a task script.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskStepSummary {
    /// Its line.
    pub line: u32,
    /// Its watermark id.
    pub id: String,
    /// Its description.
    pub name: String,
    /// Whether a failure is fatal.
    pub fatal: bool,
}
