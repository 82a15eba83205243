//! `--syslog` against a real syslog-ng (package syslog-ng-core), started here on free
//! loopback ports with an RFC 5424 `syslog()` source over TCP (octet counting) and UDP,
//! a JSON parser on the message and a file destination: every finding arrives with
//! its header, structured data and JSON fields intact.

use std::collections::BTreeMap;
use std::fs;
use std::net::{TcpStream, UdpSocket};
use std::process::Command;

use serde_json::Value;

use crate::common::{exdoctor, free_port, jsonl_findings, monitoring_tool, samples_dir, scratch, wait_for, Daemon};

fn config(dir: &std::path::Path, tcp: u16, udp: u16) -> String {
    format!(
        r#"@version: 3.38
options {{ keep-hostname(yes); chain-hostnames(no); use-dns(no); dns-cache(no); stats-freq(0); }};
source s_tcp {{ syslog(ip("127.0.0.1") port({tcp}) transport("tcp")); }};
source s_udp {{ syslog(ip("127.0.0.1") port({udp}) transport("udp")); }};
parser p_json {{ json-parser(prefix(".json.")); }};
destination d_file {{
    file("{}/received.jsonl"
         template("$(format-json --key .json.* --key .SDATA.* MSGID=${{MSGID}} HOST=${{HOST}} LEVEL=${{LEVEL}} FACILITY=${{FACILITY}} PROGRAM=${{PROGRAM}})\n"));
}};
log {{ source(s_tcp); source(s_udp); parser(p_json); destination(d_file); }};
"#,
        dir.display()
    )
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port")
}

/// The messages syslog-ng wrote, once there are `n`.
fn received(path: &std::path::Path, n: usize) -> Option<Vec<Value>> {
    let text = fs::read_to_string(path).ok()?;
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("syslog-ng wrote JSON"))
        .collect();
    (lines.len() >= n).then_some(lines)
}

/// syslog-ng's name of the RFC 5424 severity of a finding.
fn level(finding: &Value) -> &'static str {
    match finding["severity"].as_str() {
        Some("critical") => "crit",
        Some("error") => "err",
        Some("warning") => "warning",
        _ => "info",
    }
}

/// The message of `finding` came through whole.
fn assert_delivered(finding: &Value, message: &Value) {
    let what = format!("{finding}\n{message}");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let rule = text(&finding["rule"]);
    assert_eq!(
        text(&message["MSGID"]),
        rule.chars().take(32).collect::<String>(),
        "{what}"
    );
    assert_eq!(message["HOST"], finding["host"], "{what}");
    assert_eq!(message["PROGRAM"], "exdoctor", "{what}");
    assert_eq!(message["FACILITY"], "user", "{what}");
    assert_eq!(message["LEVEL"], level(finding), "{what}");
    let sd = &message["_SDATA"]["exdoctor@32473"];
    for key in ["host", "rule", "fingerprint", "severity", "subject"] {
        assert_eq!(sd[key], finding[key], "SD {key}: {what}");
    }
    assert_eq!(sd.get("status"), finding.get("status"), "{what}");
    let json = &message["_json"];
    for key in [
        "rule",
        "host",
        "fingerprint",
        "subject",
        "severity",
        "title",
        "summary",
        "confidence",
    ] {
        assert_eq!(json[key], finding[key], "JSON {key}: {what}");
    }
    assert_eq!(json.get("status"), finding.get("status"), "{what}");
    assert_eq!(text(&json["count"]), finding["count"].to_string(), "{what}");
    // A message is at most 8000 bytes: a large finding's last evidence is left out.
    let evidence: Value = serde_json::from_str(json["evidence"].as_str().unwrap_or("null")).expect("evidence JSON");
    let all = finding["evidence"].as_array().cloned().unwrap_or_default();
    let omitted: usize = json["evidence_omitted"]
        .as_str()
        .map_or(0, |n| n.parse().expect("a count"));
    assert!(omitted < all.len().max(1), "{what}");
    assert_eq!(evidence, Value::Array(all[..all.len() - omitted].to_vec()), "{what}");
}

