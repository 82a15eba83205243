//! The owned facts of one file that the per-host rules read, kept after the file's bytes
//! are gone.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::BTreeMap;

use exdoctor_parsers::event::{ComputerSpan, Event, EventLocation, LogIntegrity};
use exdoctor_parsers::ldif_err::LdifErrEntry;
use exdoctor_parsers::setup_log::{Clock, RunResult};

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
    /// The name a rename waiting for a reboot will give the machine (`NV Hostname` or
    /// `ComputerName` differing from the live name).
    pub pending_name: Option<String>,
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
    /// The clock of the bracket times, and why; `None` when nothing says (taken as local).
    pub clock: Option<Clock>,
    /// Run starts and ends, role tasks, errors and long pauses, in the log's clock.
    pub milestones: Vec<Milestone>,
}

impl SetupLogFacts {
    /// Whether the bracket times are UTC (else the server's local time).
    pub fn utc_clock(&self) -> bool {
        self.clock.is_some_and(|c| c.is_utc())
    }
}

/// One run, owned: its window in the log's clock and how it ended.
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
    /// The events the analysis keeps (the rules' events, see `rules::events::RULE_EVENTS`,
    /// and EventLog 6011 renames), in file order.
    pub events: Vec<Event>,
    /// How to cite each of `events` when the file has no record ids of its own (CSV
    /// rows, XML elements); empty when every event is cited by its record id.
    pub locations: Vec<EventLocation>,
    /// Every computer name of the file's records, with how many records carry it and
    /// when: a machine renamed after installation writes its old name, then its new one.
    pub computer_spans: BTreeMap<String, ComputerSpan>,
    /// The file is a whole log of one machine (an `.evtx`/`.evt` channel other than
    /// ForwardedEvents), not an export or a collector's log.
    pub whole_log: bool,
    /// The event times are local times of the exporting machine taken as UTC (an Event
    /// Viewer CSV export): the host's zone converts them when it is known.
    pub local_times: bool,
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
