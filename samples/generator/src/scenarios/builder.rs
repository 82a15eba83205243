//! Building one event log of one host: local times of the story sheet converted to UTC,
//! insertion strings shaped like the host's Windows version, record ids assigned in time
//! order when the log is finished.

use std::cell::Cell;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use exdoctor_parsers::event::{Event, EventField, Level};

/// Windows version that wrote an event: decides the computer name (NetBIOS on 2003,
/// FQDN on 2008) and whether SCM/USER32 insertion strings are named (`param1`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Os {
    Win2003,
    Win2008,
}

/// The facts of one host that its events need: a sample host of the story sheet, or a
/// fleet host playing the same story under its own name, zone and dates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Host<'a> {
    pub fqdn: &'a str,
    pub netbios: &'a str,
    /// NetBIOS domain name (`CONTOSO`).
    pub domain: &'a str,
    /// Local time = UTC + this many minutes, for the whole period of the log.
    pub utc_offset_minutes: i64,
    /// The time-zone string of EventLog 6013 (`480 Pacific Standard Time`).
    pub tz_bias: &'a str,
    /// SID of the administrator who ran setup and rebooted the server.
    pub admin_sid: &'a str,
    /// Domain controller the host syncs time with.
    pub dc: &'a str,
    /// IPv4 address of the host and of its DC, for W32Time texts.
    pub ip: &'a str,
    pub dc_ip: &'a str,
    /// Whole days the story's local times are moved by (0 for the sample hosts).
    pub shift_days: i64,
}

impl Host<'_> {
    /// UTC of a local time `YYYY-MM-DD HH:MM:SS` of the story, moved by `shift_days`.
    ///
    /// # Panics
    /// On a malformed literal in the scenario source (a bug in the generator).
    pub(crate) fn t(&self, local: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S")
            .unwrap_or_else(|e| panic!("scenario time {local:?}: {e}"));
        naive.and_utc() + Duration::days(self.shift_days) - Duration::minutes(self.utc_offset_minutes)
    }

    /// The host's local time of a UTC time.
    pub(crate) fn local(&self, time: DateTime<Utc>) -> NaiveDateTime {
        (time + Duration::minutes(self.utc_offset_minutes)).naive_utc()
    }

    /// The DNS domain (`contoso.com`), or the NetBIOS domain for a single-label name.
    pub(crate) fn dns_domain(&self) -> &str {
        self.fqdn.split_once('.').map_or(self.domain, |(_, d)| d)
    }
}

/// SID of LocalSystem.
pub(crate) const SYSTEM_SID: &str = "S-1-5-18";
/// SID of LocalService.
pub(crate) const LOCAL_SERVICE_SID: &str = "S-1-5-19";

/// One event log (one channel of one host) being built.
pub(crate) struct Log<'a> {
    pub host: Host<'a>,
    /// The Windows version writing events from now on (changes on an in-place upgrade).
    pub os: Os,
    channel: String,
    events: Vec<Event>,
    rng: Cell<u64>,
}

impl<'a> Log<'a> {
    pub(crate) fn new(host: Host<'a>, os: Os, channel: &str) -> Self {
        // Seeded from the host and channel: every log has its own, fixed jitter.
        let seed = host
            .fqdn
            .bytes()
            .chain(channel.bytes())
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        Log {
            host,
            os,
            channel: channel.to_owned(),
            events: Vec::new(),
            rng: Cell::new(seed | 1),
        }
    }

    /// A log whose jitter comes from `seed` rather than from the host and channel names
    /// (fleet noise next to a story's own log of the same channel).
    pub(crate) fn seeded(host: Host<'a>, os: Os, channel: &str, seed: u64) -> Self {
        let log = Log::new(host, os, channel);
        log.rng.set(seed | 1);
        log
    }

    /// Number of events added so far.
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    /// The events added so far, in the order they were added (no record ids yet).
    pub(crate) fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// UTC of a local time `YYYY-MM-DD HH:MM:SS` of the host (see [`Host::t`]).
    pub(crate) fn t(&self, local: &str) -> DateTime<Utc> {
        self.host.t(local)
    }

