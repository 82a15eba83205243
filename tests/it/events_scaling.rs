//! The event rules grow as O(n log n) in the number of events (issue 11, item 5: 20,000
//! SCM 7031 events in a 5 MB CSV took 23 s in the service-crash rule, 20,000 identical
//! lines 14 s). Each shape is generated here as an Event Viewer CSV export at n and 4n
//! events and analyzed by the binary with one thread: 4x the events must take less than
//! 8x the time (generous: the build machines are shared; CPU time of the process where
//! Linux `/proc` gives it, the better of two runs), and the findings are counted.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate, NaiveDateTime};
use serde_json::Value;

/// Events of the smaller run; the larger has four times as many.
const N: usize = 4_000;

fn base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 9, 19)
        .and_then(|d| d.and_hms_opt(3, 0, 0))
        .unwrap_or_default()
}

/// One CSV row: `Level,Date and Time,Source,Event ID,Task Category,Message`.
fn row(out: &mut String, at: NaiveDateTime, id: u16, message: &str) {
    out.push_str(&format!(
        "Error,{},Service Control Manager,{id},None,\"{message}\"\r\n",
        at.format("%-m/%-d/%Y %-I:%M:%S %p")
    ));
}

fn header() -> String {
    "Level,Date and Time,Source,Event ID,Task Category\r\n".to_string()
}

/// `n` identical terminations of one service in the same second.
fn identical(n: usize) -> String {
    let mut out = header();
    let message = "The Print Spooler service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 5000 milliseconds: Restart the service.";
    for _ in 0..n {
        row(&mut out, base(), 7031, message);
    }
    out
}

/// `n` terminations of 50 services, one per second.
fn many_crashes(n: usize) -> String {
    let mut out = header();
    for i in 0..n {
        let message = format!(
            "The Agent {} service terminated unexpectedly.  It has done this {} time(s).",
            i % 50,
            i / 50 + 1
        );
        row(&mut out, base() + Span::seconds(i as i64), 7034, &message);
    }
    out
}

/// `n / 3` services installed, timing out and failing (7045, 7009, 7000).
fn flood(n: usize) -> String {
    let mut out = header();
    for i in 0..n / 3 {
        let at = base() + Span::seconds(i as i64);
        let name = format!("svc{i:06}x");
        row(
            &mut out,
            at,
            7045,
            &format!("A service was installed in the system.  Service Name:  {name} Service File Name:  cmd.exe /c echo {name} Service Type:  user mode service Service Start Type:  demand start Service Account:  LocalSystem"),
        );
        row(
            &mut out,
            at,
            7009,
            &format!("A timeout was reached (30000 milliseconds) while waiting for the {name} service to connect."),
        );
        row(
            &mut out,
            at,
            7000,
            &format!("The {name} service failed to start due to the following error: %%1053"),
        );
    }
    out
}

/// A chain of `n` services, each depending on the next, the last on a disabled one.
fn chain(n: usize) -> String {
    let mut out = header();
    for i in 0..n {
        let at = base() + Span::seconds(i as i64);
        let message = if i + 1 == n {
            format!("The Link {i} service depends on the Windows Event Log service which failed to start because of the following error: %%1058")
        } else {
            format!(
                "The Link {i} service depends on the Link {} service which failed to start because of the following error: %%1068",
                i + 1
            )
        };
        row(&mut out, at, 7001, &message);
    }
    out
}

/// CPU seconds of the children a shell waited for, from its `/proc/<pid>/stat`
/// (fields 16 and 17: cutime, cstime, in clock ticks of 1/100 s on Linux).
fn children_cpu(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state): cutime is field 16, cstime field 17.
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Findings and time of `analyze --threads 1` on `path`: the CPU time of the process
/// when `/proc` tells it (the build machines are shared: CPU time does not count the
/// waiting), else the wall time.
fn run_once(path: &str) -> (Vec<Value>, Duration) {
    let binary = env!("CARGO_BIN_EXE_exdoctor");
    let script = format!(
        "\"{binary}\" analyze \"{path}\" --format json --quiet --threads 1 > \"{path}.json\"; cat /proc/$$/stat"
    );
    let started = Instant::now();
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs");
    let wall = started.elapsed();
    let took = children_cpu(&String::from_utf8_lossy(&out.stdout)).unwrap_or(wall);
    let report = std::fs::read(format!("{path}.json")).expect("report written");
    let doc: Value = serde_json::from_slice(&report).expect("JSON report");
    (doc["findings"].as_array().cloned().unwrap_or_default(), took)
}

/// Findings and the shorter time of two runs of `analyze --threads 1` on `csv`.
fn analyze(dir: &Path, name: &str, csv: &str) -> (Vec<Value>, Duration) {
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, csv).expect("write CSV");
    let path = path.to_string_lossy().into_owned();
    let (findings, first) = run_once(&path);
    let (_, second) = run_once(&path);
    (findings, first.min(second))
}

/// One scaling measurement at a time: the four shapes do not compete for the CPU.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs a shape at `N` and `4 N`: checks the findings of both and that the time grows
/// less than eightfold.
fn scales(name: &str, shape: fn(usize) -> String, check: fn(&[Value], usize)) {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = std::env::temp_dir().join(format!("exdoctor-scaling-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (small, t_small) = analyze(&dir, "small", &shape(N));
    check(&small, N);
    let (large, t_large) = analyze(&dir, "large", &shape(4 * N));
    check(&large, 4 * N);
    let _ = std::fs::remove_dir_all(&dir);
    // A floor for the small run keeps process start-up noise out of the ratio.
    let floor = t_small.max(Duration::from_millis(150));
    assert!(
        t_large < floor * 8,
        "{name}: {} events took {t_small:?}, {} took {t_large:?} (more than 8x)",
        N,
        4 * N
    );
}

fn count_of(f: &Value) -> u64 {
    f["count"].as_u64().unwrap_or_default()
}

#[test]
fn identical_terminations_scale() {
    scales("identical", identical, |all, n| {
        assert_eq!(all.len(), 1, "one service-crash finding");
        assert_eq!(all[0]["rule"], "service-crash");
        assert_eq!(count_of(&all[0]), n as u64);
        assert!(all[0]["evidence"].as_array().is_some_and(|e| e.len() <= 20));
    });
}

#[test]
fn terminations_of_many_services_scale() {
    scales("crashes", many_crashes, |all, n| {
        assert_eq!(all.len(), 50, "one finding per service");
        assert_eq!(all.iter().map(count_of).sum::<u64>(), n as u64);
    });
}

#[test]
fn installed_and_failing_services_scale() {
    scales("flood", flood, |all, n| {
        assert_eq!(
            all.len(),
            1,
            "one finding per cause: {:?}",
            all.iter().map(|f| &f["title"]).collect::<Vec<_>>()
        );
        assert_eq!(all[0]["details"]["service_count"], n / 3);
        assert_eq!(all[0]["details"]["installed"], n / 3);
    });
}

#[test]
fn dependency_chains_scale() {
    scales("chain", chain, |all, n| {
        assert_eq!(all.len(), 1, "the chain has one root");
        assert_eq!(all[0]["details"]["service"], "EventLog");
        assert_eq!(count_of(&all[0]), n as u64);
    });
}
