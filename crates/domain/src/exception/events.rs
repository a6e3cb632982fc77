//! What the ledger records about an exception (deviation).

use serde::{Deserialize, Serialize};

use super::fields::{Category, Classification, Origin, RootCause};
use crate::dates::PartialDate;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionRaised {
    /// e.g. `EX-2026-0042`, unique and never reused.
    pub number: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Batch ids (`<site>/<number>`) the exception concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<String>,
    pub occurred: PartialDate,
    pub discovered: PartialDate,
    pub title: String,
    pub description: String,
    pub classification: Classification,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate_action: Option<String>,
    pub origin: Origin,
    /// Discovered + the days the classification allows.
    pub due: PartialDate,
}

/// The investigation's findings, set or revised while the exception is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionAssessed {
    pub product_impact: String,
    pub root_cause_category: RootCause,
    pub root_cause: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionReclassified {
    pub from: Classification,
    pub to: Classification,
}

/// Closed by an approval signature, on the day it was signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionClosed {
    pub on: PartialDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequested {
    pub from: PartialDate,
    pub to: PartialDate,
    pub justification: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueDateExtended {
    pub from: PartialDate,
    pub to: PartialDate,
}
