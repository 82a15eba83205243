//! What a fleet is made of, decided before any file is written: per host its name,
//! organization, time zone and locale, the problem it has (and the scenario story that
//! plays it), Windows version, Exchange roles and build, whether it was renamed, and
//! which of its files were collected. Everything follows from the fleet seed.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

use super::rng::Rng;
use crate::registry::{Role, Tz, RTM, SP1};

/// The problem a fleet host has (the scenario family it plays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    /// Nothing a rule should flag.
    Healthy,
    /// The RTM -> SP1 upgrade stopped in the Mailbox role by a hard shutdown (setup log
    /// without an end, 6008, watermark and half-upgraded role in the registry).
    Sp1Interrupted,
    /// A fresh install whose service starts wait for the Authenticode CRL check (hours
    /// of gaps in the setup log, SCM 7000/7009).
    CrlStall,
    /// Setup stopped by failed readiness checks (.NET 2.0 SP1, PowerShell, pending reboot).
    ReadinessFailure,
    /// Windows Server 2003 upgraded in place to 2008 under Exchange (7003 NtLmSsp,
    /// 7001, crashes 7031/7034 + Application Error 1000 + WER 1001).
    NtlmsspInPlaceUpgrade,
    /// An Exchange service crashing repeatedly (7031/7034 + Application Error 1000 +
    /// WER 1001 within the same second, Watson 4999).
    ServiceCrash,
    /// Topology discovery failing (MSExchange ADAccess 2114), the Topology service not
    /// starting (7009/7000) and its dependants failing (7001 `%%1068`).
    AdTopology,
    /// An SP1 upgrade whose Windows Installer transaction failed (MsiInstaller 11708,
    /// 1033 status 1603, MSExchangeSetup 1000 + 1002 without 1001).
    MsiFailure,
}

impl Problem {
    /// Every problem, in the order of the distribution.
    pub const ALL: [Problem; 8] = [
        Problem::Healthy,
        Problem::Sp1Interrupted,
        Problem::CrlStall,
        Problem::ReadinessFailure,
        Problem::NtlmsspInPlaceUpgrade,
        Problem::ServiceCrash,
        Problem::AdTopology,
        Problem::MsiFailure,
    ];

    /// Stable id, as the manifest and `gen-fleet` print it.
    pub fn id(self) -> &'static str {
        match self {
            Problem::Healthy => "healthy",
            Problem::Sp1Interrupted => "sp1-interrupted",
            Problem::CrlStall => "crl-stall",
            Problem::ReadinessFailure => "readiness-failure",
            Problem::NtlmsspInPlaceUpgrade => "ntlmssp-inplace-upgrade",
            Problem::ServiceCrash => "service-crash",
            Problem::AdTopology => "ad-topology",
            Problem::MsiFailure => "msi-failure",
        }
    }

    /// Share of the fleet in percent (the shares add up to 100).
    pub fn percent(self) -> usize {
        match self {
            Problem::Healthy => 60,
            Problem::Sp1Interrupted => 10,
            Problem::CrlStall => 6,
            Problem::ReadinessFailure => 6,
            Problem::NtlmsspInPlaceUpgrade => 4,
            Problem::ServiceCrash => 7,
            Problem::AdTopology => 4,
            Problem::MsiFailure => 3,
        }
    }
}

/// How many of `hosts` hosts have each problem: the percentages of [`Problem::percent`]
/// rounded by largest remainder (ties to the earlier problem), so the counts add up to
/// `hosts` exactly and do not depend on the seed.
pub fn distribution(hosts: usize) -> Vec<(Problem, usize)> {
    let mut counts: Vec<(Problem, usize, usize)> = Problem::ALL
        .iter()
        .map(|p| (*p, hosts * p.percent() / 100, hosts * p.percent() % 100))
        .collect();
    let assigned: usize = counts.iter().map(|c| c.1).sum();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|a, b| counts[*b].2.cmp(&counts[*a].2).then(a.cmp(b)));
    for i in order.into_iter().take(hosts - assigned) {
        counts[i].1 += 1;
    }
    counts.into_iter().map(|(p, n, _)| (p, n)).collect()
}

