//! What differs between Windows and the other platforms, in one place: how inputs are
//! opened, what "in use" and "access denied" mean for the user, how appended path parts
//! read next to the part the user typed, how zip entry names split, and whether the
//! console takes ANSI colors.
//!
//! The decisions are functions of strings and raw OS error codes, so their tests run on
//! every platform; only the console query and the open call itself are `cfg(windows)`.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

/// Windows `ERROR_ACCESS_DENIED`.
pub const ERROR_ACCESS_DENIED: i32 = 5;
/// Windows `ERROR_SHARING_VIOLATION`: the process holding the file does not let others
/// read it.
pub const ERROR_SHARING_VIOLATION: i32 = 32;
/// Windows `ERROR_LOCK_VIOLATION`: a range of the file is locked by another process.
pub const ERROR_LOCK_VIOLATION: i32 = 33;
/// Unix `EPERM`.
const EPERM: i32 = 1;
/// Unix `EACCES`.
const EACCES: i32 = 13;

/// Opens an input read-only. On Windows the handle shares reading, writing and deleting
/// (`FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE`, std's default, stated here
/// so it cannot change unnoticed): exdoctor never blocks the program writing a file (the
/// Event Log service, a running Setup) and reads the file in place whenever that program
/// lets others read it.
pub fn open_shared(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_SHARE_READ: u32 = 0x1;
        const FILE_SHARE_WRITE: u32 = 0x2;
        const FILE_SHARE_DELETE: u32 = 0x4;
        options.share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    }
    options.open(path)
}

/// `err` (from opening or reading `path`) with what to do about it when another process
/// holds the file or permissions forbid reading it; other errors are returned unchanged.
pub fn explain_open_error(err: io::Error, path: &Path) -> io::Error {
    let file_name = path.file_name().map(OsStr::to_string_lossy).unwrap_or_default();
    let hint = err.raw_os_error().and_then(|code| {
        if cfg!(windows) {
            windows_open_hint(code, &file_name)
        } else {
            unix_open_hint(code)
        }
    });
    match hint {
        Some(hint) => io::Error::new(err.kind(), format!("{hint} ({err})")),
        None => err,
    }
}

/// What to do when opening `file_name` failed with the Windows error `code`; `None` for
/// errors whose system message says enough (not found, bad network path, ...).
pub fn windows_open_hint(code: i32, file_name: &str) -> Option<String> {
    match code {
        ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION => {
            Some(format!("in use by another process: {}", copy_first(file_name)))
        }
        ERROR_ACCESS_DENIED => Some(
            "access denied: run as administrator (an elevated prompt), or copy the file somewhere readable".to_string(),
        ),
        _ => None,
    }
}

/// What to do when opening a file failed with the Unix error `code`.
pub fn unix_open_hint(code: i32) -> Option<String> {
    matches!(code, EACCES | EPERM)
        .then(|| "permission denied: run as root (sudo), or copy the file somewhere readable".to_string())
}

/// How to get a readable copy of a file another process holds: an event log is exported
/// by the Event Log service (`wevtutil epl`, the channel name is the file name with `%4`
/// for `/`); any other file needs the holder closed.
fn copy_first(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    match lower.strip_suffix(".evtx") {
        Some(stem) if !stem.is_empty() => {
            let channel = file_name[..stem.len()].replace("%4", "/");
            format!(
                "copy it first, e.g. wevtutil epl {} {}",
                quoted(&channel),
                quoted(&format!(r"C:\temp\{file_name}"))
            )
        }
        _ => "close the program holding it, or copy the file once that program has let go of it".to_string(),
    }
}

