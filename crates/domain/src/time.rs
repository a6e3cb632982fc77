//! Server time as stored in the ledger: microseconds since the Unix epoch, UTC.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A UTC instant with microsecond precision. Serialised as RFC 3339 (`…Z`), the form
/// people and other systems read; stored as microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map(Timestamp::from_datetime)
            .map_err(serde::de::Error::custom)
    }
}

impl Timestamp {
    pub fn from_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    pub fn as_micros(self) -> i64 {
        self.0
    }

    pub fn from_datetime(at: OffsetDateTime) -> Timestamp {
        let nanos = at.unix_timestamp_nanos() / 1_000;
        Timestamp(i64::try_from(nanos).unwrap_or(i64::MAX))
    }

    /// The calendar day (UTC) this instant falls on.
    pub fn date(self) -> crate::dates::PartialDate {
        crate::dates::PartialDate::from_date(
            self.datetime()
                .map_or(time::Date::MIN, OffsetDateTime::date),
        )
    }

    fn datetime(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000).ok()
    }

    /// RFC 3339 with a `Z` suffix, e.g. `2026-11-21T16:13:39.123456Z`.
    pub fn to_rfc3339(self) -> String {
        self.datetime()
            .and_then(|d| d.format(&Rfc3339).ok())
            .unwrap_or_else(|| format!("@{}us", self.0))
    }

    /// A compact form for pages: `2026-11-21 16:13:39 UTC`.
    pub fn to_display(self) -> String {
        match self.datetime() {
            Some(d) => format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                d.year(),
                u8::from(d.month()),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            None => self.to_rfc3339(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_utc() {
        let t = Timestamp(1_795_277_619_123_456);
        assert_eq!(t.to_rfc3339(), "2026-11-21T16:13:39.123456Z");
        assert_eq!(t.to_display(), "2026-11-21 16:13:39 UTC");
    }
}
