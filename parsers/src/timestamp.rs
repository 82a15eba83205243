//! ExchangeSetup.log timestamps in every culture format seen from Exchange 2007 to
//! Subscription Edition, parsed without knowing the day/month order; the order is
//! decided per file afterwards ([`OrderEvidence`]) and applied with [`RawTimestamp::resolve`].
//!
//! Forms: `03/11/2021 15:43:05.0713`, `11.14.2022 17:13:40.0371`, `01-27-2021 19:20:41.0944`
//! (2010+, month first, fraction), `30.11.2007 17:35:15`, `28-09-2008 18:32:12` (2007,
//! day first), `11/30/2007 5:35:15 PM` (12-hour), `2008-01-14 09:12:33` (year first).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// A timestamp as written, before the day/month order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RawTimestamp {
    /// First date field as written (a day or a month; the year when `year_first`).
    pub first: u16,
    /// Second date field as written.
    pub second: u16,
    /// Third date field as written (the year, or the day when `year_first`).
    pub third: u16,
    /// `yyyy-MM-dd` layout.
    pub year_first: bool,
    /// Date separator: `/`, `.` or `-`.
    pub separator: u8,
    /// Seconds since midnight, 12-hour clock already applied.
    pub seconds_of_day: u32,
    /// Fraction of a second in 100 ns ticks (0 when absent).
    pub ticks: u32,
    /// Whether a fractional part was written.
    pub has_fraction: bool,
    /// Whether an AM/PM designator was written.
    pub twelve_hour: bool,
}

/// Order of the day and month fields in a file's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `MM/dd/yyyy` (2010+ logs, en-US).
    MonthFirst,
    /// `dd.MM.yyyy`, `dd-MM-yyyy` (2007 logs in most cultures).
    DayFirst,
}

/// Why a file's [`DateOrder`] was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderReason {
    /// A first field greater than 12 was seen (it can only be a day).
    FirstFieldAbove12,
    /// A second field greater than 12 was seen (it can only be a day).
    SecondFieldAbove12,
    /// Both orders are possible; this one keeps time (more) monotonic.
    Monotonic,
    /// Both orders keep time monotonic; this one makes the smaller jumps when the date
    /// changes between consecutive records (a midnight rollover is one day, not a month).
    Continuity,
    /// Dates were ambiguous; fractional seconds mean a 2010+ log, which is month first.
    FractionStyle,
    /// Dates were ambiguous; the separator's usual culture decided (`/` month first).
    SeparatorStyle,
    /// Only year-first dates, or no dates at all: the order does not matter.
    NotNeeded,
    /// Both a first and a second field above 12 were seen: the file mixes cultures;
    /// the order with more such evidence was taken.
    Conflicting,
}

/// Parses the text between the brackets of a setup-log line: `<date> <time>[.frac][ AM|PM]`.
#[inline]
pub fn parse_raw(s: &[u8]) -> Option<RawTimestamp> {
    parse_fixed(s).or_else(|| parse_general(s))
}

/// Two ASCII digits at `s[i..i + 2]` as a number; `None` if not digits.
#[inline(always)]
fn two(s: &[u8], i: usize) -> Option<u32> {
    let (a, b) = (s[i].wrapping_sub(b'0'), s[i + 1].wrapping_sub(b'0'));
    (a < 10 && b < 10).then_some(u32::from(a) * 10 + u32::from(b))
}