/// `s`, in double quotes when it holds a space (cmd and PowerShell argument).
fn quoted(s: &str) -> String {
    if s.contains(' ') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

/// The separator placed between a path the user typed and the names exdoctor appends to
/// it (files found in a folder, entries of a zip), so reported paths read as typed: `/`
/// everywhere but Windows; on Windows `/` when the typed path has forward slashes and no
/// backslash (both separate there; `\\?\` long paths always hold backslashes), else `\`.
pub fn separator_for(typed: &[u8], windows: bool) -> char {
    if !windows || (typed.contains(&b'/') && !typed.contains(&b'\\')) {
        '/'
    } else {
        '\\'
    }
}

/// `base` joined with the single name `name` using [`separator_for`] `base`.
pub fn join_as_typed(base: &Path, name: &OsStr) -> PathBuf {
    let typed = base.as_os_str().as_encoded_bytes();
    if cfg!(windows) && separator_for(typed, true) == '/' {
        let mut joined = base.as_os_str().to_os_string();
        if !typed.ends_with(b"/") {
            joined.push("/");
        }
        joined.push(name);
        return PathBuf::from(joined);
    }
    base.join(name)
}

/// The parts of a path stored inside an archive, split at `/` and at `\` on every
/// platform (Windows PowerShell 5.1's `Compress-Archive` writes backslashes); `None` when
/// the name is empty or could leave the archive's folder: `..`, a leading separator (root,
/// `\\server\share`, `\\?\`), or a `:` (drive `C:`, device, alternate data stream).
pub fn archive_entry_parts(name: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    for (index, part) in name.split(['/', '\\']).enumerate() {
        match part {
            "" if index == 0 => return None,
            "" | "." => {}
            ".." => return None,
            _ if part.contains(':') => return None,
            _ => parts.push(part),
        }
    }
    (!parts.is_empty()).then_some(parts)
}

/// Whether the report on stdout gets ANSI colors: `NO_COLOR` unset, stdout a terminal,
/// and that terminal takes escape sequences (see [`stderr_takes_ansi`]).
pub fn stdout_colors() -> bool {
    let stdout = io::stdout();
    std::env::var_os("NO_COLOR").is_none() && stdout.is_terminal() && takes_ansi(&stdout)
}

/// Whether stderr is a terminal that takes ANSI escape sequences (the progress line). On
/// Windows that is a console with virtual terminal processing, switched on here when the
/// console supports it (Windows 10 / Server 2016 and later), or an MSYS2/Cygwin terminal.
pub fn stderr_takes_ansi() -> bool {
    let stderr = io::stderr();
    stderr.is_terminal() && takes_ansi(&stderr)
}

#[cfg(windows)]
fn takes_ansi(stream: &impl std::os::windows::io::AsRawHandle) -> bool {
    use windows_sys::Win32::System::Console::{
        GetConsoleMode, SetConsoleMode, CONSOLE_MODE, ENABLE_VIRTUAL_TERMINAL_PROCESSING,
    };
    let handle = stream.as_raw_handle() as windows_sys::Win32::Foundation::HANDLE;
    let mut mode: CONSOLE_MODE = 0;
    // SAFETY: `handle` is the process's own standard handle, valid while `stream` lives;
    // GetConsoleMode only writes the mode through the pointer to a local.
    if unsafe { GetConsoleMode(handle, &mut mode) } == 0 {
        // A terminal that is no console: an MSYS2/Cygwin pty (Git Bash, mintty), which
        // interprets escape sequences itself.
        return true;
    }
    // SAFETY: as above; SetConsoleMode takes the handle and a mode value.
    mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
        || unsafe { SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) } != 0
}

