//! Exchange build numbers (`08.01.0240.006`, `8.1.240.6`, `15.1.2106.2`): parsing,
//! numeric comparison and names (RTM, SP1 RU4 ...) from the reference table.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An Exchange build `major.minor.build.revision`, compared numerically part by part
/// (`08.01.0240.006 == 8.1.240.6`). Missing trailing parts are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Build {
    /// 8 = Exchange 2007, 14 = 2010, 15 = 2013 and later.
    pub major: u32,
    /// Service pack (2007/2010) or product (15.0 = 2013, 15.1 = 2016, 15.2 = 2019).
    pub minor: u32,
    /// Build number.
    pub build: u32,
    /// Revision.
    pub revision: u32,
}

/// Why a build string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildParseError(pub String);

impl fmt::Display for BuildParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an Exchange build number: '{}'", self.0)
    }
}

impl std::error::Error for BuildParseError {}

impl FromStr for Build {
    type Err = BuildParseError;

    /// Two to four dot-separated decimal parts, leading zeros allowed; surrounding
    /// blanks and a trailing `.` (as in `Setup version: 15.1.2106.2.`) are ignored.
    fn from_str(s: &str) -> Result<Build, BuildParseError> {
        let err = || BuildParseError(s.to_string());
        let text = s.trim();
        let text = text.strip_suffix('.').unwrap_or(text);
        let mut parts = [0u32; 4];
        let mut count = 0;
        for part in text.split('.') {
            let slot = parts.get_mut(count).ok_or_else(err)?;
            if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            *slot = part.parse().map_err(|_| err())?;
            count += 1;
        }
        if count < 2 {
            return Err(err());
        }
        Ok(Build {
            major: parts[0],
            minor: parts[1],
            build: parts[2],
            revision: parts[3],
        })
    }
}

impl fmt::Display for Build {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}.{}", self.major, self.minor, self.build, self.revision)
    }
}

/// Serialized as `"8.1.240.6"`.
impl Serialize for Build {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read back from `"8.1.240.6"`.
impl<'de> Deserialize<'de> for Build {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

const fn b(major: u32, minor: u32, build: u32, revision: u32) -> Build {
    Build {
        major,
        minor,
        build,
        revision,
    }
}

/// Known Exchange 2007 levels (KNOWLEDGE.md section 3), ascending.
const EXCHANGE_2007: &[(Build, &str)] = &[
    (b(8, 0, 685, 24), "RTM"),
    (b(8, 0, 685, 25), "RTM"),
    (b(8, 0, 708, 3), "RTM RU1"),
    (b(8, 0, 711, 2), "RTM RU2"),
    (b(8, 0, 730, 1), "RTM RU3"),
    (b(8, 0, 744, 0), "RTM RU4"),
    (b(8, 0, 754, 0), "RTM RU5"),
    (b(8, 0, 783, 2), "RTM RU6"),
    (b(8, 0, 813, 0), "RTM RU7"),
    (b(8, 1, 240, 6), "SP1"),
    (b(8, 1, 263, 1), "SP1 RU1"),
    (b(8, 1, 278, 2), "SP1 RU2"),
    (b(8, 1, 291, 2), "SP1 RU3"),
    (b(8, 1, 311, 3), "SP1 RU4"),
    (b(8, 1, 336, 1), "SP1 RU5"),
    (b(8, 1, 340, 1), "SP1 RU6"),
    (b(8, 1, 359, 2), "SP1 RU7"),
    (b(8, 1, 375, 2), "SP1 RU8"),
    (b(8, 1, 393, 1), "SP1 RU9"),
    (b(8, 1, 436, 0), "SP1 RU10"),
    (b(8, 2, 176, 2), "SP2"),
    (b(8, 2, 305, 3), "SP2 RU5"),
    (b(8, 3, 83, 6), "SP3"),
    (b(8, 3, 517, 0), "SP3 RU23"),
];

impl Build {
    /// The product line: "Exchange 2007", "Exchange 2010", "Exchange 2013"...
    pub fn product(&self) -> Option<&'static str> {
        match (self.major, self.minor) {
            (8, _) => Some("Exchange 2007"),
            (14, _) => Some("Exchange 2010"),
            (15, 0) => Some("Exchange 2013"),
            (15, 1) => Some("Exchange 2016"),
            (15, 2) => Some("Exchange 2019"),
            _ => None,
        }
    }

