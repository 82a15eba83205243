//! Pure parsers for the inputs exdoctor reads: ExchangeSetup.log, legacy `.evt`,
//! `.evtx` (adapter over the `evtx` crate), event exports (XML/CSV), `.reg` files and
//! the `ldif.err` that setup's ldifde imports leave behind.
//!
//! Parsers take bytes (usually a memory map) and return records that borrow them where
//! the encoding allows. They never do I/O, never spawn threads and never panic on bad
//! input: damage is reported as [`ParseError`] items or diagnostics.
#![forbid(unsafe_code)]

pub mod error;
pub mod event;
pub mod event_export;
pub mod evt;
pub mod evtx;
pub mod ldif_err;
pub mod reg;
pub mod setup_log;
pub mod task_script;
pub mod text;
pub mod timestamp;

pub use error::ParseError;
