//! `service-left-stopped` through the real binary, on host bundles written here: a System
//! log (EVTX, legacy EVT, wevtutil XML or Event Viewer CSV), an ExchangeSetup.log (UTC
//! clock of 2013 and later, or the local clock of 2007) and a registry export.
//!
//! The story of every bundle: the administrator stops a backup agent and a virus scanner
//! before a service pack; setup stops the Information Store during the run; a manual-start
//! reporting service stops during the run too. After the run the backup agent is started
//! again; the scanner and the Information Store are not; the manual one does not matter.

use crate::common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::{Event, EventField, Level};
use exdoctor_samples::evt_writer::write_evt;
use exdoctor_samples::evtx_writer::write_evtx;
use serde_json::Value;

const SCM: &str = "Service Control Manager";
const BACKUP: &str = "Northwind Backup Remote Agent";
const SCANNER: &str = "Proseware Antivirus for Exchange";
const IS: &str = "Microsoft Exchange Information Store";
const REPORTING: &str = "Contoso Reporting Service";
const ADMIN: &str = "S-1-5-21-1721254763-462695806-1538882281-500";

/// UTC time `2008-01-20T15:00:00Z` + `minutes`.
fn t(minutes: i64) -> DateTime<Utc> {
    let base = DateTime::parse_from_rfc3339("2008-01-20T15:00:00Z").map(|d| d.with_timezone(&Utc));
    base.unwrap_or_default() + Duration::minutes(minutes)
}

fn event(provider: &str, id: u16, record: u64, time: DateTime<Utc>, params: &[&str]) -> Event {
    Event {
        channel: "System".into(),
        provider: provider.into(),
        event_id: id,
        qualifiers: Some(if provider == SCM { 16384 } else { 32768 }),
        level: Level::Information,
        record_id: record,
        time,
        computer: "EX01.contoso.com".into(),
        user_sid: None,
        data: params
            .iter()
            .enumerate()
            .map(|(i, v)| EventField {
                name: Some(format!("param{}", i + 1)),
                value: (*v).into(),
            })
            .collect(),
        recovered: false,
    }
}

/// The System log of the story; the run is 15:00..16:00 UTC. `until`: minutes after
/// 15:00 of the log's last event.
fn system_events(until: i64) -> Vec<Event> {
    let state = |record, minutes, name: &str, state: &str| event(SCM, 7036, record, t(minutes), &[name, state]);
    let mut events = vec![
        event("EventLog", 6005, 1, t(-55 * 60), &[]),
        state(2, -55 * 60 + 1, BACKUP, "running"),
        state(3, -55 * 60 + 1, SCANNER, "running"),
        state(4, -55 * 60 + 2, IS, "running"),
        state(5, -50, BACKUP, "stopped"),
        Event {
            user_sid: Some(ADMIN.into()),
            ..event(SCM, 7040, 6, t(-48), &[SCANNER, "auto start", "demand start"])
        },
        state(7, -47, SCANNER, "stopped"),
        state(8, 5, IS, "stopped"),
        state(9, 10, REPORTING, "stopped"),
        state(10, 80, BACKUP, "running"),
        state(11, until, "WMI Performance Adapter", "running"),
    ];
    events.retain(|e| e.time <= t(until));
    events
}

/// A bundle folder under the target's scratch space, emptied.
fn bundle(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("service_left_stopped")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("fixture written");
}

/// The bundle `name`: the System log `log` (file name and bytes), an ExchangeSetup.log
/// of `clock` (the run `completed` or interrupted) and the registry export (with the
/// UTC+1 zone when `zone`).
fn story_bundle(name: &str, log: (&str, &[u8]), clock: Clock, completed: bool, zone: bool) -> PathBuf {
    let dir = bundle(name);
    write(&dir, log.0, log.1);
    write(&dir, "ExchangeSetup.log", setup_log(clock, completed).as_bytes());
    write(&dir, "services.reg", registry(zone).as_bytes());
    dir
}

/// [`story_bundle`] with the whole story's System log as EVTX (a day after the run).
fn evtx_bundle(name: &str, clock: Clock, completed: bool, zone: bool) -> PathBuf {
    let log = write_evtx(&system_events(24 * 60));
    story_bundle(name, ("System.evtx", &log), clock, completed, zone)
}

