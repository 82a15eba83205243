//! The event logs of the sample hosts, following `samples/README.md` (the story sheet):
//! host names, Windows versions, time zones and timelines. Each scenario builds the
//! `System` and/or `Application` log of its host(s) as normalized [`Event`]s; the
//! `gen-samples` binary writes them as `.evtx` (Windows Server 2008 hosts) or `.evt`
//! (Windows Server 2003 hosts).
//!
//! Everything is deterministic: times come from the story sheet, the jitter of the
//! background noise from a PRNG seeded per log.

mod builder;
pub(crate) mod crl_stall;
pub(crate) mod exchange;
pub(crate) mod healthy;
pub(crate) mod ntlmssp;
pub(crate) mod prereq_gaps;
pub(crate) mod sp1_interrupted;
pub(crate) mod upgrade_order;
pub(crate) mod windows;

use chrono::{DateTime, Utc};
use exdoctor_parsers::event::Event;

pub(crate) use builder::{filetime_hex, Host, Log, Os};
pub use sp1_interrupted::{BACKUP_AGENT, VIRUS_SCANNER};

/// The System and Application logs of one host's story (events not yet in record
/// order), and the time its logs were collected.
pub(crate) struct Story<'a> {
    pub system: Log<'a>,
    pub application: Log<'a>,
    pub collected: DateTime<Utc>,
}

/// The file format of a sample event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Windows Vista/2008 XML event log (`System.evtx`, `Application.evtx`).
    Evtx,
    /// Legacy Windows 2003 event log (`SysEvent.Evt`, `AppEvent.Evt`).
    Evt,
}

/// One event log file of a sample host bundle.
#[derive(Debug, Clone)]
pub struct SampleLog {
    /// Path relative to the `samples/` folder, e.g. `crl-stall/System.evtx`.
    pub path: &'static str,
    /// EVTX or legacy EVT.
    pub format: LogFormat,
    /// The events in record order (time order, record ids increasing).
    pub events: Vec<Event>,
}

impl SampleLog {
    /// The file's bytes in its format.
    pub fn encode(&self) -> Vec<u8> {
        match self.format {
            LogFormat::Evtx => crate::evtx_writer::write_evtx(&self.events),
            LogFormat::Evt => crate::evt_writer::write_evt(&self.events),
        }
    }
}

/// Every sample event log of every scenario, in a fixed order.
pub fn sample_logs() -> Vec<SampleLog> {
    let mut logs = Vec::new();
    logs.extend(ntlmssp::logs());
    logs.extend(sp1_interrupted::logs());
    logs.extend(prereq_gaps::logs());
    logs.extend(crl_stall::logs());
    logs.extend(upgrade_order::logs());
    logs.extend(healthy::logs());
    logs
}

/// The sample logs of one format.
pub fn sample_logs_of(format: LogFormat) -> Vec<SampleLog> {
    sample_logs().into_iter().filter(|l| l.format == format).collect()
}

fn evtx(path: &'static str, events: Vec<Event>) -> SampleLog {
    SampleLog {
        path,
        format: LogFormat::Evtx,
        events,
    }
}

fn evt(path: &'static str, events: Vec<Event>) -> SampleLog {
    SampleLog {
        path,
        format: LogFormat::Evt,
        events,
    }
}

#[cfg(test)]
mod tests;
