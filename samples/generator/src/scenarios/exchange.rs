//! Exchange 2007 services and the events around them: setup, Windows Installer, service
//! installs and starts, crashes (SCM + Application Error + Watson + WER).

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Level;

use super::builder::{filetime_hex, named, Log, Os, SYSTEM_SID};

/// The build of Exchange 2007 SP1.
pub(crate) const SP1_BUILD: &str = "8.1.240.6";
/// The same build as Watson writes it.
pub(crate) const SP1_WATSON_BUILD: &str = "08.01.0240.006";
const BIN: &str = "C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\";

/// An Exchange 2007 service.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Svc {
    pub key: &'static str,
    pub display: &'static str,
    /// Executable in the Exchange `Bin` folder.
    pub image: &'static str,
    pub auto_start: bool,
    /// Watson parameters of a crash at start: process, module, method.
    pub watson: (&'static str, &'static str, &'static str),
}

macro_rules! svc {
    ($name:ident, $key:literal, $display:literal, $image:literal, $auto:literal, $w:expr) => {
        pub(crate) const $name: Svc = Svc {
            key: $key,
            display: $display,
            image: $image,
            auto_start: $auto,
            watson: $w,
        };
    };
}

svc!(
    ADTOPOLOGY,
    "MSExchangeADTopology",
    "Microsoft Exchange Active Directory Topology Service",
    "Microsoft.Exchange.Directory.TopologyService.exe",
    true,
    (
        "MSExchangeADTopology",
        "M.E.Directory.TopologyService",
        "M.E.D.T.ServiceImpl.OnStartInternal"
    )
);
svc!(
    SERVICEHOST,
    "MSExchangeServiceHost",
    "Microsoft Exchange Service Host",
    "Microsoft.Exchange.ServiceHost.exe",
    true,
    (
        "MSExchangeServiceHost",
        "M.E.ServiceHost",
        "M.E.S.ServiceHost.OnStartInternal"
    )
);
svc!(
    TRANSPORT,
    "MSExchangeTransport",
    "Microsoft Exchange Transport",
    "MSExchangeTransport.exe",
    true,
    (
        "MSExchangeTransport",
        "M.E.Transport",
        "M.E.P.T.TransportComponents.Start"
    )
);
svc!(
    EDGESYNC,
    "MSExchangeEdgeSync",
    "Microsoft Exchange EdgeSync",
    "Microsoft.Exchange.EdgeSyncSvc.exe",
    true,
    (
        "MSExchangeEdgeSync",
        "M.E.EdgeSync",
        "M.E.E.EdgeSyncSvc.OnStartInternal"
    )
);
svc!(
    ANTISPAM,
    "MSExchangeAntispamUpdate",
    "Microsoft Exchange Anti-spam Update",
    "Microsoft.Exchange.AntispamUpdateSvc.exe",
    true,
    (
        "MSExchangeAntispamUpdate",
        "M.E.AntispamUpdateSvc",
        "M.E.A.AntispamUpdateSvc.OnStartInternal"
    )
);
svc!(
    TRANSPORT_LOG_SEARCH,
    "MSExchangeTransportLogSearch",
    "Microsoft Exchange Transport Log Search",
    "MSExchangeTransportLogSearch.exe",
    true,
    (
        "MSExchangeTransportLogSearch",
        "M.E.TransportLogSearch",
        "M.E.T.LogSearchService.OnStartInternal"
    )
);
svc!(
    FDS,
    "MSExchangeFDS",
    "Microsoft Exchange File Distribution",
    "MSExchangeFDS.exe",
    true,
    (
        "MSExchangeFDS",
        "M.E.FileDistributionService",
        "M.E.F.FileDistributionService.OnStartInternal"
    )
);
svc!(
    IMAP4,
    "MSExchangeIMAP4",
    "Microsoft Exchange IMAP4",
    "Microsoft.Exchange.Imap4Service.exe",
    false,
    (
        "MSExchangeIMAP4",
        "M.E.Imap4Service",
        "M.E.I.Imap4Service.OnStartInternal"
    )
);
svc!(
    POP3,
    "MSExchangePOP3",
    "Microsoft Exchange POP3",
    "Microsoft.Exchange.Pop3Service.exe",
    false,
    ("MSExchangePOP3", "M.E.Pop3Service", "M.E.P.Pop3Service.OnStartInternal")
);
svc!(
    SA,
    "MSExchangeSA",
    "Microsoft Exchange System Attendant",
    "mad.exe",
    true,
    ("mad", "mad.exe", "unknown")
);
svc!(
    IS,
    "MSExchangeIS",
    "Microsoft Exchange Information Store",
    "store.exe",
    true,
    ("store", "store.exe", "unknown")
);
svc!(
    MAIL_SUBMISSION,
    "MSExchangeMailSubmission",
    "Microsoft Exchange Mail Submission",
    "MSExchangeMailSubmission.exe",
    true,
    (
        "MSExchangeMailSubmission",
        "M.E.MailSubmission",
        "M.E.M.MailSubmissionService.OnStartInternal"
    )
);
svc!(
    MAILBOX_ASSISTANTS,
    "MSExchangeMailboxAssistants",
    "Microsoft Exchange Mailbox Assistants",
    "MSExchangeMailboxAssistants.exe",
    true,
    (
        "MSExchangeMailboxAssistants",
        "M.E.InfoWorker.Assistants",
        "M.E.I.A.AssistantsService.OnStartInternal"
    )
);
svc!(
    REPL,
    "MSExchangeRepl",
    "Microsoft Exchange Replication Service",
    "msexchangerepl.exe",
    true,
    (
        "msexchangerepl",
        "M.E.Cluster.Replay",
        "M.E.C.R.ReplayService.OnStartInternal"
    )
);
svc!(
    SEARCH,
    "MSExchangeSearch",
    "Microsoft Exchange Search Indexer",
    "Microsoft.Exchange.Search.ExSearch.exe",
    true,
    (
        "Microsoft.Exchange.Search.ExSearch",
        "M.E.Search.Service",
        "M.E.S.S.SearchServiceImpl.OnStartInternal"
    )
);
svc!(
    MSFTESQL,
    "msftesql-Exchange",
    "Microsoft Search (Exchange)",
    "msftesql.exe",
    true,
    ("msftesql", "msftesql.exe", "unknown")
);

