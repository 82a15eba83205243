//! `--since` / `--until`: a time window given as RFC 3339 or as a date.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::model::Timestamp;

/// One end of a window, as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// An instant (`2008-06-05T23:20:11Z`, `2008-06-05T23:20:11+02:00`).
    Instant(DateTime<Utc>),
    /// A whole day, UTC (`2008-06-05`): from its start for `--since`, through its end
    /// for `--until`.
    Date(NaiveDate),
}

impl std::str::FromStr for TimeBound {
    type Err = String;

    fn from_str(text: &str) -> Result<TimeBound, String> {
        let text = text.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeBound::Instant(t.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(TimeBound::Date)
            .map_err(|_| format!("'{text}' is neither an RFC 3339 time (2008-06-05T23:20:11Z) nor a date (2008-06-05)"))
    }
}

/// The findings or timeline entries to keep, by time. Times whose zone is unknown (a
/// setup log's local time) are compared as if they were UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeWindow {
    /// Nothing before this.
    pub since: Option<TimeBound>,
    /// Nothing after this.
    pub until: Option<TimeBound>,
}

impl TimeWindow {
    fn start(&self) -> Option<DateTime<Utc>> {
        self.since.map(|b| match b {
            TimeBound::Instant(t) => t,
            TimeBound::Date(d) => d.and_time(NaiveTime::MIN).and_utc(),
        })
    }

    fn end(&self) -> Option<DateTime<Utc>> {
        self.until.map(|b| match b {
            TimeBound::Instant(t) => t,
            TimeBound::Date(d) => {
                d.succ_opt()
                    .map_or(DateTime::<Utc>::MAX_UTC, |next| next.and_time(NaiveTime::MIN).and_utc())
                    - chrono::Duration::nanoseconds(1)
            }
        })
    }

    /// Whether the window is unbounded.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether `t` is in the window.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.overlaps(Some(t), Some(t))
    }

    /// Whether the span `first ..= last` touches the window; a span without any time
    /// (registry state, which is true now) always does.
    pub fn overlaps(&self, first: Option<Timestamp>, last: Option<Timestamp>) -> bool {
        let (Some(first), Some(last)) = (first.or(last), last.or(first)) else {
            return true;
        };
        let before_start = self.start().is_some_and(|s| last.sort_key() < s.naive_utc());
        let after_end = self.end().is_some_and(|e| first.sort_key() > e.naive_utc());
        !before_start && !after_end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::Local(chrono::NaiveDateTime::MIN))
    }

    #[test]
    fn dates_cover_whole_days_and_instants_are_exact() {
        let window = TimeWindow {
            since: "2008-06-05".parse().ok(),
            until: "2008-06-06".parse().ok(),
        };
        assert!(window.contains(utc("2008-06-05T00:00:00.000Z")));
        assert!(window.contains(utc("2008-06-06T23:59:59.999Z")));
        assert!(!window.contains(utc("2008-06-04T23:59:59.999Z")));
        assert!(!window.contains(utc("2008-06-07T00:00:00.000Z")));
        let since = TimeWindow {
            since: "2008-06-05T12:00:00+02:00".parse().ok(),
            until: None,
        };
        assert!(!since.contains(utc("2008-06-05T09:59:59.000Z")));
        assert!(since.contains(utc("2008-06-05T10:00:00.000Z")));
        // A span that straddles the start overlaps; no time at all is kept.
        assert!(since.overlaps(
            Some(utc("2008-06-01T00:00:00.000Z")),
            Some(utc("2008-06-05T11:00:00.000Z"))
        ));
        assert!(since.overlaps(None, None));
        assert!("yesterday".parse::<TimeBound>().is_err());
    }
}