/// Fast path for the fixed-width layouts of almost every line:
/// `MM/dd/yyyy HH:mm:ss.ffff` (24 bytes, 2010+) and `dd.MM.yyyy HH:mm:ss` (19 bytes).
#[inline(always)]
fn parse_fixed(s: &[u8]) -> Option<RawTimestamp> {
    if !(s.len() == 24 || s.len() == 19) {
        return None;
    }
    let sep = s[2];
    if !matches!(sep, b'/' | b'.' | b'-') || s[5] != sep || s[10] != b' ' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let (first, second) = (two(s, 0)?, two(s, 3)?);
    let year = two(s, 6)? * 100 + two(s, 8)?;
    let (hour, minute, sec) = (two(s, 11)?, two(s, 14)?, two(s, 17)?);
    if hour > 23 || minute > 59 || sec > 60 {
        return None;
    }
    let (ticks, has_fraction) = if s.len() == 24 {
        if s[19] != b'.' {
            return None;
        }
        (two(s, 20)? * 100 + two(s, 22)?, true)
    } else {
        (0, false)
    };
    Some(RawTimestamp {
        first: first as u16,
        second: second as u16,
        third: year as u16,
        year_first: false,
        separator: sep,
        seconds_of_day: hour * 3600 + minute * 60 + sec.min(59),
        ticks: ticks * 1000,
        has_fraction,
        twelve_hour: false,
    })
}

/// Any accepted layout, field by field.
fn parse_general(s: &[u8]) -> Option<RawTimestamp> {
    let mut p = Cursor { s, i: 0 };
    let (a, a_len) = p.number(4)?;
    let separator = p.byte()?;
    if !matches!(separator, b'/' | b'.' | b'-') {
        return None;
    }
    let (b, _) = p.number(2)?;
    p.expect(separator)?;
    let (c, c_len) = p.number(4)?;
    let year_first = a_len == 4;
    if !year_first && c_len != 4 && c_len != 2 {
        return None;
    }
    let c = if !year_first && c_len == 2 { c + 2000 } else { c };
    // Some cultures end the date with a dot (`30.11.2007.`) or use two spaces.
    if p.peek() == Some(b'.') {
        p.i += 1;
    }
    p.expect(b' ')?;
    while p.peek() == Some(b' ') {
        p.i += 1;
    }
    let (hour, _) = p.number(2)?;
    p.expect(b':')?;
    let (minute, _) = p.number(2)?;
    p.expect(b':')?;
    let (second, _) = p.number(2)?;
    let mut ticks = 0u32;
    let mut has_fraction = false;
    if matches!(p.peek(), Some(b'.') | Some(b',')) {
        p.i += 1;
        let (frac, digits) = p.number(9)?;
        has_fraction = true;
        ticks = scale_fraction(frac, digits);
    }
    let mut hour = hour;
    let mut twelve_hour = false;
    if p.peek() == Some(b' ') {
        let rest = &s[p.i + 1..];
        let pm = rest.eq_ignore_ascii_case(b"PM") || rest.eq_ignore_ascii_case(b"P.M.");
        let am = rest.eq_ignore_ascii_case(b"AM") || rest.eq_ignore_ascii_case(b"A.M.");
        if !(pm || am) || !(1..=12).contains(&hour) {
            return None;
        }
        twelve_hour = true;
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
        p.i = s.len();
    }
    if p.i != s.len() || hour > 23 || minute > 59 || second > 60 || a > 9999 || b > 99 || c > 9999 {
        return None;
    }
    Some(RawTimestamp {
        first: a as u16,
        second: b as u16,
        third: c as u16,
        year_first,
        separator,
        seconds_of_day: hour * 3600 + minute * 60 + second.min(59),
        ticks,
        has_fraction,
        twelve_hour,
    })
}