/// Services of the Hub Transport role (with the ones every role has).
pub(crate) const HUB_SERVICES: &[Svc] = &[
    ADTOPOLOGY,
    SERVICEHOST,
    TRANSPORT,
    EDGESYNC,
    ANTISPAM,
    TRANSPORT_LOG_SEARCH,
];
/// Services of the Client Access role.
pub(crate) const CAS_SERVICES: &[Svc] = &[FDS, IMAP4, POP3];
/// Services of the Mailbox role.
pub(crate) const MAILBOX_SERVICES: &[Svc] = &[SA, IS, MAIL_SUBMISSION, MAILBOX_ASSISTANTS, REPL, SEARCH, MSFTESQL];

/// MSExchangeSetup 1000: setup (of `build`) started.
pub(crate) fn setup_started(app: &mut Log, at: DateTime<Utc>, build: &str) {
    let sid = app.host.admin_sid;
    app.classic(
        at,
        "MSExchangeSetup",
        1000,
        16384,
        Level::Information,
        Some(sid),
        &[build],
    );
}

/// MSExchangeSetup 1001: setup (of `build`) completed successfully.
pub(crate) fn setup_completed(app: &mut Log, at: DateTime<Utc>, build: &str) {
    let sid = app.host.admin_sid;
    app.classic(
        at,
        "MSExchangeSetup",
        1001,
        16384,
        Level::Information,
        Some(sid),
        &[build],
    );
}

