//! The owned facts of one file that the per-host rules read, kept after the file's bytes
//! are gone.

use chrono::{DateTime, NaiveDateTime, Utc};
use exdoctor_parsers::event::{Event, LogIntegrity};
use exdoctor_parsers::ldif_err::LdifErrEntry;
use exdoctor_parsers::setup_log::RunResult;

use super::Finding;

/// Owned facts of one file that the correlation rules need.
#[derive(Debug, Clone)]
pub enum Facts {
    /// An ExchangeSetup.log.
    SetupLog(SetupLogFacts),
    /// An event log or event export.
    Events(EventLogFacts),
    /// A registry export.
    Registry(RegistryFacts),
    /// An Exchange 2007 setup task script.
    TaskScript(TaskScriptFacts),
    /// An ldifde error file.
    LdifErr(LdifErrFacts),
    /// Nothing beyond the summary: the file could not be read.
    None,
}

/// The entries an ldifde import could not write (`ldif.err`).
#[derive(Debug, Clone, Default)]
pub struct LdifErrFacts {
    /// The failed entries, in file order.
    pub entries: Vec<LdifErrEntry>,
}

/// The steps of a setup task script.
#[derive(Debug, Clone, Default)]
pub struct TaskScriptFacts {
    /// The steps, in file order.
    pub steps: Vec<TaskStepFacts>,
}

/// One step: its watermark id and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStepFacts {
    /// Line of the step's `# [ID = ...]` comment.
    pub line: u32,
    /// The step's watermark id.
    pub id: String,
    /// The step's description.
    pub name: String,
    /// Whether setup stops when the step fails.
    pub fatal: bool,
}

/// A parsed registry export, merged with the host's other exports later.
#[derive(Debug, Clone)]
pub struct RegistryFacts {
    /// The parsed export (owned).
    pub file: exdoctor_parsers::reg::RegFile<'static>,
    /// The computer name this export alone gives (Tcpip Hostname, ComputerName).
    pub host_name: Option<String>,
    /// The fully qualified name this export alone gives.
    pub fqdn: Option<String>,
}

/// What a setup log contributes to its host: per-file findings and run facts.
#[derive(Debug, Clone, Default)]
pub struct SetupLogFacts {
    /// Findings of the per-file rules (host not set yet).
    pub findings: Vec<Finding>,
    /// Every run of the log.
    pub runs: Vec<RunFacts>,
    /// The server name setup searched for (`Setup will search ... with name 'X'`, `Server Name=X`).
    pub server_name: Option<String>,
    /// The NetBIOS domain of the logged-on user (`SOLO\Han` -> `SOLO`).
    pub user_domain: Option<String>,
    /// Offset of the header's `Local time zone: (UTC-06:00) ...`, in minutes east of UTC.
    pub utc_offset_minutes: Option<i32>,
    /// The header's time zone text.
    pub time_zone: Option<String>,
    /// Run starts and ends, role tasks, errors and long pauses, in local time.
    pub milestones: Vec<Milestone>,
}

/// One run, owned: its window in local time and how it ended.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// 0-based index of the run in the file.
    pub index: usize,
    /// First line of the run.
    pub first_line: u32,
    /// Last line of the run.
    pub last_line: u32,
    /// Time of the first record, in the log's clock.
    pub start: Option<NaiveDateTime>,
    /// Time of the last record, in the log's clock.
    pub end: Option<NaiveDateTime>,
    /// How the run ended.
    pub result: RunResult,
    /// Whether it reached `End of Setup`.
    pub ended: bool,
    /// Its mode (`Install`, `Upgrade`, ...).
    pub mode: Option<String>,
    /// Its setup version.
    pub setup_version: Option<String>,
    /// Innermost task begun and never ended.
    pub unfinished_task: Option<String>,
}

/// What an event log contributes: the events the rules use, and integrity.
#[derive(Debug, Clone, Default)]
pub struct EventLogFacts {
    /// The log's channel (`System`, `Application`, ...).
    pub channel: String,
    /// Events the rules use (see `exdoctor_parsers::event::RULE_EVENTS`), in file order.
    pub events: Vec<Event>,
    /// Computer names with their record counts, most frequent first.
    pub computers: Vec<(String, u64)>,
    /// What could and could not be read.
    pub integrity: LogIntegrity,
    /// First event time.
    pub first: Option<DateTime<Utc>>,
    /// Last event time.
    pub last: Option<DateTime<Utc>>,
}

/// A dated point of a setup log worth a line in the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    /// Its line.
    pub line: u32,
    /// Its time in the log's clock.
    pub time: NaiveDateTime,
    /// What happened.
    pub text: String,
}
