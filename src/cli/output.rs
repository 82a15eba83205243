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

/// Writes with `write` to `path` through a temporary file in the same folder, flushed to
/// disk and renamed over `path` ([`Output`]). On failure the temporary file is removed
/// and `path` is left as it was.
pub(super) fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let mut output = Output::open(Some(path))?;
    write(output.writer()).with_context(|| format!("cannot write {}", path.display()))?;
    output.finish()
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("exdoctor-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = scratch("replace");
        let path = dir.join("exdoctor.prom");
        fs::write(&path, "old\n").expect("write");
        write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new\n")).expect("written");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("exdoctor.prom")]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = scratch("failed");
        let path = dir.join("report.json");
        fs::write(&path, "old\n").expect("write");
        let err = write_atomically(&path, |out: &mut dyn Write| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .expect_err("the writer failed");
        assert!(format!("{err:#}").contains("disk full"), "{err:#}");
        assert_eq!(fs::read_to_string(&path).expect("read"), "old\n");
        assert_eq!(fs::read_dir(&dir).expect("list").count(), 1);
        let missing = dir.join("no-such-folder/report.json");
        let err = write_atomically(&missing, |out: &mut dyn Write| out.write_all(b"x")).expect_err("no folder");
        assert!(format!("{err:#}").contains("no-such-folder"), "{err:#}");
        let _ = fs::remove_dir_all(&dir);
    }
}
