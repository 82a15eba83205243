//! Unit tests of `service-left-stopped`: the state and start-type texts, the run index,
//! and the decisions (restarted, never restarted, not covered, Exchange, manual start,
//! start-type changes, services that stop on their own, shutdowns, unknown clocks).

use exdoctor_parsers::event::{Event, Level, LogIntegrity};
use exdoctor_parsers::reg::parse_reg;
use exdoctor_parsers::setup_log::RunResult;

use chrono::Duration;
use serde_json::json;

use super::scm::{StartType, State};
use super::window::{duration_text, StopWindows};
use super::*;
use crate::model::{Confidence, CoverageGap, EventFact, Fact, HostLog, Location, RunFacts, RunWindow, Timestamp};
use crate::registry::host_state_from_files;
use crate::registry::HostState;
use crate::rules::events::testing::{at, event, run, view, window};
use crate::rules::events::SCM;

const BACKUP: &str = "Northwind Backup Remote Agent";
const SCANNER: &str = "Proseware Antivirus for Exchange";
const IS: &str = "Microsoft Exchange Information Store";
const ADMIN: &str = "S-1-5-21-1721254763-462695806-1538882281-500";
/// The run of every case: 15:00 to 16:00 UTC.
const RUN: (&str, &str) = ("2008-01-20T15:00:00Z", "2008-01-20T16:00:00Z");

fn scm(id: u16, record: u64, time: &str, params: &[&str]) -> Event {
    Event {
        level: Level::Information,
        ..event(SCM, id, record, time, params)
    }
}

fn scm_state(record: u64, time: &str, service: &str, state: &str) -> Event {
    scm(7036, record, time, &[service, state])
}

/// A 7040 made by `sid`.
fn change(record: u64, time: &str, service: &str, from: &str, to: &str, sid: &str) -> Event {
    Event {
        user_sid: Some(sid.into()),
        ..scm(7040, record, time, &[service, from, to])
    }
}

fn boot(record: u64, time: &str) -> Event {
    event("EventLog", 6005, record, time, &[])
}

/// The rule's findings on `host`, its services resolved with the host's directory.
fn findings(host: &HostView<'_>) -> Vec<Finding> {
    check(host, &Directory::new(host))
}

/// A host state with these services: (key, display name, Start).
fn registry(services: &[(&str, &str, u32)]) -> HostState {
    let mut text = String::from("REGEDIT4\r\n\r\n");
    for (key, display, start) in services {
        text.push_str(&format!(
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{key}]\r\n\"DisplayName\"=\"{display}\"\r\n\"Start\"=dword:{start:08x}\r\n\r\n"
        ));
    }
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    host_state_from_files(&[("services.reg", &file)])
}

/// The rule's findings and coverage gaps on a host with `events` (one System log that
/// ends at `log_end`), the run `facts` placed by `place`, and `state`.
fn judge_with(
    events: &[Event],
    facts: &RunFacts,
    place: impl Fn(&RunFacts) -> RunWindow<'_>,
    state: Option<&HostState>,
    log_end: &str,
) -> (Vec<Finding>, Vec<CoverageGap>) {
    let integrity = LogIntegrity::default();
    let mut host = view(events);
    host.runs.push(place(facts));
    host.registry = state;
    host.logs.push(HostLog {
        first: events.first().map(|e| e.time),
        last: Some(at(log_end)),
        ..HostLog::new("System.evtx", "System", &integrity)
    });
    (findings(&host), coverage_gaps(&host))
}

/// [`judge_with`] for a completed run with a known zone.
fn judge(events: &[Event], state: Option<&HostState>, log_end: &str) -> (Vec<Finding>, Vec<CoverageGap>) {
    let facts = run(RUN.0, RUN.1, RunResult::Completed, true);
    judge_with(events, &facts, window, state, log_end)
}

#[test]
fn state_texts_are_read_in_four_languages_and_others_are_unknown() {
    let of = |text: &str| State::of(&scm_state(1, RUN.0, BACKUP, text));
    assert_eq!(of("stopped"), State::Stopped);
    assert_eq!(of(" Running "), State::Running);
    assert_eq!(of("Beendet"), State::Stopped);
    assert_eq!(of("\"Wird ausgeführt\""), State::Running);
    assert_eq!(of("arrêté"), State::Stopped);
    assert_eq!(of("en ejecución"), State::Running);
    assert_eq!(of("paused"), State::Paused);
    assert_eq!(of("停止"), State::Unknown);
    assert_eq!(State::of(&scm(7036, 1, RUN.0, &[BACKUP])), State::Unknown);
    assert_eq!(StartType::parse("auto start"), Some(StartType::Auto));
    assert_eq!(StartType::parse("demand start"), Some(StartType::Demand));
    assert_eq!(StartType::parse("Deaktiviert"), Some(StartType::Disabled));
    assert_eq!(StartType::parse("Démarrage à la demande"), Some(StartType::Demand));
    assert_eq!(StartType::parse("boot start"), Some(StartType::Other));
    assert_eq!(StartType::parse("???"), None);
}

