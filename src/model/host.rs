//! A host: the files that belong to one machine, its merged registry state and its
//! time zone.

use serde::Serialize;

use super::HostZone;
use crate::registry::HostState;

/// Why a file was put on its host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    pub path: String,
    pub how: String,
}

/// One host and its files (indices into the caller's file list).
#[derive(Debug, Clone, Default)]
pub struct HostGroup {
    pub name: String,
    pub fqdn: Option<String>,
    pub files: Vec<usize>,
    pub attribution: Vec<Attribution>,
}

/// One host: its files, merged registry state and time zone.
#[derive(Debug, Clone)]
pub struct Host {
    pub group: HostGroup,
    pub registry: Option<HostState>,
    pub zone: Option<HostZone>,
}
