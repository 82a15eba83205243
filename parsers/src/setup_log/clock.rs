//! The clock of a setup log's bracket times: UTC or the server's local time.
//!
//! Setup 2013+ (15.x) writes UTC, 2007 (8.x) local time (KNOWLEDGE.md 1.1, "Timestamp
//! clock"). A log can be calibrated when it holds `Executing: $RoleInvocationID =
//! 'yyyyMMdd-HHmmss...'`: that stamp is made from the local clock, so the record's
//! bracket time minus the stamp is 0 with a local clock and minus the zone offset
//! (daylight saving included) with a UTC clock. [`Clock::decide`] weighs that
//! measurement ([`RoleInvocation`]) against the setup version.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::records::Record;
use super::text::Text;
use crate::timestamp::{DateOrder, RawTimestamp};

/// The standard offset in minutes east of UTC of a `Local time zone:` header text:
/// `(UTC-06:00) Central Time (US & Canada)` -> -360, `(GMT+01:00) Amsterdam` -> 60,
/// `(UTC) Coordinated Universal Time` -> 0, `(UTC+05:30) ...` -> 330. `None` when the
/// text does not start with such a bracket (`Pacific Standard Time`).
///
/// The header names the zone's standard offset: daylight saving is not included.
pub fn utc_offset_minutes(zone: &str) -> Option<i32> {
    utc_offset_of(zone.as_bytes())
}

/// [`utc_offset_minutes`] over bytes.
pub(super) fn utc_offset_of(zone: &[u8]) -> Option<i32> {
    let inner = zone.trim_ascii().strip_prefix(b"(")?;
    let close = memchr::memchr(b')', inner)?;
    let inner = inner[..close].trim_ascii();
    let rest = inner.strip_prefix(b"UTC").or_else(|| inner.strip_prefix(b"GMT"))?;
    let Some((&sign, hm)) = rest.split_first() else {
        return Some(0);
    };
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = match memchr::memchr(b':', hm) {
        Some(colon) => (&hm[..colon], &hm[colon + 1..]),
        None => (hm, &b"0"[..]),
    };
    let number = |digits: &[u8]| -> Option<i32> {
        if digits.is_empty() || digits.len() > 2 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, &d| n * 10 + i32::from(d - b'0')))
    };
    let (h, m) = (number(h)?, number(m)?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// The largest distance in seconds between `bracket - stamp` and its 15-minute rounding
/// for the measurement to count as a clock offset (the stamp is taken a moment before
/// the line is logged).
pub const MAX_RESIDUAL_SECONDS: i64 = 120;

/// The largest plausible clock offset: UTC+14:00 / UTC-12:00 zones.
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// `$RoleInvocationID = 'yyyyMMdd-HHmmss...'` found in a run: the local clock's stamp
/// next to the bracket time of the record it was logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleInvocation<'a> {
    /// 1-based line holding the text (a continuation line when it is in a script body).
    pub line: u32,
    /// Line of the record whose bracket time is compared.
    pub record_line: u32,
    /// The quoted value as logged (`20210108-17184604021904240707`).
    pub value: Text<'a>,
    /// Its leading `yyyyMMdd-HHmmss` as a naive local date-time.
    pub stamp: NaiveDateTime,
    /// The record's bracket timestamp as written.
    pub bracket: RawTimestamp,
    /// The bracket time resolved with the file's day/month order (whole seconds);
    /// `None` when that order gives no valid date.
    pub bracket_time: Option<NaiveDateTime>,
    /// `bracket_time - stamp` in seconds.
    pub bracket_minus_stamp_seconds: Option<i64>,
    /// `bracket_time - stamp` rounded to the nearest 15 minutes: 0 for a local clock,
    /// minus the zone offset for a UTC clock (+360 for UTC-06:00).
    pub bracket_minus_stamp_minutes: Option<i32>,
}

