//! Registry exports of a host: the merged [`RegistryView`], the [`HostState`] read from
//! it, and Exchange [`Build`] numbers.
//!
//! Issue 5 (per-host correlation) calls [`host_state_from_files`] with all parsed `.reg`
//! files of one host.

pub mod build;
pub mod host_state;
pub mod view;

pub use build::Build;
pub use host_state::{host_state_from_files, HostState};
pub use view::{KeyNode, Origin, RegistryView, ViewValue};
