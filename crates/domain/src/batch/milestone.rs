//! The milestones of a batch in the tracker (SPEC §2.4), each planned and actual.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dates::PartialDate;
use crate::error::FieldError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    MaterialReadiness,
    ProductionStart,
    ProductionComplete,
    QcTestingComplete,
    RecordReviewComplete,
    Disposition,
    Shipped,
}

impl Milestone {
    /// In the order a batch reaches them.
    pub const ALL: [Milestone; 7] = [
        Milestone::MaterialReadiness,
        Milestone::ProductionStart,
        Milestone::ProductionComplete,
        Milestone::QcTestingComplete,
        Milestone::RecordReviewComplete,
        Milestone::Disposition,
        Milestone::Shipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::MaterialReadiness => "material_readiness",
            Milestone::ProductionStart => "production_start",
            Milestone::ProductionComplete => "production_complete",
            Milestone::QcTestingComplete => "qc_testing_complete",
            Milestone::RecordReviewComplete => "record_review_complete",
            Milestone::Disposition => "disposition",
            Milestone::Shipped => "shipped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Milestone::MaterialReadiness => "Material readiness",
            Milestone::ProductionStart => "Production start",
            Milestone::ProductionComplete => "Production complete",
            Milestone::QcTestingComplete => "QC testing complete",
            Milestone::RecordReviewComplete => "Batch record review complete",
            Milestone::Disposition => "QA disposition",
            Milestone::Shipped => "Shipped",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Milestone, FieldError> {
        let text = raw.trim().to_lowercase();
        Milestone::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| FieldError::new(field, format!("'{text}' is not a milestone")))
    }
}

/// Planned or actual.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Planned,
    Actual,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Planned => "planned",
            Plan::Actual => "actual",
        }
    }
}

/// Dates by milestone; a milestone not reached (or not planned) is absent.
pub type Milestones = BTreeMap<Milestone, PartialDate>;

/// One milestone date set or moved; `from` is what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneChange {
    pub milestone: Milestone,
    pub plan: Plan,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartialDate>,
    pub to: PartialDate,
}