/// The scenario timeline a host's events and setup log follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    /// `healthy/`: fresh Windows Server 2008, fresh SP1 install of all three roles.
    FreshInstall,
    /// EXMBX12 of `upgrade-order/`: a successful RTM -> SP1 upgrade of a Mailbox server.
    MailboxUpgrade,
    /// `sp1-interrupted/`.
    Sp1Interrupted,
    /// `crl-stall/`.
    CrlStall,
    /// `prereq-gaps/`.
    Readiness,
    /// `ntlmssp-inplace-upgrade/`.
    Ntlmssp,
    /// No setup run in the logs: weeks of ordinary operation (and the host's problem, if
    /// any, near the end).
    Steady,
}

impl Story {
    /// First and last local time the story uses (its boots included), before shifting.
    pub(crate) fn span(self) -> Option<(&'static str, &'static str)> {
        match self {
            Story::FreshInstall => Some(("2008-06-02 16:10:27", "2008-06-07 10:05:00")),
            Story::MailboxUpgrade => Some(("2008-01-10 03:05:40", "2008-01-21 15:45:00")),
            Story::Sp1Interrupted => Some(("2007-11-23 19:02:44", "2007-11-30 18:24:00")),
            Story::CrlStall => Some(("2008-09-26 14:03:11", "2008-09-29 08:15:00")),
            Story::Readiness => Some(("2007-12-20 08:12:40", "2008-01-14 09:41:00")),
            Story::Ntlmssp => Some(("2008-03-08 10:14:31", "2008-03-15 16:05:00")),
            Story::Steady => None,
        }
    }

    /// The story installs Windows itself (its log starts with the first boot).
    pub(crate) fn installs_windows(self) -> bool {
        matches!(self, Story::FreshInstall | Story::CrlStall)
    }
}

/// Windows version of a host at collection time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Windows {
    /// Windows Server 2003 (R2) x64 SP2: legacy `.evt` logs.
    Server2003,
    /// Windows Server 2008 x64 SP1: `winevt\Logs` with `.evtx` channels.
    Server2008,
}

/// The culture the setup log's timestamps are written in (Exchange 2007 uses the
/// culture's short date and long time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// `1/14/2008 9:12:33 AM`
    EnUs,
    /// `05/06/2008 23:20:11`
    EnGb,
    /// `30.11.2007 17:35:15`
    DeDe,
    /// `28-09-2008 18:32:12`
    DaDk,
}

impl Locale {
    /// The chrono format of a timestamp in this culture.
    pub fn format(self) -> &'static str {
        match self {
            Locale::EnUs => "%-m/%-d/%Y %-I:%M:%S %p",
            Locale::EnGb => "%d/%m/%Y %H:%M:%S",
            Locale::DeDe => "%d.%m.%Y %H:%M:%S",
            Locale::DaDk => "%d-%m-%Y %H:%M:%S",
        }
    }

    /// A local time written in this culture.
    pub fn render(self, time: NaiveDateTime) -> String {
        time.format(self.format()).to_string()
    }

    /// Reads a timestamp written in this culture.
    pub fn parse(self, text: &str) -> Option<NaiveDateTime> {
        let format = match self {
            Locale::EnUs => "%m/%d/%Y %I:%M:%S %p",
            other => other.format(),
        };
        NaiveDateTime::parse_from_str(text, format).ok()
    }
}

/// Daylight-saving rules of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dst {
    /// United States since 2007: second Sunday of March 2:00 to first Sunday of November 2:00 local.
    Us,
    /// European Union: last Sunday of March to last Sunday of October, 01:00 UTC.
    Eu,
}

