//! Damaged or hostile event exports that once took cubic or quadratic time: an XML
//! export whose `<Event>` elements are never closed was re-scanned to its end from every
//! element (4,000 of them, 180 KB: 31 s); an export whose events each name their own
//! computer is split between as many hosts, which each scanned every event and carried
//! the file's whole list of computers. One pass now, and bounded lists: four times the
//! input, about four times the work.

use std::fs;

use crate::common;
use crate::measure::{self, assert_linear_time, assert_peak_memory};

fn unclosed_events(n: usize) -> String {
    let mut text = String::from("<Events>");
    for _ in 0..n {
        text.push_str("<Event><System><EventID>1</EventID></System>");
    }
    text
}

#[test]
fn unclosed_xml_events_are_read_in_linear_time() {
    let dir = common::scratch("hostile_unclosed_xml");
    let (small, large) = (dir.join("small.xml"), dir.join("large.xml"));
    fs::write(&small, unclosed_events(10_000)).expect("write");
    fs::write(&large, unclosed_events(40_000)).expect("write");
    let run = |p: &std::path::Path| measure::exdoctor(&["analyze", "--format", "json", p.to_str().expect("path")]);
    let (a, b) = (run(&small), run(&large));
    assert_eq!(b.output.status.code(), Some(2), "no record could be read: exit 2");
    let doc = measure::json(&b);
    let source = &doc["hosts"][0]["sources"][0];
    assert_eq!(
        (source["records"].as_u64(), source["errors"].as_u64()),
        (Some(0), Some(40_000))
    );
    let messages = common::diagnostics_of(&doc, "large.xml");
    assert_eq!(
        messages.first().map(String::as_str),
        Some("warning: offset 0x8: <Event> #1: no </Event> before the next <Event>; skipped")
    );
    assert_eq!(
        messages.last().map(String::as_str),
        Some("error: no record could be read")
    );
    assert_linear_time("40,000 unclosed <Event> elements", &a, &b, 4.0, 1.0);
}

/// An XML export of `n` service terminations (SCM 7031), each on its own computer
/// (`HOST000000` ...): as many hosts, each with one finding.
fn one_computer_per_event(n: usize) -> String {
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>");
    for i in 0..n {
        text.push_str(&format!(
            "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>\
             <Provider Name=\"Service Control Manager\"/><EventID Qualifiers=\"49152\">7031</EventID>\
             <Level>2</Level><TimeCreated SystemTime=\"2020-09-19T03:{:02}:{:02}.000Z\"/>\
             <EventRecordID>{}</EventRecordID><Channel>System</Channel>\
             <Computer>HOST{i:06}.contoso.com</Computer></System><EventData>\
             <Data Name=\"param1\">Print Spooler</Data><Data Name=\"param2\">1</Data>\
             <Data Name=\"param3\">5000</Data><Data Name=\"param4\">1</Data>\
             <Data Name=\"param5\">Restart the service</Data></EventData></Event>",
            (i / 60) % 60,
            i % 60,
            i + 1
        ));
    }
    text.push_str("</Events>");
    text
}

#[test]
fn an_export_naming_a_computer_per_event_takes_linear_time_memory_and_report_size() {
    // Split between as many hosts as events: each host's report carried the whole list
    // of computers, each host scanned every event, and the reports looked up each
    // host's findings among all findings (8,000 events, 3.5 MB: 7.8 GB of memory, a
    // 2.5 GB report; 32,000: 13 s for the text report).
    let dir = common::scratch("hostile_computer_per_event");
    let (small, large) = (dir.join("small.xml"), dir.join("large.xml"));
    let large_text = one_computer_per_event(8_000);
    fs::write(&small, one_computer_per_event(2_000)).expect("write");
    fs::write(&large, &large_text).expect("write");
    let run = |p: &std::path::Path| measure::exdoctor(&["analyze", "--format", "json", p.to_str().expect("path")]);
    let (a, b) = (run(&small), run(&large));
    assert_eq!(b.output.status.code(), Some(0));
    let input = large_text.len() as u64;
    assert!(
        (b.output.stdout.len() as u64) < 20 * input,
        "a report of {} bytes for {input} bytes of input",
        b.output.stdout.len()
    );
    let doc = measure::json(&b);
    let hosts = doc["hosts"].as_array().expect("hosts");
    assert_eq!(hosts.len(), 8_000);
    let details = &hosts[0]["sources"][0]["details"];
    assert_eq!(details["computers"].as_array().map(Vec::len), Some(20));
    assert_eq!(details["unlisted"]["computers"], 7_980);
    assert!(hosts[0]["attribution"][0]["how"]
        .as_str()
        .is_some_and(|h| h.ends_with("1 of its 8000 records belong to this host")));
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(8_000));
    assert_eq!(doc["findings"][0]["rule"], "service-crash");
    assert_linear_time("8,000 events of 8,000 computers", &a, &b, 4.0, 1.0);
    assert_peak_memory("8,000 events of 8,000 computers", &b, input, 100, 64);
    // The text report: host table, per-host sections, inputs.
    let text = |p: &std::path::Path| measure::exdoctor(&["analyze", "--view", "full", p.to_str().expect("path")]);
    let (a, b) = (text(&small), text(&large));
    assert!(common::stdout_text(&b.output).contains(": 8000 host(s), 8000 finding(s) (8000 warning)"));
    assert!(common::stdout_text(&b.output).contains("computer(s) HOST000000.contoso.com, "));
    assert_linear_time("the text report of 8,000 hosts", &a, &b, 4.0, 1.0);
}
