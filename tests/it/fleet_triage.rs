//! Bulk triage of a generated 20-host fleet: the overview and its per-rule lines
//! against the JSON, suppression, the time window, CSV read back, `-o`, evidence caps.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use crate::common::{self, scratch, stdout_text};

fn fleet() -> PathBuf {
    common::generated_fleet(20)
}

fn fleet_arg() -> String {
    fleet().to_str().expect("path").to_string()
}

fn json_of(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json", "--quiet"];
    all.extend_from_slice(args);
    common::json_doc(&common::exdoctor(&all))
}

fn findings(doc: &Value, key: &str) -> Vec<Value> {
    doc[key].as_array().cloned().unwrap_or_default()
}

fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 3,
        "error" => 2,
        "warning" => 1,
        _ => 0,
    }
}

#[test]
fn overview_lists_every_host_and_its_rule_lines_match_the_json() {
    let fleet_dir = fleet();
    let fleet = fleet_arg();
    let doc = json_of(&[&fleet]);
    let hosts = doc["hosts"].as_array().cloned().unwrap_or_default();
    let text = stdout_text(&common::exdoctor(&["analyze", &fleet, "--view", "overview"]));
    // The host table: a header, then one row per host.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Hosts ("))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(table[0].trim_start().starts_with("HOST"), "{text}");
    let rows = &table[1..];
    // Renamed hosts are one host each: 20 folders, 20 hosts, 20 rows.
    assert_eq!(hosts.len(), 20);
    assert_eq!(rows.len(), 20);
    assert!(text.contains("Hosts (20), most severe first"));
    for folder in common::subfolders(&fleet_dir) {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        assert!(
            rows.iter().any(|r| r.split_whitespace().next() == Some(&name)),
            "{name} in\n{text}"
        );
    }
    assert_eq!(common::subfolders(&fleet_dir).len(), 20);
    // Per host: counts add up to the findings, the worst severity is the worst finding's.
    let all = findings(&doc, "findings");
    for host in &hosts {
        let name = host["name"].as_str().unwrap_or_default();
        let mine: Vec<&Value> = all.iter().filter(|f| f["host"] == name).collect();
        let total: u64 = ["critical", "error", "warning", "info"]
            .iter()
            .map(|s| host["counts"][s].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(total as usize, mine.len(), "{name}");
        let worst = mine
            .iter()
            .filter_map(|f| f["severity"].as_str())
            .max_by_key(|s| rank(s));
        assert_eq!(host["worst_severity"].as_str(), worst, "{name}");
        let row = rows
            .iter()
            .find(|r| r.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} row"));
        assert!(row.contains(worst.unwrap_or("ok")), "{row}");
    }
    // The table is ordered most severe first.
    let worst_ranks: Vec<u8> = rows
        .iter()
        .map(|r| {
            let name = r.split_whitespace().next().unwrap_or_default();
            let host = hosts.iter().find(|h| h["name"] == name).expect("host of row");
            rank(host["worst_severity"].as_str().unwrap_or("ok"))
        })
        .collect();
    assert!(worst_ranks.windows(2).all(|w| w[0] >= w[1]), "{worst_ranks:?}");
    // One line per rule; its host and finding counts are the JSON fleet's, which are
    // the findings'.
    let rule_lines: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Findings by rule")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let fleet_json = doc["fleet"].as_object().cloned().unwrap_or_default();
    assert_eq!(rule_lines.len(), fleet_json.len());
    assert!(fleet_json.len() >= 5, "{fleet_json:?}");
    let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &all {
        by_rule
            .entry(f["rule"].as_str().unwrap_or_default())
            .or_default()
            .push(f["host"].as_str().unwrap_or_default());
    }
    for line in rule_lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (rule, severity, n_hosts) = (words[0], words[1], words[2].parse::<usize>().expect("count"));
        let group = &fleet_json[rule];
        let found = &by_rule[rule];
        let mut distinct = found.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(group["hosts"].as_array().map(Vec::len), Some(n_hosts), "{line}");
        assert_eq!(n_hosts, distinct.len(), "{line}");
        assert_eq!(group["findings"].as_u64(), Some(found.len() as u64), "{line}");
        assert_eq!(
            group["severity"].as_str().map(str::to_ascii_uppercase).as_deref(),
            Some(severity)
        );
        let named: Vec<&str> = group["hosts"]
            .as_array()
            .expect("hosts")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(named, distinct, "{rule}");
        if found.len() != n_hosts {
            assert!(line.contains(&format!("({} findings)", found.len())), "{line}");
        }
        if n_hosts > 3 {
            assert!(line.ends_with(&format!("(+{})", n_hosts - 3)), "{line}");
        }
    }
    // No host sections in the overview; the default view of a fleet has them without
    // the inventory; the full view has the inventory.
    assert!(!text.contains("\n== "));
    let default = stdout_text(&common::exdoctor(&["analyze", &fleet]));
    assert!(default.contains("\n== ") && !default.contains("   inputs:"));
    assert!(default.contains("host(s) with no finding above info are only in the table"));
    let full = stdout_text(&common::exdoctor(&["analyze", &fleet, "--view", "full"]));
    assert!(full.contains("   inputs:"));
}