    /// A deterministic pseudo-random number in `0..n` (xorshift64).
    pub(crate) fn rand(&self, n: u64) -> u64 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        if n == 0 {
            0
        } else {
            x % n
        }
    }

    /// A jitter of `0..max_ms` milliseconds plus sub-millisecond ticks, as real logs have.
    pub(crate) fn jitter(&self, max_ms: u64) -> Duration {
        let ms = self.rand(max_ms.max(1));
        let ticks = self.rand(10_000);
        Duration::milliseconds(ms as i64) + Duration::nanoseconds(ticks as i64 * 100)
    }

    fn computer(&self) -> String {
        match self.os {
            Os::Win2003 => self.host.netbios.to_owned(),
            Os::Win2008 => self.host.fqdn.to_owned(),
        }
    }

    /// Adds an event; record ids are assigned by [`Log::finish`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        time: DateTime<Utc>,
        provider: &str,
        event_id: u16,
        qualifiers: Option<u16>,
        level: Level,
        user_sid: Option<&str>,
        data: Vec<EventField>,
    ) {
        let computer = self.computer();
        self.events.push(Event {
            channel: self.channel.clone(),
            provider: provider.to_owned(),
            event_id,
            qualifiers,
            level,
            record_id: 0,
            time,
            computer,
            user_sid: user_sid.map(str::to_owned),
            data,
            recovered: false,
        });
    }

    /// A classic (ReportEvent) event with positional insertion strings.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn classic(
        &mut self,
        time: DateTime<Utc>,
        provider: &str,
        event_id: u16,
        qualifiers: u16,
        level: Level,
        user_sid: Option<&str>,
        values: &[&str],
    ) {
        self.add(
            time,
            provider,
            event_id,
            Some(qualifiers),
            level,
            user_sid,
            positional(values),
        );
    }

    /// A manifest event (Windows Server 2008 providers): named data, no qualifiers.
    pub(crate) fn manifest(
        &mut self,
        time: DateTime<Utc>,
        provider: &str,
        event_id: u16,
        level: Level,
        user_sid: Option<&str>,
        pairs: &[(&str, &str)],
    ) {
        self.add(time, provider, event_id, None, level, user_sid, named(pairs));
    }

    /// Insertion strings `param1..paramN` on 2008, positional on 2003 (SCM, USER32).
    pub(crate) fn params(&self, values: &[&str]) -> Vec<EventField> {
        match self.os {
            Os::Win2003 => positional(values),
            Os::Win2008 => values
                .iter()
                .enumerate()
                .map(|(i, v)| EventField {
                    name: Some(format!("param{}", i + 1)),
                    value: (*v).to_owned(),
                })
                .collect(),
        }
    }

    /// A Service Control Manager event; qualifiers follow the severity as Windows writes them.
    pub(crate) fn scm(&mut self, time: DateTime<Utc>, event_id: u16, user_sid: Option<&str>, values: &[&str]) {
        let (level, qualifiers) = match event_id {
            7000..=7034 => (Level::Error, 49152),
            _ => (Level::Information, 16384),
        };
        let data = self.params(values);
        self.add(
            time,
            "Service Control Manager",
            event_id,
            Some(qualifiers),
            level,
            user_sid,
            data,
        );
    }

    /// The events in time order (stable: same-time events keep the order they were added
    /// in) with record ids `first_record_id..`.
    pub(crate) fn finish(mut self, first_record_id: u64) -> Vec<Event> {
        self.events.sort_by_key(|e| e.time);
        for (i, event) in self.events.iter_mut().enumerate() {
            event.record_id = first_record_id + i as u64;
        }
        self.events
    }
}

/// Unnamed insertion strings.
pub(crate) fn positional(values: &[&str]) -> Vec<EventField> {
    values
        .iter()
        .map(|v| EventField {
            name: None,
            value: (*v).to_owned(),
        })
        .collect()
}

/// Named EventData items.
pub(crate) fn named(pairs: &[(&str, &str)]) -> Vec<EventField> {
    pairs
        .iter()
        .map(|(n, v)| EventField {
            name: Some((*n).to_owned()),
            value: (*v).to_owned(),
        })
        .collect()
}

/// ISO 8601 UTC with nanoseconds, as Kernel-General writes `StartTime`/`StopTime`.
pub(crate) fn iso_nanos(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// FILETIME of a time, as 16 hex digits (Application Error's "application start time").
pub(crate) fn filetime_hex(time: DateTime<Utc>) -> String {
    let ticks =
        time.timestamp() * 10_000_000 + i64::from(time.timestamp_subsec_nanos() / 100) + 116_444_736_000_000_000;
    format!("{ticks:016x}")
}
