//! The scenario logs keep the facts of the story sheet (`samples/README.md`).

use chrono::{DateTime, Utc};
use exdoctor_parsers::event::{Event, Level};

use super::{sample_logs, LogFormat, SampleLog};

fn log(path: &str) -> SampleLog {
    sample_logs()
        .into_iter()
        .find(|l| l.path == path)
        .unwrap_or_else(|| panic!("no sample log {path}"))
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn find<'a>(events: &'a [Event], provider: &str, id: u16) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| e.provider == provider && e.event_id == id)
        .collect()
}

fn minute(e: &Event) -> String {
    e.time.format("%Y-%m-%dT%H:%MZ").to_string()
}

#[test]
fn every_log_is_ordered_sized_and_single_host() {
    let logs = sample_logs();
    assert_eq!(logs.len(), 12);
    for log in &logs {
        let events = &log.events;
        assert!(
            (20..=600).contains(&events.len()),
            "{}: {} events",
            log.path,
            events.len()
        );
        assert!(events[0].record_id >= 500, "{}", log.path);
        for pair in events.windows(2) {
            assert_eq!(pair[1].record_id, pair[0].record_id + 1, "{}", log.path);
            assert!(pair[1].time >= pair[0].time, "{}", log.path);
        }
        let channel = if log.path.contains("Sys") {
            "System"
        } else {
            "Application"
        };
        assert!(events.iter().all(|e| e.channel == channel), "{}", log.path);
        let evtx = log.path.ends_with(".evtx");
        assert_eq!(evtx, log.format == LogFormat::Evtx);
        let hosts: std::collections::BTreeSet<_> = events
            .iter()
            .map(|e| e.computer.split('.').next().unwrap().to_owned())
            .collect();
        assert_eq!(hosts.len(), 1, "{}: {hosts:?}", log.path);
    }
}

#[test]
fn ntlmssp_upgrade_story() {
    let sys = log("ntlmssp-inplace-upgrade/System.evtx").events;
    let app = log("ntlmssp-inplace-upgrade/Application.evtx").events;
    let banners = find(&sys, "EventLog", 6009);
    let last_502 = banners.iter().rfind(|e| e.param(0) == Some("5.02.")).unwrap();
    let first_600 = banners.iter().find(|e| e.param(0) == Some("6.00.")).unwrap();
    assert_eq!(minute(last_502), "2008-03-14T20:58Z");
    assert_eq!(minute(first_600), "2008-03-14T23:41Z");
    assert_eq!(last_502.computer, "EXMBX01");
    assert_eq!(first_600.computer, "EXMBX01.contoso.com");

    let missing = find(&sys, "Service Control Manager", 7003);
    assert!(missing
        .iter()
        .all(|e| e.field("param2") == Some("NtLmSsp") && e.qualifiers == Some(49152)));
    for display in [
        "Microsoft Exchange Information Store",
        "Microsoft Exchange System Attendant",
    ] {
        // One per 2008 boot (4) plus the manual start of the Information Store.
        let n = missing.iter().filter(|e| e.field("param1") == Some(display)).count();
        assert!(n >= 4, "{display}: {n}");
    }
    let dependants = find(&sys, "Service Control Manager", 7001);
    assert_eq!(dependants.len(), 8);
    assert!(dependants.iter().all(|e| e.field("param3") == Some("%%1075")));

    let crashes_7031 = find(&sys, "Service Control Manager", 7031);
    let crashes_7034 = find(&sys, "Service Control Manager", 7034);
    assert_eq!(crashes_7031.len(), 3 * 2 * 3);
    assert_eq!(crashes_7034.len(), 3 * 3 + 2);
    assert!(crashes_7031
        .iter()
        .all(|e| e.field("param3") == Some("60000") && e.field("param5") == Some("Restart the service")));
    let app_errors = find(&app, "Application Error", 1000);
    assert_eq!(app_errors.len(), crashes_7031.len() + crashes_7034.len());
    assert!(app_errors
        .iter()
        .all(|e| e.param(3) == Some("kernel32.dll") && e.param(6) == Some("e0434f4d")));
    let watson = find(&app, "MSExchange Common", 4999);
    assert_eq!(watson.len(), app_errors.len());
    // Each SCM crash report has its Application Error within a few seconds.
    for scm in crashes_7031.iter().chain(&crashes_7034) {
        assert!(app_errors.iter().any(|a| (scm.time - a.time).num_seconds().abs() <= 5));
    }
    assert!(crashes_7034
        .iter()
        .any(|e| e.time.format("%Y-%m-%d").to_string() == "2008-03-15"));
}

