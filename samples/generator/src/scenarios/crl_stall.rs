//! (d) `crl-stall/`: EXHUB04.contoso.com, Windows Server 2008 Standard x64 SP1 without
//! internet access; fresh Exchange 2007 SP1 install (Hub Transport, Client Access) on
//! 2008-09-28 from 18:32 to 21:40 local, Romance Daylight Time (UTC+2).
//!
//! Every managed service start waits for the Authenticode CRL check to time out: SCM
//! 7009 (30000 ms) + 7000 (`%%1053`) for MSExchangeADTopology, MSExchangeServiceHost,
//! MSExchangeTransport and MSExchangeEdgeSync inside the three long gaps of the run,
//! the services reaching "running" only minutes later; MSExchange Common 4999 from setup
//! with `S.ServiceProcess.TimeoutException`; MSExchangeSetup 1000 at the start and 1001
//! at the end.
//!
//! Gaps (local): 18:50-19:24 (ADTopology), 19:41-20:26 (ServiceHost, Transport),
//! 20:44-21:18 (EdgeSync; Client Access native images).

use chrono::{DateTime, Duration, Utc};

use super::builder::{Host, Log, Os};
use super::exchange::{
    msi_install, perf_counters_loaded, service_installed, setup_completed, setup_started, start_service, start_timeout,
    topology_discovered, watson, Svc, ADTOPOLOGY, ANTISPAM, EDGESYNC, FDS, IMAP4, POP3, SERVICEHOST, SP1_BUILD,
    TRANSPORT, TRANSPORT_LOG_SEARCH,
};
use super::windows::{app_daily, daily, group_policy, iis_role_added, planned_boots};
use super::{evtx, SampleLog, Story};

const HOST: Host<'static> = Host {
    fqdn: "EXHUB04.contoso.com",
    netbios: "EXHUB04",
    domain: "CONTOSO",
    utc_offset_minutes: 120,
    tz_bias: "-120 Romance Daylight Time",
    admin_sid: "S-1-5-21-1721254763-462695806-1538882281-500",
    dc: "DKDC01.contoso.com",
    ip: "10.40.1.24",
    dc_ip: "10.40.1.10",
    shift_days: 0,
};

const PACKAGE: &str = "C:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi";
const TIMEOUT: &str = "S.ServiceProcess.TimeoutException";

pub(super) fn logs() -> Vec<SampleLog> {
    let story = story(HOST);
    vec![
        evtx("crl-stall/System.evtx", story.system.finish(1_204)),
        evtx("crl-stall/Application.evtx", story.application.finish(688)),
    ]
}

/// The CRL-stall story on `host` (Windows Server 2008): a fresh Hub Transport + Client
/// Access install whose service starts time out in the Authenticode CRL check.
pub(crate) fn story(host: Host<'_>) -> Story<'_> {
    let mut sys = Log::new(host, Os::Win2008, "System");
    let mut app = Log::new(host, Os::Win2008, "Application");
    let admin = host.admin_sid;
    let collected = host.t("2008-09-29 08:15:00");
    // Windows installed on 2008-09-26; roles and features on 2008-09-27.
    let boots = planned_boots(
        &mut sys,
        &mut app,
        &host,
        &["2008-09-26 14:03:11", "2008-09-27 10:48:52", "2008-09-28 17:56:40"],
        71,
    );
    iis_role_added(&mut sys, host.t("2008-09-27 10:21:30"), 20);

    // The setup run.
    setup_started(&mut app, host.t("2008-09-28 18:32:14"), SP1_BUILD);
    msi_install(
        &mut app,
        host.t("2008-09-28 18:33:05"),
        host.t("2008-09-28 18:46:41"),
        "Microsoft Exchange Server",
        SP1_BUILD,
        PACKAGE,
    );
    install(&mut sys, &mut app, "2008-09-28 18:48:02", &[ADTOPOLOGY]);
    // Gap 1: the Topology service hangs in its CRL check.
    stall(
        &mut sys,
        &mut app,
        "2008-09-28 18:50:02",
        &ADTOPOLOGY,
        "2008-09-28 19:23:47",
    );
    topology_discovered(&mut app, host.t("2008-09-28 19:24:39"));
    install(
        &mut sys,
        &mut app,
        "2008-09-28 19:26:15",
        &[SERVICEHOST, TRANSPORT, EDGESYNC, ANTISPAM, TRANSPORT_LOG_SEARCH],
    );
    // Gap 2: Service Host, then Transport (setup starts services one after the other).
    stall(
        &mut sys,
        &mut app,
        "2008-09-28 19:41:10",
        &SERVICEHOST,
        "2008-09-28 20:05:13",
    );
    stall(
        &mut sys,
        &mut app,
        "2008-09-28 20:05:40",
        &TRANSPORT,
        "2008-09-28 20:25:40",
    );
    start_service(&mut sys, host.t("2008-09-28 20:26:31"), &ANTISPAM, admin);
    start_service(&mut sys, host.t("2008-09-28 20:27:02"), &TRANSPORT_LOG_SEARCH, admin);
    // Gap 3: EdgeSync; Client Access native images.
    stall(
        &mut sys,
        &mut app,
        "2008-09-28 20:44:30",
        &EDGESYNC,
        "2008-09-28 21:02:11",
    );
    install(&mut sys, &mut app, "2008-09-28 21:18:20", &[FDS, IMAP4, POP3]);
    start_service(&mut sys, host.t("2008-09-28 21:21:44"), &FDS, admin);
    setup_completed(&mut app, host.t("2008-09-28 21:40:05"), SP1_BUILD);

    // The next morning.
    daily(&mut sys, &["2008-09-26", "2008-09-27", "2008-09-28"], &boots, collected);
    group_policy(&mut app, &boots, boots[0], collected);
    app_daily(&mut app, &["2008-09-27", "2008-09-28", "2008-09-29"], collected);
    Story {
        system: sys,
        application: app,
        collected,
    }
}

/// Services registered by setup (7045) and their performance counters loaded.
fn install(sys: &mut Log<'_>, app: &mut Log<'_>, local: &str, services: &[Svc]) {
    let mut at = sys.host.t(local);
    for svc in services {
        service_installed(sys, at, svc);
        perf_counters_loaded(app, at + Duration::seconds(3) + app.jitter(2000), svc);
        at += Duration::seconds(9) + sys.jitter(6000);
    }
}

/// Setup starts `svc`; SCM gives up after 30 s (7009 + 7000 `%%1053`), setup reports
/// the timeout through Watson (4999), and the service finally runs at `running`.
fn stall(sys: &mut Log<'_>, app: &mut Log<'_>, start: &str, svc: &Svc, running: &str) {
    let at = sys.host.t(start);
    let timeout: DateTime<Utc> = start_timeout(sys, at, svc);
    let pid = 4100 + app.rand(900);
    watson(
        app,
        timeout + Duration::seconds(1) + app.jitter(900),
        pid,
        "ExSetup",
        "M.E.Configuration.Tasks",
        "M.E.C.T.ManageServiceBase.StartService",
        TIMEOUT,
    );
    sys.scm(sys.host.t(running), 7036, None, &[svc.display, "running"]);
}
