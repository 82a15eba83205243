//! The ordinary life of a server between (or around) the events of its story: weekly
//! update restarts, the daily uptime report, demand-start services coming and going,
//! time sync, group policy, DCOM permission errors, topology discovery every 15 minutes,
//! nightly database maintenance, logons in the Security log. Nothing in here is a rule
//! event; the volume is what makes a collection weigh what real ones weigh.
//!
//! Every generator adds exactly `target` events (or fewer when even the fixed daily and
//! weekly events of the period would exceed it, then those fixed events alone).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use exdoctor_parsers::event::Level;

use super::plan::Zone;
use super::rng::Rng;
use crate::scenarios::exchange::{self, Svc};
use crate::scenarios::windows::{app_boot, boot_with_eventlog_at, shutdown, time_sync, Restart};
use crate::scenarios::{Log, Os};

/// A stretch of time filled with noise, and the Windows version writing it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub os: Os,
    /// Exchange is installed (its services run, topology discovery reports).
    pub exchange: bool,
}

/// How a boot inside a noise period came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BootKind {
    /// Automatic Updates restarted the server after installing updates.
    Updates,
    /// The server lost power: no shutdown events, 6008 at the next boot.
    PowerLoss,
    /// The first boot after Windows Setup.
    Install,
    /// The restart after renaming the machine from the given name (6011 at boot).
    Rename(String),
}

/// One boot of the noise schedule.
#[derive(Debug, Clone)]
pub(crate) struct Boot {
    /// Kernel start.
    pub kernel: DateTime<Utc>,
    pub kind: BootKind,
}

/// The fixed calendar of a host's noise: boots and days.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    pub periods: Vec<Period>,
    pub boots: Vec<Boot>,
    /// Local days (with the UTC offset the host's logs use) inside the periods.
    pub days: Vec<NaiveDate>,
    /// Local time = UTC + this many minutes.
    pub offset_minutes: i64,
    /// Auto-start Exchange services of the host's roles.
    pub services: Vec<Svc>,
    pub mailbox: bool,
    /// The host's zone, for the 6013 zone text.
    pub zone: Option<&'static Zone>,
}

impl Schedule {
    fn period_at(&self, t: DateTime<Utc>) -> Option<&Period> {
        self.periods.iter().find(|p| p.from <= t && t < p.to)
    }

    fn local_noon(&self, day: NaiveDate, hour: u32) -> DateTime<Utc> {
        day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc() - Duration::minutes(self.offset_minutes)
    }

    /// The latest boot before `t` (the noise assumes one shortly before the first period).
    fn boot_before(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.boots
            .iter()
            .map(|b| b.kernel)
            .filter(|k| *k < t)
            .max()
            .unwrap_or_else(|| self.periods.first().map_or(t, |p| p.from) - Duration::days(3))
    }

    /// A random time inside the periods, `margin` away from their ends.
    fn random_time(&self, rng: &mut Rng, margin: Duration) -> Option<DateTime<Utc>> {
        let lengths: Vec<u64> = self
            .periods
            .iter()
            .map(|p| (p.to - p.from - margin * 2).num_seconds().max(0) as u64)
            .collect();
        if lengths.iter().all(|l| *l == 0) {
            return None;
        }
        let i = rng.weighted(&lengths);
        let seconds = rng.below(lengths[i]) as i64;
        Some(
            self.periods[i].from + margin + Duration::seconds(seconds) + Duration::milliseconds(rng.below(1000) as i64),
        )
    }

    /// The zone text of EventLog 6013 at `t`.
    fn bias_text(&self, t: DateTime<Utc>) -> String {
        self.zone.map_or_else(String::new, |z| z.bias_text(t))
    }
}

/// The random episodes of a log: the occasional kinds as often as their rate per day
/// over the schedule's periods asks (in random order), then the filler kind (the
/// log's everyday event) until the target is reached.
struct Draw {
    rare: Vec<usize>,
    filler: usize,
}

