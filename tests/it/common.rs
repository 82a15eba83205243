//! Shared helpers of the integration tests: where the corpus is, how to run the binary.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The shared corpus: `$EXDOCTOR_CORPUS`, else `../shared/corpus` beside the repository.
///
/// Returns `None` (and says so) when it is missing, so a developer without the corpus
/// can still run the other tests; under `CI=true` a missing corpus fails the test.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EXDOCTOR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "corpus not found at {} (set EXDOCTOR_CORPUS); required in CI",
            dir.display()
        );
    }
    eprintln!("corpus not found at {}: corpus test skipped", dir.display());
    None
}

/// A path inside the repository's samples/ folder.
pub(crate) fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Runs the exdoctor binary with `args`.
pub(crate) fn exdoctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the exdoctor binary runs")
}

/// Stdout of a run as UTF-8 text.
pub(crate) fn stdout_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every source of an `analyze --format json` document (they sit under `hosts[]`).
pub(crate) fn all_sources(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["hosts"]
        .as_array()
        .map(|hosts| {
            hosts
                .iter()
                .flat_map(|h| h["sources"].as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// The `.reg` files of a sample folder, in name order (at least one).
pub(crate) fn sample_reg_paths(folder: &str) -> Vec<PathBuf> {
    let dir = samples_dir().join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "reg"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .reg in {folder}");
    paths
}

/// Every file of a sample folder (recursively) with its path relative to the folder
/// (`/`-separated), in path order.
pub(crate) fn sample_files(folder: &str) -> Vec<(String, PathBuf)> {
    let root = samples_dir().join(folder);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("sample folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let relative = p
                .strip_prefix(&root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            (relative, p)
        })
        .collect()
}

/// The host names of an `analyze --format json` document, in report order.
pub(crate) fn host_names(doc: &serde_json::Value) -> Vec<String> {
    doc["hosts"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|h| h["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The rule ids of the findings of an `analyze --format json` document, sorted.
pub(crate) fn finding_rules(doc: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = doc["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    rules.sort();
    rules
}

/// A fresh, empty scratch folder under the target directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Copies the folder `from` (recursively) to `to`.
pub(crate) fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The finding lines of `analyze ARGS --format jsonl --quiet` (exit 0 expected).
pub(crate) fn jsonl_findings(args: &[&str]) -> Vec<serde_json::Value> {
    jsonl_findings_exit(args, 0)
}

/// The finding lines of `analyze ARGS --format jsonl --quiet`, which exits with `code`.
pub(crate) fn jsonl_findings_exit(args: &[&str], code: i32) -> Vec<serde_json::Value> {
    let mut all = vec!["analyze", "--format", "jsonl", "--quiet"];
    all.extend_from_slice(args);
    let output = exdoctor(&all);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout_text(&output)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|v| v["type"] == "finding")
        .collect()
}

/// A program of a monitoring client (`promtool`, `syslog-ng`, ...), searched in PATH and
/// the sbin folders. `None` (and says so) when it is not installed, so a developer
/// without the Debian package still runs the other tests; under `CI=true` a missing
/// program fails the test (`.ci/run` installs `package`).
pub(crate) fn monitoring_tool(program: &str, package: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{program} not found: install the Debian package {package} (.ci/run does); required in CI");
        }
        eprintln!("{program} not found (Debian package {package}): test skipped");
    }
    found
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A daemon started by a test: stopped (killed by its process id) when dropped, also
/// when the test fails.
pub(crate) struct Daemon {
    /// The running process.
    pub child: std::process::Child,
    /// What it is, for messages.
    pub name: String,
}

impl Daemon {
    /// Starts `command` with its output in `log` (a file the test can show on failure).
    pub(crate) fn start(name: &str, mut command: Command, log: &std::path::Path) -> Daemon {
        let out = std::fs::File::create(log).expect("daemon log");
        let err = out.try_clone().expect("daemon log");
        let child = command
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        Daemon {
            child,
            name: name.to_string(),
        }
    }

    /// Fails with the daemon's log when it has exited.
    pub(crate) fn assert_running(&mut self, log: &std::path::Path) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}): {}",
                self.name,
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
    }
}

impl Drop for Daemon {
    /// SIGTERM first, so that a daemon with helpers (nagios4's workers) stops them;
    /// SIGKILL after five seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let stopped = wait_for(5, || self.child.try_wait().ok().flatten());
        if stopped.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `probe` every 100 ms until it returns a value or `seconds` pass.
pub(crate) fn wait_for<T>(seconds: u64, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A fleet of `hosts` generated hosts (seed 7, 200 events per log, no padding), one
/// folder per host, generated once per test run and shared by the tests that read it.
pub(crate) fn generated_fleet(hosts: usize) -> PathBuf {
    use exdoctor_samples::fleet::{plan, write_host, FleetOptions};
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fleet-{hosts}-s7-e200"));
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("fleet folder");
    let opts = FleetOptions {
        hosts,
        seed: 7,
        events_per_log: 200,
        zip: false,
        preallocate: false,
    };
    for host in plan(hosts, opts.seed) {
        write_host(&dir, &host, &opts).expect("host written");
    }
    std::fs::write(&done, b"").expect("marker");
    dir
}

/// The folders directly inside `dir` (the host folders of a generated fleet), in name
/// order.
pub(crate) fn subfolders(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
}

/// Runs the exdoctor binary with `args` and `stdin` as its standard input.
pub(crate) fn exdoctor_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_exdoctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the exdoctor binary runs");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("stdin written");
    }
    child.wait_with_output().expect("exdoctor ends")
}

/// Stdout of a run parsed as one JSON document.
pub(crate) fn json_doc(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

/// An event of the System log of `computer` with positional insertion strings, for the
/// `.evtx` fixtures written by `exdoctor_samples::evtx_writer`.
pub(crate) fn system_event(
    computer: &str,
    record: u64,
    time: chrono::DateTime<chrono::Utc>,
    provider: &str,
    id: u16,
    data: &[&str],
) -> exdoctor_parsers::event::Event {
    use exdoctor_parsers::event::{Event, EventField, Level};
    Event {
        channel: "System".into(),
        provider: provider.into(),
        event_id: id,
        qualifiers: None,
        level: Level::Information,
        record_id: record,
        time,
        computer: computer.into(),
        user_sid: None,
        data: data
            .iter()
            .map(|v| EventField {
                name: None,
                value: (*v).to_string(),
            })
            .collect(),
        recovered: false,
    }
}

/// The diagnostics of a JSON report about paths ending with `name`, as `level: message`.
pub(crate) fn diagnostics_of(doc: &serde_json::Value, name: &str) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|d| d["path"].as_str().is_some_and(|p| p.ends_with(name)))
                .map(|d| {
                    format!(
                        "{}: {}",
                        d["level"].as_str().unwrap_or(""),
                        d["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