/// The registry export: host name, the four services, and (when `zone`) UTC+1 without
/// daylight saving.
fn registry(zone: bool) -> String {
    let mut text = String::from(
        "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\"Hostname\"=\"EX01\"\r\n\"Domain\"=\"contoso.com\"\r\n\r\n",
    );
    for (key, display, start) in [
        ("NwBackupAgent", BACKUP, 2),
        ("PswAvExchange", SCANNER, 3),
        ("MSExchangeIS", IS, 2),
        ("CtsoReporting", REPORTING, 3),
    ] {
        text.push_str(&format!(
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{key}]\r\n\"DisplayName\"=\"{display}\"\r\n\"Start\"=dword:{start:08x}\r\n\r\n"
        ));
    }
    if zone {
        text.push_str(
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation]\r\n\"Bias\"=dword:ffffffc4\r\n\"StandardName\"=\"W. Europe Standard Time\"\r\n\r\n",
        );
    }
    text
}

/// The clock a setup log writes.
#[derive(Clone, Copy)]
enum Clock {
    /// Exchange 2016: UTC bracket times, month first with a fraction.
    Utc2016,
    /// Exchange 2007 on a UTC+1 server: local times, day first.
    Local2007,
}

/// An ExchangeSetup.log of one run 15:00..16:00 UTC, completed or interrupted.
fn setup_log(clock: Clock, completed: bool) -> String {
    let (offset, version) = match clock {
        Clock::Utc2016 => (0, "15.1.2106.2"),
        Clock::Local2007 => (60, "08.01.0240.006"),
    };
    let stamp = |minutes: i64| {
        let local = t(minutes + offset).naive_utc();
        match clock {
            Clock::Utc2016 => local.format("[%m/%d/%Y %H:%M:%S.0000]").to_string(),
            Clock::Local2007 => local.format("[%d.%m.%Y %H:%M:%S]").to_string(),
        }
    };
    let mut lines = vec![
        format!("{} [0] **********************************************", stamp(0)),
        format!("{} [0] Starting Microsoft Exchange Server Setup", stamp(0)),
        format!("{} [0] **********************************************", stamp(0)),
        format!("{} [0] Setup version: {version}.", stamp(0)),
        format!("{} [0] Command Line Parameter Name='mode', Value='Upgrade'.", stamp(0)),
        format!("{} [0] Server Name=EX01", stamp(0)),
        format!("{} [1] Beginning processing install-MailboxRole", stamp(2)),
        format!("{} [2] Beginning processing stop-SetupService", stamp(4)),
        format!("{} [2] Ending processing stop-SetupService", stamp(6)),
    ];
    if completed {
        lines.push(format!("{} [1] Ending processing install-MailboxRole", stamp(59)));
        lines.push(format!(
            "{} [0] The Exchange Server setup operation completed successfully.",
            stamp(60)
        ));
        lines.push(format!("{} [0] End of Setup", stamp(60)));
        lines.push(format!(
            "{} [0] **********************************************",
            stamp(60)
        ));
    } else {
        lines.push(format!("{} [2] Beginning processing start-SetupService", stamp(59)));
        lines.push(format!("{} [2] Service checkpoint has progressed.", stamp(60)));
    }
    lines.join("\r\n") + "\r\n"
}

/// A wevtutil XML export of `events`.
fn xml_export(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| {
            let sid = e
                .user_sid
                .as_deref()
                .map(|s| format!(" UserID='{s}'"))
                .unwrap_or_default();
            let data: String = e
                .data
                .iter()
                .map(|f| format!("<Data Name='{}'>{}</Data>", f.name.as_deref().unwrap_or(""), f.value))
                .collect();
            format!(
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='{}'/><EventID Qualifiers='{}'>{}</EventID><Level>4</Level><TimeCreated SystemTime='{}'/><EventRecordID>{}</EventRecordID><Channel>System</Channel><Computer>{}</Computer><Security{sid}/></System><EventData>{data}</EventData></Event>\r\n",
                e.provider,
                e.qualifiers.unwrap_or(0),
                e.event_id,
                e.time.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                e.record_id,
                e.computer
            )
        })
        .collect()
}

