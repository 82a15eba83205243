//! (e) `upgrade-order/`: organization Fabrikam, Central Standard Time (UTC-6), Windows
//! Server 2003 SP2 x64 hosts (legacy `.evt`).
//!
//! EXCAS11 (Client Access, still RTM): System log noise only. EXMBX12 (Mailbox): the
//! Application log of its successful SP1 upgrade on 2008-01-19, 10:04-11:02 local
//! (MSExchangeSetup 1000 + 1001, Windows Installer, counters, topology). EXHUB13 has no
//! event logs in the bundle.

use chrono::{DateTime, Duration, Utc};

use super::builder::{Host, Log, Os};
use super::exchange::{
    msi_install, online_maintenance, perf_counters_loaded, setup_completed, setup_started, start_service, stop_service,
    topology_discovered, ADTOPOLOGY, MAILBOX_SERVICES, SERVICEHOST, SP1_BUILD,
};
use super::windows::{app_boot, app_daily, boot, daily, group_policy, shutdown, Restart};
use super::{evt, SampleLog, Story};

const CAS: Host<'static> = Host {
    fqdn: "EXCAS11.fabrikam.com",
    netbios: "EXCAS11",
    domain: "FABRIKAM",
    utc_offset_minutes: -360,
    tz_bias: "360 Central Standard Time",
    admin_sid: "S-1-5-21-4066211783-2188456221-1130498765-500",
    dc: "FABDC01.fabrikam.com",
    ip: "10.60.0.31",
    dc_ip: "10.60.0.10",
    shift_days: 0,
};

const MBX: Host<'static> = Host {
    fqdn: "EXMBX12.fabrikam.com",
    netbios: "EXMBX12",
    ip: "10.60.0.32",
    ..CAS
};

const DAYS: [&str; 5] = ["2008-01-17", "2008-01-18", "2008-01-19", "2008-01-20", "2008-01-21"];

pub(super) fn logs() -> Vec<SampleLog> {
    vec![
        evt("upgrade-order/EXCAS11/SysEvent.Evt", excas11_system()),
        evt("upgrade-order/EXMBX12/AppEvent.Evt", exmbx12_application()),
    ]
}

fn excas11_system() -> Vec<exdoctor_parsers::event::Event> {
    let mut sys = Log::new(CAS, Os::Win2003, "System");
    let collected = CAS.t("2008-01-21 15:30:00");
    let mut boots = vec![CAS.t("2008-01-10 03:06:02")];
    shutdown(&mut sys, CAS.t("2008-01-18 03:04:51"), Restart::WindowsUpdate);
    let kernel = CAS.t("2008-01-18 03:06:15");
    boot(&mut sys, kernel);
    boots.push(kernel);
    daily(&mut sys, &DAYS, &boots, collected);
    sys.finish(31_566)
}

fn exmbx12_application() -> Vec<exdoctor_parsers::event::Event> {
    exmbx12_upgrade(MBX, Os::Win2003).application.finish(20_419)
}

/// The successful SP1 upgrade of a Mailbox server on `host` running `os` (EXMBX12's
/// story). The samples keep only its Application log; a fleet host keeps both.
pub(crate) fn exmbx12_upgrade(host: Host<'_>, os: Os) -> Story<'_> {
    let mut sys = Log::new(host, os, "System");
    let mut app = Log::new(host, os, "Application");
    let log_start = host.t("2008-01-17 00:00:00");
    let collected = host.t("2008-01-21 15:45:00");
    let mut boots = vec![host.t("2008-01-10 03:05:40")];
    for day in DAYS {
        let free = 301 + app.rand(60) as u32;
        online_maintenance(&mut app, day, free);
    }

    setup_started(&mut app, host.t("2008-01-19 10:04:14"), SP1_BUILD);
    msi_install(
        &mut app,
        host.t("2008-01-19 10:06:32"),
        host.t("2008-01-19 10:17:05"),
        "Microsoft Exchange Server",
        SP1_BUILD,
        "C:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi",
    );
    let mut at = host.t("2008-01-19 10:24:40");
    for svc in MAILBOX_SERVICES {
        perf_counters_loaded(&mut app, at, svc);
        at += Duration::seconds(5) + app.jitter(4000);
    }
    topology_discovered(&mut app, host.t("2008-01-19 10:58:19"));
    setup_completed(&mut app, host.t("2008-01-19 11:02:38"), SP1_BUILD);
    // Setup asks for a restart; the admin restarts in the evening.
    let kernel = host.t("2008-01-19 18:31:20");
    app_boot(&mut app, kernel + Duration::seconds(11));
    topology_discovered(&mut app, kernel + Duration::seconds(83));
    boots.push(kernel);
    group_policy(&mut app, &boots, log_start, collected);
    app_daily(&mut app, &DAYS, collected);
    // The System log of the same days: the restarts, the services setup stops and starts.
    upgrade_system(&mut sys, &boots, collected);
    Story {
        system: sys,
        application: app,
        collected,
    }
}

/// EXMBX12's System log around its upgrade: setup stops the Mailbox services at the start
/// of the run and starts them again before it ends; the evening restart brings them up.
fn upgrade_system(sys: &mut Log<'_>, boots: &[DateTime<Utc>], collected: DateTime<Utc>) {
    let host = sys.host;
    let admin = host.admin_sid;
    let services: Vec<_> = [ADTOPOLOGY, SERVICEHOST]
        .iter()
        .chain(MAILBOX_SERVICES)
        .filter(|s| s.auto_start)
        .copied()
        .collect();
    let mut at = host.t("2008-01-19 10:05:02");
    for svc in services.iter().rev() {
        at = stop_service(sys, at, svc, admin) + Duration::seconds(1) + sys.jitter(3000);
    }
    let mut at = host.t("2008-01-19 10:52:10");
    for svc in &services {
        at = start_service(sys, at, svc, admin) + Duration::seconds(2) + sys.jitter(4000);
    }
    let reason = Restart::Admin {
        process: None,
        reason: "Application: Installation (Planned)",
        code: "0x80040002",
    };
    let kernel = host.t("2008-01-19 18:31:20");
    shutdown(sys, kernel - Duration::seconds(74), reason);
    let started = boot(sys, kernel);
    let mut at = started + Duration::seconds(30);
    for svc in &services {
        at += Duration::seconds(3) + sys.jitter(5000);
        sys.scm(at, 7036, None, &[svc.display, "running"]);
    }
    daily(sys, &DAYS, boots, collected);
}
