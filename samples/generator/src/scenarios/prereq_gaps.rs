//! (c) `prereq-gaps/`: EXCAS03 in the single-label domain `CORP`, Windows Server 2003
//! Standard x64 SP2, Eastern Standard Time (UTC-5).
//!
//! Ordinary background noise only. A hotfix installed on 2008-01-11 without the restart
//! it asks for (the pending reboot the readiness check finds). Setup on 2008-01-14 09:12
//! stops at its readiness checks before it writes any MSExchangeSetup event, so there is
//! none. Legacy `.evt` logs.

use chrono::Duration;
use exdoctor_parsers::event::Level;

use super::builder::{Host, Log, Os, SYSTEM_SID};
use super::windows::{app_boot, app_daily, boot, daily, group_policy, shutdown, Restart};
use super::{evt, SampleLog, Story};

const HOST: Host<'static> = Host {
    fqdn: "EXCAS03.CORP",
    netbios: "EXCAS03",
    domain: "CORP",
    utc_offset_minutes: -300,
    tz_bias: "300 Eastern Standard Time",
    admin_sid: "S-1-5-21-3623811015-3361044348-30300820-500",
    dc: "DC01.CORP",
    ip: "172.16.5.23",
    dc_ip: "172.16.5.10",
    shift_days: 0,
};

pub(super) fn logs() -> Vec<SampleLog> {
    let story = story(HOST);
    vec![
        evt("prereq-gaps/SysEvent.Evt", story.system.finish(6_112)),
        evt("prereq-gaps/AppEvent.Evt", story.application.finish(2_047)),
    ]
}

/// The readiness-failure story on `host` (Windows Server 2003): updates, a hotfix whose
/// restart is postponed, and a setup run that writes no event of its own.
pub(crate) fn story(host: Host<'_>) -> Story<'_> {
    let mut sys = Log::new(host, Os::Win2003, "System");
    let mut app = Log::new(host, Os::Win2003, "Application");
    let admin = host.admin_sid;
    let log_start = host.t("2008-01-07 00:00:00");
    let collected = host.t("2008-01-14 09:41:00");
    let mut boots = vec![host.t("2007-12-20 08:12:40")];

    // Server prepared for Exchange on 2008-01-07: updates, restart.
    shutdown(&mut sys, host.t("2008-01-07 16:38:55"), Restart::WindowsUpdate);
    let kernel = host.t("2008-01-07 16:40:12");
    let started = boot(&mut sys, kernel);
    app_boot(&mut app, started);
    boots.push(kernel);

    // A restart after the operating system updates of 2008-01-09.
    let reason = Restart::Admin {
        process: None,
        reason: "Operating System: Hotfix (Planned)",
        code: "0x80020011",
    };
    shutdown(&mut sys, host.t("2008-01-09 18:03:27"), reason);
    let kernel = host.t("2008-01-09 18:04:40");
    let started = boot(&mut sys, kernel);
    app_boot(&mut app, started);
    boots.push(kernel);

    // 2008-01-11: a hotfix installed by hand, its restart postponed (pending reboot).
    let at = host.t("2008-01-11 15:21:09");
    sys.scm(at, 7035, Some(admin), &["Windows Installer", "start"]);
    sys.scm(at + Duration::seconds(1), 7036, None, &["Windows Installer", "running"]);
    sys.classic(
        at + Duration::seconds(74),
        "NtServicePack",
        4377,
        16384,
        Level::Information,
        Some(admin),
        &["Windows Server 2003", "KB943460"],
    );
    sys.scm(
        at + Duration::minutes(11),
        7036,
        None,
        &["Windows Installer", "stopped"],
    );
    app.classic(
        at + Duration::minutes(40),
        "Userenv",
        1517,
        32768,
        Level::Warning,
        Some(SYSTEM_SID),
        &[&format!("{}\\Administrator", host.domain)],
    );

    // 2008-01-14: the administrator logs on and runs setup (09:12): no events of its own.
    let logon = host.t("2008-01-14 09:04:51");
    sys.scm(logon, 7036, None, &["Help and Support", "running"]);

    let days = [
        "2008-01-07",
        "2008-01-08",
        "2008-01-09",
        "2008-01-10",
        "2008-01-11",
        "2008-01-12",
        "2008-01-13",
        "2008-01-14",
    ];
    daily(&mut sys, &days, &boots, collected);
    group_policy(&mut app, &boots, log_start, collected);
    app_daily(&mut app, &days, collected);
    Story {
        system: sys,
        application: app,
        collected,
    }
}