impl Draw {
    /// `rates`: (kind, episodes per day); `filler`: the kind that fills the rest.
    fn new(s: &Schedule, rng: &mut Rng, rates: &[(usize, f64)], filler: usize) -> Draw {
        let days: f64 = s
            .periods
            .iter()
            .map(|p| (p.to - p.from).num_seconds().max(0) as f64 / 86_400.0)
            .sum();
        let mut rare = Vec::new();
        for (kind, per_day) in rates {
            let expected = per_day * days;
            let fraction = expected.fract();
            let n = expected.trunc() as usize + usize::from((rng.below(1000) as f64) < fraction * 1000.0);
            rare.extend(std::iter::repeat_n(*kind, n));
        }
        rng.shuffle(&mut rare);
        Draw { rare, filler }
    }

    /// The next kind to add, given its largest size and the events still wanted;
    /// `single` when only one event is left and the filler takes more.
    fn next(&mut self, size: impl Fn(usize) -> usize, left: usize, single: usize) -> usize {
        while let Some(kind) = self.rare.pop() {
            if size(kind) <= left {
                return kind;
            }
        }
        if size(self.filler) <= left {
            self.filler
        } else {
            single
        }
    }
}

/// Builds the calendar: the periods' local days and a restart every week in the night
/// after Patch Tuesday (one of them, on some hosts, a power loss), plus the install and
/// rename boots when the log starts with Windows Setup.
pub(crate) fn schedule(
    rng: &mut Rng,
    periods: Vec<Period>,
    offset_minutes: i64,
    services: Vec<Svc>,
    mailbox: bool,
    zone: &'static Zone,
    install: Option<(DateTime<Utc>, Option<String>)>,
) -> Schedule {
    let mut s = Schedule {
        periods,
        offset_minutes,
        services,
        mailbox,
        zone: Some(zone),
        ..Schedule::default()
    };
    let local = |t: DateTime<Utc>| (t + Duration::minutes(offset_minutes)).date_naive();
    for p in &s.periods {
        let mut day = local(p.from);
        while day <= local(p.to) {
            if !s.days.contains(&day) {
                s.days.push(day);
            }
            day += Duration::days(1);
        }
    }
    if let Some((at, rename)) = install {
        s.boots.push(Boot {
            kernel: at,
            kind: BootKind::Install,
        });
        if let Some(old) = rename {
            s.boots.push(Boot {
                kernel: at + Duration::minutes(rng.range(50, 240)),
                kind: BootKind::Rename(old),
            });
        }
    }
    let power_loss = rng.chance(300);
    let mut weekly = Vec::new();
    for day in &s.days {
        if day.format("%a").to_string() == "Wed" {
            let kernel =
                s.local_noon(*day, 3) + Duration::minutes(rng.range(2, 40)) + Duration::seconds(rng.range(0, 59));
            let fits = s
                .periods
                .iter()
                .any(|p| kernel - Duration::minutes(10) > p.from && kernel + Duration::minutes(20) < p.to);
            let after_install = s.boots.iter().all(|b| kernel > b.kernel + Duration::hours(6));
            if fits && after_install {
                weekly.push(kernel);
            }
        }
    }
    let lost = if power_loss && !weekly.is_empty() {
        Some(rng.below(weekly.len() as u64) as usize)
    } else {
        None
    };
    for (i, kernel) in weekly.into_iter().enumerate() {
        let kind = if Some(i) == lost {
            BootKind::PowerLoss
        } else {
            BootKind::Updates
        };
        s.boots.push(Boot { kernel, kind });
    }
    s.boots.sort_by_key(|b| b.kernel);
    s
}

