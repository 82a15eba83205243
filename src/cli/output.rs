//! Where a report goes: standard output, or a file replaced by rename, so that a reader
//! (a person, node_exporter's textfile collector, a log shipper) never sees half of it.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes with `write` to `path` through a temporary file in the same folder
/// (`.<name>.tmp-<pid>`, which matches no `*.prom` or `*.json` pattern), flushed to disk
/// and renamed over `path`. On failure the temporary file is removed and `path` is
/// left as it was.
pub(crate) fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let temp = temp_path(path);
    let result = write_file(&temp, write)
        .with_context(|| format!("cannot write {}", temp.display()))
        .and_then(|()| {
            fs::rename(&temp, path).with_context(|| format!("cannot rename {} to {}", temp.display(), path.display()))
        });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// `DIR/.NAME.tmp-PID` beside `path`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "exdoctor".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn write_file(temp: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let file = File::create(temp)?;
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()
}

/// Writes with `write` to `path` (by rename), or to standard output without one.
pub(super) fn write_to(path: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    match path {
        Some(path) => write_atomically(path, write),
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
