//! (a) `ntlmssp-inplace-upgrade/`: EXMBX01.contoso.com, Exchange 2007 SP1 Mailbox,
//! Windows Server 2003 R2 SP2 upgraded in place to Windows Server 2008 SP1 on 2008-03-14.
//!
//! Pacific Standard Time, UTC-8 as the story sheet gives it (12:58 = 20:58Z).
//! The System log keeps the migrated 2003 records (5.02 banners, NetBIOS computer name,
//! positional SCM data); from the first 6.00 banner (15:41) records are 2008-shaped.
//! Every 2008 boot: 7003 for MSExchangeSA and MSExchangeIS naming `NtLmSsp`, 7001
//! `%%1075` for their dependants. First boot also 7003 for ServiceHost/Repl/Search; after
//! the admin removed NtLmSsp from those three (16:40), they start and crash in
//! kernel32.dll (4999 + Application Error 1000 + 7031/7034 + WER 1001), repeated over
//! 2008-03-15.

use chrono::{DateTime, Duration, Utc};

use super::builder::{Host, Log, Os};
use super::exchange::{
    crash, online_maintenance, start_service, topology_discovered, Svc, ADTOPOLOGY, IS, MAILBOX_ASSISTANTS,
    MAIL_SUBMISSION, MSFTESQL, REPL, SA, SEARCH, SERVICEHOST,
};
use super::windows::{app_boot, app_daily, boot, daily, group_policy, shutdown, Restart};
use super::{evtx, SampleLog, Story};

const HOST: Host<'static> = Host {
    fqdn: "EXMBX01.contoso.com",
    netbios: "EXMBX01",
    domain: "CONTOSO",
    utc_offset_minutes: -480,
    tz_bias: "480 Pacific Standard Time",
    admin_sid: "S-1-5-21-1721254763-462695806-1538882281-500",
    dc: "DC01.contoso.com",
    ip: "10.10.1.21",
    dc_ip: "10.10.1.10",
    shift_days: 0,
};

/// The exception the three services die of.
const EXCEPTION: &str = "System.InvalidOperationException";
/// The services that crash once NtLmSsp is no longer in their dependencies.
const CRASHING: [Svc; 3] = [SERVICEHOST, REPL, SEARCH];

pub(super) fn logs() -> Vec<SampleLog> {
    let story = story(HOST);
    let system = story.system.finish(18_431);
    let application = story.application.finish(9_214);
    vec![
        evtx("ntlmssp-inplace-upgrade/System.evtx", system),
        evtx("ntlmssp-inplace-upgrade/Application.evtx", application),
    ]
}