/// An Event Viewer CSV export of `events` (en-US messages, local times of UTC+1).
fn csv_export(events: &[Event]) -> String {
    let mut out = String::from("Level,Date and Time,Source,Event ID,Task Category\r\n");
    for e in events {
        let p = |i: usize| e.data.get(i).map_or("", |f| f.value.as_str());
        let message = match e.event_id {
            7036 => format!("The {} service entered the {} state.", p(0), p(1)),
            7040 => format!(
                "The start type of the {} service was changed from {} to {}.",
                p(0),
                p(1),
                p(2)
            ),
            6005 => "The Event log service was started.".to_string(),
            _ => continue,
        };
        let local = (e.time + Duration::hours(1)).format("%-m/%-d/%Y %-I:%M:%S %p");
        out.push_str(&format!(
            "Information,{local},{},{},None,\"{message}\"\r\n",
            e.provider, e.event_id
        ));
    }
    out
}

fn analyze(dir: &Path, format: &str) -> (Option<i32>, String) {
    let output = common::exdoctor(&["analyze", dir.to_str().expect("utf-8 path"), "--format", format]);
    (output.status.code(), common::stdout_text(&output))
}

fn analyze_json(dir: &Path) -> Value {
    let (code, text) = analyze(dir, "json");
    assert_eq!(code, Some(0), "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON: {e}"))
}

fn left_stopped(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "service-left-stopped")
        .collect()
}

