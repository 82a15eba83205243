//! `.zip` bundles: the files inside are read in memory (never extracted to disk) and
//! analysed as if they sat in a folder named after the archive.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;

use super::InputFile;
use crate::model::Diagnostic;

/// Largest entry read (bigger ones are skipped with a diagnostic).
const MAX_ENTRY_BYTES: u64 = 2 << 30;
/// Largest total of all entries of one archive (zip bombs).
const MAX_ARCHIVE_BYTES: u64 = 16 << 30;

/// Whether `bytes` start like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The files of a zip archive as in-memory inputs named `<archive>/<entry path>`, with
/// diagnostics for what could not be read. Nested archives are not opened.
pub fn entries(archive_path: &Path, bytes: &[u8]) -> (Vec<InputFile>, Vec<Diagnostic>) {
    let display = archive_path.display().to_string();
    let mut diagnostics = Vec::new();
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(err) => {
            return (
                Vec::new(),
                vec![Diagnostic::error(display, format!("not a readable zip archive: {err}"))],
            )
        }
    };
    let mut inputs = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(err) => {
                diagnostics.push(Diagnostic::warning(
                    &display,
                    format!("entry {index} unreadable: {err}"),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let Some(inner) = crate::platform::archive_entry_parts(&name) else {
            diagnostics.push(Diagnostic::warning(
                &display,
                format!("entry '{name}' skipped: unsafe path"),
            ));
            continue;
        };
        let size = entry.size();
        if size > MAX_ENTRY_BYTES || total.saturating_add(size) > MAX_ARCHIVE_BYTES {
            diagnostics.push(Diagnostic::warning(
                &display,
                format!("entry '{name}' skipped: {size} bytes is too large"),
            ));
            continue;
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(64 << 20));
        match (&mut entry).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut data) {
            Ok(_) if data.len() as u64 <= MAX_ENTRY_BYTES => {
                total = total.saturating_add(data.len() as u64);
                let path = inner.iter().fold(archive_path.to_path_buf(), |path, part| {
                    crate::platform::join_as_typed(&path, OsStr::new(part))
                });
                inputs.push(InputFile::from_bytes(path, data));
            }
            Ok(_) => diagnostics.push(Diagnostic::warning(
                &display,
                format!("entry '{name}' skipped: too large"),
            )),
            Err(err) => diagnostics.push(Diagnostic::error(
                format!("{display}/{name}"),
                format!("cannot decompress: {err}"),
            )),
        }
    }
    inputs.sort_by(|a, b| a.path().cmp(b.path()));
    (inputs, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut buf);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in files {
                writer.start_file(*name, options).unwrap_or_else(|e| panic!("{e}"));
                writer.write_all(data).unwrap_or_else(|e| panic!("{e}"));
            }
            writer.finish().unwrap_or_else(|e| panic!("{e}"));
        }
        buf.into_inner()
    }

    #[test]
    fn entries_are_read_in_memory_under_the_archive_name() {
        let bytes = zip_of(&[
            (
                "EX01/ExchangeSetupLogs/ExchangeSetup.log",
                b"[1/1/2008 1:00:00 AM] [0] x\r\n",
            ),
            ("../evil.reg", b"REGEDIT4"),
        ]);
        assert!(is_zip(&bytes));
        let (inputs, diags) = entries(Path::new("bundle.zip"), &bytes);
        assert_eq!(inputs.len(), 1);
        assert_eq!(
            inputs[0].path(),
            Path::new("bundle.zip/EX01/ExchangeSetupLogs/ExchangeSetup.log")
        );
        assert_eq!(inputs[0].bytes(), b"[1/1/2008 1:00:00 AM] [0] x\r\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("unsafe path"));
    }

    #[test]
    fn backslash_entry_names_are_folders_on_every_platform() {
        // Windows PowerShell 5.1's Compress-Archive writes `EX01\Logs\...` entry names.
        let bytes = zip_of(&[
            (r"EX01\ExchangeSetupLogs\ExchangeSetup.log", b"x"),
            (r"C:\evil.reg", b"REGEDIT4"),
            (r"\\server\share\evil.reg", b"REGEDIT4"),
        ]);
        let (inputs, diags) = entries(Path::new("bundle.zip"), &bytes);
        assert_eq!(inputs.len(), 1);
        let expected = Path::new("bundle.zip")
            .join("EX01")
            .join("ExchangeSetupLogs")
            .join("ExchangeSetup.log");
        assert_eq!(inputs[0].path(), expected);
        assert_eq!(diags.len(), 2, "{diags:?}");
    }

    #[test]
    fn a_damaged_archive_is_a_diagnostic() {
        let mut bytes = zip_of(&[("a.log", b"hello")]);
        bytes.truncate(bytes.len() / 2);
        let (inputs, diags) = entries(Path::new("broken.zip"), &bytes);
        assert!(inputs.is_empty());
        assert_eq!(diags[0].level, crate::model::DiagLevel::Error);
    }
}