/// A Windows Installer transaction that installs `product` from `package`: 1040 begin,
/// (2008: Restart Manager session), 1033 (Windows Installer 4.x) and 11707, 1042 end.
pub(crate) fn msi_install(
    app: &mut Log,
    begin: DateTime<Utc>,
    end: DateTime<Utc>,
    product: &str,
    version: &str,
    package: &str,
) {
    let sid = app.host.admin_sid;
    let pid = (1800 + app.rand(3000)).to_string();
    app.classic(
        begin,
        "MsiInstaller",
        1040,
        0,
        Level::Information,
        Some(sid),
        &[package, &pid],
    );
    if app.os == Os::Win2008 {
        let utc = begin.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        let rm = begin + Duration::seconds(6) + app.jitter(2000);
        app.manifest(
            rm,
            "Microsoft-Windows-RestartManager",
            10000,
            Level::Information,
            Some(sid),
            &[("RmSessionId", "0"), ("UTCStartTime", &utc)],
        );
        app.manifest(
            end - Duration::seconds(2),
            "Microsoft-Windows-RestartManager",
            10001,
            Level::Information,
            Some(sid),
            &[("RmSessionId", "0"), ("UTCStartTime", &utc)],
        );
        app.classic(
            end,
            "MsiInstaller",
            1033,
            0,
            Level::Information,
            Some(sid),
            &[product, version, "1033", "0", "Microsoft Corporation"],
        );
    }
    let text = format!("Product: {product} -- Installation completed successfully.");
    app.classic(
        end,
        "MsiInstaller",
        11707,
        0,
        Level::Information,
        Some(sid),
        &[&text, "(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", ""],
    );
    app.classic(
        end + Duration::seconds(1),
        "MsiInstaller",
        1042,
        0,
        Level::Information,
        Some(sid),
        &[package, &pid],
    );
}

/// SCM 7045 (2008 only): a service was installed.
pub(crate) fn service_installed(sys: &mut Log, at: DateTime<Utc>, svc: &Svc) {
    if sys.os != Os::Win2008 {
        return;
    }
    let sid = sys.host.admin_sid;
    let image = format!("\"{BIN}{}\"", svc.image);
    let start = if svc.auto_start { "auto start" } else { "demand start" };
    let data = named(&[
        ("ServiceName", svc.display),
        ("ImagePath", &image),
        ("ServiceType", "user mode service"),
        ("StartType", start),
        ("AccountName", "LocalSystem"),
    ]);
    sys.add(
        at,
        "Service Control Manager",
        7045,
        Some(16384),
        Level::Information,
        Some(sid),
        data,
    );
}

/// A service started on request: SCM 7035 (start control, by `sid`) then 7036 running.
pub(crate) fn start_service(sys: &mut Log, at: DateTime<Utc>, svc: &Svc, sid: &str) -> DateTime<Utc> {
    sys.scm(at, 7035, Some(sid), &[svc.display, "start"]);
    let running = at + Duration::seconds(2) + sys.jitter(6000);
    sys.scm(running, 7036, None, &[svc.display, "running"]);
    running
}

/// A service stopped on request: SCM 7035 (stop control) then 7036 stopped.
pub(crate) fn stop_service(sys: &mut Log, at: DateTime<Utc>, svc: &Svc, sid: &str) -> DateTime<Utc> {
    sys.scm(at, 7035, Some(sid), &[svc.display, "stop"]);
    let stopped = at + Duration::seconds(1) + sys.jitter(9000);
    sys.scm(stopped, 7036, None, &[svc.display, "stopped"]);
    stopped
}

/// A start that times out (CRL check): 7009 after 30 s, then 7000 with `%%1053`.
pub(crate) fn start_timeout(sys: &mut Log, at: DateTime<Utc>, svc: &Svc) -> DateTime<Utc> {
    let sid = sys.host.admin_sid;
    sys.scm(at, 7035, Some(sid), &[svc.display, "start"]);
    let timeout = at + Duration::seconds(30) + sys.jitter(400);
    sys.scm(timeout, 7009, None, &["30000", svc.display]);
    sys.scm(
        timeout + Duration::milliseconds(15),
        7000,
        None,
        &[svc.display, "%%1053"],
    );
    timeout
}