#[test]
fn sp1_interrupted_story() {
    let sys = log("sp1-interrupted/SysEvent.Evt").events;
    let app = log("sp1-interrupted/AppEvent.Evt").events;
    let started = find(&app, "MSExchangeSetup", 1000);
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].time, utc("2007-11-30T16:12:05Z"));
    assert!(find(&app, "MSExchangeSetup", 1001).is_empty());
    let unexpected = find(&sys, "EventLog", 6008);
    assert_eq!(unexpected.len(), 1);
    assert_eq!(unexpected[0].time, utc("2007-11-30T16:52:10Z"));
    assert_eq!(unexpected[0].data.len(), 2);
    assert_eq!(unexpected[0].param(0), Some("5:41:02 PM"));
    assert_eq!(unexpected[0].param(1), Some("11/30/2007"));
    assert_eq!(unexpected[0].level, Level::Error);
    let banner = find(&sys, "EventLog", 6009).into_iter().next_back().unwrap();
    assert_eq!(
        (banner.time, banner.param(0)),
        (utc("2007-11-30T16:52:10Z"), Some("5.02."))
    );
    assert_eq!(
        find(&sys, "EventLog", 6005).last().unwrap().time,
        utc("2007-11-30T16:52:10Z")
    );
    // Nothing between the last setup activity and the crash at 17:41:02 local.
    assert!(!sys
        .iter()
        .chain(&app)
        .any(|e| e.time > utc("2007-11-30T16:38:47Z") && e.time < utc("2007-11-30T16:52:00Z")));
    let msi: Vec<_> = app
        .iter()
        .filter(|e| e.provider == "MsiInstaller")
        .map(|e| e.event_id)
        .collect();
    assert_eq!(msi, [1040, 11728, 1035, 1042]);
    assert!(sys.iter().chain(&app).all(|e| e.computer == "EXMBX02"));
    assert!(sys.iter().all(|e| e.data.iter().all(|f| f.name.is_none())));
}

#[test]
fn prereq_gaps_has_no_setup_events() {
    for path in ["prereq-gaps/SysEvent.Evt", "prereq-gaps/AppEvent.Evt"] {
        let events = log(path).events;
        assert!(events
            .iter()
            .all(|e| e.provider != "MSExchangeSetup" && e.provider != "MsiInstaller"));
        assert!(events.iter().all(|e| e.level != Level::Error));
        assert!(events.iter().all(|e| e.computer == "EXCAS03"));
    }
}

#[test]
fn crl_stall_story() {
    let sys = log("crl-stall/System.evtx").events;
    let app = log("crl-stall/Application.evtx").events;
    let timeouts = find(&sys, "Service Control Manager", 7009);
    let failures = find(&sys, "Service Control Manager", 7000);
    let services: Vec<_> = failures.iter().map(|e| e.field("param1").unwrap()).collect();
    assert_eq!(
        services,
        [
            "Microsoft Exchange Active Directory Topology Service",
            "Microsoft Exchange Service Host",
            "Microsoft Exchange Transport",
            "Microsoft Exchange EdgeSync"
        ]
    );
    assert!(failures.iter().all(|e| e.field("param2") == Some("%%1053")));
    assert!(timeouts.iter().all(|e| e.field("param1") == Some("30000")));
    assert_eq!(timeouts.len(), 4);
    let start = find(&app, "MSExchangeSetup", 1000);
    let end = find(&app, "MSExchangeSetup", 1001);
    assert_eq!(start[0].time, utc("2008-09-28T16:32:14Z"));
    assert_eq!(end[0].time, utc("2008-09-28T19:40:05Z"));
    assert!(failures.iter().all(|e| e.time > start[0].time && e.time < end[0].time));
    let watson = find(&app, "MSExchange Common", 4999);
    assert_eq!(watson.len(), 4);
    assert!(watson
        .iter()
        .all(|e| e.param(7) == Some("S.ServiceProcess.TimeoutException")));
}

#[test]
fn upgrade_order_story() {
    let app = log("upgrade-order/EXMBX12/AppEvent.Evt").events;
    let started = find(&app, "MSExchangeSetup", 1000);
    let completed = find(&app, "MSExchangeSetup", 1001);
    assert_eq!((started.len(), completed.len()), (1, 1));
    assert_eq!(started[0].param(0), Some("8.1.240.6"));
    assert!(started[0].time.format("%Y-%m-%d").to_string() == "2008-01-19");
    let cas = log("upgrade-order/EXCAS11/SysEvent.Evt").events;
    assert!(cas.iter().all(|e| e.computer == "EXCAS11" && e.level != Level::Error));
}

#[test]
fn healthy_has_nothing_to_flag() {
    let sys = log("healthy/System.evtx").events;
    let app = log("healthy/Application.evtx").events;
    for e in sys.iter().chain(&app) {
        assert!(
            !(e.provider == "Service Control Manager" && (7000..=7034).contains(&e.event_id)),
            "{e:?}"
        );
        assert!(!(e.provider == "EventLog" && e.event_id == 6008));
        assert!(e.level != Level::Error && e.level != Level::Critical, "{e:?}");
        if e.provider.starts_with("MSExchange") {
            assert_eq!(e.level, Level::Information, "{e:?}");
        }
        assert_eq!(e.computer, "EXMBX05.contoso.com");
    }
    assert!(find(&sys, "EventLog", 6009).iter().all(|e| e.param(0) == Some("6.00.")));
    let msi = find(&app, "MsiInstaller", 1033);
    assert_eq!(msi.len(), 1);
    assert_eq!(msi[0].param(3), Some("0"));
    assert_eq!(find(&app, "MsiInstaller", 11707).len(), 1);
    assert_eq!(find(&app, "MSExchangeSetup", 1000)[0].time, utc("2008-06-05T22:20:14Z"));
    assert_eq!(find(&app, "MSExchangeSetup", 1001)[0].time, utc("2008-06-05T23:41:03Z"));
    assert!(find(&sys, "Service Control Manager", 7036).len() >= 20);
}
