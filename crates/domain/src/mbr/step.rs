//! What one phase (step) of a master batch record asks of the operator, and the limits
//! its entry is checked against (SPEC §2.2).

use serde::{Deserialize, Serialize};

use crate::choice;
use crate::units::Unit;

/// A range a value should stay within; either end may be open.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
}

impl Eq for Limits {}

impl Limits {
    pub fn contains(&self, value: f64) -> bool {
        self.low.is_none_or(|low| value >= low) && self.high.is_none_or(|high| value <= high)
    }

    /// e.g. "2.0 – 3.5", "≥ 2.0", "≤ 3.5".
    pub fn describe(&self) -> String {
        match (self.low, self.high) {
            (Some(l), Some(h)) => format!("{l} – {h}"),
            (Some(l), None) => format!("≥ {l}"),
            (None, Some(h)) => format!("≤ {h}"),
            (None, None) => "any".to_owned(),
        }
    }

    /// Whether `inner` lies within these limits (an alert range inside the action
    /// range inside the specification).
    pub fn encloses(&self, inner: &Limits) -> bool {
        let low_ok = match (self.low, inner.low) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(i)) => i >= o,
        };
        let high_ok = match (self.high, inner.high) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(i)) => i <= o,
        };
        low_ok && high_ok
    }
}

/// The three nested ranges of a measured value: outside `alert` the value is flagged
/// for review; outside `action` it raises a major exception; outside `spec`
/// (the registered specification) a critical one, which blocks the batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<Limits>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Limits>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Limits>,
}

choice!(
    /// How far a value strayed.
    Excursion, "an excursion" {
        Alert = "alert" / "Outside alert limits",
        Action = "action" / "Outside action limits",
        Spec = "spec" / "Outside specification",
    }
);

impl Checks {
    /// The worst range `value` falls outside of, if any.
    pub fn excursion(&self, value: f64) -> Option<Excursion> {
        let outside = |l: &Option<Limits>| l.as_ref().is_some_and(|l| !l.contains(value));
        if outside(&self.spec) {
            Some(Excursion::Spec)
        } else if outside(&self.action) {
            Some(Excursion::Action)
        } else if outside(&self.alert) {
            Some(Excursion::Alert)
        } else {
            None
        }
    }
}

/// What the operator enters at a step, by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepKind {
    /// Read and acknowledge.
    Instruction,
    /// A measured number in `unit` (free text: °C, %, rpm, kp, min …).
    Numeric {
        unit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<f64>,
        #[serde(default)]
        checks: Checks,
    },
    /// Free text (an observation, a reading that is not a number).
    Text,
    /// One of `options`; a choice not in `accepted` raises an exception.
    Choice {
        options: Vec<String>,
        accepted: Vec<String>,
    },
    /// Pass or fail; fail raises an exception.
    PassFail,
    /// Weigh or measure out `quantity` (for the reference batch size; scaled to the
    /// batch's size) of `material`, within `tolerance_percent`.
    Dispense {
        material: String,
        quantity: f64,
        unit: Unit,
        tolerance_percent: f64,
    },
    /// Take an equipment unit of `class` into use for this unit procedure; it must be
    /// clean, calibrated, not in use and within its clean-hold time.
    Equipment { class: String },
    /// Draw a sample for `test`.
    Sample { test: String },
    /// Computed from earlier entries by `formula` (arithmetic over step ids).
    Calculation {
        formula: String,
        unit: String,
        #[serde(default)]
        checks: Checks,
    },
    /// Hold for at least `min_minutes` (and at most `max_minutes`), started and
    /// stopped by the operator.
    Timer {
        min_minutes: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_minutes: Option<f64>,
    },
}

/// Numbers in a recipe are finite (checked before a version is submitted).
impl Eq for StepKind {}

impl StepKind {
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Instruction => "instruction",
            StepKind::Numeric { .. } => "numeric",
            StepKind::Text => "text",
            StepKind::Choice { .. } => "choice",
            StepKind::PassFail => "pass_fail",
            StepKind::Dispense { .. } => "dispense",
            StepKind::Equipment { .. } => "equipment",
            StepKind::Sample { .. } => "sample",
            StepKind::Calculation { .. } => "calculation",
            StepKind::Timer { .. } => "timer",
        }
    }
}

choice!(
    /// The signatures a step needs before the batch may move past it.
    /// `none`: the entry is attributed to the signed-in operator, no password again;
    /// `performed`: the operator signs the entry (password again); `performed_verified`:
    /// and a second person verifies it (critical steps).
    Signatures, "a signature requirement" {
        None = "none" / "Entry only",
        Performed = "performed" / "Performed",
        PerformedVerified = "performed_verified" / "Performed and verified",
    }
);

// `choice!` generates the enum, so `Default` cannot be derived on it.
#[allow(clippy::derivable_impls)]
impl Default for Signatures {
    fn default() -> Self {
        Signatures::Performed
    }
}
