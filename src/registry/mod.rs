//! Registry exports of a host: the merged [`RegistryView`], the [`HostState`] read from
//! it, and Exchange [`Build`] numbers.
//!
//! Issue 5 (per-host correlation) calls [`host_state_from_inputs`] with the `.reg`
//! inputs of one host, or [`host_state_from_files`] with files it parsed itself.

pub mod build;
pub mod host_state;
mod load;
pub mod view;

pub use build::Build;
pub use host_state::{host_state_from_files, HostState};
pub use load::host_state_from_inputs;
pub use view::{KeyNode, Origin, RegistryView, ViewValue};