/// The in-place upgrade story on `host`: Windows Server 2003 until day 5, then 2008 with
/// the services that list NtLmSsp failing and the ones freed of it crashing.
pub(crate) fn story(host: Host<'_>) -> Story<'_> {
    let mut sys = Log::new(host, Os::Win2003, "System");
    let mut app = Log::new(host, Os::Win2003, "Application");
    let mut boots: Vec<DateTime<Utc>> = Vec::new();
    let admin = host.admin_sid;

    // --- Windows Server 2003: the last days before the upgrade. -------------------------
    // Running since a boot on 2008-03-08 (older records have been overwritten).
    let log_start = host.t("2008-03-10 00:00:00");
    boots.push(host.t("2008-03-08 10:14:31"));
    for day in ["2008-03-10", "2008-03-11", "2008-03-12", "2008-03-13", "2008-03-14"] {
        let free = 118 + app.rand(40) as u32;
        online_maintenance(&mut app, day, free);
    }
    // Patch Tuesday updates, restart by Automatic Updates.
    shutdown(&mut sys, host.t("2008-03-12 03:04:12"), Restart::WindowsUpdate);
    boots.push(boot_2003(&mut sys, &mut app, "2008-03-12 03:05:21"));
    // The admin restarts before the upgrade: the last 5.02 banner (12:58).
    let reason = Restart::Admin {
        process: None,
        reason: "Other (Planned)",
        code: "0x80000000",
    };
    shutdown(&mut sys, host.t("2008-03-14 12:56:41"), reason);
    boots.push(boot_2003(&mut sys, &mut app, "2008-03-14 12:58:01"));
    // Windows Server 2008 setup restarts the server into the upgrade.
    let upgrade = Restart::Admin {
        process: Some("D:\\sources\\setup.exe"),
        reason: "Operating System: Upgrade (Planned)",
        code: "0x80020003",
    };
    let upgrade_at = host.t("2008-03-14 13:24:36");
    shutdown(&mut sys, upgrade_at, upgrade);
    let days_2003 = ["2008-03-10", "2008-03-11", "2008-03-12", "2008-03-13", "2008-03-14"];
    daily(&mut sys, &days_2003, &boots, upgrade_at);
    group_policy(&mut app, &boots, log_start, upgrade_at);
    app_daily(&mut app, &days_2003, upgrade_at);
    let boots_2003 = boots.len();

    // --- Windows Server 2008 from here on. ----------------------------------------------
    sys.os = Os::Win2008;
    app.os = Os::Win2008;

    // Boot A (first 6.00 banner, 15:41): every service that lists NtLmSsp fails.
    let a = boot_2008(&mut sys, &mut app, "2008-03-14 15:40:58");
    boots.push(a);
    let mut at = a + Duration::seconds(41);
    for svc in [SA, IS, SERVICEHOST, REPL, SEARCH] {
        at += Duration::milliseconds(200) + sys.jitter(800);
        sys.scm(at, 7003, None, &[svc.display, "NtLmSsp"]);
    }
    dependants_fail(&mut sys, at);
    // The admin tries to start the Information Store by hand: same 7003.
    let manual = host.t("2008-03-14 16:03:17");
    sys.scm(manual, 7035, Some(admin), &[IS.display, "start"]);
    sys.scm(
        manual + Duration::milliseconds(30),
        7003,
        None,
        &[IS.display, "NtLmSsp"],
    );

    // 16:40 the admin removes NtLmSsp from ServiceHost, Repl and Search, restarts.
    let reason = Restart::Admin {
        process: None,
        reason: "Other (Unplanned)",
        code: "0x0",
    };
    shutdown(&mut sys, host.t("2008-03-14 16:52:40"), reason);
    let b = boot_2008(&mut sys, &mut app, "2008-03-14 16:54:09");
    boots.push(b);
    crash_boot(&mut sys, &mut app, b);
    // ... and starts Service Host by hand once more: the fourth crash.
    manual_start_crash(&mut sys, &mut app, host.t("2008-03-14 17:31:05"), &SERVICEHOST, 4);

    // 2008-03-15: two more restarts, same picture.
    let reason = Restart::Admin {
        process: None,
        reason: "Other (Unplanned)",
        code: "0x0",
    };
    shutdown(&mut sys, host.t("2008-03-15 09:12:30"), reason);
    let c = boot_2008(&mut sys, &mut app, "2008-03-15 09:13:58");
    boots.push(c);
    crash_boot(&mut sys, &mut app, c);
    manual_start_crash(&mut sys, &mut app, host.t("2008-03-15 11:40:12"), &REPL, 4);
    let reason = Restart::Admin {
        process: None,
        reason: "Other (Unplanned)",
        code: "0x0",
    };
    shutdown(&mut sys, host.t("2008-03-15 14:29:51"), reason);
    let d = boot_2008(&mut sys, &mut app, "2008-03-15 14:31:22");
    boots.push(d);
    crash_boot(&mut sys, &mut app, d);

    let collected = host.t("2008-03-15 16:05:00");
    daily(&mut sys, &["2008-03-15"], &boots, collected);
    group_policy(&mut app, &boots[boots_2003..], log_start, collected);
    app_daily(&mut app, &["2008-03-15"], collected);

    Story {
        system: sys,
        application: app,
        collected,
    }
}

/// A Windows 2003 boot with Exchange starting normally.
fn boot_2003(sys: &mut Log<'_>, app: &mut Log<'_>, kernel: &str) -> DateTime<Utc> {
    let t = sys.host.t(kernel);
    let started = boot(sys, t);
    topology_discovered(app, started + Duration::seconds(58) + app.jitter(9000));
    t
}

/// A Windows 2008 boot: banner, Topology service up, profile service, 2080.
fn boot_2008(sys: &mut Log<'_>, app: &mut Log<'_>, kernel: &str) -> DateTime<Utc> {
    let t = sys.host.t(kernel);
    let started = boot(sys, t);
    app_boot(app, started);
    sys.scm(
        started + Duration::seconds(36) + sys.jitter(2000),
        7036,
        None,
        &[ADTOPOLOGY.display, "running"],
    );
    sys.scm(
        started + Duration::seconds(52) + sys.jitter(2000),
        7036,
        None,
        &[MSFTESQL.display, "running"],
    );
    topology_discovered(app, started + Duration::seconds(61) + app.jitter(9000));
    started
}

/// 7001 `%%1075` for the services that depend on the Information Store.
fn dependants_fail(sys: &mut Log<'_>, after: DateTime<Utc>) {
    let mut at = after;
    for svc in [MAIL_SUBMISSION, MAILBOX_ASSISTANTS] {
        at += Duration::milliseconds(150) + sys.jitter(500);
        sys.scm(at, 7001, None, &[svc.display, IS.display, "%%1075"]);
    }
}

/// A boot after the dependency edit: 7003 for SA and IS, 7001 for their dependants, and
/// ServiceHost/Repl/Search crashing three times each (7031, 7031, 7034).
fn crash_boot(sys: &mut Log<'_>, app: &mut Log<'_>, started: DateTime<Utc>) {
    let mut at = started + Duration::seconds(40);
    for svc in [SA, IS] {
        at += Duration::milliseconds(200) + sys.jitter(800);
        sys.scm(at, 7003, None, &[svc.display, "NtLmSsp"]);
    }
    dependants_fail(sys, at);
    for (i, svc) in CRASHING.iter().enumerate() {
        let mut running = started + Duration::seconds(44 + 3 * i as i64) + sys.jitter(1500);
        for count in 1..=3 {
            sys.scm(running, 7036, None, &[svc.display, "running"]);
            let dies = running + Duration::seconds(31 + sys.rand(12) as i64) + sys.jitter(1000);
            crash(sys, app, running, dies, svc, count, EXCEPTION);
            running = dies + Duration::seconds(61) + sys.jitter(500);
        }
    }
}

/// The admin starts a crashing service by hand: 7035/7036, then it dies again (7034).
fn manual_start_crash(sys: &mut Log<'_>, app: &mut Log<'_>, at: DateTime<Utc>, svc: &Svc, count: u32) {
    let running = start_service(sys, at, svc, sys.host.admin_sid);
    let dies = running + Duration::seconds(33) + sys.jitter(4000);
    crash(sys, app, running, dies, svc, count, EXCEPTION);
}