/// A Windows time zone a fleet host can be in.
#[derive(Debug)]
pub struct Zone {
    /// Registry data (`ActiveTimeBias` is filled in for the collection time).
    pub tz: Tz,
    /// English names EventLog 6013 writes in standard and in daylight time.
    pub standard_text: &'static str,
    /// The name in daylight time.
    pub daylight_text: &'static str,
    /// Culture of the servers in this zone.
    pub locale: Locale,
    dst: Dst,
}

fn sunday(year: i32, month: u32, nth: u32) -> NaiveDate {
    // nth = 0: the last Sunday of the month.
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let to_sunday = (7 - first.weekday().num_days_from_sunday()) % 7;
    let first_sunday = first + Duration::days(i64::from(to_sunday));
    if nth > 0 {
        return first_sunday + Duration::weeks(i64::from(nth - 1));
    }
    let mut last = first_sunday;
    while (last + Duration::weeks(1)).month() == month {
        last += Duration::weeks(1);
    }
    debug_assert_eq!(last.weekday(), Weekday::Sun);
    last
}

impl Zone {
    /// True when daylight saving time is in effect at `utc`.
    pub fn is_daylight(&self, utc: DateTime<Utc>) -> bool {
        let year = utc.year();
        let at = |date: NaiveDate, hour_utc: i64| {
            date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour_utc)
        };
        let bias_hours = i64::from(self.tz.bias) / 60;
        let (start, end) = match self.dst {
            Dst::Us => (
                at(sunday(year, 3, 2), 2 + bias_hours),
                at(sunday(year, 11, 1), 1 + bias_hours),
            ),
            Dst::Eu => (at(sunday(year, 3, 0), 1), at(sunday(year, 10, 0), 1)),
        };
        utc >= start && utc < end
    }

    /// Minutes to add to UTC for the local time at `utc`.
    pub fn offset_minutes(&self, utc: DateTime<Utc>) -> i64 {
        -i64::from(self.tz.bias) + if self.is_daylight(utc) { 60 } else { 0 }
    }

    /// The zone text of EventLog 6013 at `utc` (`480 Pacific Standard Time`).
    pub fn bias_text(&self, utc: DateTime<Utc>) -> String {
        let name = if self.is_daylight(utc) {
            self.daylight_text
        } else {
            self.standard_text
        };
        format!("{} {name}", -self.offset_minutes(utc))
    }

    /// UTC of a local time in this zone (the standard/daylight choice made at the
    /// local time read as UTC, exact away from the transitions).
    pub fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let guess = local.and_utc();
        guess - Duration::minutes(self.offset_minutes(guess - Duration::minutes(self.offset_minutes(guess))))
    }
}

const US_STANDARD: (u16, u16, u16, u16) = (11, 1, 0, 2);
const US_DAYLIGHT: (u16, u16, u16, u16) = (3, 2, 0, 2);

