//! The host's offset from UTC, used to place setup-log local times next to event-log
//! UTC times; and the conversion of a host's findings to UTC.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Serialize;

use crate::findings::{Finding, Timestamp};

/// A host's offset from UTC and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostZone {
    /// Minutes east of UTC.
    pub offset_minutes: i32,
    /// What established it.
    pub source: String,
}

impl HostZone {
    /// Local time to UTC.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::minutes(i64::from(self.offset_minutes))).and_utc()
    }

    /// `UTC+01:00` style label.
    pub fn label(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        format!("UTC{sign}{:02}:{:02} ({})", m / 60, m % 60, self.source)
    }
}

/// Infers the offset from setup runs (local start) and MSExchangeSetup 1000 events (UTC),
/// which setup writes within seconds of its first log line. The differences must agree
/// and lie on a quarter hour; `None` otherwise.
pub fn infer_from_setup_events(run_starts: &[NaiveDateTime], setup_started: &[DateTime<Utc>]) -> Option<i32> {
    let mut offsets: Vec<i32> = Vec::new();
    for start in run_starts {
        let best = setup_started
            .iter()
            .filter_map(|t| {
                let diff = (*start - t.naive_utc()).num_seconds();
                // Setup logs its first line a few seconds before the 1000 event.
                let quarter = ((diff as f64) / 900.0).round() as i64 * 900;
                let off_by = (diff - quarter).abs();
                (off_by <= 120 && quarter.abs() <= 14 * 3600).then_some((off_by, (quarter / 60) as i32))
            })
            .min();
        if let Some((_, offset)) = best {
            offsets.push(offset);
        }
    }
    offsets.dedup();
    match offsets.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// Converts the local times of a finding (setup-log evidence) to UTC.
pub fn localize(finding: &mut Finding, zone: &HostZone) {
    let convert = |t: &mut Timestamp| {
        if let Timestamp::Local(local) = *t {
            *t = Timestamp::Utc(zone.to_utc(local));
        }
    };
    for e in &mut finding.evidence {
        if let Some(t) = e.time.as_mut() {
            convert(t);
        }
    }
    if let Some(t) = finding.first_seen.as_mut() {
        convert(t);
    }
    if let Some(t) = finding.last_seen.as_mut() {
        convert(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2007, 11, 30)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[test]
    fn offset_inferred_from_the_setup_start_event() {
        let event = at(16, 12, 5).and_utc();
        assert_eq!(infer_from_setup_events(&[at(17, 12, 3)], &[event]), Some(60));
        assert_eq!(
            infer_from_setup_events(&[at(10, 42, 3)], &[at(16, 12, 5).and_utc()]),
            Some(-330)
        );
        // Not on a quarter hour: no inference.
        assert_eq!(infer_from_setup_events(&[at(17, 20, 3)], &[event]), None);
    }

    #[test]
    fn conversion_and_label() {
        let zone = HostZone {
            offset_minutes: -360,
            source: "test".into(),
        };
        assert_eq!(zone.to_utc(at(17, 0, 0)).to_rfc3339(), "2007-11-30T23:00:00+00:00");
        assert_eq!(zone.label(), "UTC-06:00 (test)");
    }
}
