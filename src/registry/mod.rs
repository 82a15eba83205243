//! Registry exports of a host: the merged [`RegistryView`] of parsed `.reg` files, the
//! [`HostState`] read from it ([`host_state_from_files`]), and Exchange [`Build`]
//! numbers. Built on the parser crate only: no I/O, nothing of the analyzer.

pub mod build;
pub mod host_state;
pub mod view;

pub use build::Build;
pub use host_state::{host_state_from_files, HostState};
pub use view::{KeyNode, Origin, RegistryView, ViewValue};
