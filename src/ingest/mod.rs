//! Input handling: discover files under the given paths, map them into memory and
//! sniff their format from their content.

pub mod archive;
mod discover;
mod input;
mod sniff;

pub use discover::{discover, Discovered};
pub use input::InputFile;
pub use sniff::sniff;
