//! One input file's bytes: a read-only memory map, or an owned buffer when mapping is
//! not possible (empty files, special files, platforms without mmap).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::sources::Input;

enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// An opened input file whose bytes stay valid for the life of the value.
pub struct InputFile {
    path: PathBuf,
    display: String,
    bytes: Bytes,
}

impl InputFile {
    /// Opens `path`, memory-mapping it and falling back to reading it whole. A file held
    /// by another process or forbidden by permissions gets an error saying what to do
    /// ([`crate::platform::explain_open_error`]).
    pub fn open(path: &Path) -> io::Result<InputFile> {
        Self::read(path).map_err(|err| crate::platform::explain_open_error(err, path))
    }

    fn read(path: &Path) -> io::Result<InputFile> {
        let file = crate::platform::open_shared(path)?;
        let len = file.metadata()?.len();
        let bytes = if len == 0 {
            Bytes::Owned(Vec::new())
        } else {
            // SAFETY: the map is read-only. Truncation of the file by another process
            // while mapped would fault; inputs are collected evidence that nothing
            // else writes, the documented risk of every mmap-based reader.
            match unsafe { Mmap::map(&file) } {
                Ok(map) => Bytes::Mapped(map),
                Err(_) => {
                    let mut buf = Vec::with_capacity(len.min(1 << 30) as usize);
                    (&file).read_to_end(&mut buf)?;
                    Bytes::Owned(buf)
                }
            }
        };
        Ok(InputFile {
            path: path.to_path_buf(),
            display: path.display().to_string(),
            bytes,
        })
    }

    /// Standard input read whole, shown as `<stdin>`.
    pub fn from_stdin() -> io::Result<InputFile> {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(InputFile {
            path: PathBuf::from(super::STDIN),
            display: "<stdin>".to_string(),
            bytes: Bytes::Owned(buf),
        })
    }

    /// An in-memory input (tests, files extracted from archives).
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> InputFile {
        let path = path.into();
        InputFile {
            display: path.display().to_string(),
            path,
            bytes: Bytes::Owned(bytes),
        }
    }

    /// The file's path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as shown in reports and diagnostics.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The file as a source adapter reads it.
    pub fn as_input(&self) -> Input<'_> {
        Input::new(&self.path, &self.display, self.bytes())
    }

    /// The file's content.
    pub fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(map) => map,
            Bytes::Owned(buf) => buf,
        }
    }
}