impl RoleInvocation<'_> {
    /// The local clock's offset from the bracket clock in minutes east of UTC
    /// (`stamp - bracket`, rounded to 15 minutes): 0 when the brackets are local time,
    /// the zone's offset with daylight saving when they are UTC (-240 for US Eastern in
    /// summer). `None` when the measurement is not a clean offset: the rounding residual
    /// is above [`MAX_RESIDUAL_SECONDS`] or the offset beyond 14 hours.
    pub fn offset_minutes(&self) -> Option<i32> {
        let seconds = self.bracket_minus_stamp_seconds?;
        let minutes = self.bracket_minus_stamp_minutes?;
        let residual = (seconds - i64::from(minutes) * 60).abs();
        (residual <= MAX_RESIDUAL_SECONDS && minutes.abs() <= MAX_OFFSET_MINUTES).then_some(-minutes)
    }

    /// Resolves the bracket time under `order` and computes the differences.
    pub(super) fn resolve(&mut self, order: DateOrder) {
        let bracket = RawTimestamp {
            ticks: 0,
            ..self.bracket
        };
        self.bracket_time = bracket.resolve(order);
        self.bracket_minus_stamp_seconds = self
            .bracket_time
            .map(|time| time.signed_duration_since(self.stamp).num_seconds());
        self.bracket_minus_stamp_minutes = self
            .bracket_minus_stamp_seconds
            .and_then(|s| i32::try_from((s + 450).div_euclid(900) * 15).ok());
    }
}

/// The variable whose value calibrates the clock.
const VARIABLE: &[u8] = b"$RoleInvocationID";

/// Finds [`VARIABLE`] in a script body without building a searcher per record.
static BODY_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(VARIABLE));

/// The `$RoleInvocationID = '...'` of an `Executing:` record: right after `Executing:`
/// in its message (`Executing: $RoleInvocationID = '...'`, as setup logs it), else
/// anywhere in its continuation lines (a script body). `None` when absent or not a
/// valid stamp.
pub(super) fn find_role_invocation<'a>(rec: &Record<'a>) -> Option<RoleInvocation<'a>> {
    let message = rec.message.as_bytes();
    let statement = message
        .strip_prefix(b"Executing:")
        .unwrap_or(message)
        .trim_ascii_start();
    if statement.starts_with(VARIABLE) {
        if let Some(found) = parse_assignment(statement, rec, rec.line) {
            return Some(found);
        }
    }
    let body = rec.continuation.as_bytes();
    if body.is_empty() {
        return None;
    }
    let at = BODY_FINDER.find(body)?;
    let line_offset = memchr::memchr_iter(b'\n', &body[..at]).count();
    let line = rec
        .line
        .saturating_add(u32::try_from(line_offset).unwrap_or(u32::MAX))
        .saturating_add(1);
    parse_assignment(&body[at..], rec, line)
}

/// `$RoleInvocationID = 'yyyyMMdd-HHmmss...'` at the start of `text`.
fn parse_assignment<'a>(text: &'a [u8], rec: &Record<'a>, line: u32) -> Option<RoleInvocation<'a>> {
    let rest = text.get(VARIABLE.len()..)?.trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let (&quote, rest) = rest.split_first()?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let end = memchr::memchr(quote, rest).unwrap_or(rest.len());
    let value = &rest[..end];
    Some(RoleInvocation {
        line,
        record_line: rec.line,
        value: Text(value),
        stamp: parse_stamp(value)?,
        bracket: rec.timestamp,
        bracket_time: None,
        bracket_minus_stamp_seconds: None,
        bracket_minus_stamp_minutes: None,
    })
}

/// `yyyyMMdd-HHmmss` at the start of `value` (more digits may follow).
fn parse_stamp(value: &[u8]) -> Option<NaiveDateTime> {
    let head = value.get(..15)?;
    if head[8] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let d = head.get(range)?;
        d.iter().all(u8::is_ascii_digit).then_some(())?;
        Some(d.iter().fold(0, |n, &b| n * 10 + u32::from(b - b'0')))
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(4..6)?, digits(6..8)?)?;
    let time = NaiveTime::from_hms_opt(digits(9..11)?, digits(11..13)?, digits(13..15)?)?;
    Some(NaiveDateTime::new(date, time))
}

/// Why a [`Clock`] verdict was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ClockEvidence {
    /// Measured: `$RoleInvocationID` on `line`; `offset_minutes` is the local clock's
    /// offset from the bracket clock, minutes east of UTC (see
    /// [`RoleInvocation::offset_minutes`]).
    RoleInvocationId {
        /// Line of the `$RoleInvocationID` text.
        line: u32,
        /// Local clock minus bracket clock, minutes east of UTC (0 = local brackets).
        offset_minutes: i32,
    },
    /// From the setup version's major number (8 = 2007, 14 = 2010, 15 = 2013+).
    Version {
        /// The major number.
        major: u32,
    },
}