#[test]
fn a_service_stopped_and_restarted_is_not_reported() {
    let events = [
        scm_state(1, "2008-01-20T14:10:00Z", BACKUP, "stopped"),
        scm_state(2, "2008-01-20T16:20:00Z", BACKUP, "running"),
    ];
    let reg = registry(&[("NwBackupAgent", BACKUP, 2)]);
    let (findings, gaps) = judge(&events, Some(&reg), "2008-01-21T09:00:00Z");
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(gaps.is_empty(), "{gaps:#?}");
}

#[test]
fn a_service_never_restarted_is_one_warning_naming_it_with_its_evidence() {
    let events = [
        scm_state(1, "2008-01-20T13:30:00Z", "Print Spooler", "stopped"),
        scm_state(2, "2008-01-20T14:10:00Z", BACKUP, "stopped"),
        scm_state(3, "2008-01-20T16:20:00Z", "Print Spooler", "running"),
    ];
    let reg = registry(&[("NwBackupAgent", BACKUP, 2), ("Spooler", "Print Spooler", 2)]);
    let (findings, gaps) = judge(&events, Some(&reg), "2008-01-21T09:00:00Z");
    assert!(gaps.is_empty());
    let [f] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!(
        (f.rule, f.severity, f.confidence),
        (RuleId::ServiceLeftStopped, Severity::Warning, Confidence::High)
    );
    assert_eq!(
        f.title,
        "Northwind Backup Remote Agent (NwBackupAgent) was left stopped after a setup run"
    );
    assert_eq!(f.details["service"], "NwBackupAgent");
    assert_eq!(f.details["start_type_source"], "registry");
    assert_eq!(f.details["window_from"], "2008-01-20T12:58:00Z");
    assert_eq!(f.details["window_to"], "2008-01-20T16:02:00Z");
    assert!(
        f.summary.contains("at 2008-01-20T14:10:00Z, 50 min before setup run 1")
            && f.summary.contains("(2008-01-21T09:00:00Z, 17 h after the run ended)")
            && f.summary
                .contains("Window checked: stops from 2008-01-20T12:58:00Z..2008-01-20T16:02:00Z"),
        "{}",
        f.summary
    );
    let texts: Vec<&str> = f.evidence.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts[0],
        "Service Control Manager 7036: The Northwind Backup Remote Agent service entered the stopped state."
    );
    assert_eq!(
        texts[1],
        "Northwind Backup Remote Agent (NwBackupAgent): Start = 2 (automatic) (line 3)"
    );
    assert_eq!(
        f.evidence[1].location,
        Location::Key("HKLM\\SYSTEM\\ControlSet001\\Services\\NwBackupAgent".into())
    );
    assert!(texts[2].starts_with("setup run 1 (mode Upgrade"), "{}", texts[2]);
    assert_eq!(
        texts[3],
        "last event of the System log at 2008-01-21T09:00:00Z: it covers 17 h after the run ended"
    );
    assert_eq!(
        f.remediation[0],
        "Start it: sc start NwBackupAgent (or services.msc), and check that it stays running."
    );
}

#[test]
fn a_system_log_ending_before_the_run_ends_gives_nothing_but_a_coverage_gap() {
    let events = [scm_state(1, "2008-01-20T14:10:00Z", BACKUP, "stopped")];
    let reg = registry(&[("NwBackupAgent", BACKUP, 2)]);
    // The log ends during the run, then 10 minutes after it: both too early.
    for end in ["2008-01-20T15:30:00Z", "2008-01-20T16:10:00Z"] {
        let (findings, gaps) = judge(&events, Some(&reg), end);
        assert!(findings.is_empty(), "{end}: {findings:#?}");
        let [gap] = &gaps[..] else { panic!("{gaps:#?}") };
        assert_eq!(gap.rule, RuleId::ServiceLeftStopped);
        assert_eq!(gap.sources, ["System.evtx", "ExchangeSetup.log"]);
        assert_eq!(gap.covered_until, Some(Timestamp::Utc(at(end))));
        assert_eq!(gap.needed_until, Timestamp::Utc(at("2008-01-20T16:32:00Z")));
        assert!(
            gap.message.starts_with(&format!("The System log (System.evtx) ends at {end}, before setup run 1 of ExchangeSetup.log (ended 2008-01-20T16:00:00Z) plus 30 min")),
            "{}",
            gap.message
        );
    }
    // 32 minutes after the run (30 min and the 2 min of the clock): covered.
    let (findings, gaps) = judge(&events, Some(&reg), "2008-01-20T16:32:00Z");
    assert_eq!((findings.len(), gaps.len()), (1, 0));
}

