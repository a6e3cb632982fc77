//! What the ledger records about a batch.

use serde::{Deserialize, Serialize};

use super::milestone::{MilestoneChange, Milestones};
use crate::dates::PartialDate;
use crate::lot::LotRef;
use crate::units::Quantity;

/// Where the batch's record lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchSource {
    /// Executed on our eBR at an internal site.
    Ebr,
    /// Reported by a contract manufacturer (web entry or file import).
    Cmo,
}

impl BatchSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchSource::Ebr => "ebr",
            BatchSource::Cmo => "cmo",
        }
    }
}

/// SPEC §2.4: released, rejected, or on hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Released,
    Rejected,
    OnHold,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Released => "released",
            Disposition::Rejected => "rejected",
            Disposition::OnHold => "on_hold",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRecorded {
    pub site: String,
    pub number: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Quantity>,
    pub source: BatchSource,
    #[serde(default, skip_serializing_if = "Milestones::is_empty")]
    pub planned: Milestones,
    #[serde(default, skip_serializing_if = "Milestones::is_empty")]
    pub actual: Milestones,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    #[serde(default, skip_serializing_if = "Shipment::is_empty")]
    pub shipment: Shipment,
    /// The published data set the record comes from, when it does (its key, e.g.
    /// `zagar-mihelic-2022`), so that every view of it can credit the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
}

/// The delivery a batch is committed to and what was delivered (for OTIF).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_date: Option<PartialDate>,
}

impl Shipment {
    pub fn is_empty(&self) -> bool {
        *self == Shipment::default()
    }

    /// This shipment with every field `later` reports laid over it (a field not
    /// reported keeps its value).
    pub fn updated_by(&self, later: &Shipment) -> Shipment {
        Shipment {
            committed_quantity: later
                .committed_quantity
                .clone()
                .or_else(|| self.committed_quantity.clone()),
            committed_date: later.committed_date.or(self.committed_date),
            delivered_quantity: later
                .delivered_quantity
                .clone()
                .or_else(|| self.delivered_quantity.clone()),
            delivered_date: later.delivered_date.or(self.delivered_date),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentChanged {
    pub from: Shipment,
    pub to: Shipment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestonesChanged {
    pub changes: Vec<MilestoneChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSizeChanged {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Quantity>,
    pub to: Quantity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispositionChanged {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Disposition>,
    pub to: Disposition,
}

/// Genealogy: a lot went into the batch (consumed) or came out of it (yielded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotLinked {
    pub lot: LotRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
}

/// One test result as its source wrote it (the text is kept verbatim, so `0.05` at a
/// reporting limit stays `0.05`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestResult {
    pub test: String,
    pub value: String,
    /// The value it replaces, when a later report changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// A time series attached to the batch (e.g. the tablet press's readings every 10 s),
/// kept as its source wrote it: the time of each row and its values as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub columns: Vec<String>,
    /// One row per reading: its time, then one value per column.
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesRecorded {
    pub source: String,
    pub series: Series,
}

/// Results attached to the batch from one source (a laboratory file, a process
/// summary).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsRecorded {
    pub source: String,
    pub results: Vec<TestResult>,
}
