//! The classified fields of an exception (deviation): classification, category, root
//! cause category, and where it came from.

use serde::{Deserialize, Serialize};

use crate::choice;

choice!(
    /// SPEC §2.5: how serious a deviation is.
    Classification, "a classification" {
        Minor = "minor" / "Minor",
        Major = "major" / "Major",
        Critical = "critical" / "Critical",
    }
);

choice!(
    /// What the deviation is about.
    Category, "a category" {
        Process = "process" / "Process",
        Equipment = "equipment" / "Equipment",
        Materials = "materials" / "Materials",
        Documentation = "documentation" / "Documentation",
        Laboratory = "laboratory" / "Laboratory (OOS / OOT)",
        Facility = "facility" / "Facility and environment",
        Personnel = "personnel" / "Personnel",
        Supplier = "supplier" / "Supplier",
        Other = "other" / "Other",
    }
);

choice!(
    /// Root cause categories (the 6 M of an Ishikawa analysis, plus supplier and
    /// undetermined); recurrence is judged on these.
    RootCause, "a root cause category" {
        HumanError = "human_error" / "Human error",
        Method = "method" / "Method / procedure",
        Machine = "machine" / "Machine / equipment",
        Material = "material" / "Material",
        Measurement = "measurement" / "Measurement",
        Environment = "environment" / "Environment",
        Supplier = "supplier" / "Supplier",
        Undetermined = "undetermined" / "Undetermined",
    }
);

/// Where an exception was raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Origin {
    /// Raised by the Virtual Plant Team.
    Vpt,
    /// Reported by the contract manufacturer.
    CmoReport,
    /// Raised on the spot during batch execution on our eBR.
    Execution { batch: String, step: String },
}

impl Origin {
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::Vpt => "vpt",
            Origin::CmoReport => "cmo_report",
            Origin::Execution { .. } => "execution",
        }
    }
}

/// Days to close by classification (SPEC §2.5: configurable; default 30 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuePolicy {
    pub minor_days: u16,
    pub major_days: u16,
    pub critical_days: u16,
}

impl Default for DuePolicy {
    fn default() -> DuePolicy {
        DuePolicy {
            minor_days: 30,
            major_days: 30,
            critical_days: 30,
        }
    }
}

impl DuePolicy {
    pub fn days(self, classification: Classification) -> u16 {
        match classification {
            Classification::Minor => self.minor_days,
            Classification::Major => self.major_days,
            Classification::Critical => self.critical_days,
        }
    }
}