    /// The update level of an Exchange 2007 build: the exact name when the build is in
    /// the table ("SP1", "SP1 RU4"), else the nearest lower known level with a note
    /// ("SP3 (later rollup)", "SP1 RU3 (later build)"); `None` for other products and
    /// builds below RTM.
    pub fn level(&self) -> Option<String> {
        if self.major != 8 {
            return None;
        }
        let (known, name) = EXCHANGE_2007.iter().rev().find(|(known, _)| known <= self)?;
        Some(match known.cmp(self) {
            Ordering::Equal => (*name).to_string(),
            _ if name.contains(" RU") => format!("{name} (later build)"),
            _ if known.minor == self.minor => format!("{name} (later rollup)"),
            _ => format!("{name} (later build)"),
        })
    }

    /// Product and level, e.g. "Exchange 2007 SP1", or the product alone, or `None`.
    pub fn name(&self) -> Option<String> {
        let product = self.product()?;
        Some(match self.level() {
            Some(level) => format!("{product} {level}"),
            None => product.to_string(),
        })
    }

    /// The Watson/setup-log form `08.01.0240.006`.
    pub fn padded(&self) -> String {
        format!(
            "{:02}.{:02}.{:04}.{:03}",
            self.major, self.minor, self.build, self.revision
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Build {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_all_spellings() {
        assert_eq!(parse("08.01.0240.006"), parse("8.1.240.6"));
        assert_eq!(parse("08.01.0240.006"), b(8, 1, 240, 6));
        assert_eq!(parse("15.1.2106.2"), b(15, 1, 2106, 2));
        assert_eq!(parse(" 15.1.2106.2. "), b(15, 1, 2106, 2));
        assert_eq!(parse("8.1"), b(8, 1, 0, 0));
        for bad in ["", "8", "8..1", "a.b.c.d", "8.1.240.6.1", "8.1.-2.0", "99999999999.1"] {
            assert!(bad.parse::<Build>().is_err(), "{bad}");
        }
    }

    #[test]
    fn compares_numerically_not_as_text() {
        assert!(parse("8.1.240.6") > parse("8.0.685.25"));
        assert!(parse("8.1.1000.0") > parse("8.1.240.6"));
        assert!(parse("8.0.685.25") > parse("8.0.685.24"));
        assert!(parse("15.1.2106.2") > parse("8.3.517.0"));
        assert_eq!(parse("8.1.240.6").cmp(&parse("08.01.0240.006")), Ordering::Equal);
    }

    #[test]
    fn names_known_and_unknown_builds() {
        assert_eq!(parse("8.0.685.25").level().as_deref(), Some("RTM"));
        assert_eq!(parse("8.0.685.24").level().as_deref(), Some("RTM"));
        assert_eq!(parse("8.0.708.3").level().as_deref(), Some("RTM RU1"));
        assert_eq!(parse("08.01.0240.006").level().as_deref(), Some("SP1"));
        assert_eq!(parse("8.1.311.3").level().as_deref(), Some("SP1 RU4"));
        assert_eq!(parse("8.1.436.0").level().as_deref(), Some("SP1 RU10"));
        assert_eq!(parse("8.2.176.2").level().as_deref(), Some("SP2"));
        assert_eq!(parse("8.3.83.6").level().as_deref(), Some("SP3"));
        assert_eq!(parse("8.3.245.2").level().as_deref(), Some("SP3 (later rollup)"));
        assert_eq!(parse("8.2.234.1").level().as_deref(), Some("SP2 (later rollup)"));
        assert_eq!(parse("8.1.300.0").level().as_deref(), Some("SP1 RU3 (later build)"));
        assert_eq!(parse("8.3.600.0").level().as_deref(), Some("SP3 RU23 (later build)"));
        assert_eq!(parse("8.4.10.0").level().as_deref(), Some("SP3 RU23 (later build)"));
        assert_eq!(parse("8.0.600.0").level(), None);
        assert_eq!(parse("8.1.240.6").name().as_deref(), Some("Exchange 2007 SP1"));
        assert_eq!(parse("15.1.2106.2").name().as_deref(), Some("Exchange 2016"));
        assert_eq!(parse("16.0.1.0").name(), None);
        assert_eq!(parse("8.1.240.6").padded(), "08.01.0240.006");
        assert_eq!(parse("8.1.240.6").to_string(), "8.1.240.6");
        assert_eq!(
            serde_json::to_string(&parse("8.1.240.6")).unwrap_or_default(),
            "\"8.1.240.6\""
        );
    }
}
