//! (b) `sp1-interrupted/`: EXMBX02.beispiel.de, Windows Server 2003 R2 x64 SP2, the
//! Exchange 2007 RTM -> SP1 upgrade interrupted in the Mailbox role on 2007-11-30.
//!
//! W. Europe Standard Time (UTC+1). `setup.com /mode:upgrade` at 17:12:03: MSExchangeSetup
//! 1000 at 17:12:05 and never a 1001; setup stops the Exchange services, the Windows
//! Installer transaction upgrades the product, Hub Transport and Client Access are
//! configured and their services started again; the Mailbox role begins at 17:29:40 and
//! the server goes down hard at 17:41:02. After the reboot: 6009 5.02, 6005 and 6008
//! ("previous shutdown at 5:41:02 PM on 11/30/2007 was unexpected") at 17:52:10.
//! Legacy `.evt` logs: positional insertion strings, NetBIOS computer name.

use chrono::Duration;
use exdoctor_parsers::event::Level;

use super::builder::{Host, Log, Os};
use super::exchange::{
    online_maintenance, perf_counters_loaded, setup_started, start_service, stop_service, topology_discovered,
    CAS_SERVICES, FDS, HUB_SERVICES, IS, MAILBOX_SERVICES, SA, SP1_BUILD,
};
use super::windows::{app_boot, app_daily, boot_with_eventlog_at, daily, group_policy};
use super::{evt, SampleLog};

const HOST: Host = Host {
    fqdn: "EXMBX02.beispiel.de",
    netbios: "EXMBX02",
    domain: "BEISPIEL",
    utc_offset_minutes: 60,
    tz_bias: "-60 W. Europe Standard Time",
    admin_sid: "S-1-5-21-2947153102-1856723470-3154270581-500",
    dc: "DC1.beispiel.de",
    ip: "192.168.20.12",
    dc_ip: "192.168.20.5",
};

const PACKAGE: &str = "D:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi";

pub(super) fn logs() -> Vec<SampleLog> {
    let mut sys = Log::new(HOST, Os::Win2003, "System");
    let mut app = Log::new(HOST, Os::Win2003, "Application");
    let admin = HOST.admin_sid;
    let log_start = HOST.t("2007-11-26 00:00:00");
    let mut boots = vec![HOST.t("2007-11-23 19:02:44")];
    let crash = HOST.t("2007-11-30 17:41:02");
    let collected = HOST.t("2007-11-30 18:24:00");

    daily(
        &mut sys,
        &["2007-11-26", "2007-11-27", "2007-11-28", "2007-11-29", "2007-11-30"],
        &boots,
        crash,
    );
    for day in ["2007-11-26", "2007-11-27", "2007-11-28", "2007-11-29", "2007-11-30"] {
        let free = 212 + app.rand(30) as u32;
        online_maintenance(&mut app, day, free);
    }

    // Setup starts; its service control stops every Exchange service.
    setup_started(&mut app, HOST.t("2007-11-30 17:12:05"), SP1_BUILD);
    let mut at = HOST.t("2007-11-30 17:12:41");
    let running: Vec<_> = HUB_SERVICES
        .iter()
        .chain(CAS_SERVICES)
        .chain(MAILBOX_SERVICES)
        .filter(|s| s.auto_start)
        .rev()
        .collect();
    for svc in running {
        at = stop_service(&mut sys, at, svc, admin) + Duration::seconds(1) + sys.jitter(3000);
    }

    // The Windows Installer transaction upgrading the product files.
    let pid = "3524";
    let begin = HOST.t("2007-11-30 17:14:22") + app.jitter(900);
    app.classic(
        begin,
        "MsiInstaller",
        1040,
        0,
        Level::Information,
        Some(admin),
        &[PACKAGE, pid],
    );
    let done = HOST.t("2007-11-30 17:19:47") + app.jitter(900);
    let text = "Product: Microsoft Exchange Server -- Configuration completed successfully.";
    app.classic(
        done,
        "MsiInstaller",
        11728,
        0,
        Level::Information,
        Some(admin),
        &[text, "(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", ""],
    );
    let product = [
        "Microsoft Exchange Server",
        SP1_BUILD,
        "1033",
        "0",
        "Microsoft Corporation",
    ];
    app.classic(done, "MsiInstaller", 1035, 0, Level::Information, Some(admin), &product);
    app.classic(
        done + Duration::seconds(1),
        "MsiInstaller",
        1042,
        0,
        Level::Information,
        Some(admin),
        &[PACKAGE, pid],
    );

    // Hub Transport role, then Client Access: counters reloaded, services started again.
    let mut at = HOST.t("2007-11-30 17:21:03");
    for svc in HUB_SERVICES {
        perf_counters_loaded(&mut app, at, svc);
        at += Duration::seconds(4) + app.jitter(3000);
    }
    let mut at = HOST.t("2007-11-30 17:24:12");
    for svc in HUB_SERVICES {
        at = start_service(&mut sys, at, svc, admin) + Duration::seconds(2) + sys.jitter(4000);
    }
    topology_discovered(&mut app, HOST.t("2007-11-30 17:24:51"));
    perf_counters_loaded(&mut app, HOST.t("2007-11-30 17:27:30"), &FDS);
    start_service(&mut sys, HOST.t("2007-11-30 17:28:55"), &FDS, admin);

    // Mailbox role (BuildToBuildUpgrade) from 17:29:40: counters of SA and IS reloaded,
    // then nothing more: the server goes down at 17:41:02.
    perf_counters_loaded(&mut app, HOST.t("2007-11-30 17:31:18"), &SA);
    perf_counters_loaded(&mut app, HOST.t("2007-11-30 17:31:22"), &IS);

    // The reboot: banner, EventLog start and the unexpected-shutdown report at 17:52:10.
    let eventlog = HOST.t("2007-11-30 17:52:10");
    let kernel = HOST.t("2007-11-30 17:51:58");
    boot_with_eventlog_at(&mut sys, kernel, eventlog);
    sys.classic(
        eventlog,
        "EventLog",
        6008,
        32768,
        Level::Error,
        None,
        &["5:41:02 PM", "11/30/2007"],
    );
    boots.push(kernel);
    app_boot(&mut app, eventlog);
    topology_discovered(&mut app, eventlog + Duration::seconds(64));

    group_policy(&mut app, &boots, log_start, collected);
    app_daily(
        &mut app,
        &["2007-11-26", "2007-11-27", "2007-11-28", "2007-11-29", "2007-11-30"],
        collected,
    );
    vec![
        evt("sp1-interrupted/SysEvent.Evt", sys.finish(24_907)),
        evt("sp1-interrupted/AppEvent.Evt", app.finish(15_338)),
    ]
}