const DEMAND_2008: &[&str] = &[
    "WinHTTP Web Proxy Auto-Discovery Service",
    "Application Experience",
    "Windows Modules Installer",
    "Portable Device Enumerator Service",
    "Background Intelligent Transfer Service",
    "Windows Installer",
    "Volume Shadow Copy",
    "Microsoft Software Shadow Copy Provider",
    "Performance Logs & Alerts",
    "Application Information",
    "Windows Error Reporting Service",
    "WMI Performance Adapter",
];
const DEMAND_2003: &[&str] = &[
    "WMI Performance Adapter",
    "Help and Support",
    "Background Intelligent Transfer Service",
    "Windows Installer",
    "Volume Shadow Copy",
    "MS Software Shadow Copy Provider",
    "Application Management",
    "Performance Logs and Alerts",
];

/// CLSIDs/AppIDs that DCOM 10016 names on every Windows Server 2008.
const DCOM: &[(&str, &str, &str)] = &[
    (
        "{BA126AD1-2166-11D1-B1D0-00805FC1270E}",
        "{27AF75ED-20D9-11D1-B1CE-00805FC1270E}",
        "NETWORK SERVICE",
    ),
    (
        "{000C101C-0000-0000-C000-000000000046}",
        "{000C101C-0000-0000-C000-000000000046}",
        "SYSTEM",
    ),
    (
        "{61738644-F196-11D0-9953-00C04FD919C1}",
        "{61738644-F196-11D0-9953-00C04FD919C1}",
        "LOCAL SERVICE",
    ),
];

/// Services stopped at a shutdown and started at the next boot (Exchange ones first).
fn stop_exchange(log: &mut Log<'_>, rng: &mut Rng, services: &[Svc], at: DateTime<Utc>) {
    let mut t = at;
    for svc in services.iter().rev() {
        t += Duration::milliseconds(300 + rng.below(2500) as i64);
        log.scm(t, 7036, None, &[svc.display, "stopped"]);
    }
}

fn start_exchange(log: &mut Log<'_>, rng: &mut Rng, services: &[Svc], eventlog_start: DateTime<Utc>) {
    let mut t = eventlog_start + Duration::seconds(20);
    for svc in services {
        t += Duration::milliseconds(800 + rng.below(6000) as i64);
        log.scm(t, 7036, None, &[svc.display, "running"]);
    }
}

/// The boots of the schedule in the System log; returns the EventLog start of each.
fn system_boots(s: &Schedule, log: &mut Log<'_>, rng: &mut Rng) -> Vec<DateTime<Utc>> {
    let mut starts = Vec::new();
    let mut previous_kernel: Option<DateTime<Utc>> = None;
    for b in &s.boots {
        let Some(period) = s.period_at(b.kernel) else {
            continue;
        };
        log.os = period.os;
        let services: &[Svc] = if period.exchange { &s.services } else { &[] };
        match &b.kind {
            BootKind::Updates => {
                let down = b.kernel - Duration::seconds(70 + rng.below(40) as i64);
                if log.os == Os::Win2008 {
                    for (i, kb) in ["KB950582", "KB951376"].iter().enumerate() {
                        let title = format!("Security Update for Windows Server 2008 x64 Edition ({kb})");
                        log.manifest(
                            down - Duration::minutes(25 - 4 * i as i64),
                            "Microsoft-Windows-WindowsUpdateClient",
                            19,
                            Level::Information,
                            Some("S-1-5-18"),
                            &[("updateTitle", &title)],
                        );
                    }
                }
                stop_exchange(log, rng, services, down - Duration::seconds(60));
                shutdown(log, down, Restart::WindowsUpdate);
            }
            BootKind::PowerLoss | BootKind::Install => {}
            BootKind::Rename(_) => {
                let reason = Restart::Admin {
                    process: None,
                    reason: "Operating System: Reconfiguration (Planned)",
                    code: "0x80020004",
                };
                shutdown(log, b.kernel - Duration::seconds(65), reason);
            }
        }
        let eventlog = b.kernel + Duration::seconds(9) + Duration::milliseconds(rng.below(4000) as i64);
        if let BootKind::Rename(old) = &b.kind {
            let new = log.host.netbios;
            log.classic(eventlog, "EventLog", 6011, 32768, Level::Information, None, &[old, new]);
        }
        boot_with_eventlog_at(log, b.kernel, eventlog);
        if b.kind == BootKind::PowerLoss {
            let earliest = previous_kernel.map_or(b.kernel - Duration::hours(1), |k| k + Duration::minutes(30));
            let down = (b.kernel - Duration::minutes(rng.range(4, 180))).max(earliest);
            let local = (down + Duration::minutes(s.offset_minutes)).naive_utc();
            let (time, date) = (
                local.format("%-I:%M:%S %p").to_string(),
                local.format("%-m/%-d/%Y").to_string(),
            );
            log.classic(eventlog, "EventLog", 6008, 32768, Level::Error, None, &[&time, &date]);
        }
        start_exchange(log, rng, services, eventlog);
        starts.push(eventlog);
        previous_kernel = Some(b.kernel);
    }
    starts
}

