//! A host: the files that belong to one machine, its merged registry state and its
//! time zone.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::HostZone;
use crate::registry::HostState;

/// Why a file was put on its host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// The file.
    pub path: String,
    /// What in it (or about it) names the host.
    pub how: String,
}

/// A rename of a machine, and what proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    /// The name before.
    pub old: String,
    /// The name after.
    pub new: String,
    /// When, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<DateTime<Utc>>,
    /// What proves it (`System.evtx record 114: EventLog 6011`).
    pub how: String,
}

/// One host and its files (indices into the caller's file list).
#[derive(Debug, Clone, Default)]
pub struct HostGroup {
    /// The host's name.
    pub name: String,
    /// Its fully qualified name, when a file gives it.
    pub fqdn: Option<String>,
    /// Its files (indices into the loaded files).
    pub files: Vec<usize>,
    /// Why each file belongs to it.
    pub attribution: Vec<Attribution>,
    /// Its earlier names (renames) and names joined to it, short form, sorted.
    pub aliases: Vec<String>,
    /// The renames that joined its names, oldest first.
    pub renames: Vec<Rename>,
    /// The name a rename waiting for a reboot will give it (registry).
    pub pending_rename: Option<String>,
    /// Files shared with other hosts (exports of several computers): only their events
    /// whose computer has one of these short names belong to this host.
    pub partial: BTreeMap<usize, BTreeSet<String>>,
}

impl HostGroup {
    /// Whether `asked` (short or FQDN, any letter case) names this host.
    pub fn answers_to(&self, asked: &str) -> bool {
        host_answers_to(&self.name, self.fqdn.as_deref(), &self.aliases, asked)
    }
}

/// Whether `asked` (short or FQDN, any letter case) is a host's name, its FQDN or one
/// of its aliases: how `--host` finds a host.
pub fn host_answers_to(name: &str, fqdn: Option<&str>, aliases: &[String], asked: &str) -> bool {
    let asked = asked.trim().trim_end_matches('.');
    let short = asked.split('.').next().unwrap_or(asked);
    name.eq_ignore_ascii_case(short)
        || fqdn.is_some_and(|f| f.eq_ignore_ascii_case(asked))
        || aliases.iter().any(|a| a.eq_ignore_ascii_case(short))
}

/// One host: its files, merged registry state and time zone.
#[derive(Debug, Clone)]
pub struct Host {
    /// Its files and name.
    pub group: HostGroup,
    /// Its merged registry exports.
    pub registry: Option<HostState>,
    /// Its offset from UTC.
    pub zone: Option<HostZone>,
}