/// The zones fleet hosts are in.
pub static ZONES: [Zone; 6] = [
    Zone {
        tz: Tz {
            key_name: "Pacific Standard Time",
            standard_name: "@tzres.dll,-212",
            daylight_name: "@tzres.dll,-211",
            bias: 480,
            active_bias: 480,
            standard_start: US_STANDARD,
            daylight_start: US_DAYLIGHT,
        },
        standard_text: "Pacific Standard Time",
        daylight_text: "Pacific Daylight Time",
        locale: Locale::EnUs,
        dst: Dst::Us,
    },
    Zone {
        tz: Tz {
            key_name: "Central Standard Time",
            standard_name: "Central Standard Time",
            daylight_name: "Central Daylight Time",
            bias: 360,
            active_bias: 360,
            standard_start: US_STANDARD,
            daylight_start: US_DAYLIGHT,
        },
        standard_text: "Central Standard Time",
        daylight_text: "Central Daylight Time",
        locale: Locale::EnUs,
        dst: Dst::Us,
    },
    Zone {
        tz: Tz {
            key_name: "Eastern Standard Time",
            standard_name: "Eastern Standard Time",
            daylight_name: "Eastern Daylight Time",
            bias: 300,
            active_bias: 300,
            standard_start: US_STANDARD,
            daylight_start: US_DAYLIGHT,
        },
        standard_text: "Eastern Standard Time",
        daylight_text: "Eastern Daylight Time",
        locale: Locale::EnUs,
        dst: Dst::Us,
    },
    Zone {
        tz: Tz {
            key_name: "GMT Standard Time",
            standard_name: "@tzres.dll,-112",
            daylight_name: "@tzres.dll,-111",
            bias: 0,
            active_bias: 0,
            standard_start: (10, 5, 0, 2),
            daylight_start: (3, 5, 0, 1),
        },
        standard_text: "GMT Standard Time",
        daylight_text: "GMT Daylight Time",
        locale: Locale::EnGb,
        dst: Dst::Eu,
    },
    Zone {
        tz: Tz {
            key_name: "W. Europe Standard Time",
            standard_name: "Westeuropäische Normalzeit",
            daylight_name: "Westeuropäische Sommerzeit",
            bias: -60,
            active_bias: -60,
            standard_start: (10, 5, 0, 3),
            daylight_start: (3, 5, 0, 2),
        },
        standard_text: "W. Europe Standard Time",
        daylight_text: "W. Europe Daylight Time",
        locale: Locale::DeDe,
        dst: Dst::Eu,
    },
    Zone {
        tz: Tz {
            key_name: "Romance Standard Time",
            standard_name: "@tzres.dll,-302",
            daylight_name: "@tzres.dll,-301",
            bias: -60,
            active_bias: -60,
            standard_start: (10, 5, 0, 3),
            daylight_start: (3, 5, 0, 2),
        },
        standard_text: "Romance Standard Time",
        daylight_text: "Romance Daylight Time",
        locale: Locale::DaDk,
        dst: Dst::Eu,
    },
];

/// An Exchange organization (one forest, one domain) fleet hosts belong to.
#[derive(Debug)]
pub struct Org {
    /// DNS domain of the hosts.
    pub dns: &'static str,
    /// NetBIOS domain name.
    pub netbios: &'static str,
    /// Exchange organization name.
    pub name: &'static str,
    /// Domain SID (the administrator is `<sid>-500`).
    pub sid: &'static str,
    /// First two or three octets of the hosts' addresses.
    pub net: &'static str,
    /// Indices into [`ZONES`] of the sites.
    pub zones: &'static [usize],
    /// `RegisteredOwner` of its servers.
    pub owner: &'static str,
    /// Share of the fleet in percent.
    pub percent: u64,
}

/// The organizations of a fleet.
pub static ORGS: [Org; 3] = [
    Org {
        dns: "contoso.com",
        netbios: "CONTOSO",
        name: "Contoso",
        sid: "S-1-5-21-1721254763-462695806-1538882281",
        net: "10.10",
        zones: &[0, 2, 3],
        owner: "Contoso IT",
        percent: 60,
    },
    Org {
        dns: "fabrikam.com",
        netbios: "FABRIKAM",
        name: "Fabrikam",
        sid: "S-1-5-21-4066211783-2188456221-1130498765",
        net: "10.60",
        zones: &[1, 2],
        owner: "Fabrikam",
        percent: 25,
    },
    Org {
        dns: "beispiel.de",
        netbios: "BEISPIEL",
        name: "BEISPIEL",
        sid: "S-1-5-21-2947153102-1856723470-3154270581",
        net: "192.168",
        zones: &[4, 5],
        owner: "Beispiel GmbH",
        percent: 15,
    },
];