#[test]
fn an_exchange_service_not_running_after_a_completed_run_is_an_error_with_its_run() {
    let events = [
        scm_state(1, "2008-01-20T15:05:00Z", IS, "stopped"),
        scm_state(
            2,
            "2008-01-20T15:05:10Z",
            "Microsoft Exchange System Attendant",
            "stopped",
        ),
        scm_state(
            3,
            "2008-01-20T15:06:00Z",
            "World Wide Web Publishing Service",
            "stopped",
        ),
        scm_state(
            4,
            "2008-01-20T15:40:00Z",
            "Microsoft Exchange System Attendant",
            "running",
        ),
    ];
    let reg = registry(&[
        ("MSExchangeIS", IS, 2),
        ("MSExchangeSA", "Microsoft Exchange System Attendant", 2),
        ("W3SVC", "World Wide Web Publishing Service", 2),
    ]);
    let (findings, _) = judge(&events, Some(&reg), "2008-01-21T09:00:00Z");
    let [f] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!((f.severity, f.count), (Severity::Error, 2));
    assert_eq!(f.title, "2 Exchange services were left stopped after a setup run");
    assert_eq!(f.details["services"], json!(["MSExchangeIS", "W3SVC"]));
    assert!(
        f.summary
            .contains("between 2008-01-20T15:05:00Z and 2008-01-20T15:06:00Z during setup run 1"),
        "{}",
        f.summary
    );
    assert_eq!(
        f.facts,
        vec![Fact::Event(EventFact::SetupServicesLeftStopped {
            source: "ExchangeSetup.log".into(),
            index: 0,
            services: vec!["MSExchangeIS".into(), "W3SVC".into()],
        })]
    );
    assert_eq!(f.remediation[0], "Start them: sc start MSExchangeIS, then sc start W3SVC (set any whose start type was changed back to automatic first: sc config <service> start= auto).");
    // IIS alone is setup's too, but not Exchange: a warning.
    let (findings, _) = judge(&events[2..3], Some(&reg), "2008-01-21T09:00:00Z");
    assert_eq!(
        findings.iter().map(|f| f.severity).collect::<Vec<_>>(),
        [Severity::Warning]
    );
}

