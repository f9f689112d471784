//! Calendar dates as days since 1970-01-01 (proleptic Gregorian), enough to turn "wait 3
//! days from an injury 1 day ago" into a date. Small and exact, so no date crate is needed.
//! Owns date arithmetic only; knows nothing of rules or answers.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date {
            days: secs.div_euclid(86_400),
        }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date {
            days: self.days.saturating_add(days),
        }
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a date; expected YYYY-MM-DD between 1900-01-01 and 9899-12-31, e.g. 2026-11-21"
)]
pub struct DateError(String);

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        let err = || DateError(s.to_string());
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let year: i64 = y.parse().map_err(|_| err())?;
        // Waits are at most ten years, so every date worked out stays a four-digit year
        // (a `date` in the JSON Schema, and a valid `--today`).
        if !(1900..=9899).contains(&year) {
            return Err(err());
        }
        let month: u32 = m.parse().map_err(|_| err())?;
        let day: u32 = d.parse().map_err(|_| err())?;
        Date::from_ymd(year, month, day).ok_or_else(err)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-21", "2100-12-31"] {
            assert_eq!(s.parse::<Date>().map(|d| d.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "21-11-2026",
            "2026-11-21x",
            "",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn adds_days_across_months_and_years() {
        let d: Date = "2026-12-30".parse().expect("valid date");
        assert_eq!(d.add_days(3).to_string(), "2027-01-02");
        let d: Date = "2024-02-28".parse().expect("valid date");
        assert_eq!(d.add_days(1).to_string(), "2024-02-29");
        assert_eq!(
            Date::from_ymd(1970, 1, 1).map(|d| d.add_days(0).days),
            Some(0)
        );
    }
}
