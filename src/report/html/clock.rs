//! Times as the HTML report writes them: UTC with `Z` (the axis of every picture), the
//! host's local time with its offset beside it when the host's zone is known, a local
//! time of an unknown zone said to be one, and lengths of time.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::model::{utc_offset, HostZone, Timestamp};

/// `2007-11-30 16:12:03Z`.
pub(super) fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// `2007-11-30 17:12:03`.
pub(super) fn wall(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2007-11-30 16:12:03Z (local 2007-11-30 17:12:03 UTC+01:00)`; without a zone the
/// UTC time alone.
pub(super) fn utc_and_local(t: DateTime<Utc>, zone: Option<&HostZone>) -> String {
    match zone {
        Some(zone) => {
            let (local, offset) = zone.to_local(t);
            format!("{} (local {} {})", utc(t), wall(local), utc_offset(offset))
        }
        None => utc(t),
    }
}

/// An event's time: UTC and local, or a local time of an unknown zone (a CSV export of
/// a host whose zone is not known; drawn as if it were UTC).
pub(super) fn event_time(t: DateTime<Utc>, local_time: bool, zone: Option<&HostZone>) -> String {
    if local_time {
        format!("{} (local, zone unknown; drawn as if UTC)", wall(t.naive_utc()))
    } else {
        utc_and_local(t, zone)
    }
}

/// A finding's or evidence's time as the report labels it, with the local time when the
/// host's zone is known.
pub(super) fn timestamp(t: &Timestamp, zone: Option<&HostZone>) -> String {
    match t {
        Timestamp::Utc(t) => utc_and_local(*t, zone),
        Timestamp::Local(t) => format!("{} (local, zone unknown)", wall(*t)),
    }
}

/// `45 s`, `26 min`, `3 h 5 min`, `4 d 2 h`.
pub(super) fn length(d: Duration) -> String {
    let seconds = d.num_seconds().max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_say_what_they_are() {
        let t = Utc
            .with_ymd_and_hms(2007, 11, 30, 16, 12, 3)
            .single()
            .unwrap_or_default();
        let zone = HostZone {
            offset_minutes: 60,
            source: "test".into(),
            daylight: None,
        };
        assert_eq!(
            utc_and_local(t, Some(&zone)),
            "2007-11-30 16:12:03Z (local 2007-11-30 17:12:03 UTC+01:00)"
        );
        assert_eq!(utc_and_local(t, None), "2007-11-30 16:12:03Z");
        assert_eq!(
            event_time(t, true, Some(&zone)),
            "2007-11-30 16:12:03 (local, zone unknown; drawn as if UTC)"
        );
        assert_eq!(
            timestamp(&Timestamp::Local(t.naive_utc()), None),
            "2007-11-30 16:12:03 (local, zone unknown)"
        );
        assert_eq!(length(Duration::seconds(45)), "45 s");
        assert_eq!(length(Duration::minutes(26)), "26 min");
        assert_eq!(length(Duration::minutes(185)), "3 h 5 min");
        assert_eq!(length(Duration::hours(98)), "4 d 2 h");
        assert_eq!(length(Duration::days(3)), "3 d");
    }
}
