//! Input handling: discover files under the given paths, map them into memory, sniff
//! their format from their content and load them in parallel through their source
//! adapter ([`load_all`]).

pub mod archive;
mod discover;
mod input;
mod load;
mod sniff;

pub use discover::{discover, Discovered};
pub use input::InputFile;
pub use load::{load_all, load_all_with_progress, load_inputs, Progress};
pub use sniff::sniff;