/// The acceptance: the restarted backup agent and the manual-start service give nothing;
/// the scanner never started again is one warning naming it; the Information Store not
/// running after the completed run is an error.
fn assert_acceptance(doc: &Value, what: &str) {
    let found = left_stopped(doc);
    assert_eq!(found.len(), 2, "{what}: {found:#?}");
    let scanner = found
        .iter()
        .find(|f| f["severity"] == "warning")
        .unwrap_or_else(|| panic!("{what}: the scanner"));
    assert_eq!(scanner["details"]["service"], "PswAvExchange", "{what}");
    assert!(
        scanner["title"]
            .as_str()
            .is_some_and(|s| s.starts_with("Proseware Antivirus for Exchange (PswAvExchange)")),
        "{what}: {scanner}"
    );
    assert_eq!(scanner["details"]["stopped_at"], "2008-01-20T14:13:00Z", "{what}");
    let exchange = found
        .iter()
        .find(|f| f["severity"] == "error")
        .unwrap_or_else(|| panic!("{what}: the Information Store"));
    assert_eq!(
        exchange["details"]["services"],
        serde_json::json!(["MSExchangeIS"]),
        "{what}"
    );
    assert_eq!(exchange["details"]["window_to"], "2008-01-20T16:02:00Z", "{what}");
    let text = doc["findings"].to_string();
    assert!(
        !text.contains("NwBackupAgent") && !text.contains("CtsoReporting"),
        "{what}"
    );
    assert!(doc["hosts"][0].get("coverage_gaps").is_none(), "{what}");
    // What each finding is about: the service, or the run for the services setup manages.
    assert_eq!(scanner["subject"], "PswAvExchange", "{what}");
    assert!(
        exchange["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("setup run 2008-01-20T1") && s.ends_with(":00:00 ExchangeSetup.log")),
        "{what}: {exchange}"
    );
}

/// The fingerprint of the scanner's finding in `doc`.
fn scanner_fingerprint(doc: &Value) -> String {
    left_stopped(doc)
        .iter()
        .find(|f| f["subject"] == "PswAvExchange")
        .and_then(|f| f["fingerprint"].as_str())
        .unwrap_or_else(|| panic!("{doc}"))
        .to_string()
}

#[test]
fn evtx_with_a_utc_setup_log() {
    let dir = evtx_bundle("evtx-utc", Clock::Utc2016, true, false);
    let doc = analyze_json(&dir);
    assert_acceptance(&doc, "evtx");
    let found = left_stopped(&doc);
    let scanner = found.iter().find(|f| f["severity"] == "warning").expect("the scanner");
    // The registry says manual now; the administrator's 7040 shows it was automatic.
    assert_eq!(scanner["details"]["start_type_source"], "start-type change");
    assert_eq!(scanner["details"]["stopped_by"], ADMIN);
    assert_eq!(scanner["confidence"], "high");
    let evidence: Vec<&str> = scanner["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["location"].as_str())
        .collect();
    assert_eq!(evidence, ["record 7", "record 6", "line 1", "file"]);
}

#[test]
fn legacy_evt_with_a_local_2007_clock_converted_with_the_registry_zone() {
    let dir = story_bundle(
        "evt-local",
        ("SysEvent.Evt", &write_evt(&system_events(24 * 60))),
        Clock::Local2007,
        true,
        true,
    );
    // Read as UTC, the run would start at 16:00 and the scanner's stop at 14:13 would be
    // outside its window: the finding shows the local clock was converted.
    let doc = analyze_json(&dir);
    assert_acceptance(&doc, "evt");
    // The same problem of the same host, whatever the log format and the setup-log clock.
    let evtx = evtx_bundle("evtx-fingerprint", Clock::Utc2016, true, false);
    assert_eq!(scanner_fingerprint(&doc), scanner_fingerprint(&analyze_json(&evtx)));
}

#[test]
fn wevtutil_xml_and_event_viewer_csv_exports() {
    let events = system_events(24 * 60);
    let dir = story_bundle(
        "xml",
        ("System.xml", xml_export(&events).as_bytes()),
        Clock::Utc2016,
        true,
        false,
    );
    assert_acceptance(&analyze_json(&dir), "xml");
    // The CSV has local times and no SIDs: the scanner's start type comes from nowhere
    // (the registry says manual, the 7040 has no person), so only the Exchange service.
    let dir = story_bundle(
        "csv",
        ("System.csv", csv_export(&events).as_bytes()),
        Clock::Local2007,
        true,
        true,
    );
    let doc = analyze_json(&dir);
    let found = left_stopped(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["details"]["services"], serde_json::json!(["MSExchangeIS"]));
    assert_eq!(found[0]["details"]["stopped_at"], "2008-01-20T15:05:00Z");
    assert!(found[0]["evidence"][0]["location"]
        .as_str()
        .is_some_and(|l| l.starts_with("row 8 ")));
}

#[test]
fn a_setup_log_of_unknown_zone_widens_the_window_and_lowers_the_confidence() {
    let dir = evtx_bundle("unknown-zone", Clock::Local2007, true, false);
    let doc = analyze_json(&dir);
    let found = left_stopped(&doc);
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert_eq!(f["confidence"], "low", "{f}");
        // Local 16:00..17:00 taken as UTC, widened by 14 h.
        assert_eq!(f["details"]["window_from"], "2008-01-20T00:00:00Z");
        assert_eq!(f["details"]["window_to"], "2008-01-21T07:00:00Z");
    }
}

#[test]
fn a_system_log_ending_before_the_run_ends_gives_nothing_said_in_the_input_summary() {
    let dir = story_bundle(
        "not-covered",
        ("System.evtx", &write_evtx(&system_events(30))),
        Clock::Utc2016,
        true,
        false,
    );
    let doc = analyze_json(&dir);
    assert!(left_stopped(&doc).is_empty());
    let gaps = doc["hosts"][0]["coverage_gaps"].as_array().expect("coverage gaps");
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["rule"], "service-left-stopped");
    assert_eq!(gaps[0]["covered_until"], "2008-01-20T15:30:00.000Z");
    assert_eq!(gaps[0]["needed_until"], "2008-01-20T16:32:00.000Z");
    assert!(gaps[0]["sources"][0]
        .as_str()
        .is_some_and(|s| s.ends_with("System.evtx")));
    let (code, text) = analyze(&dir, "text");
    assert_eq!(code, Some(0));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("not covered (service-left-stopped):"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("ends at 2008-01-20T15:30:00Z, before setup run 1 of")
            && line.contains("whether services stopped for the run were started again cannot be told"),
        "{line}"
    );
}

