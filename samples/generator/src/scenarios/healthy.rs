//! (f) `healthy/`: EXMBX05.contoso.com, Windows Server 2008 Enterprise x64 SP1, fresh
//! Exchange 2007 SP1 install (Mailbox, Client Access, Hub Transport) from 2008-06-05
//! 23:20 to 2008-06-06 00:41 local, GMT Daylight Time (UTC+1).
//!
//! 6005/6009 6.00 boots, services installed (7045) and running (7036), MSExchangeSetup
//! 1000 + 1001, Windows Installer 1033 status 0 / 11707. Nothing a rule flags: no SCM
//! errors, no unexpected shutdown, no Exchange errors or warnings; only two benign
//! Windows warnings (a DNS client timeout for `wpad`, a leaked registry handle at log off).

use chrono::Duration;
use exdoctor_parsers::event::Level;

use super::builder::{Host, Log, Os, SYSTEM_SID};
use super::exchange::{
    msi_install, online_maintenance, perf_counters_loaded, service_installed, setup_completed, setup_started,
    start_service, topology_discovered, Svc, CAS_SERVICES, HUB_SERVICES, MAILBOX_SERVICES, SP1_BUILD,
};
use super::windows::{app_daily, daily, group_policy, iis_role_added, planned_boots};
use super::{evtx, SampleLog, Story};

const HOST: Host<'static> = Host {
    fqdn: "EXMBX05.contoso.com",
    netbios: "EXMBX05",
    domain: "CONTOSO",
    utc_offset_minutes: 60,
    tz_bias: "-60 GMT Daylight Time",
    admin_sid: "S-1-5-21-1721254763-462695806-1538882281-500",
    dc: "UKDC01.contoso.com",
    ip: "10.50.1.25",
    dc_ip: "10.50.1.10",
    shift_days: 0,
};

pub(super) fn logs() -> Vec<SampleLog> {
    let story = story(HOST);
    vec![
        evtx("healthy/System.evtx", story.system.finish(1_032)),
        evtx("healthy/Application.evtx", story.application.finish(517)),
    ]
}

/// The healthy story on `host` (Windows Server 2008): fresh SP1 install of all three
/// roles on the evening of day 4, nothing a rule flags.
pub(crate) fn story(host: Host<'_>) -> Story<'_> {
    let mut sys = Log::new(host, Os::Win2008, "System");
    let mut app = Log::new(host, Os::Win2008, "Application");
    let admin = host.admin_sid;
    let collected = host.t("2008-06-07 10:05:00");
    // Installed 2008-06-02; prerequisites 2008-06-03; restart before the install.
    let boots = planned_boots(
        &mut sys,
        &mut app,
        &host,
        &["2008-06-02 16:10:27", "2008-06-03 11:32:04", "2008-06-05 22:51:36"],
        68,
    );
    iis_role_added(&mut sys, host.t("2008-06-03 10:58:12"), 17);
    // Benign warnings: a DNS timeout for wpad, a registry handle leaked at log off.
    let dns = host.t("2008-06-04 09:17:45");
    let wpad = format!("wpad.{}", host.dns_domain());
    sys.manifest(
        dns,
        "Microsoft-Windows-DNS-Client",
        1014,
        Level::Warning,
        Some("S-1-5-20"),
        &[("QueryName", &wpad), ("AddressLength", "128")],
    );
    let leak = format!(
        "1 user registry handles leaked from \\Registry\\User\\{admin}:\nProcess 2412 (\\Device\\HarddiskVolume1\\Windows\\System32\\mmc.exe) has opened key \\REGISTRY\\USER\\{admin}\\Software\\Microsoft\\Windows\\CurrentVersion\\Group Policy\n"
    );
    app.manifest(
        host.t("2008-06-03 11:30:51"),
        "Microsoft-Windows-User Profiles Service",
        1530,
        Level::Warning,
        Some(SYSTEM_SID),
        &[("Detail", &leak)],
    );

    // The setup run: 23:20 to 00:41.
    setup_started(&mut app, host.t("2008-06-05 23:20:14"), SP1_BUILD);
    msi_install(
        &mut app,
        host.t("2008-06-05 23:21:30"),
        host.t("2008-06-05 23:34:52"),
        "Microsoft Exchange Server",
        SP1_BUILD,
        "C:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi",
    );
    role(&mut sys, &mut app, "2008-06-05 23:38:07", HUB_SERVICES);
    topology_discovered(&mut app, host.t("2008-06-05 23:41:55"));
    role(&mut sys, &mut app, "2008-06-05 23:55:31", CAS_SERVICES);
    role(&mut sys, &mut app, "2008-06-06 00:08:19", MAILBOX_SERVICES);
    setup_completed(&mut app, host.t("2008-06-06 00:41:03"), SP1_BUILD);

    online_maintenance(&mut app, "2008-06-07", 41);
    daily(
        &mut sys,
        &["2008-06-02", "2008-06-03", "2008-06-04", "2008-06-05", "2008-06-06"],
        &boots,
        collected,
    );
    group_policy(&mut app, &boots, boots[0], collected);
    app_daily(
        &mut app,
        &["2008-06-03", "2008-06-04", "2008-06-05", "2008-06-06", "2008-06-07"],
        collected,
    );
    Story {
        system: sys,
        application: app,
        collected,
    }
}

/// A role's services registered (7045), counters loaded and the automatic ones started.
fn role(sys: &mut Log<'_>, app: &mut Log<'_>, local: &str, services: &[Svc]) {
    let admin = sys.host.admin_sid;
    let mut at = sys.host.t(local);
    for svc in services {
        service_installed(sys, at, svc);
        perf_counters_loaded(app, at + Duration::seconds(4) + app.jitter(2000), svc);
        at += Duration::seconds(11) + sys.jitter(5000);
    }
    at += Duration::minutes(3);
    for svc in services.iter().filter(|s| s.auto_start) {
        at = start_service(sys, at, svc, admin) + Duration::seconds(4) + sys.jitter(8000);
    }
}
