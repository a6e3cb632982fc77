//! Reporting periods: a month (`2026-03`), a quarter (`2026-Q1`) or a year (`2026`).
//! Months are counted as one integer (`year * 12 + month - 1`) so that a period is a
//! range of month indexes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dates::PartialDate;
use crate::error::FieldError;

/// How long a period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Month,
    Quarter,
    Year,
}

impl Granularity {
    pub fn parse(field: &str, raw: &str) -> Result<Granularity, FieldError> {
        match raw.trim().to_lowercase().as_str() {
            "month" => Ok(Granularity::Month),
            "quarter" => Ok(Granularity::Quarter),
            "year" => Ok(Granularity::Year),
            _ => Err(FieldError::new(field, "must be month, quarter or year")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }

    fn months(self) -> i32 {
        match self {
            Granularity::Month => 1,
            Granularity::Quarter => 3,
            Granularity::Year => 12,
        }
    }
}

/// A month as one number: `year * 12 + (month - 1)`.
pub type MonthIndex = i32;

pub fn month_index(date: PartialDate) -> MonthIndex {
    date.year() * 12 + i32::from(date.month()) - 1
}

/// One reporting period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The first month of the period.
    pub first: MonthIndex,
    pub granularity: Granularity,
}

impl Period {
    /// The period of `granularity` that holds month `m`.
    pub fn of(m: MonthIndex, granularity: Granularity) -> Period {
        let n = granularity.months();
        Period {
            first: m - m.rem_euclid(n),
            granularity,
        }
    }

    pub fn last(self) -> MonthIndex {
        self.first + self.granularity.months() - 1
    }

    pub fn contains(self, m: MonthIndex) -> bool {
        (self.first..=self.last()).contains(&m)
    }

    pub fn next(self) -> Period {
        Period {
            first: self.first + self.granularity.months(),
            granularity: self.granularity,
        }
    }

    pub fn previous(self) -> Period {
        Period {
            first: self.first - self.granularity.months(),
            granularity: self.granularity,
        }
    }

    /// `count` periods ending with the one that holds month `last`, oldest first.
    pub fn ending(last: MonthIndex, granularity: Granularity, count: usize) -> Vec<Period> {
        let mut p = Period::of(last, granularity);
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(p);
            p = p.previous();
        }
        out.reverse();
        out
    }

    /// Parses `2026-03`, `2026-Q1` or `2026`.
    pub fn parse(field: &str, raw: &str) -> Result<Period, FieldError> {
        let text = raw.trim().to_uppercase();
        let bad = || {
            FieldError::new(
                field,
                format!("'{text}' is not a period; write 2026-03, 2026-Q1 or 2026"),
            )
        };
        let year = |y: &str| -> Result<i32, FieldError> {
            let y: i32 = y.parse().map_err(|_| bad())?;
            if (1900..=2999).contains(&y) {
                Ok(y)
            } else {
                Err(bad())
            }
        };
        match text.split_once('-') {
            None => Ok(Period {
                first: year(&text)? * 12,
                granularity: Granularity::Year,
            }),
            Some((y, q)) if q.starts_with('Q') => {
                let q: i32 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                Ok(Period {
                    first: year(y)? * 12 + (q - 1) * 3,
                    granularity: Granularity::Quarter,
                })
            }
            Some((y, m)) => {
                let m: i32 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&m) || text.len() != 7 {
                    return Err(bad());
                }
                Ok(Period {
                    first: year(y)? * 12 + m - 1,
                    granularity: Granularity::Month,
                })
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.first.div_euclid(12);
        let month = self.first.rem_euclid(12) + 1;
        match self.granularity {
            Granularity::Month => write!(f, "{year:04}-{month:02}"),
            Granularity::Quarter => write!(f, "{year:04}-Q{}", (month - 1) / 3 + 1),
            Granularity::Year => write!(f, "{year:04}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse("period", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_print_and_hold_their_months() {
        for text in ["2026-03", "2026-Q1", "2026-Q4", "2026"] {
            assert_eq!(Period::parse("p", text).unwrap().to_string(), text);
        }
        let q1 = Period::parse("p", "2026-Q1").unwrap();
        let march = Period::parse("p", "2026-03").unwrap();
        assert!(q1.contains(march.first));
        assert!(!q1.contains(march.first + 1));
        assert_eq!(
            Period::of(march.first, Granularity::Year).to_string(),
            "2026"
        );
        assert_eq!(q1.next().to_string(), "2026-Q2");
        assert_eq!(
            Period::parse("p", "2025-Q4").unwrap().next().to_string(),
            "2026-Q1"
        );
        assert!(Period::parse("p", "2026-13").is_err());
        assert!(Period::parse("p", "2026-Q5").is_err());
        let three: Vec<String> = Period::ending(march.first, Granularity::Month, 3)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(three, ["2026-01", "2026-02", "2026-03"]);
    }
}
