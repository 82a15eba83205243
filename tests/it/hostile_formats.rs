//! Damaged text exports that once took cubic time: an XML export whose `<Event>`
//! elements are never closed was re-scanned to its end from every element (4,000 of
//! them, 180 KB: 31 s). One pass now: four times the elements, about four times the
//! work.

use std::fs;

use crate::common;
use crate::measure::{self, assert_linear_time};

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