/// The clock of a log's bracket times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "clock", rename_all = "kebab-case")]
pub enum Clock {
    /// Bracket times are UTC: never shift them by the header's zone.
    Utc {
        /// Why.
        evidence: ClockEvidence,
    },
    /// Bracket times are the server's local time.
    Local {
        /// Why.
        evidence: ClockEvidence,
    },
}

impl Clock {
    /// The verdict: a clean `$RoleInvocationID` measurement wins (offset 0 -> local,
    /// else UTC), even when it contradicts the version rule; without one, the version
    /// decides ([`Clock::from_version`]). `None` when neither is known.
    pub fn decide(measurement: Option<&RoleInvocation<'_>>, version_major: Option<u32>) -> Option<Clock> {
        if let Some(m) = measurement {
            if let Some(offset_minutes) = m.offset_minutes() {
                let evidence = ClockEvidence::RoleInvocationId {
                    line: m.line,
                    offset_minutes,
                };
                return Some(if offset_minutes == 0 {
                    Clock::Local { evidence }
                } else {
                    Clock::Utc { evidence }
                });
            }
        }
        version_major.and_then(Clock::from_version)
    }

    /// The version rule: 15 and later (2013+) write UTC; 8 (2007) to 14 (2010) local
    /// time; `None` for older majors.
    pub fn from_version(major: u32) -> Option<Clock> {
        let evidence = ClockEvidence::Version { major };
        match major {
            15.. => Some(Clock::Utc { evidence }),
            8..=14 => Some(Clock::Local { evidence }),
            _ => None,
        }
    }

    /// Whether the bracket times are UTC.
    pub fn is_utc(&self) -> bool {
        matches!(self, Clock::Utc { .. })
    }

    /// The evidence of the verdict.
    pub fn evidence(&self) -> ClockEvidence {
        match self {
            Clock::Utc { evidence } | Clock::Local { evidence } => *evidence,
        }
    }
}

