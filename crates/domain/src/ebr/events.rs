//! What the executed batch record holds: the start, every entry as it was made,
//! refused attempts, skipped steps, exceptions raised on the spot and their
//! acknowledgement. Signatures are `RecordSigned` events with the step as subject.

use serde::{Deserialize, Serialize};

use crate::exception::fields::Classification;
use crate::mbr::recipe::Recipe;
use crate::mbr::step::Excursion;
use crate::time::Timestamp;
use crate::units::Quantity;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EbrStarted {
    pub site: String,
    pub number: String,
    /// The production order the batch executes.
    pub order: String,
    pub product: String,
    pub size: Quantity,
    pub mbr: String,
    pub mbr_version: u32,
    /// The MBR content as executed; the batch record never depends on a later read
    /// of the MBR.
    pub recipe: Recipe,
}

/// What was entered at a step, as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EntryValue {
    Acknowledged,
    Number {
        value: f64,
        unit: String,
    },
    Text {
        text: String,
    },
    Choice {
        option: String,
    },
    PassFail {
        pass: bool,
    },
    Dispensed {
        /// `<material>/<lot>`.
        lot: String,
        quantity: Quantity,
        /// The target scaled to the batch size, and the tolerance, as checked.
        target: Quantity,
        tolerance_percent: f64,
    },
    Equipment {
        equipment: String,
    },
    Sample {
        sample: String,
    },
    Calculated {
        value: f64,
        unit: String,
        formula: String,
        /// The inputs the value was computed from (step id → value).
        inputs: std::collections::BTreeMap<String, f64>,
    },
    TimerStarted,
    TimerStopped {
        minutes: f64,
    },
}

/// Values are finite numbers (checked on entry).
impl Eq for EntryValue {}

impl EntryValue {
    /// The value as a person reads it.
    pub fn display(&self) -> String {
        match self {
            EntryValue::Acknowledged => "acknowledged".to_owned(),
            EntryValue::Number { value, unit } => format!("{value} {unit}"),
            // A result is shown to three decimals (trailing zeros dropped); the checks
            // use the value as computed, which the record keeps.
            EntryValue::Calculated { value, unit, .. } => {
                let shown = format!("{value:.3}");
                let shown = shown.trim_end_matches('0').trim_end_matches('.');
                format!("{shown} {unit}")
            }
            EntryValue::Text { text } => text.clone(),
            EntryValue::Choice { option } => option.clone(),
            EntryValue::PassFail { pass } => if *pass { "pass" } else { "fail" }.to_owned(),
            EntryValue::Dispensed { lot, quantity, .. } => format!("{quantity} of lot {lot}"),
            EntryValue::Equipment { equipment } => format!("equipment {equipment}"),
            EntryValue::Sample { sample } => format!("sample {sample}"),
            EntryValue::TimerStarted => "timer started".to_owned(),
            EntryValue::TimerStopped { minutes } => format!("timer stopped after {minutes:.1} min"),
        }
    }

    /// The number a calculation can read from this entry.
    pub fn number(&self) -> Option<f64> {
        match self {
            EntryValue::Number { value, .. } | EntryValue::Calculated { value, .. } => Some(*value),
            EntryValue::Dispensed { quantity, .. } => Some(quantity.amount),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecorded {
    /// The entry's number in this batch record, from 1.
    pub entry: u32,
    pub step: String,
    pub value: EntryValue,
    /// The tablet or scale it came from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When it was done, by the device's clock; the ledger keeps when it arrived.
    pub performed_at: Timestamp,
    /// The earlier entry this one corrects (the reason is in the ledger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excursion: Option<Excursion>,
    /// Arrived more than the allowed delay after it was done.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
    /// Who made the entry (also the ledger's actor); a verifier must be someone else.
    pub by: String,
}

/// An entry the checks refused (a wrong lot scanned, unclean equipment): kept, so
/// that the record shows the attempt and the exception it raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRefused {
    pub step: String,
    pub attempted: EntryValue,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSkipped {
    pub step: String,
}

/// An exception raised on the spot for this batch (its record is
/// `exception/<number>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionLinked {
    pub number: String,
    pub step: String,
    pub classification: Classification,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionAcknowledged {
    pub number: String,
}

/// The batch reached the end of its procedure, or its disposition was signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EbrDisposed {
    pub released: bool,
}

#[cfg(test)]
mod tests {
    use super::EntryValue;

    fn calculated(value: f64) -> String {
        EntryValue::Calculated {
            value,
            unit: "%".to_owned(),
            formula: "a / b * 100".to_owned(),
            inputs: Default::default(),
        }
        .display()
    }

    #[test]
    fn a_calculated_result_reads_to_three_decimals_without_trailing_zeros() {
        assert_eq!(calculated(99.02912621359222), "99.029 %");
        assert_eq!(calculated(97.5), "97.5 %");
        assert_eq!(calculated(100.0), "100 %");
        assert_eq!(calculated(0.0004), "0 %");
    }
}