#[test]
fn syslog_ng_receives_every_finding_with_its_fields_over_tcp_and_udp() {
    let Some(syslog_ng) = monitoring_tool("syslog-ng", "syslog-ng-core") else {
        return;
    };
    let dir = scratch("syslog_ng");
    let (tcp, udp) = (free_port(), free_udp_port());
    let conf = dir.join("syslog-ng.conf");
    fs::write(&conf, config(&dir, tcp, udp)).expect("config");
    let log = dir.join("daemon.log");
    let mut command = Command::new(&syslog_ng);
    command
        .args(["-F", "-e", "-f"])
        .arg(&conf)
        .arg("-R")
        .arg(dir.join("syslog-ng.persist"))
        .arg("-p")
        .arg(dir.join("syslog-ng.pid"))
        .arg("-c")
        .arg(dir.join("syslog-ng.ctl"));
    let mut daemon = Daemon::start("syslog-ng", command, &log);
    let up = wait_for(20, || TcpStream::connect(("127.0.0.1", tcp)).ok());
    daemon.assert_running(&log);
    assert!(
        up.is_some(),
        "syslog-ng does not listen: {}",
        fs::read_to_string(&log).unwrap_or_default()
    );
    drop(up);

    // TCP with a state file: every finding, each with its status.
    let samples = samples_dir().to_string_lossy().into_owned();
    let state = dir.join("state.json").to_string_lossy().into_owned();
    let target = format!("tcp://127.0.0.1:{tcp}");
    let sent = jsonl_findings(&["--state", &state, "--syslog", &target, &samples]);
    assert_eq!(sent.len(), 22);
    let file = dir.join("received.jsonl");
    let got = wait_for(20, || received(&file, sent.len()))
        .unwrap_or_else(|| panic!("not all received: {}", fs::read_to_string(&file).unwrap_or_default()));
    assert_eq!(got.len(), sent.len());
    let by_fingerprint: BTreeMap<String, &Value> = got
        .iter()
        .map(|m| {
            (
                m["_SDATA"]["exdoctor@32473"]["fingerprint"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
                m,
            )
        })
        .collect();
    assert_eq!(by_fingerprint.len(), sent.len(), "one message per finding");
    let mut shortened = Vec::new();
    for finding in &sent {
        assert_eq!(finding["status"], "new");
        let fingerprint = finding["fingerprint"].as_str().unwrap_or_default();
        if by_fingerprint[fingerprint]["_json"].get("evidence_omitted").is_some() {
            shortened.push(finding["rule"].as_str().unwrap_or_default());
        }
        assert_delivered(finding, by_fingerprint[fingerprint]);
    }
    shortened.sort_unstable();
    assert_eq!(
        shortened,
        ["ntlmssp-dependency", "setup-interrupted", "setup-stall"],
        "the findings with 28, 24 (the services the interrupted run left stopped) and 20 pieces of evidence"
    );

    // UDP without a state file: no status.
    let target = format!("udp://127.0.0.1:{udp}");
    let healthy = samples_dir().join("healthy").to_string_lossy().into_owned();
    let sent = jsonl_findings(&["--syslog", &target, &healthy]);
    assert_eq!(sent.len(), 2);
    let got = wait_for(20, || received(&file, 24)).expect("the UDP messages arrive");
    for (finding, message) in sent.iter().zip(&got[22..]) {
        assert!(finding.get("status").is_none());
        assert_delivered(finding, message);
    }
    daemon.assert_running(&log);
}

#[test]
fn an_unreachable_syslog_target_fails_the_run_and_keeps_the_state() {
    let dir = scratch("syslog_unreachable");
    let state = dir.join("state.json");
    let port = free_port();
    let healthy = samples_dir().join("healthy").to_string_lossy().into_owned();
    let output = exdoctor(&[
        "analyze",
        "--quiet",
        "--state",
        &state.to_string_lossy(),
        "--syslog",
        &format!("tcp://127.0.0.1:{port}"),
        &healthy,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("syslog tcp://127.0.0.1:{port}")), "{stderr}");
    assert!(!state.exists(), "the state is written only after the findings went out");
    let bad = exdoctor(&["analyze", "--syslog", "127.0.0.1:514", &healthy]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected udp://HOST:PORT, tcp://HOST:PORT or unix:PATH"));
}
