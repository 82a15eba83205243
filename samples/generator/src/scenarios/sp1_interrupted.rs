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
use super::{evt, SampleLog, Story};

const HOST: Host<'static> = Host {
    fqdn: "EXMBX02.beispiel.de",
    netbios: "EXMBX02",
    domain: "BEISPIEL",
    utc_offset_minutes: 60,
    tz_bias: "-60 W. Europe Standard Time",
    admin_sid: "S-1-5-21-2947153102-1856723470-3154270581-500",
    dc: "DC1.beispiel.de",
    ip: "192.168.20.12",
    dc_ip: "192.168.20.5",
    shift_days: 0,
};

const PACKAGE: &str = "D:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi";

pub(super) fn logs() -> Vec<SampleLog> {
    let mut story = story(HOST, Os::Win2003);
    hooked_services(&mut story.system);
    vec![
        evt("sp1-interrupted/SysEvent.Evt", story.system.finish(24_907)),
        evt("sp1-interrupted/AppEvent.Evt", story.application.finish(15_338)),
    ]
}

/// The backup agent of the sample host (service `NwBackupAgent`, fictitious product).
pub const BACKUP_AGENT: &str = "Northwind Backup Remote Agent";
/// The virus scanner for Exchange of the sample host (service `PswAvExchange`).
pub const VIRUS_SCANNER: &str = "Proseware Antivirus for Exchange";

/// The services that hook into Exchange, handled as the SP1 upgrade notes say: before
/// setup the administrator stops the backup agent (16:58), and sets the virus scanner to
/// disabled and stops it (17:00). The reboot after the crash starts the backup agent with
/// Windows; the scanner stays disabled and stopped. WMI Performance Adapter, started at
/// boot, stops when idle at 18:16, shortly before the logs are collected (18:24).
fn hooked_services(sys: &mut Log<'_>) {
    let host = sys.host;
    let admin = host.admin_sid;
    sys.scm(
        host.t("2007-11-30 16:58:12"),
        7035,
        Some(admin),
        &[BACKUP_AGENT, "stop"],
    );
    sys.scm(host.t("2007-11-30 16:58:15"), 7036, None, &[BACKUP_AGENT, "stopped"]);
    sys.scm(
        host.t("2007-11-30 17:00:30"),
        7040,
        Some(admin),
        &[VIRUS_SCANNER, "auto start", "disabled"],
    );
    sys.scm(
        host.t("2007-11-30 17:00:38"),
        7035,
        Some(admin),
        &[VIRUS_SCANNER, "stop"],
    );
    sys.scm(host.t("2007-11-30 17:00:41"), 7036, None, &[VIRUS_SCANNER, "stopped"]);
    sys.scm(host.t("2007-11-30 17:52:41"), 7036, None, &[BACKUP_AGENT, "running"]);
    sys.scm(
        host.t("2007-11-30 18:16:22"),
        7036,
        None,
        &["WMI Performance Adapter", "stopped"],
    );
}

/// The interrupted-upgrade story on `host` running `os`: RTM -> SP1 upgrade, Hub
/// Transport and Client Access done, the server goes down in the Mailbox role.
pub(crate) fn story(host: Host<'_>, os: Os) -> Story<'_> {
    let mut sys = Log::new(host, os, "System");
    let mut app = Log::new(host, os, "Application");
    let admin = host.admin_sid;
    let log_start = host.t("2007-11-26 00:00:00");
    let mut boots = vec![host.t("2007-11-23 19:02:44")];
    let crash = host.t("2007-11-30 17:41:02");
    let collected = host.t("2007-11-30 18:24:00");

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
    setup_started(&mut app, host.t("2007-11-30 17:12:05"), SP1_BUILD);
    let mut at = host.t("2007-11-30 17:12:41");
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
    let begin = host.t("2007-11-30 17:14:22") + app.jitter(900);
    app.classic(
        begin,
        "MsiInstaller",
        1040,
        0,
        Level::Information,
        Some(admin),
        &[PACKAGE, pid],
    );
    let done = host.t("2007-11-30 17:19:47") + app.jitter(900);
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
    let mut at = host.t("2007-11-30 17:21:03");
    for svc in HUB_SERVICES {
        perf_counters_loaded(&mut app, at, svc);
        at += Duration::seconds(4) + app.jitter(3000);
    }
    let mut at = host.t("2007-11-30 17:24:12");
    for svc in HUB_SERVICES {
        at = start_service(&mut sys, at, svc, admin) + Duration::seconds(2) + sys.jitter(4000);
    }
    topology_discovered(&mut app, host.t("2007-11-30 17:24:51"));
    perf_counters_loaded(&mut app, host.t("2007-11-30 17:27:30"), &FDS);
    start_service(&mut sys, host.t("2007-11-30 17:28:55"), &FDS, admin);

    // Mailbox role (BuildToBuildUpgrade) from 17:29:40: counters of SA and IS reloaded,
    // then nothing more: the server goes down at 17:41:02.
    perf_counters_loaded(&mut app, host.t("2007-11-30 17:31:18"), &SA);
    perf_counters_loaded(&mut app, host.t("2007-11-30 17:31:22"), &IS);

    // The reboot: banner, EventLog start and the unexpected-shutdown report at 17:52:10.
    let eventlog = host.t("2007-11-30 17:52:10");
    let kernel = host.t("2007-11-30 17:51:58");
    boot_with_eventlog_at(&mut sys, kernel, eventlog);
    // The time and date of the unexpected shutdown, as the EventLog service writes them.
    let down = host.local(crash);
    let (down_time, down_date) = (
        down.format("%-I:%M:%S %p").to_string(),
        down.format("%-m/%-d/%Y").to_string(),
    );
    sys.classic(
        eventlog,
        "EventLog",
        6008,
        32768,
        Level::Error,
        None,
        &[&down_time, &down_date],
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
    Story {
        system: sys,
        application: app,
        collected,
    }
}
