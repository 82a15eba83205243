//! `--format prometheus` against the real clients: `promtool check metrics` lints the
//! file, and node_exporter's textfile collector (started here on a free loopback port)
//! serves the exdoctor series with their values.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{exdoctor, free_port, monitoring_tool, samples_dir, scratch, wait_for, Daemon};

/// `analyze ARGS --format prometheus -o FILE --quiet` (exit 0 expected).
fn write_metrics(file: &Path, args: &[&str]) {
    let file = file.to_string_lossy();
    let mut all = vec!["analyze", "--format", "prometheus", "--quiet", "-o", &file];
    all.extend_from_slice(args);
    let output = exdoctor(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The body of `GET /metrics` on 127.0.0.1:`port`, if it answers.
fn scrape(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.0 200").then(|| body.to_string())
}

/// `series -> value` of an exposition (`name{labels}` as written).
fn series(body: &str) -> BTreeMap<String, f64> {
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

#[test]
fn promtool_passes_and_node_exporter_serves_the_exdoctor_series() {
    let (Some(promtool), Some(node_exporter)) = (
        monitoring_tool("promtool", "prometheus"),
        monitoring_tool("prometheus-node-exporter", "prometheus-node-exporter"),
    ) else {
        return;
    };
    let dir = scratch("prometheus_textfile");
    let textfiles = dir.join("textfile");
    fs::create_dir_all(&textfiles).expect("textfile folder");
    let prom = textfiles.join("exdoctor.prom");
    let samples = samples_dir();
    let before = now_seconds();
    write_metrics(&prom, &[&samples.to_string_lossy()]);
    let after = now_seconds();
    let names: Vec<_> = fs::read_dir(&textfiles)
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["exdoctor.prom"], "written by rename, no temporary file left");

    let lint = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(fs::File::open(&prom).expect("the metrics file"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("promtool runs");
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "promtool: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    let port = free_port();
    let log = dir.join("node_exporter.log");
    let mut command = Command::new(&node_exporter);
    command.args([
        format!("--web.listen-address=127.0.0.1:{port}"),
        "--collector.disable-defaults".to_string(),
        "--collector.textfile".to_string(),
        format!("--collector.textfile.directory={}", textfiles.display()),
    ]);
    let mut daemon = Daemon::start("node_exporter", command, &log);
    let body = wait_for(20, || scrape(port).filter(|b| b.contains("exdoctor_hosts")));
    daemon.assert_running(&log);
    let body = body.unwrap_or_else(|| panic!("no exdoctor series: {}", fs::read_to_string(&log).unwrap_or_default()));
    let got = series(&body);
    let value = |name: &str| {
        got.get(name)
            .copied()
            .unwrap_or_else(|| panic!("{name} missing:\n{body}"))
    };
    assert_eq!(value("node_textfile_scrape_error"), 0.0);
    assert_eq!(
        value(r#"exdoctor_findings{host="EXMBX01",rule="service-crash",severity="error"}"#),
        3.0
    );
    assert_eq!(
        value(r#"exdoctor_findings{host="EXMBX01",rule="ntlmssp-dependency",severity="critical"}"#),
        1.0
    );
    assert_eq!(
        value(r#"exdoctor_findings{host="EXCAS03",rule="prereq-missing",severity="error"}"#),
        2.0
    );
    let exdoctor_series = got.keys().filter(|k| k.starts_with("exdoctor_findings{")).count();
    assert_eq!(exdoctor_series, 18);
    assert_eq!(value("exdoctor_hosts"), 8.0);
    assert_eq!(value(r#"exdoctor_inputs{kind="reg"}"#), 23.0);
    assert_eq!(value(r#"exdoctor_inputs{kind="setup_log"}"#), 5.0);
    assert_eq!(value("exdoctor_input_errors"), 0.0);
    let last_run = value("exdoctor_last_run_timestamp_seconds");
    assert!(
        before - 1.0 <= last_run && last_run <= after + 1.0,
        "{before} <= {last_run} <= {after}"
    );
    assert!(body.contains("# HELP exdoctor_findings Findings of the last exdoctor run, by host, rule and severity."));
    assert!(body.contains("# TYPE exdoctor_findings gauge"));

    // The next run replaces the file; the collector serves the new values.
    write_metrics(&prom, &["--host", "EXMBX01", &samples.to_string_lossy()]);
    let replaced = wait_for(20, || {
        scrape(port)
            .map(|b| series(&b))
            .filter(|s| s.get("exdoctor_hosts") == Some(&1.0))
    });
    let replaced = replaced.expect("the new file is served");
    assert_eq!(
        replaced.keys().filter(|k| k.starts_with("exdoctor_findings{")).count(),
        4
    );
    daemon.assert_running(&log);
}