/// Scales a fraction of `digits` decimal digits to 100 ns ticks.
fn scale_fraction(value: u32, digits: usize) -> u32 {
    match digits {
        0 => 0,
        1..=7 => value * 10u32.pow(7 - digits as u32),
        _ => value / 10u32.pow(digits as u32 - 7),
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.byte()? == want).then_some(())
    }

    /// One to `max` (<= 9) decimal digits; returns the value and the digit count.
    fn number(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut value: u32 = 0;
        while self.i - start < max {
            match self.s.get(self.i) {
                Some(d) if d.is_ascii_digit() => {
                    value = value * 10 + u32::from(d - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        let len = self.i - start;
        (len > 0).then_some((value, len))
    }
}

impl RawTimestamp {
    /// (year, month, day) under `order`.
    pub fn ymd(&self, order: DateOrder) -> (i32, u32, u32) {
        if self.year_first {
            return (i32::from(self.first), u32::from(self.second), u32::from(self.third));
        }
        let (month, day) = match order {
            DateOrder::MonthFirst => (self.first, self.second),
            DateOrder::DayFirst => (self.second, self.first),
        };
        (i32::from(self.third), u32::from(month), u32::from(day))
    }

    /// The local date and time under `order`; `None` when that order gives no valid date.
    pub fn resolve(&self, order: DateOrder) -> Option<NaiveDateTime> {
        let (y, m, d) = self.ymd(order);
        let date = NaiveDate::from_ymd_opt(y, m, d)?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(self.seconds_of_day, self.ticks * 100)?;
        Some(NaiveDateTime::new(date, time))
    }

    /// Seconds since 0001-01-01 under `order` (for differences); `None` for an invalid date.
    pub fn epoch_seconds(&self, order: DateOrder) -> Option<i64> {
        let (y, m, d) = self.ymd(order);
        let days = NaiveDate::from_ymd_opt(y, m, d)?
            .signed_duration_since(NaiveDate::MIN)
            .num_days();
        Some(days * 86_400 + i64::from(self.seconds_of_day))
    }

    /// Whether the date fields (not the time) equal those of `other`.
    pub fn same_date(&self, other: &RawTimestamp) -> bool {
        self.first == other.first && self.second == other.second && self.third == other.third
    }
}

/// Evidence about the day/month order collected while scanning a file.
#[derive(Debug, Clone, Default)]
pub struct OrderEvidence {
    first_above_12: u64,
    second_above_12: u64,
    backward_month_first: u64,
    backward_day_first: u64,
    jump_days_month_first: u64,
    jump_days_day_first: u64,
    with_fraction: u64,
    without_fraction: u64,
    slash: u64,
    other_separator: u64,
    ambiguous_seen: bool,
    previous: Option<RawTimestamp>,
}

impl OrderEvidence {
    /// Adds one timestamp, in file order.
    #[inline]
    pub fn add(&mut self, ts: &RawTimestamp) {
        if ts.has_fraction {
            self.with_fraction += 1;
        } else {
            self.without_fraction += 1;
        }
        if ts.year_first {
            self.previous = Some(*ts);
            return;
        }
        if let Some(prev) = self.previous {
            if prev.same_date(ts) {
                return;
            }
            if !prev.year_first {
                // The date changed: compare under both orders (rare, so exact).
                let jump = |order| match (prev.epoch_seconds(order), ts.epoch_seconds(order)) {
                    (Some(a), Some(b)) => Some((b - a).div_euclid(86_400)),
                    _ => None,
                };
                if let Some(days) = jump(DateOrder::MonthFirst) {
                    self.backward_month_first += u64::from(days < 0);
                    self.jump_days_month_first += days.unsigned_abs();
                }
                if let Some(days) = jump(DateOrder::DayFirst) {
                    self.backward_day_first += u64::from(days < 0);
                    self.jump_days_day_first += days.unsigned_abs();
                }
            }
        }
        self.ambiguous_seen = true;
        if ts.first > 12 {
            self.first_above_12 += 1;
        }
        if ts.second > 12 {
            self.second_above_12 += 1;
        }
        if ts.separator == b'/' {
            self.slash += 1;
        } else {
            self.other_separator += 1;
        }
        self.previous = Some(*ts);
    }

    /// The order to use for the file and why.
    pub fn decide(&self) -> (DateOrder, OrderReason) {
        match (self.first_above_12 > 0, self.second_above_12 > 0) {
            (true, false) => return (DateOrder::DayFirst, OrderReason::FirstFieldAbove12),
            (false, true) => return (DateOrder::MonthFirst, OrderReason::SecondFieldAbove12),
            (true, true) => {
                let order = if self.first_above_12 > self.second_above_12 {
                    DateOrder::DayFirst
                } else {
                    DateOrder::MonthFirst
                };
                return (order, OrderReason::Conflicting);
            }
            (false, false) => {}
        }
        if !self.ambiguous_seen {
            return (DateOrder::MonthFirst, OrderReason::NotNeeded);
        }
        if self.backward_month_first != self.backward_day_first {
            let order = if self.backward_month_first < self.backward_day_first {
                DateOrder::MonthFirst
            } else {
                DateOrder::DayFirst
            };
            return (order, OrderReason::Monotonic);
        }
        if self.jump_days_month_first != self.jump_days_day_first {
            let order = if self.jump_days_month_first < self.jump_days_day_first {
                DateOrder::MonthFirst
            } else {
                DateOrder::DayFirst
            };
            return (order, OrderReason::Continuity);
        }
        if self.with_fraction > self.without_fraction {
            return (DateOrder::MonthFirst, OrderReason::FractionStyle);
        }
        if self.slash >= self.other_separator {
            (DateOrder::MonthFirst, OrderReason::SeparatorStyle)
        } else {
            (DateOrder::DayFirst, OrderReason::SeparatorStyle)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> RawTimestamp {
        parse_raw(s.as_bytes()).unwrap_or_else(|| panic!("parses: {s}"))
    }

    fn at(s: &str, order: DateOrder) -> String {
        raw(s)
            .resolve(order)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S%.f").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn modern_month_first_with_fraction_and_any_separator() {
        assert_eq!(
            at("03/11/2021 15:43:05.0713", DateOrder::MonthFirst),
            "2021-03-11 15:43:05.071300"
        );
        assert_eq!(
            at("11.14.2022 17:13:40.0371", DateOrder::MonthFirst),
            "2022-11-14 17:13:40.037100"
        );
        assert_eq!(
            at("01-27-2021 19:20:41.0944", DateOrder::MonthFirst),
            "2021-01-27 19:20:41.094400"
        );
        assert!(raw("03/11/2021 15:43:05.0713").has_fraction);
    }

    #[test]
    fn legacy_culture_forms_without_fraction() {
        assert_eq!(at("30.11.2007 17:35:15", DateOrder::DayFirst), "2007-11-30 17:35:15");
        assert_eq!(at("28-09-2008 18:32:12", DateOrder::DayFirst), "2008-09-28 18:32:12");
        assert_eq!(at("2008-01-14 09:12:33", DateOrder::DayFirst), "2008-01-14 09:12:33");
        assert_eq!(at("2008-01-14 09:12:33", DateOrder::MonthFirst), "2008-01-14 09:12:33");
        assert_eq!(at("30.11.07 17:35:15", DateOrder::DayFirst), "2007-11-30 17:35:15");
        assert!(!raw("30.11.2007 17:35:15").has_fraction);
    }

    #[test]
    fn twelve_hour_clock() {
        assert_eq!(
            at("11/30/2007 5:35:15 PM", DateOrder::MonthFirst),
            "2007-11-30 17:35:15"
        );
        assert_eq!(at("1/14/2008 9:12:33 AM", DateOrder::MonthFirst), "2008-01-14 09:12:33");
        assert_eq!(
            at("1/14/2008 12:00:01 AM", DateOrder::MonthFirst),
            "2008-01-14 00:00:01"
        );
        assert_eq!(
            at("1/14/2008 12:30:00 PM", DateOrder::MonthFirst),
            "2008-01-14 12:30:00"
        );
        assert!(raw("1/14/2008 12:30:00 pm").twelve_hour);
        assert_eq!(parse_raw(b"1/14/2008 13:30:00 PM"), None);
    }

    #[test]
    fn fast_path_agrees_with_the_general_parser() {
        for s in [
            "03/11/2021 15:43:05.0713",
            "30.11.2007 17:35:15",
            "28-09-2008 18:32:12",
            "12/31/1999 23:59:59.9999",
        ] {
            assert_eq!(parse_fixed(s.as_bytes()), parse_general(s.as_bytes()), "{s}");
            assert!(parse_fixed(s.as_bytes()).is_some(), "{s}");
        }
        for s in [
            "03/11/2021 15:43:05,0713",
            "3/11/2021 15:43:05.0713",
            "03/11/2021 25:43:05.0713",
            "0a/11/2021 15:43:05.0713",
        ] {
            assert_eq!(parse_fixed(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "12/19/2020",
            "12/19/2020 04:47",
            "12:19:2020 04:47:15",
            "x2/19/2020 04:47:15",
            "12/19/2020 24:00:00",
            "12/19/2020 04:47:15 XM",
            "12/19/2020 04:47:15.0307 trailing",
            "12/19/20201 04:47:15",
        ] {
            assert_eq!(parse_raw(bad.as_bytes()), None, "{bad}");
        }
        // Valid syntax but impossible under one order.
        assert_eq!(raw("30.11.2007 17:35:15").resolve(DateOrder::MonthFirst), None);
    }

    fn decide(stamps: &[&str]) -> (DateOrder, OrderReason) {
        let mut ev = OrderEvidence::default();
        for s in stamps {
            ev.add(&raw(s));
        }
        ev.decide()
    }

    #[test]
    fn order_from_a_field_above_12() {
        assert_eq!(
            decide(&["05.06.2008 10:00:00", "30.11.2007 17:35:15"]),
            (DateOrder::DayFirst, OrderReason::FirstFieldAbove12)
        );
        assert_eq!(
            decide(&["12/19/2020 04:47:15.0307"]),
            (DateOrder::MonthFirst, OrderReason::SecondFieldAbove12)
        );
    }

    #[test]
    fn ambiguous_dates_resolved_by_monotonic_time() {
        // 05/06/2008 -> 06/06/2008 across midnight: both orders move forward, but
        // day-first by one day (5 -> 6 June) and month-first by a month (6 May -> 6 June).
        assert_eq!(
            decide(&["05/06/2008 23:59:00", "06/06/2008 00:00:10"]),
            (DateOrder::DayFirst, OrderReason::Continuity)
        );
        assert_eq!(
            decide(&["06/04/2008 23:59:00.1", "06/05/2008 00:00:10.1"]),
            (DateOrder::MonthFirst, OrderReason::Continuity)
        );
        // ...but 06/05 -> 07/05 -> 01/06 only moves forward day-first (6 May .. 1 June).
        assert_eq!(
            decide(&["06/05/2008 23:59:00", "07/05/2008 00:00:10", "01/06/2008 00:00:10"]),
            (DateOrder::DayFirst, OrderReason::Monotonic)
        );
        assert_eq!(
            decide(&["05.06.2008 23:59:00.1234", "06.01.2008 00:00:10.1234"]),
            (DateOrder::MonthFirst, OrderReason::Monotonic)
        );
    }

    #[test]
    fn ambiguous_dates_resolved_by_style() {
        assert_eq!(
            decide(&["05.06.2008 10:00:00.1234"]),
            (DateOrder::MonthFirst, OrderReason::FractionStyle)
        );
        assert_eq!(
            decide(&["05.06.2008 10:00:00"]),
            (DateOrder::DayFirst, OrderReason::SeparatorStyle)
        );
        assert_eq!(
            decide(&["05/06/2008 10:00:00"]),
            (DateOrder::MonthFirst, OrderReason::SeparatorStyle)
        );
        assert_eq!(
            decide(&["2008-01-14 09:12:33"]),
            (DateOrder::MonthFirst, OrderReason::NotNeeded)
        );
    }

    #[test]
    fn epoch_seconds_give_differences() {
        let a = raw("30.11.2007 23:59:50")
            .epoch_seconds(DateOrder::DayFirst)
            .unwrap_or_default();
        let b = raw("01.12.2007 00:00:20")
            .epoch_seconds(DateOrder::DayFirst)
            .unwrap_or_default();
        assert_eq!(b - a, 30);
    }
}