#[test]
fn manual_and_trigger_start_services_are_not_reported() {
    let events = [scm_state(1, "2008-01-20T15:10:00Z", BACKUP, "stopped")];
    let manual = registry(&[("NwBackupAgent", BACKUP, 3)]);
    assert!(judge(&events, Some(&manual), "2008-01-21T09:00:00Z").0.is_empty());
    let text = "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NwBackupAgent]\r\n\"DisplayName\"=\"Northwind Backup Remote Agent\"\r\n\"Start\"=dword:00000002\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NwBackupAgent\\TriggerInfo\\0]\r\n\"Type\"=dword:00000007\r\n";
    let file = parse_reg(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let trigger = host_state_from_files(&[("services.reg", &file)]);
    assert!(trigger.service("NwBackupAgent").is_some_and(|s| s.trigger_start));
    assert!(judge(&events, Some(&trigger), "2008-01-21T09:00:00Z").0.is_empty());
}

#[test]
fn a_person_turning_automatic_start_off_is_the_start_source_and_who() {
    let events = [
        change(1, "2008-01-20T14:20:00Z", SCANNER, "auto start", "disabled", ADMIN),
        scm_state(2, "2008-01-20T14:20:09Z", SCANNER, "stopped"),
    ];
    // The registry, exported afterwards, says disabled: the change shows it was automatic.
    let reg = registry(&[("PswAvExchange", SCANNER, 4)]);
    let (findings, _) = judge(&events, Some(&reg), "2008-01-21T09:00:00Z");
    let [f] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!(f.details["start_type_source"], "start-type change");
    assert_eq!(f.details["stopped_by"], ADMIN);
    assert!(
        f.summary.contains(&format!(
            "It started automatically until its start type was changed from auto start to disabled by the built-in Administrator ({ADMIN}) at 2008-01-20T14:20:00Z. Window"
        )),
        "{}",
        f.summary
    );
    assert_eq!(
        f.evidence[1].text,
        format!("Service Control Manager 7040: The start type of the {SCANNER} service was changed from auto start to disabled. Changed by the built-in Administrator ({ADMIN}).")
    );
    assert!(f.remediation[0]
        .starts_with("Set it back to automatic start and start it: sc config PswAvExchange start= auto"));
    // Windows toggling the start type of its own services is no person's doing.
    let events = [
        change(
            1,
            "2008-01-20T14:20:00Z",
            "Windows Modules Installer",
            "auto start",
            "demand start",
            "S-1-5-18",
        ),
        scm_state(2, "2008-01-20T14:50:00Z", "Windows Modules Installer", "stopped"),
    ];
    let reg = registry(&[("TrustedInstaller", "Windows Modules Installer", 2)]);
    assert!(judge(&events, Some(&reg), "2008-01-21T09:00:00Z").0.is_empty());
}

#[test]
fn services_that_stop_on_their_own_and_shutdown_stops_are_not_reported() {
    let reg = registry(&[("gupdate", "Contoso Update Service", 2), ("NwBackupAgent", BACKUP, 2)]);
    // Started and stopped within minutes outside the run: stops by itself.
    let events = [
        scm_state(1, "2008-01-19T10:00:00Z", "Contoso Update Service", "running"),
        scm_state(2, "2008-01-19T10:03:00Z", "Contoso Update Service", "stopped"),
        scm_state(3, "2008-01-20T14:30:00Z", "Contoso Update Service", "running"),
        scm_state(4, "2008-01-20T14:40:00Z", "Contoso Update Service", "stopped"),
    ];
    assert!(judge(&events, Some(&reg), "2008-01-21T09:00:00Z").0.is_empty());
    // The candidate itself stopped 10 minutes after starting.
    assert!(judge(&events[2..], Some(&reg), "2008-01-21T09:00:00Z").0.is_empty());
    // Stopped by the shutdown of a reboot during the run: the boot starts it.
    let events = [
        scm_state(1, "2008-01-20T15:20:00Z", BACKUP, "stopped"),
        event("EventLog", 6006, 2, "2008-01-20T15:21:00Z", &[]),
        boot(3, "2008-01-20T15:24:00Z"),
    ];
    assert!(judge(&events, Some(&reg), "2008-01-21T09:00:00Z").0.is_empty());
}

#[test]
fn a_state_the_rule_cannot_read_after_the_stop_keeps_it_silent() {
    let reg = registry(&[("NwBackupAgent", BACKUP, 2)]);
    let events = [
        scm_state(1, "2008-01-20T14:10:00Z", BACKUP, "stopped"),
        scm_state(2, "2008-01-20T18:10:00Z", BACKUP, "実行中"),
    ];
    assert!(judge(&events, Some(&reg), "2008-01-21T09:00:00Z").0.is_empty());
}

#[test]
fn without_registry_a_service_running_since_a_boot_counts_when_its_name_is_known() {
    // No registry: seen running 40 s after the boot and until the stop, never stopped otherwise.
    let events = [
        boot(1, "2008-01-18T08:00:00Z"),
        scm_state(2, "2008-01-18T08:00:40Z", BACKUP, "running"),
        scm_state(3, "2008-01-20T14:10:00Z", BACKUP, "stopped"),
    ];
    let (findings, _) = judge(&events, None, "2008-01-21T09:00:00Z");
    let [f] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!(
        (f.details["start_type_source"].as_str(), f.confidence),
        (Some("running since boot"), Confidence::Medium)
    );
    assert!(
        f.summary
            .contains("seen running since the boot at 2008-01-18T08:00:00Z"),
        "{}",
        f.summary
    );
    // Started at boot and stopped when idle 20 minutes later: a demand service.
    let idle = [
        boot(1, "2008-01-20T14:00:00Z"),
        scm_state(2, "2008-01-20T14:00:40Z", BACKUP, "running"),
        scm_state(3, "2008-01-20T14:20:40Z", BACKUP, "stopped"),
    ];
    assert!(judge(&idle, None, "2008-01-21T09:00:00Z").0.is_empty());
    // Not started at the boot before, though the log shows the service then.
    let mut not_always = vec![
        boot(20, "2008-01-17T08:00:00Z"),
        scm_state(21, "2008-01-17T09:00:00Z", BACKUP, "running"),
    ];
    not_always.extend(events.iter().cloned());
    assert!(judge(&not_always, None, "2008-01-21T09:00:00Z").0.is_empty());
    // Started long after the boot: demand-started, not automatic.
    let late = [
        events[0].clone(),
        scm_state(2, "2008-01-18T09:00:00Z", BACKUP, "running"),
        events[2].clone(),
    ];
    assert!(judge(&late, None, "2008-01-21T09:00:00Z").0.is_empty());
    // Stopped at another time too: not a service that runs all the time.
    let mut other = events.to_vec();
    other.insert(2, scm_state(9, "2008-01-19T10:00:00Z", BACKUP, "stopped"));
    other.insert(3, scm_state(10, "2008-01-19T10:30:00Z", BACKUP, "running"));
    assert!(judge(&other, None, "2008-01-21T09:00:00Z").0.is_empty());
    // A boot after the stop may start it under its key name (Windows 2016 and later):
    // without the key, the rule cannot tell.
    let mut rebooted = events.to_vec();
    rebooted.push(boot(11, "2008-01-20T20:00:00Z"));
    assert!(judge(&rebooted, None, "2008-01-21T09:00:00Z").0.is_empty());
}

/// The window of a local-clock run whose zone is unknown.
fn unknown_zone(facts: &RunFacts) -> RunWindow<'_> {
    RunWindow {
        zone_known: false,
        slack: Duration::hours(14),
        ..window(facts)
    }
}

