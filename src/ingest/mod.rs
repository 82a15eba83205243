//! Input handling: discover files under the given paths, map them into memory, sniff
//! their format from their content and load them in parallel through their source
//! adapter ([`load_all`]).

pub mod archive;
mod bundle;
mod discover;
mod input;
mod load;
mod sniff;

pub use bundle::{batches, bundle_dir, bundle_of};
pub use discover::{discover, Discovered};
pub use input::{InputFile, MAX_STDIN_BYTES};
pub use load::{
    load_all, load_all_with_progress, load_files, load_inputs, nothing_found, InputLoad, LoadProgress, Progress,
    ProgressCounter,
};

/// The path that stands for standard input (one file: a log, an export or a `.zip`).
pub const STDIN: &str = "-";
pub use sniff::sniff;