/// The major number of a setup version text: `15.1.2106.2` -> 15, `08.01.0240.006` -> 8.
pub(super) fn version_major(version: &[u8]) -> Option<u32> {
    let digits = version.trim_ascii_start();
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 4 {
        return None;
    }
    Some(digits[..len].iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::parse_raw;

    #[test]
    fn header_offsets() {
        for (zone, minutes) in [
            ("(UTC-06:00) Central Time (US & Canada)", Some(-360)),
            ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", Some(330)),
            ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome", Some(60)),
            ("(UTC) Coordinated Universal Time", Some(0)),
            ("(GMT) Greenwich Mean Time : Dublin", Some(0)),
            (" (UTC+14:00) Kiritimati Island", Some(840)),
            ("(UTC-03:30) Newfoundland", Some(-210)),
            ("(UTC+1) x", Some(60)),
            ("Pacific Standard Time", None),
            ("(UTC+15:00) x", None),
            ("(UTC-06:60) x", None),
            ("(UTC--6:00) x", None),
            ("(UTC-+6:00) x", None),
            ("(UTC+) x", None),
            ("(UTC*06:00) x", None),
            ("(UTC-06:00 x", None),
            ("", None),
        ] {
            assert_eq!(utc_offset_minutes(zone), minutes, "{zone}");
        }
    }

    fn record(stamp: &'static str, message: &'static str, continuation: &'static str) -> Record<'static> {
        Record {
            line: 10,
            end_line: 10,
            offset: 0,
            end: 0,
            timestamp: parse_raw(stamp.as_bytes()).unwrap_or_else(|| panic!("{stamp}")),
            timestamp_text: Text(stamp.as_bytes()),
            depth: 1,
            tag: super::super::Tag::None,
            message: Text(message.as_bytes()),
            continuation: Text(continuation.as_bytes()),
        }
    }

    #[test]
    fn measurement_in_the_message() {
        let rec = record(
            "01/08/2021 23:18:46.0536",
            "Executing: $RoleInvocationID = '20210108-17184604021904240707'",
            "",
        );
        let mut m = find_role_invocation(&rec).unwrap_or_else(|| panic!("found"));
        m.resolve(DateOrder::MonthFirst);
        assert_eq!((m.line, m.record_line), (10, 10));
        assert_eq!(m.value, Text(b"20210108-17184604021904240707"));
        assert_eq!(m.stamp.to_string(), "2021-01-08 17:18:46");
        assert_eq!(m.bracket_minus_stamp_seconds, Some(6 * 3600));
        assert_eq!(m.bracket_minus_stamp_minutes, Some(360));
        assert_eq!(m.offset_minutes(), Some(-360));
        assert_eq!(
            Clock::decide(Some(&m), Some(15)),
            Some(Clock::Utc {
                evidence: ClockEvidence::RoleInvocationId {
                    line: 10,
                    offset_minutes: -360
                }
            })
        );
        // The measurement wins over the version rule.
        assert!(Clock::decide(Some(&m), Some(8)).is_some_and(|c| c.is_utc()));
    }

    #[test]
    fn measurement_in_a_script_body() {
        let rec = record(
            "30.11.2007 17:31:20",
            "Executing: ",
            "          $error.Clear();\r\n          $RoleInvocationID = \"20071130-173118\";\r\n",
        );
        let mut m = find_role_invocation(&rec).unwrap_or_else(|| panic!("found"));
        m.resolve(DateOrder::DayFirst);
        assert_eq!((m.line, m.record_line), (12, 10));
        assert_eq!(m.bracket_minus_stamp_seconds, Some(2));
        assert_eq!(m.offset_minutes(), Some(0));
        let clock = Clock::decide(Some(&m), Some(15));
        assert_eq!(
            clock,
            Some(Clock::Local {
                evidence: ClockEvidence::RoleInvocationId {
                    line: 12,
                    offset_minutes: 0
                }
            })
        );
    }

    #[test]
    fn unclean_or_invalid_measurements() {
        for (message, found) in [
            ("Executing: $RoleInvocationID = '20210108-1718'", false),
            ("Executing: $RoleInvocationID = '20211308-171846'", false),
            ("Executing: $RoleInvocationID = 20210108-171846", false),
            ("Executing: $RoleInvocationID '20210108-171846'", false),
            ("Executing: $RoleInvocationID = '20210108x171846'", false),
            ("Executing: $RoleInvocationID", false),
            ("Executing: $RoleInvocationID = '20210108-171846", true),
        ] {
            let rec = record("01/08/2021 23:18:46.0536", message, "");
            assert_eq!(find_role_invocation(&rec).is_some(), found, "{message}");
        }
        // 7 minutes off any 15-minute step: not a clock offset; the version decides.
        let rec = record(
            "01/08/2021 23:25:46.0536",
            "Executing: $RoleInvocationID = '20210108-17184600'",
            "",
        );
        let mut m = find_role_invocation(&rec).unwrap_or_else(|| panic!("found"));
        m.resolve(DateOrder::MonthFirst);
        assert_eq!(m.bracket_minus_stamp_minutes, Some(6 * 60));
        assert_eq!(m.offset_minutes(), None);
        assert_eq!(Clock::decide(Some(&m), None), None);
        assert_eq!(
            Clock::decide(Some(&m), Some(14)),
            Some(Clock::Local {
                evidence: ClockEvidence::Version { major: 14 }
            })
        );
        // An order that gives no valid date leaves the measurement unresolved.
        let rec = record(
            "30.11.2007 17:31:20",
            "Executing: $RoleInvocationID = '20071130-173120'",
            "",
        );
        let mut m = find_role_invocation(&rec).unwrap_or_else(|| panic!("found"));
        m.resolve(DateOrder::MonthFirst);
        assert_eq!((m.bracket_time, m.offset_minutes()), (None, None));
    }

    #[test]
    fn version_rule() {
        assert!(Clock::from_version(15).is_some_and(|c| c.is_utc()));
        assert!(Clock::from_version(16).is_some_and(|c| c.is_utc()));
        assert!(Clock::from_version(14).is_some_and(|c| !c.is_utc()));
        assert!(Clock::from_version(8).is_some_and(|c| !c.is_utc()));
        assert_eq!(Clock::from_version(6), None);
        assert_eq!(
            Clock::from_version(8).map(|c| c.evidence()),
            Some(ClockEvidence::Version { major: 8 })
        );
        assert_eq!(version_major(b"15.1.2106.2"), Some(15));
        assert_eq!(version_major(b"08.01.0240.006"), Some(8));
        assert_eq!(version_major(b" 14.3.123.4"), Some(14));
        assert_eq!(version_major(b"x15"), None);
        assert_eq!(version_major(b"123456.1"), None);
        assert_eq!(version_major(b""), None);
    }
}
