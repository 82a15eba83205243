//! `--format html` (issue 14): the samples' page parses, holds one section and one
//! timeline picture per host with a mark for every setup run and every restart event;
//! markup in the inputs never becomes markup of the page; a host with 60,000 events
//! gets a picture of bounded size that still counts every event.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use exdoctor_samples::evtx_writer::write_evtx;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::common;
use crate::common::system_event;

fn select(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e:?}"))
}

/// `analyze ARGS --format html --quiet`: the page (exit code `code` expected).
fn html_of(args: &[&str], code: i32) -> String {
    let mut all = vec!["analyze", "--format", "html", "--quiet"];
    all.extend_from_slice(args);
    let out = common::exdoctor(&all);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::stdout_text(&out)
}

/// `analyze ARGS --format json --quiet`.
fn json_of(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json", "--quiet"];
    all.extend_from_slice(args);
    let out = common::exdoctor(&all);
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// The sum of the `data-count` of the elements `selector` matches under `root`.
fn count_marks(root: ElementRef<'_>, selector: &str) -> u64 {
    root.select(&select(selector))
        .map(|e| {
            e.value()
                .attr("data-count")
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
}

/// Per host of a JSON report: (dated setup runs, restart events 6005/6006/6008/1074).
fn runs_and_restarts(doc: &Value) -> BTreeMap<String, (usize, u64)> {
    let mut out = BTreeMap::new();
    for host in doc["hosts"].as_array().cloned().unwrap_or_default() {
        let mut runs = 0;
        let mut restarts = 0;
        for source in host["sources"].as_array().cloned().unwrap_or_default() {
            let details = &source["details"];
            runs += details["runs"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter(|r| r["start"].is_string() && r["end"].is_string())
                        .count()
                })
                .unwrap_or(0);
            for counted in details["rule_events"].as_array().cloned().unwrap_or_default() {
                let (provider, id) = (counted["provider"].as_str().unwrap_or(""), counted["event_id"].as_u64());
                let restart = (provider == "EventLog" && matches!(id, Some(6005 | 6006 | 6008)))
                    || (provider == "USER32" && id == Some(1074));
                if restart {
                    restarts += counted["count"].as_u64().unwrap_or(0);
                }
            }
        }
        out.insert(host["name"].as_str().unwrap_or_default().to_string(), (runs, restarts));
    }
    out
}

#[test]
fn the_samples_page_has_a_section_and_a_timeline_per_host_with_every_run_and_restart() {
    let samples = common::samples_dir().to_string_lossy().into_owned();
    let page = html_of(&[&samples], 0);
    assert!(page.len() < 1_000_000, "the samples' page is {} bytes", page.len());
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..40]);
    let doc = Html::parse_document(&page);
    let report = json_of(&[&samples]);
    let expected = runs_and_restarts(&report);
    assert_eq!(expected.len(), 8, "{expected:?}");
    // The fleet table: one row per host, most severe first.
    let rows: Vec<String> = doc
        .select(&select("#hosts-table tbody tr td.name"))
        .map(|td| td.text().collect::<String>())
        .collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(&rows[..3], ["EXMBX01", "EXCAS03", "EXMBX02"]);
    let sections: Vec<ElementRef<'_>> = doc.select(&select("section.host")).collect();
    assert_eq!(sections.len(), expected.len());
    let mut drawn_runs = 0;
    let mut drawn_restarts = 0;
    for (name, (runs, restarts)) in &expected {
        let section = doc
            .select(&select(&format!("section#host-{name}")))
            .next()
            .unwrap_or_else(|| panic!("no section for {name}"));
        let pictures: Vec<ElementRef<'_>> = section.select(&select("svg.timeline")).collect();
        assert_eq!(pictures.len(), 1, "{name}");
        let picture = pictures[0];
        assert_eq!(picture.select(&select(".run")).count(), *runs, "{name}: runs");
        assert_eq!(
            count_marks(picture, ".mark.lane-restarts"),
            *restarts,
            "{name}: restarts"
        );
        drawn_runs += runs;
        drawn_restarts += restarts;
    }
    // The samples hold runs and restarts to draw: the test cannot pass on empty pictures.
    assert_eq!((drawn_runs, drawn_restarts), (6, 43), "{expected:?}");
    // The interrupted SP1 upgrade: its bar links to the finding that explains it.
    let run = doc
        .select(&select("#host-EXMBX02 svg.timeline a.run.run-interrupted"))
        .next()
        .expect("the interrupted run of EXMBX02 is a link");
    let target = run
        .value()
        .attr("href")
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_string();
    let finding = doc
        .select(&select(&format!("article.finding[id=\"{target}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no finding {target}"));
    assert_eq!(finding.value().attr("data-rule"), Some("setup-interrupted"));
    let tooltip: String = run.select(&select("title")).flat_map(|t| t.text()).collect();
    assert!(
        tooltip.contains("start 2007-11-30 16:12:03Z (local 2007-11-30 17:12:03 UTC+01:00)")
            && tooltip.contains("unfinished task: start-SetupService"),
        "{tooltip}"
    );
    // The unexpected shutdown after it is linked to the same finding.
    let shutdown = doc
        .select(&select("#host-EXMBX02 svg.timeline a.mark.lane-restarts"))
        .next()
        .expect("the restart after the run is a link");
    assert_eq!(shutdown.value().attr("href"), Some(format!("#{target}").as_str()));
    // Every finding of the report is on the page, with its evidence and numbered steps.
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert!(findings >= 21, "{findings}");
    assert_eq!(doc.select(&select("article.finding")).count(), findings);
    let steps = doc.select(&select("article.finding ol.remediation li")).count();
    assert!(steps >= findings, "{steps}");
    let kb = doc
        .select(&select(
            "article.finding ul.references a[href=\"https://support.microsoft.com/kb/951402\"]",
        ))
        .count();
    assert_eq!(kb, 1, "the NtLmSsp finding links KB951402");
}

#[test]
fn views_leave_out_sections_and_max_evidence_limits_the_lines() {
    let samples = common::samples_dir().to_string_lossy().into_owned();
    let overview = Html::parse_document(&html_of(&[&samples, "--view", "overview"], 0));
    assert_eq!(overview.select(&select("section.host")).count(), 0);
    assert_eq!(overview.select(&select("#hosts-table tbody tr")).count(), 8);
    let hosts = Html::parse_document(&html_of(&[&samples, "--view", "hosts", "--max-evidence", "2"], 0));
    // The three hosts with only info findings are only in the table.
    assert_eq!(hosts.select(&select("section.host")).count(), 5);
    assert_eq!(hosts.select(&select("details.inputs")).count(), 0);
    let most = hosts
        .select(&select("article.finding"))
        .map(|f| f.select(&select("ol.evidence li")).count())
        .max();
    assert_eq!(most, Some(2));
}

#[test]
fn a_merged_report_says_in_each_picture_that_json_carries_no_events() {
    let dir = common::scratch("html-merge");
    let shard = dir.join("shard.json");
    let samples = common::samples_dir()
        .join("sp1-interrupted")
        .to_string_lossy()
        .into_owned();
    let shard_path = shard.to_string_lossy().into_owned();
    let out = common::exdoctor(&["analyze", &samples, "--format", "json", "--quiet", "-o", &shard_path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = common::exdoctor(&["merge", &shard_path, "--format", "html", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = Html::parse_document(&common::stdout_text(&out));
    let pictures: Vec<ElementRef<'_>> = doc.select(&select("section.host svg.timeline")).collect();
    assert_eq!(pictures.len(), 1);
    let note: String = pictures[0]
        .select(&select("text.empty"))
        .flat_map(|t| t.text())
        .collect();
    assert!(note.contains("read back from JSON"), "{note}");
    assert_eq!(
        doc.select(&select("article.finding[data-rule=\"setup-interrupted\"]"))
            .count(),
        1
    );
}

/// The strings a hostile or merely unlucky input holds.
const MARKUP: &str = "<script>alert(\"x\")</script> & 'quoted' </svg><img src=x onerror=alert(1)>";

#[test]
fn markup_in_a_setup_log_and_an_event_never_becomes_markup_of_the_page() {
    let dir = common::scratch("html-escaping");
    let log = format!(
        "[11/30/2007 17:12:03] [0] **********************************************\r\n\
         [11/30/2007 17:12:03] [0] Starting Microsoft Exchange Server 2007 Setup\r\n\
         [11/30/2007 17:12:03] [0] **********************************************\r\n\
         [11/30/2007 17:12:03] [0] Setup version: 08.01.0240.006.\r\n\
         [11/30/2007 17:12:04] [1] Beginning processing install-MailboxRole\r\n\
         [11/30/2007 17:12:05] [1] [ERROR] {MARKUP}\r\n\
         [11/30/2007 17:12:06] [0] The Exchange Server setup operation didn't complete.\r\n\
         [11/30/2007 17:12:06] [0] End of Setup\r\n"
    );
    let logs = dir.join("ExchangeSetupLogs");
    std::fs::create_dir_all(&logs).expect("folder");
    std::fs::write(logs.join("ExchangeSetup.log"), log).expect("write the log");
    let crash = system_event(
        "EXMBX09",
        7,
        DateTime::parse_from_rfc3339("2007-11-30T16:12:05Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
        "Service Control Manager",
        7031,
        &[MARKUP, "1", "5000", "1", "Restart the service"],
    );
    std::fs::write(dir.join("System.evtx"), write_evtx(&[crash])).expect("write the log");
    let path = dir.to_string_lossy().into_owned();
    let page = html_of(&[&path], 0);
    let doc = Html::parse_document(&page);
    // Only the page's own elements: no script, img or second svg from the input.
    let scripts: Vec<String> = doc
        .select(&select("script"))
        .map(|s| s.text().collect::<String>())
        .collect();
    assert_eq!(scripts.len(), 2, "{scripts:?}");
    assert!(scripts.iter().all(|s| !s.contains("alert")), "{scripts:?}");
    assert_eq!(doc.select(&select("img")).count(), 0);
    for element in doc.root_element().descendants().filter_map(ElementRef::wrap) {
        for (name, _) in element.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "event handler attribute {name} on <{}>",
                element.value().name()
            );
        }
    }
    assert_eq!(doc.select(&select("svg.timeline")).count(), 1);
    // The pictures' elements all closed where the page closed them: the marks are inside.
    assert_eq!(doc.select(&select("svg.timeline .mark")).count(), 1);
    // The text is all there, as text: in the setup-failed and service-crash evidence and
    // in the picture's tooltip.
    let evidence: Vec<String> = doc
        .select(&select("article.finding .what"))
        .map(|e| e.text().collect::<String>())
        .collect();
    for rule in ["setup-failed", "service-crash"] {
        let article = doc
            .select(&select(&format!("article.finding[data-rule=\"{rule}\"]")))
            .next()
            .unwrap_or_else(|| panic!("no {rule} finding: {evidence:?}"));
        let text: String = article.select(&select(".what")).flat_map(|e| e.text()).collect();
        assert!(text.contains(MARKUP), "{rule}: {text}");
        let copy = article
            .select(&select("button.copy"))
            .filter_map(|b| b.value().attr("data-copy"))
            .any(|c| c.contains(MARKUP));
        assert!(copy, "{rule}: the copy button carries the line as it is");
    }
    let tooltip: String = doc
        .select(&select("svg.timeline .mark title"))
        .flat_map(|t| t.text())
        .collect();
    assert!(tooltip.contains(MARKUP), "{tooltip}");
    assert!(
        !page.contains("<img") && !page.contains("<script>alert"),
        "raw markup in the page"
    );
}

/// Elements of the subtree under `root`, itself included.
fn elements(root: ElementRef<'_>) -> usize {
    root.descendants().filter_map(ElementRef::wrap).count()
}

#[test]
fn a_host_with_60000_events_gets_a_bounded_picture_that_counts_every_event() {
    let dir = common::scratch("html-dense-host");
    let start = DateTime::parse_from_rfc3339("2020-03-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    // 30 days: a service crashing every minute in bursts, another failing to start,
    // a reboot every night.
    let mut events = Vec::with_capacity(60_000);
    let mut record = 0;
    let mut push = |provider: &str, id: u16, time: DateTime<Utc>, data: &[&str]| {
        record += 1;
        events.push(system_event("EXBUSY01", record, time, provider, id, data));
    };
    let mut minute = 0;
    let mut restarts = 0;
    while minute < 30 * 24 * 60 {
        let time = start + Duration::minutes(minute);
        if minute % (24 * 60) == 120 {
            push(
                "USER32",
                1074,
                time,
                &["svchost.exe", "EXBUSY01", "Planned", "0x80020002", "restart"],
            );
            push("EventLog", 6006, time + Duration::seconds(20), &[]);
            push("EventLog", 6005, time + Duration::seconds(90), &[]);
            restarts += 3;
        }
        push(
            "Service Control Manager",
            7031,
            time,
            &["Flaky Agent", "1", "60000", "1", "Restart the service"],
        );
        push(
            "Service Control Manager",
            7000,
            time + Duration::seconds(30),
            &["Other Agent", "%%1053"],
        );
        minute += if (minute / 60) % 6 < 4 { 1 } else { 3 };
    }
    let total = events.len() as u64;
    assert!(total >= 60_000, "{total}");
    std::fs::write(dir.join("System.evtx"), write_evtx(&events)).expect("write the log");
    drop(events);
    let path = dir.to_string_lossy().into_owned();
    let page = html_of(&[&path], 0);
    let _ = std::fs::remove_dir_all(&dir);
    let doc = Html::parse_document(&page);
    let picture = doc.select(&select("svg.timeline")).next().expect("a picture");
    let size = elements(picture);
    assert!(size < 3_000, "{size} elements in the picture");
    assert_eq!(count_marks(picture, ".mark"), total, "every event is counted in a mark");
    assert_eq!(count_marks(picture, ".mark.lane-restarts"), restarts);
    // Dense stretches are drawn as stretches, with their counts.
    assert!(picture.select(&select(".mark .stretch, .mark .pill")).count() > 10);
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
}