/// Everything decided about one fleet host before its files are written.
#[derive(Debug, Clone)]
pub struct HostPlan {
    /// Position in the fleet (0-based).
    pub index: usize,
    /// NetBIOS name, also the host's folder name (`EXMBX0007`).
    pub name: String,
    /// `name.domain`.
    pub fqdn: String,
    /// Its organization.
    pub org: &'static Org,
    /// Its time zone.
    pub zone: &'static Zone,
    /// Culture of the setup log's timestamps.
    pub locale: Locale,
    /// The problem it was given.
    pub problem: Problem,
    /// The scenario story behind its logs.
    pub story: Story,
    /// Its Windows version.
    pub windows: Windows,
    /// Exchange roles (installed, or being installed).
    pub roles: Vec<Role>,
    /// Exchange build of the installed product; `None` when none is installed.
    pub build: Option<&'static str>,
    /// Whole days the story is moved by.
    pub shift_days: i64,
    /// The name Windows Setup gave the machine before it was renamed (`WIN-...`).
    pub renamed_from: Option<String>,
    /// The log starts with the installation of Windows.
    pub windows_installed_in_log: bool,
    /// `ExchangeSetupLogs/ExchangeSetup.log` was collected.
    pub has_setup_log: bool,
    /// `exchange.reg`, `services.reg`, `windows.reg` were collected.
    pub has_registry: bool,
    /// IPv4 address.
    pub ip: String,
    /// Domain controller of the host's site.
    pub dc: String,
    /// IPv4 address of that domain controller.
    pub dc_ip: String,
    /// Collection time for hosts without a story (stories bring their own).
    pub collected: DateTime<Utc>,
    /// Seed of the host's own random streams.
    pub seed: u64,
}

impl HostPlan {
    /// SID of the domain administrator.
    pub fn admin_sid(&self) -> String {
        format!("{}-500", self.org.sid)
    }

    /// The story's host facts need a fixed UTC offset: the zone's at the story's start.
    pub(crate) fn story_offset_minutes(&self) -> i64 {
        match self.story.span() {
            Some((first, _)) => self.zone.offset_minutes(self.shifted_utc(first)),
            None => self.zone.offset_minutes(self.collected),
        }
    }

    /// UTC of a story literal (`YYYY-MM-DD HH:MM:SS` local), shifted.
    pub(crate) fn shifted_utc(&self, local: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap_or_default();
        self.zone.utc(naive + Duration::days(self.shift_days))
    }
}

/// A role set and the name prefix servers with it get.
fn role_prefix(roles: &[Role]) -> &'static str {
    match roles {
        [Role::Mailbox] => "EXMBX",
        [Role::Cas] => "EXCAS",
        [Role::Hub] => "EXHUB",
        [_, _] => "EXCH",
        _ => "EXSRV",
    }
}

/// Roles of a server installed before the logs begin.
fn steady_roles(rng: &mut Rng) -> Vec<Role> {
    match rng.weighted(&[40, 20, 20, 10, 10]) {
        0 => vec![Role::Mailbox],
        1 => vec![Role::Cas],
        2 => vec![Role::Hub],
        3 => vec![Role::Hub, Role::Cas],
        _ => vec![Role::Mailbox, Role::Hub, Role::Cas],
    }
}

/// A shift (0..=150 days) that keeps the story's whole span on one side of the zone's
/// daylight-saving changes; 0 when none of 40 tries does.
fn dst_safe_shift(rng: &mut Rng, zone: &Zone, story: Story) -> i64 {
    let Some((first, last)) = story.span() else {
        return 0;
    };
    let parse = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default();
    let (first, last) = (parse(first), parse(last));
    for _ in 0..40 {
        let shift = rng.range(0, 150);
        let a = zone.utc(first + Duration::days(shift));
        let b = zone.utc(last + Duration::days(shift));
        let daylight = zone.is_daylight(a);
        let mut t = a;
        let mut same = true;
        while t <= b {
            same &= zone.is_daylight(t) == daylight;
            t += Duration::hours(6);
        }
        if same && zone.is_daylight(b) == daylight {
            return shift;
        }
    }
    0
}