/// Noise of the System log: the schedule's boots, the 6013 uptime report every day at
/// noon, and random episodes (demand services starting and stopping, a start type
/// changed, time sync, group policy, DCOM 10016, DNS and SPNEGO warnings) up to `target`.
pub(crate) fn system(s: &Schedule, log: &mut Log<'_>, rng: &mut Rng, target: usize) {
    let start = log.len();
    system_boots(s, log, rng);
    for day in &s.days {
        let noon = s.local_noon(*day, 12) + Duration::milliseconds(rng.below(1500) as i64);
        if let Some(p) = s.period_at(noon) {
            log.os = p.os;
            let uptime = (noon - s.boot_before(noon)).num_seconds().to_string();
            let bias = s.bias_text(noon);
            log.classic(
                noon,
                "EventLog",
                6013,
                32768,
                Level::Information,
                None,
                &["", "", "", "", &uptime, "60", &bias],
            );
        }
    }
    let mut left = target.saturating_sub(log.len() - start);
    // Per day: start types changed, extra time syncs, group policy, DCOM 10016, a DNS
    // timeout, a SPNEGO warning; the rest demand-start services coming and going.
    let mut draw = Draw::new(
        s,
        rng,
        &[(1, 4.0), (2, 3.0), (3, 16.0), (4, 6.0), (5, 1.0), (6, 1.0)],
        0,
    );
    while left > 0 {
        let Some(t) = s.random_time(rng, Duration::minutes(20)) else {
            break;
        };
        let Some(p) = s.period_at(t) else { break };
        log.os = p.os;
        let w2008 = p.os == Os::Win2008;
        let kind = draw.next(|k| if k == 0 { 2 } else { 1 }, left, 1);
        let before = log.len();
        match kind {
            0 => {
                let name = *rng.pick(if w2008 { DEMAND_2008 } else { DEMAND_2003 });
                log.scm(t, 7036, None, &[name, "running"]);
                let stop = t + Duration::seconds(rng.range(20, 900)) + Duration::milliseconds(rng.below(1000) as i64);
                log.scm(stop, 7036, None, &[name, "stopped"]);
            }
            1 => {
                let (from, to) = if rng.chance(500) {
                    ("auto start", "demand start")
                } else {
                    ("demand start", "auto start")
                };
                log.scm(t, 7040, None, &["Background Intelligent Transfer Service", from, to]);
            }
            2 => time_sync(log, t),
            3 if !w2008 => time_sync(log, t),
            3 => {
                let ms = rng.range(300, 4200).to_string();
                let gpos = rng.range(2, 9).to_string();
                let dc = log.host.dc;
                log.manifest(
                    t,
                    "Microsoft-Windows-GroupPolicy",
                    1502,
                    Level::Information,
                    Some("S-1-5-18"),
                    &[
                        ("SupportInfo1", "1"),
                        ("SupportInfo2", "5137"),
                        ("ProcessingMode", "0"),
                        ("ProcessingTimeInMilliseconds", &ms),
                        ("DCName", &format!("\\\\{dc}")),
                        ("NumberOfGroupPolicyObjects", &gpos),
                    ],
                );
            }
            4 => {
                let (clsid, appid, who) = *rng.pick(DCOM);
                let sid = match who {
                    "SYSTEM" => "S-1-5-18",
                    "LOCAL SERVICE" => "S-1-5-19",
                    _ => "S-1-5-20",
                };
                let values = [
                    "application-specific",
                    "Local",
                    "Activation",
                    clsid,
                    appid,
                    "NT AUTHORITY",
                    who,
                    sid,
                    "LocalHost (Using LRPC)",
                ];
                let source = if w2008 {
                    "Microsoft-Windows-DistributedCOM"
                } else {
                    "DCOM"
                };
                let data = log.params(&values);
                log.add(t, source, 10016, Some(0), Level::Error, Some(sid), data);
            }
            5 => {
                let name = format!("wpad.{}", log.host.dns_domain());
                if w2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-DNS-Client",
                        1014,
                        Level::Warning,
                        Some("S-1-5-20"),
                        &[("QueryName", &name), ("AddressLength", "128")],
                    );
                } else {
                    log.classic(t, "DnsApi", 11197, 32768, Level::Warning, None, &[&name]);
                }
            }
            _ => {
                if w2008 {
                    log.classic(t, "LsaSrv", 40961, 32768, Level::Warning, None, &[]);
                } else {
                    let dc = log.host.dc;
                    log.classic(t, "W32Time", 36, 32768, Level::Warning, None, &[dc]);
                }
            }
        }
        left = left.saturating_sub(log.len() - before);
    }
}

