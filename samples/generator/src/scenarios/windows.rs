//! Windows background noise: boots, shutdowns, the daily uptime report, services that
//! come and go, time sync, group policy. None of it is anything a rule flags.

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Level;

use super::builder::{iso_nanos, Host, Log, Os, LOCAL_SERVICE_SID, SYSTEM_SID};

/// OS banner of EventLog 6009: version, build, service pack, kernel.
pub(crate) fn banner(os: Os) -> [&'static str; 4] {
    match os {
        Os::Win2003 => ["5.02.", "3790", "Service Pack 2", "Multiprocessor Free"],
        Os::Win2008 => ["6.00.", "6001", "Service Pack 1", "Multiprocessor Free"],
    }
}

/// Demand-start services that report their state after a boot.
const BOOT_SERVICES_2008: &[&str] = &[
    "Application Experience",
    "WinHTTP Web Proxy Auto-Discovery Service",
    "Network Connections",
    "Windows Error Reporting Service",
    "Application Information",
];
const BOOT_SERVICES_2003: &[&str] = &["Help and Support", "WMI Performance Adapter"];

/// Who asked for a shutdown (USER32 1074).
pub(crate) enum Restart<'a> {
    /// The administrator (Start menu, `shutdown.exe`, or a setup program: `process`).
    Admin {
        process: Option<&'a str>,
        reason: &'a str,
        code: &'a str,
    },
    /// Automatic Updates after installing updates.
    WindowsUpdate,
}

/// A boot at `t` (kernel start): the OS banner, EventLog start, services, network,
/// time sync. Returns the time the EventLog service started.
pub(crate) fn boot(sys: &mut Log, t: DateTime<Utc>) -> DateTime<Utc> {
    let eventlog_start = t + Duration::seconds(9) + sys.jitter(4000);
    boot_with_eventlog_at(sys, t, eventlog_start)
}

/// A boot whose kernel started at `t` and whose EventLog service starts exactly at
/// `eventlog_start` (6009 and 6005 carry that time).
pub(crate) fn boot_with_eventlog_at(sys: &mut Log, t: DateTime<Utc>, eventlog_start: DateTime<Utc>) -> DateTime<Utc> {
    let os = sys.os;
    if os == Os::Win2008 {
        let start = iso_nanos(t - Duration::milliseconds(2400));
        sys.manifest(
            eventlog_start - Duration::milliseconds(900),
            "Microsoft-Windows-Kernel-General",
            12,
            Level::Information,
            Some(SYSTEM_SID),
            &[
                ("MajorVersion", "6"),
                ("MinorVersion", "0"),
                ("BuildVersion", "6001"),
                ("QfeVersion", "18000"),
                ("ServicePackVersion", "1"),
                ("BootMode", "0"),
                ("StartTime", &start),
            ],
        );
    }
    sys.classic(
        eventlog_start,
        "EventLog",
        6009,
        32768,
        Level::Information,
        None,
        &banner(os),
    );
    sys.classic(eventlog_start, "EventLog", 6005, 32768, Level::Information, None, &[]);
    let services = match os {
        Os::Win2003 => BOOT_SERVICES_2003,
        Os::Win2008 => BOOT_SERVICES_2008,
    };
    let mut at = eventlog_start + Duration::seconds(25);
    for name in services {
        at += Duration::seconds(2) + sys.jitter(9000);
        sys.scm(at, 7036, None, &[name, "running"]);
    }
    if os == Os::Win2008 {
        sys.classic(
            eventlog_start + Duration::seconds(31) + sys.jitter(3000),
            "Tcpip",
            4201,
            16384,
            Level::Information,
            None,
            &[
                "\\DEVICE\\TCPIP_{4D36E972-E325-11CE-BFC1-08002BE10318}",
                "Local Area Connection",
            ],
        );
    }
    time_sync(sys, eventlog_start + Duration::seconds(95) + sys.jitter(30_000));
    eventlog_start
}