#[test]
fn an_unknown_clock_widens_the_window_and_lowers_the_confidence() {
    let facts = run(RUN.0, RUN.1, RunResult::Completed, true);
    let reg = registry(&[("NwBackupAgent", BACKUP, 2)]);
    // 10 h before the run: outside a known clock's window, inside the widened one.
    let events = [scm_state(1, "2008-01-20T05:00:00Z", BACKUP, "stopped")];
    assert!(judge(&events, Some(&reg), "2008-01-22T09:00:00Z").0.is_empty());
    let (findings, _) = judge_with(&events, &facts, unknown_zone, Some(&reg), "2008-01-22T09:00:00Z");
    let [f] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!(f.confidence, Confidence::Low);
    assert_eq!(f.details["window_from"], "2008-01-19T23:00:00Z");
    assert!(
        f.summary
            .contains("widened by 14 h for the uncertainty of the run's clock"),
        "{}",
        f.summary
    );
    // The log must then reach 14 h and 30 min past the run's end.
    let (findings, gaps) = judge_with(&events, &facts, unknown_zone, Some(&reg), "2008-01-21T06:00:00Z");
    assert!(findings.is_empty());
    assert_eq!(gaps[0].needed_until, Timestamp::Utc(at("2008-01-21T06:30:00Z")));
}

#[test]
fn a_stop_belongs_to_the_run_it_falls_in_else_to_the_next_one() {
    let first = run("2008-01-20T10:00:00Z", "2008-01-20T11:00:00Z", RunResult::Failed, true);
    let mut second = run(
        "2008-01-20T12:00:00Z",
        "2008-01-20T13:00:00Z",
        RunResult::Completed,
        true,
    );
    second.index = 1;
    let events: [Event; 0] = [];
    let mut host = view(&events);
    host.runs = vec![window(&first), window(&second)];
    let index = StopWindows::new(&host, Duration::zero());
    let run_of = |t: &str| index.at(at(t)).map(|s| s.run.run.index);
    assert_eq!(run_of("2008-01-20T07:57:59Z"), None);
    assert_eq!(run_of("2008-01-20T07:58:00Z"), Some(0));
    // Inside the first run, though within 2 h of the second's start.
    assert_eq!(run_of("2008-01-20T10:30:00Z"), Some(0));
    assert_eq!(run_of("2008-01-20T11:02:00Z"), Some(0));
    assert_eq!(run_of("2008-01-20T11:03:00Z"), Some(1));
    assert_eq!(run_of("2008-01-20T13:02:00Z"), Some(1));
    assert_eq!(run_of("2008-01-20T13:02:01Z"), None);
}

#[test]
fn nothing_without_runs_or_a_system_log() {
    let events = [scm_state(1, "2008-01-20T14:10:00Z", BACKUP, "stopped")];
    assert!(findings(&view(&events)).is_empty());
    let facts = run(RUN.0, RUN.1, RunResult::Completed, true);
    let mut host = view(&events);
    host.runs.push(window(&facts));
    assert!(findings(&host).is_empty());
    assert!(coverage_gaps(&host).is_empty());
    assert_eq!(duration_text(Duration::minutes(3 * 1440 + 125)), "3 d 2 h");
    assert_eq!(duration_text(Duration::minutes(125)), "2 h 5 min");
}
