//! One input file's bytes: a read-only memory map, or an owned buffer when mapping is
//! not possible (empty files, special files, platforms without mmap).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::sources::Input;

/// Most bytes read from standard input (2 GiB): unlike a file, which is memory-mapped,
/// it is held in memory whole.
pub const MAX_STDIN_BYTES: u64 = 2 << 30;

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
    /// Opens `path`, memory-mapping it and falling back to reading it whole. Anything
    /// but a regular file (a FIFO, a device, a socket) is refused before it is opened:
    /// opening a FIFO would wait for a writer forever. A file held by another process or
    /// forbidden by permissions gets an error saying what to do
    /// ([`crate::platform::explain_open_error`]).
    pub fn open(path: &Path) -> io::Result<InputFile> {
        Self::read(path).map_err(|err| crate::platform::explain_open_error(err, path))
    }

    fn read(path: &Path) -> io::Result<InputFile> {
        refuse_special(&std::fs::metadata(path)?)?;
        let file = crate::platform::open_shared(path)?;
        let meta = file.metadata()?;
        refuse_special(&meta)?;
        let len = meta.len();
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

    /// Standard input read whole (at most [`MAX_STDIN_BYTES`]), shown as `<stdin>`.
    pub fn from_stdin() -> io::Result<InputFile> {
        InputFile::from_reader(io::stdin().lock(), MAX_STDIN_BYTES)
    }

    /// `reader` read whole as standard input, refused past `limit` bytes.
    fn from_reader(reader: impl Read, limit: u64) -> io::Result<InputFile> {
        let mut buf = Vec::new();
        reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "standard input is longer than {limit} bytes (held in memory whole): save it to a file and analyse the file"
                ),
            ));
        }
        Ok(InputFile {
            path: PathBuf::from(super::STDIN),
            display: "<stdin>".to_string(),
            bytes: Bytes::Owned(buf),
        })
    }

    /// An in-memory input (tests, files extracted from archives).
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> InputFile {
        let path = path.into();
        let display = path.display().to_string();
        InputFile::from_bytes_shown_as(path, display, bytes)
    }

    /// An in-memory input at `path` shown in reports as `display` (a member of an
    /// archive listed twice under one name, a decompressed `.gz` file).
    pub fn from_bytes_shown_as(path: impl Into<PathBuf>, display: impl Into<String>, bytes: Vec<u8>) -> InputFile {
        InputFile {
            path: path.into(),
            display: display.into(),
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

/// `Err` for anything but a regular file, naming what it is.
fn refuse_special(meta: &std::fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() { "a folder" } else { special_kind(meta) };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({what})"),
    ))
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_is_read_up_to_its_limit_and_refused_beyond() {
        let input = InputFile::from_reader(&b"REGEDIT4\r\n"[..], 10).expect("10 bytes");
        assert_eq!((input.bytes(), input.display()), (&b"REGEDIT4\r\n"[..], "<stdin>"));
        let err = InputFile::from_reader(&b"REGEDIT4\r\n!"[..], 10)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "standard input is longer than 10 bytes (held in memory whole): save it to a file and analyse the file"
            )
        );
    }
}
