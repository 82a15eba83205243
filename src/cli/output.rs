//! Where a report goes: stdout, or a file written atomically (`-o FILE`: a temporary
//! file in the same folder, renamed over FILE once complete, so that a reader never
//! sees half a report).

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

/// An open report destination.
pub(super) enum Output {
    /// Standard output.
    Stdout(BufWriter<io::StdoutLock<'static>>),
    /// A temporary file that becomes `path` on [`Output::finish`].
    File {
        /// The file being written.
        temp: BufWriter<NamedTempFile>,
        /// Its final name.
        path: PathBuf,
    },
}

impl Output {
    /// Stdout, or a temporary file beside `path`.
    pub(super) fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(BufWriter::new(io::stdout().lock())));
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".exdoctor-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(Output::File {
            temp: BufWriter::new(temp),
            path: path.to_path_buf(),
        })
    }

    /// Whether the report may use colors: stdout on a terminal that takes them, and
    /// no `NO_COLOR`.
    pub(super) fn colors(&self) -> bool {
        matches!(self, Output::Stdout(_)) && crate::platform::stdout_colors()
    }

    /// The writer.
    pub(super) fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(out) => out,
            Output::File { temp, .. } => temp,
        }
    }

    /// Flushes, and renames the temporary file to its name (readable by all, as a
    /// file written by a plain redirection would be with the usual umask).
    pub(super) fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush()?,
            Output::File { temp, path } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                temp.as_file().sync_all()?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    temp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
                }
                temp.persist(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }
}