/// W32Time: "now synchronizing the system time with the time source ...".
pub(crate) fn time_sync(sys: &mut Log, at: DateTime<Utc>) {
    let source = format!("{} (ntp.d|{}:123->{}:123)", sys.host.dc, sys.host.dc_ip, sys.host.ip);
    match sys.os {
        Os::Win2003 => sys.classic(at, "W32Time", 35, 0, Level::Information, None, &[&source]),
        Os::Win2008 => sys.manifest(
            at,
            "Microsoft-Windows-Time-Service",
            35,
            Level::Information,
            Some(LOCAL_SERVICE_SID),
            &[("TimeSource", &source)],
        ),
    }
}

/// A clean shutdown whose EventLog 6006 is at `t`, requested as `restart` says.
pub(crate) fn shutdown(sys: &mut Log, t: DateTime<Utc>, restart: Restart<'_>) {
    let host = sys.host;
    let (process, reason, code, user, sid) = match restart {
        Restart::Admin { process, reason, code } => (
            match (process, sys.os) {
                (Some(p), _) => format!("{p} ({})", host.netbios),
                (None, Os::Win2003) => format!("C:\\WINDOWS\\Explorer.EXE ({})", host.netbios),
                (None, Os::Win2008) => format!("C:\\Windows\\system32\\shutdown.exe ({})", host.netbios),
            },
            reason.to_owned(),
            code.to_owned(),
            format!("{}\\Administrator", host.domain),
            host.admin_sid,
        ),
        Restart::WindowsUpdate => (
            format!("C:\\WINDOWS\\system32\\wuauclt.exe ({})", host.netbios),
            "Operating System: Service pack (Planned)".to_owned(),
            "0x80020010".to_owned(),
            "NT AUTHORITY\\SYSTEM".to_owned(),
            SYSTEM_SID,
        ),
    };
    let data = sys.params(&[&process, host.netbios, &reason, &code, "restart", "", &user]);
    sys.add(
        t - Duration::seconds(38),
        "USER32",
        1074,
        Some(32768),
        Level::Information,
        Some(sid),
        data,
    );
    let mut at = t - Duration::seconds(30);
    let stopping: &[&str] = match sys.os {
        Os::Win2003 => &["WMI Performance Adapter"],
        Os::Win2008 => &["Application Experience", "WinHTTP Web Proxy Auto-Discovery Service"],
    };
    for name in stopping {
        at += Duration::seconds(3) + sys.jitter(5000);
        sys.scm(at, 7036, None, &[name, "stopped"]);
    }
    sys.classic(t, "EventLog", 6006, 32768, Level::Information, None, &[]);
    if sys.os == Os::Win2008 {
        let stop = iso_nanos(t + Duration::milliseconds(1800));
        sys.manifest(
            t + Duration::milliseconds(1800),
            "Microsoft-Windows-Kernel-General",
            13,
            Level::Information,
            Some(SYSTEM_SID),
            &[("StopTime", &stop)],
        );
    }
}

/// EventLog 6013 (uptime report) at noon of each day in `days` (`YYYY-MM-DD`), with the
/// uptime since the last of `boots` before it, and a couple of services starting and
/// stopping on demand during the day; nothing after `until`.
pub(crate) fn daily(sys: &mut Log, days: &[&str], boots: &[DateTime<Utc>], until: DateTime<Utc>) {
    for day in days {
        let noon = sys.t(&format!("{day} 12:00:00")) + sys.jitter(1500);
        if let Some(boot) = boots.iter().filter(|b| **b < noon).max().filter(|_| noon < until) {
            let uptime = (noon - *boot).num_seconds().to_string();
            let bias = sys.host.tz_bias;
            sys.classic(
                noon,
                "EventLog",
                6013,
                32768,
                Level::Information,
                None,
                &["", "", "", "", &uptime, "60", bias],
            );
        }
        let service = match sys.os {
            Os::Win2003 => "WMI Performance Adapter",
            Os::Win2008 => "WinHTTP Web Proxy Auto-Discovery Service",
        };
        for hour in [9, 16] {
            let start =
                sys.t(&format!("{day} {hour:02}:00:00")) + Duration::minutes(sys.rand(50) as i64) + sys.jitter(60_000);
            let stop = start + Duration::minutes(2 + sys.rand(12) as i64) + sys.jitter(60_000);
            let near_boot = boots
                .iter()
                .any(|b| *b > start - Duration::minutes(20) && *b < start + Duration::minutes(30));
            if near_boot || stop > until {
                continue;
            }
            sys.scm(start, 7036, None, &[service, "running"]);
            sys.scm(stop, 7036, None, &[service, "stopped"]);
        }
    }
}