/// MSExchange Common 4999: a Watson report about to be sent.
pub(crate) fn watson(
    app: &mut Log,
    at: DateTime<Utc>,
    pid: u64,
    process: &str,
    module: &str,
    method: &str,
    exception: &str,
) {
    let pid = pid.to_string();
    let hash = format!("{:04x}", app.rand(0xffff));
    app.classic(
        at,
        "MSExchange Common",
        4999,
        49152,
        Level::Error,
        None,
        &[
            &pid,
            "E12",
            "c-RTL-AMD64",
            SP1_WATSON_BUILD,
            process,
            module,
            method,
            exception,
            &hash,
            SP1_WATSON_BUILD,
            "False",
        ],
    );
}

/// A managed Exchange service dying of an unhandled exception at `at`: Watson (4999),
/// Application Error 1000 in kernel32.dll (e0434f4d), WER 1001 in Application; SCM 7031
/// (`count` < 3: restart after 60 s) or 7034 in System.
pub(crate) fn crash(
    sys: &mut Log,
    app: &mut Log,
    started: DateTime<Utc>,
    at: DateTime<Utc>,
    svc: &Svc,
    count: u32,
    exception: &str,
) {
    let pid = 1200 + app.rand(6000);
    let (process, module, method) = svc.watson;
    watson(app, at, pid, process, module, method, exception);
    let died = at + Duration::milliseconds(900) + app.jitter(600);
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
    } else {
        sys.scm(scm_at, 7034, None, &[svc.display, &count_text]);
    }
    let report = died + Duration::seconds(5) + app.jitter(3000);
    let queue = format!(
        "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\Report{:08x}",
        app.rand(0xffff_ffff)
    );
    app.classic(
        report,
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

/// Performance counters of a service (re)loaded during setup (LoadPerf 1000).
pub(crate) fn perf_counters_loaded(app: &mut Log, at: DateTime<Utc>, svc: &Svc) {
    match app.os {
        Os::Win2003 => app.classic(
            at,
            "LoadPerf",
            1000,
            16384,
            Level::Information,
            None,
            &[svc.key, svc.display],
        ),
        Os::Win2008 => app.manifest(
            at,
            "Microsoft-Windows-LoadPerf",
            1000,
            Level::Information,
            Some(SYSTEM_SID),
            &[("param1", svc.key), ("param2", svc.display)],
        ),
    }
}

/// MSExchange ADAccess 2080: topology discovery found the domain controllers.
pub(crate) fn topology_discovered(app: &mut Log, at: DateTime<Utc>) {
    let pid = (1100 + app.rand(900)).to_string();
    let dc = app.host.dc;
    let servers = format!("{dc}\tCDG 1 7 7 1 0 1 1 7 1\n Out-of-site:\n");
    app.classic(
        at,
        "MSExchange ADAccess",
        2080,
        16384,
        Level::Information,
        None,
        &["Microsoft.Exchange.Directory.TopologyService.exe", &pid, &servers],
    );
}

/// Nightly online maintenance of a mailbox database: ESE 700/701 and MSExchangeIS
/// Mailbox Store 1221 (free space after online defragmentation), from 01:00 local of `day`.
pub(crate) fn online_maintenance(app: &mut Log, day: &str, free_mb: u32) {
    let at = app.t(&format!("{day} 01:00:00"));
    online_maintenance_at(app, at, free_mb);
}

/// Online maintenance of the mailbox database starting at `at` (UTC).
pub(crate) fn online_maintenance_at(app: &mut Log, at: DateTime<Utc>, free_mb: u32) {
    let begin = at + app.jitter(5000);
    let end = begin + Duration::minutes(35 + app.rand(20) as i64) + app.jitter(60_000);
    let pid = "2576";
    let db = "First Storage Group: ";
    app.classic(
        begin,
        "ESE",
        700,
        0,
        Level::Information,
        None,
        &["MSExchangeIS", pid, db, "Mailbox Database"],
    );
    let secs = (end - begin).num_seconds().to_string();
    app.classic(
        end,
        "ESE",
        701,
        0,
        Level::Information,
        None,
        &["MSExchangeIS", pid, db, "Mailbox Database", "1", &secs],
    );
    let free = free_mb.to_string();
    app.classic(
        end + Duration::milliseconds(40),
        "MSExchangeIS Mailbox Store",
        1221,
        16384,
        Level::Information,
        None,
        &["Mailbox Database", "First Storage Group", &free],
    );
}
