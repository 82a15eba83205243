//! The host's offset from UTC, used to place setup-log local times next to event-log
//! UTC times.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::registry::host_state::{TimeZone, TransitionRule};

/// Daylight-saving time of a zone: when it starts and ends (local wall-clock rules, as
/// Windows stores them) and how many minutes it adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Daylight {
    /// Minutes daylight saving adds to the standard offset.
    pub adds_minutes: i32,
    /// When it starts (local wall clock).
    pub start: TransitionRule,
    /// When it ends (local wall clock).
    pub end: TransitionRule,
}

/// A host's offset from UTC and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostZone {
    /// Minutes east of UTC in standard time.
    pub offset_minutes: i32,
    /// What established it.
    pub source: String,
    /// Daylight-saving rules, when known (registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daylight: Option<Daylight>,
}

/// The date of a Windows transition rule in `year` (week 5 = last such weekday).
fn transition_date(rule: &TransitionRule, year: i32) -> Option<NaiveDateTime> {
    let weekday = match rule.day_of_week {
        0 => Weekday::Sun,
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        _ => Weekday::Sat,
    };
    let month = u32::from(rule.month);
    let week = u8::try_from(rule.week.clamp(1, 5)).ok()?;
    let date = NaiveDate::from_weekday_of_month_opt(year, month, weekday, week).or_else(|| {
        // "Fifth" = the last one of the month.
        NaiveDate::from_weekday_of_month_opt(year, month, weekday, 4)
    })?;
    date.and_hms_opt(u32::from(rule.hour), u32::from(rule.minute), 0)
}

impl HostZone {
    /// A zone from the registry's `TimeZoneInformation` (`None` without a bias).
    pub fn from_registry(tz: &TimeZone) -> Option<HostZone> {
        let bias = tz.bias?;
        let daylight = match (tz.daylight_start, tz.standard_start) {
            (Some(start), Some(end)) if start.month != 0 && end.month != 0 => Some(Daylight {
                adds_minutes: -tz.daylight_bias.unwrap_or(-60),
                start,
                end,
            }),
            _ => None,
        };
        Some(HostZone {
            offset_minutes: -(bias + tz.standard_bias.unwrap_or(0)),
            source: format!("registry TimeZoneInformation ({})", tz.name().unwrap_or("unnamed")),
            daylight,
        })
    }

    /// Minutes east of UTC at local time `local` (daylight saving applied when known).
    pub fn offset_at(&self, local: NaiveDateTime) -> i32 {
        let Some(d) = &self.daylight else {
            return self.offset_minutes;
        };
        let year = local.year();
        let (Some(start), Some(end)) = (transition_date(&d.start, year), transition_date(&d.end, year)) else {
            return self.offset_minutes;
        };
        let in_daylight = if start <= end {
            local >= start && local < end
        } else {
            // Southern hemisphere: daylight time spans the new year.
            local >= start || local < end
        };
        self.offset_minutes + if in_daylight { d.adds_minutes } else { 0 }
    }

    /// How far a converted time may be off: 2 min with daylight-saving rules or a
    /// measured offset, 62 min when only the standard offset of a header is known.
    pub fn uncertainty(&self) -> Duration {
        if self.daylight.is_none() && self.source.contains("daylight saving unknown") {
            Duration::minutes(62)
        } else {
            Duration::minutes(2)
        }
    }

    /// Local time to UTC.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::minutes(i64::from(self.offset_at(local)))).and_utc()
    }

    /// `UTC+01:00` style label.
    pub fn label(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        let dst = if self.daylight.is_some() {
            ", daylight saving applied"
        } else {
            ""
        };
        format!("UTC{sign}{:02}:{:02} ({}{dst})", m / 60, m % 60, self.source)
    }
}

#[cfg(test)]
mod daylight_tests {
    use super::*;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2007, 11, 30)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[test]
    fn conversion_and_label() {
        let zone = HostZone {
            offset_minutes: -360,
            source: "test".into(),
            daylight: None,
        };
        assert_eq!(zone.to_utc(at(17, 0, 0)).to_rfc3339(), "2007-11-30T23:00:00+00:00");
        assert_eq!(zone.label(), "UTC-06:00 (test)");
    }

    fn rule(month: u16, week: u16, hour: u16) -> TransitionRule {
        TransitionRule {
            month,
            week,
            day_of_week: 0,
            hour,
            minute: 0,
        }
    }

    fn local(y: i32, mo: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn registry_zone_applies_daylight_saving() {
        // W. Europe: UTC+1, last Sunday of March 02:00 -> last Sunday of October 03:00.
        let tz = TimeZone {
            key_name: None,
            standard_name: Some("W. Europe Standard Time".into()),
            daylight_name: None,
            bias: Some(-60),
            standard_bias: Some(0),
            daylight_bias: Some(-60),
            active_time_bias: None,
            standard_start: Some(rule(10, 5, 3)),
            daylight_start: Some(rule(3, 5, 2)),
        };
        let zone = HostZone::from_registry(&tz).unwrap_or_else(|| panic!("zone"));
        assert_eq!(zone.offset_at(local(2007, 11, 30, 17)), 60);
        assert_eq!(zone.offset_at(local(2008, 9, 28, 18)), 120);
        assert_eq!(
            zone.to_utc(local(2007, 11, 30, 17)).to_rfc3339(),
            "2007-11-30T16:00:00+00:00"
        );
        assert_eq!(transition_date(&rule(3, 5, 2), 2008), Some(local(2008, 3, 30, 2)));
    }
}