/// Group policy applied (SceCli 1704) after a boot and about every 16 hours, between
/// `from` and `until`.
pub(crate) fn group_policy(app: &mut Log, boots: &[DateTime<Utc>], from: DateTime<Utc>, until: DateTime<Utc>) {
    for (i, boot) in boots.iter().enumerate() {
        let end = boots.get(i + 1).copied().unwrap_or(until).min(until);
        let mut at = *boot + Duration::seconds(70) + app.jitter(20_000);
        while at < end {
            if at >= from {
                app.classic(at, "SceCli", 1704, 0, Level::Information, None, &[]);
            }
            at += Duration::hours(16) + app.jitter(1_200_000);
        }
    }
}

/// Application-log events of a boot: WMI (2003) or the user profile service (2008),
/// the event system.
pub(crate) fn app_boot(app: &mut Log, eventlog_start: DateTime<Utc>) {
    let at = eventlog_start + Duration::seconds(21) + app.jitter(9000);
    app.classic(at, "EventSystem", 4625, 16384, Level::Information, None, &["86400"]);
    if app.os == Os::Win2003 {
        let at = eventlog_start + Duration::seconds(33) + app.jitter(9000);
        app.classic(at, "WinMgmt", 5617, 0, Level::Information, None, &[]);
    }
    if app.os == Os::Win2008 {
        let at = eventlog_start + Duration::seconds(4) + app.jitter(2000);
        app.manifest(
            at,
            "Microsoft-Windows-User Profiles Service",
            1531,
            Level::Information,
            Some(SYSTEM_SID),
            &[],
        );
    }
}

/// Nightly Volume Shadow Copy idle shutdown (VSS 8224) on each of `days`, before `until`.
pub(crate) fn app_daily(app: &mut Log, days: &[&str], until: DateTime<Utc>) {
    for day in days {
        let at = app.t(&format!("{day} 02:10:00")) + Duration::minutes(app.rand(40) as i64) + app.jitter(60_000);
        if at < until {
            app.classic(at, "VSS", 8224, 0, Level::Information, None, &[]);
        }
    }
}

/// A fresh server's boots at the given kernel start times (host-local), each after the
/// first preceded by a planned restart `lead_seconds` earlier; returns the boot times.
pub(crate) fn planned_boots(
    sys: &mut Log,
    app: &mut Log,
    host: &Host,
    kernels: &[&str],
    lead_seconds: i64,
) -> Vec<DateTime<Utc>> {
    let mut boots = Vec::new();
    for kernel in kernels {
        let t = host.t(kernel);
        if !boots.is_empty() {
            let reason = Restart::Admin {
                process: None,
                reason: "Operating System: Reconfiguration (Planned)",
                code: "0x80020004",
            };
            shutdown(sys, t - Duration::seconds(lead_seconds), reason);
        }
        let started = boot(sys, t);
        app_boot(app, started);
        boots.push(t);
    }
    boots
}

/// The IIS role services starting one after the other (`spacing_seconds` apart) when the
/// role is added at `at`.
pub(crate) fn iis_role_added(sys: &mut Log, at: DateTime<Utc>, spacing_seconds: i64) {
    for (i, name) in [
        "Windows Process Activation Service",
        "IIS Admin Service",
        "World Wide Web Publishing Service",
    ]
    .iter()
    .enumerate()
    {
        sys.scm(
            at + Duration::seconds(spacing_seconds * i as i64) + sys.jitter(5000),
            7036,
            None,
            &[name, "running"],
        );
    }
}
