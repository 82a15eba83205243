//! Dev-only helpers: writers for binary event logs (EVTX, legacy EVT) used to build the
//! sample bundles, the scenario event lists, and generators of large synthetic inputs
//! for benchmarks, hand-made hostile inputs for the robustness tests. Nothing here is used by the exdoctor binary.

pub mod evt_writer;
pub mod evtx_writer;
pub mod fleet;
pub mod hostile;
pub mod registry;
pub mod scenarios;
pub mod synthetic;