#[test]
fn an_interrupted_run_holds_the_services_setup_left_stopped() {
    let dir = evtx_bundle("interrupted", Clock::Utc2016, false, false);
    let doc = analyze_json(&dir);
    // The scanner the administrator stopped is its own finding; the Information Store is
    // part of the interruption.
    let found = left_stopped(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["details"]["service"], "PswAvExchange");
    let interrupted: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "setup-interrupted")
        .collect();
    assert_eq!(interrupted.len(), 1);
    let f = interrupted[0];
    assert_eq!(
        f["details"]["services_left_stopped"],
        serde_json::json!(["MSExchangeIS"])
    );
    assert!(
        f["summary"]
            .as_str()
            .is_some_and(|s| s
                .contains("Services setup stopped are still not running at the end of the System log: MSExchangeIS.")),
        "{f}"
    );
    assert!(f["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .any(|e| e["text"] == "Service Control Manager 7036: The Microsoft Exchange Information Store service entered the stopped state."));
}

#[test]
fn a_local_2007_clock_is_placed_by_the_msexchangesetup_start_event() {
    // No registry zone: the Application log's MSExchangeSetup 1000 (UTC, 15:00:05) matched
    // with the run's first line (local 16:00) measures the offset at the run's time.
    let dir = evtx_bundle("setup-event-zone", Clock::Local2007, true, false);
    let started = Event {
        channel: "Application".into(),
        ..event("MSExchangeSetup", 1000, 1, t(0) + Duration::seconds(5), &["8.1.240.6"])
    };
    write(&dir, "Application.evtx", &write_evtx(&[started]));
    let doc = analyze_json(&dir);
    let found = left_stopped(&doc);
    assert_eq!(found.len(), 2, "{found:#?}");
    let scanner = found.iter().find(|f| f["severity"] == "warning").expect("the scanner");
    assert_eq!(scanner["details"]["service"], "PswAvExchange");
    // 15:00..16:00 UTC, widened by 2 min for a measured offset: not by the 14 h of an
    // unknown zone.
    assert_eq!(scanner["details"]["window_from"], "2008-01-20T12:58:00Z");
    assert_eq!(scanner["details"]["window_to"], "2008-01-20T16:02:00Z");
    assert_eq!(scanner["confidence"], "high");
}

#[test]
fn the_rules_command_explains_the_rule() {
    let output = common::exdoctor(&["rules", "service-left-stopped"]);
    assert_eq!(output.status.code(), Some(0));
    let text = common::stdout_text(&output);
    assert!(text.starts_with("service-left-stopped  (warning)\n"), "{text}");
    assert!(
        text.contains("from 2 hours before an Exchange setup run's start to the run's end")
            && text.contains("sc config <service> start= auto"),
        "{text}"
    );
    let list = common::stdout_text(&common::exdoctor(&["rules"]));
    let line = list
        .lines()
        .find(|l| l.starts_with("service-left-stopped "))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.contains("warning") && line.ends_with("A service stopped for a setup run was not started again"),
        "{line}"
    );
}

#[test]
fn coverage_gaps_are_said_with_the_findings_of_each_shown_host() {
    let samples = common::samples_dir();
    let output = common::exdoctor(&["analyze", samples.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let text = common::stdout_text(&output);
    // Several hosts: the default view shows each host with findings, not its inputs.
    assert!(!text.contains("\n   inputs:"), "{text}");
    let block = |host: &str| -> String {
        let start = text
            .find(&format!("== {host} "))
            .unwrap_or_else(|| panic!("{host}: {text}"));
        let rest = &text[start + 3..];
        rest[..rest.find("\n== ").unwrap_or(rest.len())].to_string()
    };
    for (host, log) in [
        ("EXHUB04", "crl-stall/System.evtx"),
        ("EXCAS03", "prereq-gaps/SysEvent.Evt"),
    ] {
        let shown = block(host);
        let gaps: Vec<&str> = shown
            .lines()
            .filter(|l| l.starts_with("   not covered (service-left-stopped): The System log"))
            .collect();
        assert_eq!(gaps.len(), 1, "{host}: {shown}");
        assert!(gaps[0].contains(log), "{}", gaps[0]);
    }
    assert!(!block("EXMBX02").contains("not covered"));
    let overview = common::stdout_text(&common::exdoctor(&[
        "analyze",
        samples.to_str().expect("utf-8 path"),
        "--view",
        "overview",
    ]));
    assert!(!overview.contains("not covered"), "{overview}");
}
