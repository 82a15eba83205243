//! The problems of hosts that have no scenario story of their own: a crashing Exchange
//! service, a Topology service that cannot find a domain controller, a Windows Installer
//! transaction that fails an SP1 upgrade. Each adds its rule events near the end of the
//! logs, in the shapes the scenario builders use.

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Level;

use super::rng::Rng;
use crate::scenarios::exchange::{
    setup_started, start_service, stop_service, watson, Svc, ADTOPOLOGY, SEARCH, SERVICEHOST, SP1_BUILD, TRANSPORT,
};
use crate::scenarios::{filetime_hex, Log};

/// Which service crashes on a host with these Exchange services.
pub(crate) fn crashing_service(services: &[Svc]) -> Svc {
    [TRANSPORT, SEARCH]
        .into_iter()
        .find(|s| services.iter().any(|x| x.key == s.key))
        .unwrap_or(SERVICEHOST)
}

/// `svc` dies three times (`at` for each): Watson 4999, Application Error 1000 and WER
/// 1001 within the same second, SCM 7031 (restart) twice then 7034; the service comes
/// back by the restart action or by hand after each.
pub(crate) fn service_crashes(sys: &mut Log<'_>, app: &mut Log<'_>, rng: &mut Rng, svc: &Svc, times: &[DateTime<Utc>]) {
    let exception = "System.NullReferenceException";
    let (process, module, method) = svc.watson;
    for (i, at) in times.iter().enumerate() {
        let count = i as u32 + 1;
        let started = *at - Duration::hours(rng.range(2, 30));
        let pid = 1200 + rng.below(6000);
        watson(app, *at, pid, process, module, method, exception);
        let died = *at + Duration::milliseconds(rng.range(100, 400));
        let pid_hex = format!("{pid:x}");
        let start_hex = filetime_hex(started);
        let offset = "000000000002649d";
        app.classic(
            died,
            "Application Error",
            1000,
            0,
            Level::Error,
            None,
            &[
                svc.image,
                SP1_BUILD,
                "4745fb4a",
                "kernel32.dll",
                "6.0.6001.18000",
                "4791a7a6",
                "e0434f4d",
                offset,
                &pid_hex,
                &start_hex,
            ],
        );
        let count_text = count.to_string();
        let scm_at = died + Duration::milliseconds(120);
        if count < 3 {
            sys.scm(
                scm_at,
                7031,
                None,
                &[svc.display, &count_text, "60000", &count_text, "Restart the service"],
            );
            sys.scm(scm_at + Duration::seconds(60), 7036, None, &[svc.display, "running"]);
        } else {
            sys.scm(scm_at, 7034, None, &[svc.display, &count_text]);
        }
        let queue = format!(
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\Report{:08x}",
            rng.next_u64() as u32
        );
        let wer = died + Duration::milliseconds(rng.range(300, 550));
        app.classic(
            wer,
            "Windows Error Reporting",
            1001,
            0,
            Level::Information,
            None,
            &[
                "",
                "0",
                "APPCRASH",
                "Not available",
                "0",
                svc.image,
                SP1_BUILD,
                "4745fb4a",
                "kernel32.dll",
                "6.0.6001.18000",
                "4791a7a6",
                "e0434f4d",
                offset,
                "",
                "",
                "",
                &queue,
                "",
                "",
                "0",
                "",
                "4",
            ],
        );
    }
    // The administrator starts it again after the third crash.
    let last = times.last().copied().unwrap_or_default();
    let admin = sys.host.admin_sid;
    start_service(sys, last + Duration::minutes(rng.range(20, 90)), svc, admin);
}

/// At `at` (a boot's EventLog start) topology discovery finds no domain controller:
/// MSExchange ADAccess 2114 three times, the Topology service's start times out (7009,
/// 7000 `%%1053`), the services that depend on it fail (7001 `%%1068`).
pub(crate) fn topology_failure(
    sys: &mut Log<'_>,
    app: &mut Log<'_>,
    rng: &mut Rng,
    services: &[Svc],
    at: DateTime<Utc>,
) {
    let pid = (1100 + rng.below(900)).to_string();
    for i in 0..3 {
        let t = at + Duration::seconds(25 + 300 * i) + Duration::milliseconds(rng.below(900) as i64);
        app.classic(
            t,
            "MSExchange ADAccess",
            2114,
            49152,
            Level::Error,
            None,
            &[
                "Microsoft.Exchange.Directory.TopologyService.exe",
                &pid,
                "0x80040a02",
                "DSC_E_NO_SUITABLE_CDC",
            ],
        );
    }
    let timeout = at + Duration::seconds(52) + Duration::milliseconds(rng.below(500) as i64);
    sys.scm(timeout, 7009, None, &["30000", ADTOPOLOGY.display]);
    sys.scm(
        timeout + Duration::milliseconds(15),
        7000,
        None,
        &[ADTOPOLOGY.display, "%%1053"],
    );
    let mut t = timeout + Duration::milliseconds(40);
    for svc in services.iter().filter(|s| s.key != ADTOPOLOGY.key) {
        t += Duration::milliseconds(rng.range(5, 60));
        sys.scm(t, 7001, None, &[svc.display, ADTOPOLOGY.display, "%%1068"]);
    }
}

/// An SP1 upgrade started at `at` whose Windows Installer transaction fails with 1603:
/// MSExchangeSetup 1000, the Exchange services stopped, MsiInstaller 1040, 1033 status
/// 1603, 11708, 1042, MSExchangeSetup 1002, and no 1001; the administrator starts the
/// services again afterwards.
pub(crate) fn msi_failure(sys: &mut Log<'_>, app: &mut Log<'_>, rng: &mut Rng, services: &[Svc], at: DateTime<Utc>) {
    let admin = sys.host.admin_sid;
    setup_started(app, at, SP1_BUILD);
    let mut t = at + Duration::seconds(35);
    for svc in services.iter().rev() {
        t = stop_service(sys, t, svc, admin) + Duration::seconds(1);
    }
    let package = "D:\\Exchange2007SP1\\Setup\\ServerRoles\\Common\\exchangeserver.msi";
    let pid = (1800 + rng.below(3000)).to_string();
    let begin = t + Duration::seconds(20);
    app.classic(
        begin,
        "MsiInstaller",
        1040,
        0,
        Level::Information,
        Some(admin),
        &[package, &pid],
    );
    let end = begin + Duration::minutes(rng.range(4, 11));
    app.classic(
        end,
        "MsiInstaller",
        1033,
        0,
        Level::Information,
        Some(admin),
        &[
            "Microsoft Exchange Server",
            SP1_BUILD,
            "1033",
            "1603",
            "Microsoft Corporation",
        ],
    );
    app.classic(
        end,
        "MsiInstaller",
        11708,
        0,
        Level::Error,
        Some(admin),
        &[
            "Product: Microsoft Exchange Server -- Installation failed.",
            "(NULL)",
            "(NULL)",
            "(NULL)",
            "(NULL)",
            "(NULL)",
            "",
        ],
    );
    app.classic(
        end + Duration::seconds(1),
        "MsiInstaller",
        1042,
        0,
        Level::Information,
        Some(admin),
        &[package, &pid],
    );
    app.classic(
        end + Duration::seconds(4),
        "MSExchangeSetup",
        1002,
        49152,
        Level::Error,
        Some(admin),
        &[
            "Microsoft Exchange Server",
            &format!("Installing product {package} failed. Fatal error during installation. Error code is 1603."),
        ],
    );
    let mut t = end + Duration::minutes(rng.range(6, 25));
    for svc in services {
        t = start_service(sys, t, svc, admin) + Duration::seconds(2);
    }
}