#[cfg(not(windows))]
fn takes_ansi<T>(_stream: &T) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharing_and_lock_violations_say_copy_it_first() {
        let hint = windows_open_hint(ERROR_SHARING_VIOLATION, "Application.evtx").unwrap_or_default();
        assert_eq!(
            hint,
            r"in use by another process: copy it first, e.g. wevtutil epl Application C:\temp\Application.evtx"
        );
        let hint = windows_open_hint(
            ERROR_LOCK_VIOLATION,
            "Microsoft-Windows-TaskScheduler%4Operational.evtx",
        )
        .unwrap_or_default();
        assert!(hint.contains(
            r"wevtutil epl Microsoft-Windows-TaskScheduler/Operational C:\temp\Microsoft-Windows-TaskScheduler%4Operational.evtx"
        ));
        let hint = windows_open_hint(ERROR_SHARING_VIOLATION, "Windows PowerShell.evtx").unwrap_or_default();
        assert!(hint.contains(r#"wevtutil epl "Windows PowerShell" "C:\temp\Windows PowerShell.evtx""#));
        let hint = windows_open_hint(ERROR_SHARING_VIOLATION, "ExchangeSetup.log").unwrap_or_default();
        assert!(hint.starts_with("in use by another process: close the program holding it"));
    }

    #[test]
    fn access_denied_says_run_as_administrator() {
        let hint = windows_open_hint(ERROR_ACCESS_DENIED, "Security.evtx").unwrap_or_default();
        assert!(hint.starts_with("access denied: run as administrator"));
        assert_eq!(
            windows_open_hint(2, "x.evtx"),
            None,
            "not found: the system message says it"
        );
        assert_eq!(windows_open_hint(53, "x.evtx"), None, "bad network path");
        assert!(unix_open_hint(EACCES).is_some_and(|h| h.starts_with("permission denied")));
        assert!(unix_open_hint(EPERM).is_some());
        assert_eq!(unix_open_hint(2), None);
    }

    #[test]
    fn explained_errors_keep_their_kind_and_system_message() {
        let code = if cfg!(windows) { ERROR_SHARING_VIOLATION } else { EACCES };
        let err = explain_open_error(io::Error::from_raw_os_error(code), Path::new("Application.evtx"));
        let text = err.to_string();
        assert!(text.contains(&format!("(os error {code})")), "{text}");
        assert!(text.starts_with(if cfg!(windows) {
            "in use by another process"
        } else {
            "permission denied"
        }));
        let missing = explain_open_error(io::Error::from(io::ErrorKind::NotFound), Path::new("x"));
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn appended_parts_use_the_separator_the_user_typed() {
        for (typed, expected) in [
            (r"samples\sp1-interrupted", '\\'),
            ("samples/sp1-interrupted", '/'),
            (r"C:\Logs\EX01", '\\'),
            ("C:/Logs/EX01", '/'),
            (r"C:\Logs/EX01", '\\'),
            (r"\\fileserver\share\logs", '\\'),
            (r"\\?\C:\very\long\path", '\\'),
            (r"\\?\UNC\fileserver\share\logs", '\\'),
            ("EX01", '\\'),
            ("C:", '\\'),
        ] {
            assert_eq!(separator_for(typed.as_bytes(), true), expected, "{typed}");
            assert_eq!(separator_for(typed.as_bytes(), false), '/', "{typed}");
        }
    }

    #[test]
    fn join_as_typed_keeps_what_was_typed() {
        let joined = join_as_typed(Path::new("samples/sp1-interrupted"), OsStr::new("AppEvent.Evt"));
        assert_eq!(joined.to_str(), Some("samples/sp1-interrupted/AppEvent.Evt"));
        let joined = join_as_typed(Path::new("logs/"), OsStr::new("a.reg"));
        assert_eq!(joined.to_str(), Some("logs/a.reg"));
        if cfg!(windows) {
            for (base, expected) in [
                (r"samples\sp1-interrupted", r"samples\sp1-interrupted\x.evtx"),
                (r"\\fileserver\share\logs", r"\\fileserver\share\logs\x.evtx"),
                (r"\\?\C:\very\long", r"\\?\C:\very\long\x.evtx"),
                (r"Z:\work\samples", r"Z:\work\samples\x.evtx"),
            ] {
                assert_eq!(
                    join_as_typed(Path::new(base), OsStr::new("x.evtx")).to_str(),
                    Some(expected)
                );
            }
        }
    }

    #[test]
    fn windows_paths_keep_their_prefix_and_name_their_folder() {
        if !cfg!(windows) {
            return; // backslashes are file-name characters elsewhere; run under Wine
        }
        let long = format!(r"\\?\C:\{}\EX01\ExchangeSetup.log", "d".repeat(300));
        let path = Path::new(&long);
        assert_eq!(path.display().to_string(), long, "display strips nothing");
        let parent = path.parent().and_then(Path::file_name).and_then(OsStr::to_str);
        assert_eq!(parent, Some("EX01"));
        let unc = Path::new(r"\\fileserver\logs\EX02\System.evtx");
        assert_eq!(
            unc.parent().and_then(Path::file_name).and_then(OsStr::to_str),
            Some("EX02")
        );
        assert_eq!(unc.display().to_string(), r"\\fileserver\logs\EX02\System.evtx");
    }

    #[test]
    fn archive_entries_split_at_both_separators() {
        assert_eq!(
            archive_entry_parts(r"EX01\ExchangeSetupLogs\ExchangeSetup.log"),
            Some(vec!["EX01", "ExchangeSetupLogs", "ExchangeSetup.log"])
        );
        assert_eq!(
            archive_entry_parts("EX01/./logs//System.evtx"),
            Some(vec!["EX01", "logs", "System.evtx"])
        );
        for unsafe_name in [
            "../evil.reg",
            r"EX01\..\..\evil.reg",
            "/etc/passwd",
            r"\Windows\evil.reg",
            r"C:\evil.reg",
            "C:evil.reg",
            r"\\server\share\evil.reg",
            r"\\?\C:\evil.reg",
            "logs/file.evtx:stream",
            "",
            "./",
        ] {
            assert_eq!(archive_entry_parts(unsafe_name), None, "{unsafe_name}");
        }
    }
}
