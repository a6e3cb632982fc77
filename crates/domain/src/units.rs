//! Units of measure and quantities. A quantity is stored in the unit it was entered
//! in; conversions exist only within one dimension (mass, volume, count).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// What a unit measures; quantities convert only within one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Mass,
    Volume,
    Count,
}

/// (symbol, dimension, factor to the dimension's base unit: mg, mL, each)
const UNITS: &[(&str, Dimension, f64)] = &[
    ("mg", Dimension::Mass, 1.0),
    ("g", Dimension::Mass, 1_000.0),
    ("kg", Dimension::Mass, 1_000_000.0),
    ("t", Dimension::Mass, 1_000_000_000.0),
    ("mL", Dimension::Volume, 1.0),
    ("L", Dimension::Volume, 1_000.0),
    ("tablets", Dimension::Count, 1.0),
    ("capsules", Dimension::Count, 1.0),
    ("units", Dimension::Count, 1.0),
    ("packs", Dimension::Count, 1.0),
];

/// A unit this build knows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unit(&'static str);

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
        let text = String::deserialize(d)?;
        Unit::parse("unit", &text).map_err(serde::de::Error::custom)
    }
}

impl Unit {
    pub fn parse(field: &str, raw: &str) -> Result<Unit, FieldError> {
        let text = raw.trim();
        UNITS
            .iter()
            .find(|(symbol, _, _)| symbol.eq_ignore_ascii_case(text))
            .map(|(symbol, _, _)| Unit(symbol))
            .ok_or_else(|| {
                let known: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
                FieldError::new(
                    field,
                    format!(
                        "'{text}' is not a known unit; use one of {}",
                        known.join(", ")
                    ),
                )
            })
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    fn entry(&self) -> (Dimension, f64) {
        UNITS
            .iter()
            .find(|u| u.0 == self.0)
            .map_or((Dimension::Count, 1.0), |u| (u.1, u.2))
    }

    pub fn dimension(&self) -> Dimension {
        self.entry().0
    }
}

/// An amount in a unit, e.g. 240000 tablets or 12.5 kg. Amounts are finite and not
/// negative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub amount: f64,
    pub unit: Unit,
}

impl Eq for Quantity {}

impl Quantity {
    pub fn parse(field: &str, amount: &str, unit: &str) -> Result<Quantity, FieldError> {
        let text = amount.trim();
        let value: f64 = text
            .parse()
            .map_err(|_| FieldError::new(field, format!("'{text}' is not a number")))?;
        if !value.is_finite() || value < 0.0 {
            return Err(FieldError::new(field, "must be zero or more"));
        }
        Ok(Quantity {
            amount: value,
            unit: Unit::parse(&format!("{field}_unit"), unit)?,
        })
    }

    /// This quantity in `unit`, or `None` across dimensions (kg to tablets).
    pub fn convert(&self, unit: &Unit) -> Option<f64> {
        let (from_dim, from_factor) = self.unit.entry();
        let (to_dim, to_factor) = unit.entry();
        (from_dim == to_dim).then(|| self.amount * from_factor / to_factor)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_convert_within_a_dimension_only() {
        let q = Quantity::parse("size", "12.5", "KG").unwrap();
        assert_eq!(q.unit.as_str(), "kg");
        assert_eq!(q.convert(&Unit::parse("u", "g").unwrap()), Some(12_500.0));
        assert_eq!(q.convert(&Unit::parse("u", "tablets").unwrap()), None);
        assert_eq!(q.to_string(), "12.5 kg");
    }

    #[test]
    fn bad_quantities_name_the_field() {
        assert_eq!(
            Quantity::parse("size", "-1", "kg").unwrap_err().field,
            "size"
        );
        assert_eq!(
            Quantity::parse("size", "1", "stones").unwrap_err().field,
            "size_unit"
        );
        assert!(Quantity::parse("size", "NaN", "kg").is_err());
    }
}