/// The fleet's critical findings as (rule, host).
fn criticals(doc: &Value) -> Vec<(String, String)> {
    findings(doc, "findings")
        .iter()
        .filter(|f| f["severity"] == "critical")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["host"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn suppression_hides_matches_keeps_them_in_json_ignores_them_for_fail_on_and_reports_expired_entries() {
    let fleet = fleet_arg();
    let before = json_of(&[&fleet]);
    let critical = criticals(&before);
    assert!(!critical.is_empty(), "the generated fleet has critical findings");
    let dir = scratch("suppression");
    let mut toml = String::new();
    for (rule, host) in &critical {
        // Upper-case id, host as a glob.
        let glob = format!("{}*", &host[..host.len() - 2].to_ascii_lowercase());
        toml.push_str(&format!(
            "[[suppress]]\nrule = \"{}\"\nhost = \"{glob}\"\nreason = \"known: ticket 4711\"\nexpires = 2999-12-31\n\n",
            rule.to_ascii_uppercase()
        ));
    }
    let expired_number = critical.len() + 1;
    toml.push_str("[[suppress]]\nrule = \"build-inventory\"\nreason = \"old news\"\nexpires = \"2001-01-01\"\n");
    let file = dir.join("suppress.toml");
    fs::write(&file, toml).expect("write");
    let file = file.to_str().expect("path");

    // Without suppression, --fail-on critical fails; with it, it does not.
    let plain = common::exdoctor(&["analyze", &fleet, "--fail-on", "critical", "--quiet"]);
    assert_eq!(plain.status.code(), Some(1));
    let suppressed_run = common::exdoctor(&["analyze", &fleet, "--fail-on", "critical", "--suppress", file]);
    assert_eq!(suppressed_run.status.code(), Some(0));
    let text = stdout_text(&suppressed_run);
    assert!(!text.contains("CRITICAL"), "{text}");

    let doc = json_of(&[&fleet, "--suppress", file]);
    let suppressed = findings(&doc, "suppressed");
    // Each suppressed finding is one an entry selects: its rule, a host of its glob.
    for s in &suppressed {
        assert!(
            critical.iter().any(|(rule, host)| {
                s["rule"] == rule.as_str()
                    && s["host"]
                        .as_str()
                        .is_some_and(|h| h.starts_with(&host[..host.len() - 2]))
            }),
            "{s}"
        );
    }
    assert!(suppressed.len() >= critical.len());
    for s in &suppressed {
        assert_eq!(s["suppressed_by"]["reason"], "known: ticket 4711");
        assert_eq!(s["suppressed_by"]["expires"], "2999-12-31");
        assert!(s["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
    assert_eq!(
        findings(&doc, "findings").len() + suppressed.len(),
        findings(&before, "findings").len()
    );
    assert_eq!(doc["counts"]["critical"], 0);
    // The expired entry no longer applies, and says so.
    assert!(findings(&doc, "findings")
        .iter()
        .any(|f| f["rule"] == "build-inventory"));
    let expired = format!("suppression entry {expired_number} (rule build-inventory) expired on 2001-01-01");
    assert!(
        findings(&doc, "diagnostics")
            .iter()
            .any(|d| d["level"] == "warning" && d["message"].as_str().is_some_and(|m| m.starts_with(&expired))),
        "{}",
        doc["diagnostics"]
    );
    assert!(text.contains(&expired));
    // A bad file is a usage error before any work.
    let bad = dir.join("bad.toml");
    fs::write(&bad, "[[suppress]]\nrule = \"service-crsh\"\nreason = \"x\"\n").expect("write");
    let output = common::exdoctor(&["analyze", &fleet, "--suppress", bad.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("entry 1: no rule with id 'service-crsh'; closest: service-crash"));
}

#[test]
fn since_and_until_keep_the_findings_and_entries_of_the_window() {
    let fleet = fleet_arg();
    let doc = json_of(&[&fleet]);
    let all = findings(&doc, "findings");
    let mut starts: Vec<String> = all
        .iter()
        .filter_map(|f| f["first_seen"].as_str().map(String::from))
        .collect();
    starts.sort();
    let since = starts[starts.len() / 2].clone();
    let expected: Vec<String> = all
        .iter()
        .filter(|f| f["last_seen"].as_str().is_none_or(|l| l[..19] >= since[..19]))
        .map(|f| format!("{} {} {}", f["host"], f["rule"], f["title"]))
        .collect();
    let kept = json_of(&[&fleet, "--since", &since]);
    let kept: Vec<String> = findings(&kept, "findings")
        .iter()
        .map(|f| format!("{} {} {}", f["host"], f["rule"], f["title"]))
        .collect();
    assert_eq!(kept, expected);
    assert!(kept.len() < all.len());
    assert!(
        kept.iter().any(|k| k.contains("build-inventory")),
        "findings without a time stay"
    );
    // A date as --until: through the end of that day.
    let day = &since[..10];
    let until: Vec<String> = all
        .iter()
        .filter(|f| f["first_seen"].as_str().is_none_or(|t| &t[..10] <= day))
        .map(|f| format!("{} {} {}", f["host"], f["rule"], f["title"]))
        .collect();
    let got = json_of(&[&fleet, "--until", day]);
    let got: Vec<String> = findings(&got, "findings")
        .iter()
        .map(|f| format!("{} {} {}", f["host"], f["rule"], f["title"]))
        .collect();
    assert_eq!(got, until);
    // The timeline of one host, cut to one day.
    let host = all
        .iter()
        .find(|f| f["first_seen"].as_str() == Some(since.as_str()))
        .and_then(|f| f["host"].as_str())
        .unwrap_or_default()
        .to_string();
    let timeline = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["timeline", &fleet, "--host", &host, "--format", "jsonl"];
        args.extend_from_slice(extra);
        stdout_text(&common::exdoctor(&args))
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let whole = timeline(&[]);
    let cut = timeline(&["--since", day, "--until", day]);
    assert!(
        !cut.is_empty() && cut.len() < whole.len(),
        "{} of {}",
        cut.len(),
        whole.len()
    );
    assert!(cut
        .iter()
        .all(|e| e["time"].as_str().is_some_and(|t| t.starts_with(day))));
    assert_eq!(
        common::exdoctor(&["analyze", &fleet, "--since", "last tuesday"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn csv_has_one_row_per_finding_and_reads_back_as_the_json() {
    let fleet = fleet_arg();
    let doc = json_of(&[&fleet]);
    let output = common::exdoctor(&["analyze", &fleet, "--format", "csv", "--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers: Vec<String> = reader.headers().expect("header row").iter().map(String::from).collect();
    assert_eq!(headers, exdoctor::report::CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("RFC 4180 row")).collect();
    let all = findings(&doc, "findings");
    assert_eq!(rows.len(), all.len());
    let column = |name: &str| headers.iter().position(|h| h == name).expect("column");
    for (row, f) in rows.iter().zip(&all) {
        for key in ["host", "severity", "rule", "title", "summary"] {
            assert_eq!(Some(&row[column(key)]), f[key].as_str(), "{key}");
        }
        assert_eq!(row[column("count")], f["count"].to_string());
        assert_eq!(&row[column("first_seen")], f["first_seen"].as_str().unwrap_or(""));
        let steps: Vec<String> = f["remediation"]
            .as_array()
            .expect("remediation")
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, s.as_str().unwrap_or_default()))
            .collect();
        assert_eq!(row[column("remediation")], steps.join("\n"));
        assert_eq!(
            row[column("evidence_count")],
            f["evidence"].as_array().map_or(0, Vec::len).to_string()
        );
    }
    // Cells with commas, quotes and line breaks came through.
    assert!(rows.iter().any(|r| r[column("remediation")].contains('\n')));
    assert!(rows.iter().any(|r| r[column("summary")].contains(',')));
}

#[test]
fn output_file_is_replaced_by_rename_and_never_left_half_written() {
    use std::os::unix::fs::MetadataExt;
    let fleet = fleet_arg();
    let dir = scratch("output_file");
    let report = dir.join("report.json");
    fs::write(&report, "an older report").expect("write");
    let before = fs::metadata(&report).expect("metadata").ino();
    let output = common::exdoctor(&[
        "analyze",
        &fleet,
        "--format",
        "json",
        "-o",
        report.to_str().expect("path"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let written = fs::read(&report).expect("report");
    assert_eq!(
        written,
        common::exdoctor(&["analyze", &fleet, "--format", "json", "--quiet"]).stdout
    );
    assert_ne!(
        fs::metadata(&report).expect("metadata").ino(),
        before,
        "a new file renamed over the old"
    );
    let left: Vec<String> = fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["report.json"]);
    // Diagnostics of a text report written to a file go to stderr.
    let text = dir.join("report.txt");
    let output = common::exdoctor(&["analyze", &fleet, "-o", text.to_str().expect("path")]);
    assert!(fs::read_to_string(&text).expect("text").starts_with("exdoctor "));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Input diagnostics"));
    // A folder that does not exist: exit 2, nothing written.
    let missing = dir.join("missing/report.json");
    let output = common::exdoctor(&["analyze", &fleet, "-o", missing.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!missing.exists());
}

#[test]
fn max_evidence_caps_the_evidence_lines_of_each_finding() {
    let fleet = fleet_arg();
    let doc = json_of(&[&fleet]);
    let busiest = findings(&doc, "findings")
        .into_iter()
        .max_by_key(|f| f["evidence"].as_array().map_or(0, Vec::len))
        .expect("a finding");
    let n = busiest["evidence"].as_array().map_or(0, Vec::len);
    assert!(n > 2);
    let host = busiest["host"].as_str().unwrap_or_default();
    let text = stdout_text(&common::exdoctor(&[
        "analyze",
        &fleet,
        "--host",
        host,
        "--max-evidence",
        "2",
    ]));
    assert!(
        text.contains(&format!(
            "     ... {} more (--max-evidence; all in --format json)",
            n - 2
        )),
        "{text}"
    );
}
