//! Calendar dates of the shop floor and the tracker. A CMO often reports only the month
//! a batch started; [`PartialDate`] keeps that precision instead of inventing a day.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::error::FieldError;

/// A calendar date, `YYYY-MM-DD`, or only a month, `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    year: i32,
    month: u8,
    /// `None` when only the month is known.
    day: Option<u8>,
}

impl PartialDate {
    pub fn parse(field: &str, raw: &str) -> Result<PartialDate, FieldError> {
        let text = raw.trim();
        let bad = || {
            FieldError::new(
                field,
                format!(
                    "'{text}' is not a date; write YYYY-MM-DD, or YYYY-MM when only the month is known"
                ),
            )
        };
        let mut parts = text.split('-');
        let (Some(y), Some(m)) = (parts.next(), parts.next()) else {
            return Err(bad());
        };
        let d = parts.next();
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.is_some_and(|d| d.len() != 2)
        {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day = d.map(|d| d.parse::<u8>()).transpose().map_err(|_| bad())?;
        PartialDate::new(year, month, day).ok_or_else(bad)
    }

    /// A date that exists in the calendar (years 1900–2999), or `None`.
    pub fn new(year: i32, month: u8, day: Option<u8>) -> Option<PartialDate> {
        if !(1900..=2999).contains(&year) {
            return None;
        }
        let m = Month::try_from(month).ok()?;
        if let Some(d) = day {
            Date::from_calendar_date(year, m, d).ok()?;
        }
        Some(PartialDate { year, month, day })
    }

    pub fn from_date(date: Date) -> PartialDate {
        PartialDate {
            year: date.year(),
            month: u8::from(date.month()),
            day: Some(date.day()),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> Option<u8> {
        self.day
    }

    /// The first day this date can mean (the 1st, for a month).
    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.month).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, self.day.unwrap_or(1)).unwrap_or(Date::MIN)
    }

    /// The last day this date can mean (the month's last, for a month): an expiry
    /// of `2027-03` holds until 31 March 2027.
    pub fn last_day(self) -> PartialDate {
        match self.day {
            Some(_) => self,
            None => {
                let month = Month::try_from(self.month).unwrap_or(Month::January);
                let day = time::util::days_in_month(month, self.year);
                PartialDate {
                    day: Some(day),
                    ..self
                }
            }
        }
    }

    /// Days from `self` to `later`, counted from first days; negative when `later` is
    /// earlier.
    pub fn days_until(self, later: PartialDate) -> i64 {
        (later.first_day() - self.first_day()).whole_days()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.day {
            Some(day) => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, day),
            None => write!(f, "{:04}-{:02}", self.year, self.month),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PartialDate, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse("date", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_keeps_the_precision_it_was_given() {
        assert_eq!(
            PartialDate::parse("d", "2018-11").unwrap().to_string(),
            "2018-11"
        );
        assert_eq!(
            PartialDate::parse("d", " 2020-02-29 ").unwrap().to_string(),
            "2020-02-29"
        );
        assert!(PartialDate::parse("d", "2019-02-29").is_err());
        assert!(PartialDate::parse("d", "2019-13").is_err());
        assert!(PartialDate::parse("d", "18-11-01").is_err());
        let error = PartialDate::parse("planned_start", "soon").unwrap_err();
        assert_eq!(error.field, "planned_start");
        assert!(error.reason.contains("YYYY-MM-DD"), "{}", error.reason);
    }

    #[test]
    fn days_are_counted_from_the_first_day_a_date_can_mean() {
        let nov = PartialDate::parse("d", "2018-11").unwrap();
        let dec3 = PartialDate::parse("d", "2018-12-03").unwrap();
        assert_eq!(nov.days_until(dec3), 32);
        assert_eq!(dec3.days_until(nov), -32);
    }
}