/// The plan of a fleet of `hosts` hosts for `seed`: problems distributed as
/// [`distribution`] says, shuffled over the fleet by the seed.
pub fn plan(hosts: usize, seed: u64) -> Vec<HostPlan> {
    let mut problems: Vec<Problem> = distribution(hosts)
        .into_iter()
        .flat_map(|(p, n)| std::iter::repeat_n(p, n))
        .collect();
    Rng::new(seed, u64::MAX).shuffle(&mut problems);
    problems
        .into_iter()
        .enumerate()
        .map(|(index, problem)| plan_host(index, problem, seed))
        .collect()
}

fn plan_host(index: usize, problem: Problem, seed: u64) -> HostPlan {
    let mut rng = Rng::new(seed, index as u64);
    let host_seed = rng.next_u64();
    let org = &ORGS[rng.weighted(&ORGS.iter().map(|o| o.percent).collect::<Vec<_>>())];
    let zone = &ZONES[*rng.pick(org.zones)];
    let story = match problem {
        Problem::Healthy => match rng.weighted(&[35, 25, 40]) {
            0 => Story::FreshInstall,
            1 => Story::MailboxUpgrade,
            _ => Story::Steady,
        },
        Problem::Sp1Interrupted => Story::Sp1Interrupted,
        Problem::CrlStall => Story::CrlStall,
        Problem::ReadinessFailure => Story::Readiness,
        Problem::NtlmsspInPlaceUpgrade => Story::Ntlmssp,
        Problem::ServiceCrash | Problem::AdTopology | Problem::MsiFailure => Story::Steady,
    };
    let all = vec![Role::Mailbox, Role::Hub, Role::Cas];
    let (roles, build, windows) = match story {
        Story::FreshInstall => (all, Some(SP1), Windows::Server2008),
        Story::MailboxUpgrade => (vec![Role::Mailbox], Some(SP1), Windows::Server2003),
        Story::Sp1Interrupted => (all, Some(SP1), Windows::Server2003),
        Story::CrlStall => (vec![Role::Hub, Role::Cas], Some(SP1), Windows::Server2008),
        Story::Readiness => (vec![Role::Hub, Role::Cas], None, Windows::Server2003),
        Story::Ntlmssp => (vec![Role::Mailbox], Some(SP1), Windows::Server2008),
        Story::Steady => {
            let mut roles = steady_roles(&mut rng);
            if problem == Problem::ServiceCrash && roles == [Role::Cas] {
                roles = vec![Role::Hub, Role::Cas];
            }
            let rtm = problem == Problem::MsiFailure || (problem == Problem::Healthy && rng.chance(250));
            if rtm {
                (roles, Some(RTM), Windows::Server2003)
            } else if rng.chance(600) {
                (roles, Some(SP1), Windows::Server2008)
            } else {
                (roles, Some(SP1), Windows::Server2003)
            }
        }
    };
    let name = format!("{}{:04}", role_prefix(&roles), index + 1);
    let fqdn = format!("{name}.{}", org.dns);
    let shift_days = dst_safe_shift(&mut rng, zone, story);
    let windows_installed_in_log =
        story.installs_windows() || (story == Story::Steady && windows == Windows::Server2008 && rng.chance(300));
    let renamed_from = (windows_installed_in_log && rng.chance(450)).then(|| format!("WIN-{}", rng.alnum(11)));
    let has_setup_log = match story {
        Story::FreshInstall | Story::MailboxUpgrade => rng.chance(850),
        Story::Sp1Interrupted | Story::CrlStall | Story::Readiness => true,
        Story::Ntlmssp | Story::Steady => false,
    };
    let has_registry = rng.chance(900);
    let site = org
        .zones
        .iter()
        .position(|z| std::ptr::eq(&ZONES[*z], zone))
        .unwrap_or(0);
    let ip = format!("{}.{}.{}", org.net, 20 + site * 10 + index / 200, 20 + index % 200);
    let dc_ip = format!("{}.{}.10", org.net, 20 + site * 10);
    let dc = format!("DC{:02}.{}", site + 1, org.dns);
    // Hosts without a story: collected on a working day between February and October 2008.
    let day = NaiveDate::from_ymd_opt(2008, 2, 4).unwrap_or_default() + Duration::days(rng.range(0, 260));
    let local = day.and_hms_opt(9, 0, 0).unwrap_or_default() + Duration::seconds(rng.range(0, 8 * 3600));
    let collected = zone.utc(local);
    HostPlan {
        index,
        name,
        fqdn,
        org,
        zone,
        locale: zone.locale,
        problem,
        story,
        windows,
        roles,
        build,
        shift_days,
        renamed_from,
        windows_installed_in_log,
        has_setup_log,
        has_registry,
        ip,
        dc,
        dc_ip,
        collected,
        seed: host_seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    #[test]
    fn distribution_adds_up_and_follows_the_percentages() {
        let d = distribution(100);
        assert_eq!(d.iter().map(|x| x.1).sum::<usize>(), 100);
        assert_eq!(d[0], (Problem::Healthy, 60));
        assert_eq!(d[1], (Problem::Sp1Interrupted, 10));
        let d = distribution(7);
        assert_eq!(d.iter().map(|x| x.1).sum::<usize>(), 7);
        assert_eq!(d[0], (Problem::Healthy, 4));
        let d = distribution(1000);
        assert_eq!(d[5], (Problem::ServiceCrash, 70));
    }

    #[test]
    fn daylight_saving_rules() {
        let pacific = &ZONES[0];
        assert!(!pacific.is_daylight(utc(2008, 3, 9, 9, 59, 0)));
        assert!(pacific.is_daylight(utc(2008, 3, 9, 10, 0, 0)));
        assert!(pacific.is_daylight(utc(2008, 11, 2, 8, 59, 0)));
        assert!(!pacific.is_daylight(utc(2008, 11, 2, 9, 0, 0)));
        assert_eq!(pacific.bias_text(utc(2008, 1, 5, 0, 0, 0)), "480 Pacific Standard Time");
        let romance = &ZONES[5];
        assert!(romance.is_daylight(utc(2008, 9, 28, 16, 0, 0)));
        assert!(!romance.is_daylight(utc(2008, 10, 26, 1, 0, 0)));
        assert_eq!(
            romance.bias_text(utc(2008, 9, 28, 16, 0, 0)),
            "-120 Romance Daylight Time"
        );
        let local = NaiveDateTime::parse_from_str("2008-09-28 18:32:12", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(romance.utc(local), utc(2008, 9, 28, 16, 32, 12));
    }

    #[test]
    fn locales_round_trip() {
        let t = NaiveDateTime::parse_from_str("2008-01-14 09:12:33", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(Locale::EnUs.render(t), "1/14/2008 9:12:33 AM");
        assert_eq!(Locale::DeDe.render(t), "14.01.2008 09:12:33");
        for l in [Locale::EnUs, Locale::EnGb, Locale::DeDe, Locale::DaDk] {
            assert_eq!(l.parse(&l.render(t)), Some(t), "{l:?}");
        }
    }

    #[test]
    fn plans_are_reproducible_and_names_unique() {
        let a = plan(60, 42);
        let b = plan(60, 42);
        assert_eq!(
            a.iter().map(|h| (&h.name, h.problem, h.shift_days)).collect::<Vec<_>>(),
            b.iter().map(|h| (&h.name, h.problem, h.shift_days)).collect::<Vec<_>>()
        );
        let names: std::collections::BTreeSet<_> = a.iter().map(|h| h.name.clone()).collect();
        assert_eq!(names.len(), 60);
        assert_ne!(
            a.iter().map(|h| h.problem).collect::<Vec<_>>(),
            plan(60, 43).iter().map(|h| h.problem).collect::<Vec<_>>()
        );
    }
}
