//! A host: the files that belong to one machine, its merged registry state and its
//! time zone.

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