/// Processes whose crashes and hangs show up in the Application log of any server.
const CRASHERS: &[(&str, &str, &str, &str)] = &[
    ("mmc.exe", "6.0.6001.18000", "ntdll.dll", "c0000005"),
    ("w3wp.exe", "7.0.6001.18000", "kernel32.dll", "e053534f"),
    ("wmiprvse.exe", "6.0.6001.18000", "msvcrt.dll", "c0000005"),
    ("ExSetupUI.exe", "8.1.240.6", "KERNEL32.dll", "e0434f4d"),
];

/// Noise of the Application log: the boots' service start-ups, group policy (SceCli 1704)
/// every 16 hours, the nightly shadow-copy idle stop, Exchange's topology discovery every
/// 15 minutes and the mailbox database's online maintenance, and random episodes
/// (a desktop program crashing with WER, CAPI2 root-list errors, profile handle leaks,
/// Windows Installer updates, counters reloaded) up to `target`.
pub(crate) fn application(s: &Schedule, log: &mut Log<'_>, rng: &mut Rng, target: usize) {
    let start = log.len();
    for b in &s.boots {
        if let Some(p) = s.period_at(b.kernel) {
            log.os = p.os;
            app_boot(log, b.kernel + Duration::seconds(11));
        }
    }
    for p in &s.periods {
        log.os = p.os;
        let mut t = p.from + Duration::minutes(rng.range(5, 600));
        while t < p.to {
            log.classic(t, "SceCli", 1704, 0, Level::Information, None, &[]);
            t += Duration::hours(16) + Duration::seconds(rng.range(0, 1200));
        }
    }
    for day in &s.days {
        let night = s.local_noon(*day, 2) + Duration::minutes(rng.range(10, 50));
        let Some(p) = s.period_at(night).copied() else { continue };
        log.os = p.os;
        log.classic(night, "VSS", 8224, 0, Level::Information, None, &[]);
        if p.exchange && s.mailbox && s.period_at(night + Duration::hours(1)).is_some() {
            let free = 80 + rng.below(400) as u32;
            exchange::online_maintenance_at(log, s.local_noon(*day, 1), free);
        }
    }
    for p in &s.periods {
        if !p.exchange {
            continue;
        }
        log.os = p.os;
        let mut t = p.from + Duration::minutes(rng.range(1, 15));
        while t < p.to && log.len() - start < target {
            exchange::topology_discovered(log, t);
            t += Duration::minutes(15) + Duration::milliseconds(rng.below(2000) as i64);
        }
    }
    let mut left = target.saturating_sub(log.len() - start);
    // Per day: a desktop program crashing now and then, CAPI2 root-list errors, profile
    // handle leaks, an update installed about once a week, counters reloaded; the rest
    // topology discovery of the Exchange processes (profile notices without Exchange).
    let mut draw = Draw::new(s, rng, &[(0, 0.7), (1, 3.0), (2, 2.0), (3, 0.15), (4, 0.3)], 5);
    while left > 0 {
        let Some(t) = s.random_time(rng, Duration::minutes(20)) else {
            break;
        };
        let Some(p) = s.period_at(t).copied() else { break };
        log.os = p.os;
        let kind = draw.next(|k| [2, 1, 1, 6, 1, 1][k.min(5)], left, 5);
        let before = log.len();
        match kind {
            0 => {
                let (image, version, module, code) = *rng.pick(CRASHERS);
                let pid = format!("{:x}", 900 + rng.below(9000));
                let start_hex = format!("{:016x}", 0x01c8_0000_0000_0000u64 + rng.below(1 << 40));
                let offset = format!("{:016x}", rng.below(0x10_0000));
                let values = [
                    image,
                    version,
                    "47918f0b",
                    module,
                    "6.0.6001.18000",
                    "4791a7a6",
                    code,
                    &offset,
                    &pid,
                    &start_hex,
                ];
                log.classic(t, "Application Error", 1000, 0, Level::Error, None, &values);
                let queue = format!(
                    "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\Report{:08x}",
                    rng.next_u64() as u32
                );
                let wer = [
                    "",
                    "0",
                    "APPCRASH",
                    "Not available",
                    "0",
                    image,
                    version,
                    "47918f0b",
                    module,
                    "6.0.6001.18000",
                    "4791a7a6",
                    code,
                    &offset,
                    "",
                    "",
                    "",
                    &queue,
                    "",
                    "",
                    "0",
                    "",
                    "4",
                ];
                log.classic(
                    t + Duration::seconds(rng.range(2, 9)),
                    "Windows Error Reporting",
                    1001,
                    0,
                    Level::Information,
                    None,
                    &wer,
                );
            }
            1 => {
                if p.os == Os::Win2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-CAPI2",
                        4107,
                        Level::Error,
                        None,
                        &[(
                            "string",
                            "http://www.download.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
                        )],
                    );
                } else {
                    log.classic(t, "Userenv", 1517, 32768, Level::Warning, Some("S-1-5-18"), &[]);
                }
            }
            2 => {
                let sid = log.host.admin_sid;
                if p.os == Os::Win2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-User Profiles Service",
                        1530,
                        Level::Warning,
                        Some("S-1-5-18"),
                        &[(
                            "Detail",
                            &format!("1 user registry handles leaked from \\Registry\\User\\{sid}:\n"),
                        )],
                    );
                } else {
                    log.classic(t, "Userenv", 1524, 32768, Level::Warning, Some("S-1-5-18"), &[]);
                }
            }
            3 => {
                let product = "Microsoft .NET Framework 2.0 Service Pack 1 (x64)";
                exchange::msi_install(
                    log,
                    t,
                    t + Duration::seconds(rng.range(40, 300)),
                    product,
                    "2.1.21022",
                    "C:\\Windows\\Installer\\2f6d1.msi",
                );
            }
            4 => {
                let svc = s.services.first().copied().unwrap_or(exchange::ADTOPOLOGY);
                exchange::perf_counters_loaded(log, t, &svc);
            }
            _ if p.exchange => {
                let process = *rng.pick(&[
                    "Microsoft.Exchange.Directory.TopologyService.exe",
                    "MSExchangeTransport.exe",
                    "w3wp.exe",
                    "mad.exe",
                    "store.exe",
                    "Microsoft.Exchange.ServiceHost.exe",
                    "EdgeTransport.exe",
                    "MSExchangeMailboxAssistants.exe",
                ]);
                let pid = (1100 + rng.below(900)).to_string();
                log.classic(
                    t,
                    "MSExchange ADAccess",
                    2080,
                    16384,
                    Level::Information,
                    None,
                    &[
                        process,
                        &pid,
                        &format!("{}\tCDG 1 7 7 1 0 1 1 7 1\n Out-of-site:\n", log.host.dc),
                    ],
                );
            }
            _ if p.os == Os::Win2008 => {
                log.manifest(
                    t,
                    "Microsoft-Windows-User Profiles Service",
                    1531,
                    Level::Information,
                    Some("S-1-5-18"),
                    &[],
                );
            }
            _ => log.classic(t, "Userenv", 1517, 32768, Level::Warning, Some("S-1-5-18"), &[]),
        }
        left = left.saturating_sub(log.len() - before);
    }
}

/// Noise of the Security log: network logons and logoffs of users and machine accounts,
/// special privileges of administrators, NTLM credential validation, now and then a
/// wrong password, up to `target` events.
pub(crate) fn security(s: &Schedule, log: &mut Log<'_>, rng: &mut Rng, target: usize) {
    const USERS: &[&str] = &[
        "Administrator",
        "exadmin",
        "svc-backup",
        "jsmith",
        "mmueller",
        "akumar",
        "lchen",
    ];
    let mut left = target;
    while left > 0 {
        let Some(t) = s.random_time(rng, Duration::minutes(1)) else {
            break;
        };
        let Some(p) = s.period_at(t).copied() else { break };
        log.os = p.os;
        let host = log.host;
        let machine = rng.chance(400);
        let user = if machine {
            format!("{}$", host.netbios)
        } else {
            (*rng.pick(USERS)).to_owned()
        };
        let rid = 1100 + rng.below(4000);
        let sid = format!("{}-{rid}", host.admin_sid.trim_end_matches("-500"));
        let logon_id = format!("0x{:x}", 0x3e7_0000 + rng.below(0x7fff_ffff));
        let ip = format!(
            "{}.{}",
            host.ip.rsplit_once('.').map_or("10.0.0", |(n, _)| n),
            rng.range(2, 250)
        );
        let admin = user == "Administrator" || user == "exadmin";
        let w2008 = p.os == Os::Win2008;
        // A logon takes up to three events (logon, privileges, logoff).
        let kind = if left >= 3 {
            rng.weighted(&[80, 15, 5])
        } else {
            1 + rng.weighted(&[15, 5])
        };
        let before = log.len();
        match kind {
            0 => {
                // Logon, privileges (administrators), logoff.
                if w2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-Security-Auditing",
                        4624,
                        Level::AuditSuccess,
                        None,
                        &[
                            ("SubjectUserSid", "S-1-0-0"),
                            ("SubjectUserName", "-"),
                            ("SubjectDomainName", "-"),
                            ("SubjectLogonId", "0x0"),
                            ("TargetUserSid", &sid),
                            ("TargetUserName", &user),
                            ("TargetDomainName", host.domain),
                            ("TargetLogonId", &logon_id),
                            ("LogonType", "3"),
                            ("LogonProcessName", "Kerberos"),
                            ("AuthenticationPackageName", "Kerberos"),
                            ("WorkstationName", ""),
                            ("LogonGuid", "{7C9F1B3E-2A1D-4C5B-8E6F-0A1B2C3D4E5F}"),
                            ("TransmittedServices", "-"),
                            ("LmPackageName", "-"),
                            ("KeyLength", "0"),
                            ("ProcessId", "0x0"),
                            ("ProcessName", "-"),
                            ("IpAddress", &ip),
                            ("IpPort", &rng.range(49152, 65535).to_string()),
                        ],
                    );
                } else {
                    log.classic(
                        t,
                        "Security",
                        540,
                        0,
                        Level::AuditSuccess,
                        Some(&sid),
                        &[
                            &user,
                            host.domain,
                            &logon_id,
                            "3",
                            "Kerberos",
                            "Kerberos",
                            "",
                            "-",
                            "-",
                            "-",
                            "-",
                            "-",
                            &ip,
                            "0",
                        ],
                    );
                }
                if admin {
                    if w2008 {
                        log.manifest(
                            t,
                            "Microsoft-Windows-Security-Auditing",
                            4672,
                            Level::AuditSuccess,
                            None,
                            &[
                                ("SubjectUserSid", &sid),
                                ("SubjectUserName", &user),
                                ("SubjectDomainName", host.domain),
                                ("SubjectLogonId", &logon_id),
                                ("PrivilegeList", "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeTakeOwnershipPrivilege\n\t\t\tSeDebugPrivilege\n\t\t\tSeSystemEnvironmentPrivilege\n\t\t\tSeLoadDriverPrivilege\n\t\t\tSeImpersonatePrivilege"),
                            ],
                        );
                    } else {
                        log.classic(
                            t,
                            "Security",
                            576,
                            0,
                            Level::AuditSuccess,
                            Some(&sid),
                            &[
                                &user,
                                host.domain,
                                &logon_id,
                                "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege",
                            ],
                        );
                    }
                }
                let off = t + Duration::seconds(rng.range(1, 1800));
                if w2008 {
                    log.manifest(
                        off,
                        "Microsoft-Windows-Security-Auditing",
                        4634,
                        Level::AuditSuccess,
                        None,
                        &[
                            ("TargetUserSid", &sid),
                            ("TargetUserName", &user),
                            ("TargetDomainName", host.domain),
                            ("TargetLogonId", &logon_id),
                            ("LogonType", "3"),
                        ],
                    );
                } else {
                    log.classic(
                        off,
                        "Security",
                        538,
                        0,
                        Level::AuditSuccess,
                        Some(&sid),
                        &[&user, host.domain, &logon_id, "3"],
                    );
                }
            }
            1 => {
                if w2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-Security-Auditing",
                        4776,
                        Level::AuditSuccess,
                        None,
                        &[
                            ("PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"),
                            ("TargetUserName", &user),
                            ("Workstation", host.netbios),
                            ("Status", "0x0"),
                        ],
                    );
                } else {
                    log.classic(
                        t,
                        "Security",
                        680,
                        0,
                        Level::AuditSuccess,
                        Some("S-1-5-18"),
                        &["MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", &user, host.netbios, "0x0"],
                    );
                }
            }
            _ => {
                if w2008 {
                    log.manifest(
                        t,
                        "Microsoft-Windows-Security-Auditing",
                        4625,
                        Level::AuditFailure,
                        None,
                        &[
                            ("SubjectUserSid", "S-1-0-0"),
                            ("TargetUserName", &user),
                            ("TargetDomainName", host.domain),
                            ("Status", "0xc000006d"),
                            ("FailureReason", "%%2313"),
                            ("SubStatus", "0xc000006a"),
                            ("LogonType", "3"),
                            ("LogonProcessName", "NtLmSsp "),
                            ("AuthenticationPackageName", "NTLM"),
                            ("WorkstationName", "WKS042"),
                            ("IpAddress", &ip),
                        ],
                    );
                } else {
                    log.classic(
                        t,
                        "Security",
                        529,
                        0,
                        Level::AuditFailure,
                        Some("S-1-5-18"),
                        &[&user, host.domain, "3", "NtLmSsp ", "NTLM", "WKS042", &ip],
                    );
                }
            }
        }
        left = left.saturating_sub(log.len() - before);
    }
}
