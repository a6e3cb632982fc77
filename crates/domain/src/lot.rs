//! Material lots: one received or produced quantity of a material, identified by the
//! material code and the lot number together (the same number under two materials is
//! two lots). Stream `lot/<material>/<number>`.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::dates::PartialDate;
use crate::error::{DomainError, FieldError};
use crate::event::Event;
use crate::fields::{Code, Errors, Number};
use crate::units::Quantity;

/// A lot's identity: material code and lot number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotRef {
    pub material: String,
    pub lot: String,
}

impl LotRef {
    pub fn parse(material: &str, lot: &str) -> Result<LotRef, DomainError> {
        let mut errors = Errors::default();
        let material = errors.take(Code::parse("material", material));
        let lot = errors.take(Number::parse("lot", lot));
        errors.into_result()?;
        match (material, lot) {
            (Some(m), Some(l)) => Ok(LotRef {
                material: m.as_str().to_owned(),
                lot: l.as_str().to_owned(),
            }),
            _ => Err(DomainError::field("lot", "could not be read")),
        }
    }

    /// `<material>/<number>`, the record id in URLs and the ledger.
    pub fn id(&self) -> String {
        format!("{}/{}", self.material, self.lot)
    }
}

/// SPEC §2.1. `expired` is not stored: a lot is expired once its expiry date has
/// passed, whatever its status says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    Quarantine,
    Released,
    Rejected,
    /// A lot a CMO reported without saying its status (e.g. a historical product lot).
    NotReported,
}

impl LotStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LotStatus::Quarantine => "quarantine",
            LotStatus::Released => "released",
            LotStatus::Rejected => "rejected",
            LotStatus::NotReported => "not_reported",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<LotStatus, FieldError> {
        match raw.trim().to_lowercase().as_str() {
            "quarantine" => Ok(LotStatus::Quarantine),
            "released" => Ok(LotStatus::Released),
            "rejected" => Ok(LotStatus::Rejected),
            _ => Err(FieldError::new(
                field,
                "must be quarantine, released or rejected",
            )),
        }
    }
}

/// Where a lot came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LotOrigin {
    /// Received from a supplier (or reported by a CMO that received it).
    Received,
    /// Yielded by a batch, `<site>/<batch number>`.
    Produced { batch: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotRegistered {
    pub material: String,
    pub lot: String,
    /// The site that holds the lot.
    pub site: String,
    pub status: LotStatus,
    pub origin: LotOrigin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retest: Option<PartialDate>,
    /// The published data set the lot comes from, if any (see `BatchRecorded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
}

impl LotRegistered {
    pub fn lot_ref(&self) -> LotRef {
        LotRef {
            material: self.material.clone(),
            lot: self.lot.clone(),
        }
    }
}

/// A validated new lot. A lot received on our own sites starts in quarantine; a lot
/// reported by a CMO is registered with the status the CMO reports.
#[derive(Clone, Debug)]
pub struct NewLot(pub(crate) LotRegistered);

impl NewLot {
    pub fn new(
        lot: LotRef,
        site: &Code,
        status: LotStatus,
        origin: LotOrigin,
        quantity: Option<Quantity>,
        expiry: Option<PartialDate>,
        retest: Option<PartialDate>,
    ) -> Result<NewLot, DomainError> {
        if let (Some(expiry), Some(retest)) = (expiry, retest)
            && retest > expiry
        {
            return Err(DomainError::field(
                "retest",
                format!("{retest} is after the expiry date {expiry}"),
            ));
        }
        Ok(NewLot(LotRegistered {
            material: lot.material,
            lot: lot.lot,
            site: site.as_str().to_owned(),
            status,
            origin,
            quantity,
            expiry,
            retest,
            provenance: None,
        }))
    }

    /// Marks the lot as coming from a published data set.
    pub fn from_data_set(mut self, key: &str) -> NewLot {
        self.0.provenance = Some(key.to_owned());
        self
    }

    pub fn lot_ref(&self) -> LotRef {
        self.0.lot_ref()
    }
}

/// A lot's status changed by a QA signature (released or rejected).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotStatusChanged {
    pub from: LotStatus,
    pub to: LotStatus,
}

#[derive(Clone, Debug)]
pub enum LotCommand {
    Register(NewLot),
    /// The disposition of the batch that produced the lot, signed on that batch's
    /// record: a released batch releases its lot, a rejected one rejects it.
    FollowBatch {
        batch: String,
        released: bool,
    },
}

#[derive(Clone, Debug, Default)]
pub struct LotState {
    pub registered: Option<LotRegistered>,
}

impl LotState {
    /// What a QA signature does to the lot: released or rejected. A rejected lot
    /// stays rejected; a released lot can still be rejected (a recall).
    pub fn on_signed(&self, meaning: crate::signature::Meaning) -> Result<Vec<Event>, DomainError> {
        use crate::signature::Meaning;
        let Some(lot) = &self.registered else {
            return Err(DomainError::NotFound {
                what: "lot",
                id: String::new(),
            });
        };
        let to = match meaning {
            Meaning::Released => LotStatus::Released,
            Meaning::Rejected => LotStatus::Rejected,
            other => {
                return Err(DomainError::field(
                    "meaning",
                    format!("a lot is released or rejected, not {}", other.as_str()),
                ));
            }
        };
        match (lot.status, to) {
            (LotStatus::Rejected, _) => Err(DomainError::InvalidState(format!(
                "lot {} is rejected; a rejected lot is never used or released again",
                lot.lot_ref().id()
            ))),
            (from, to) if from == to => Err(DomainError::InvalidState(format!(
                "lot {} is {} already",
                lot.lot_ref().id(),
                to.as_str()
            ))),
            (from, to) => Ok(vec![Event::LotStatusChanged(LotStatusChanged { from, to })]),
        }
    }
}

impl Aggregate for LotState {
    type Command = LotCommand;

    /// `id` is `<material>/<number>`.
    fn stream_id(id: &str) -> String {
        format!("lot/{id}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::LotRegistered(e) => self.registered = Some(e.clone()),
            Event::LotStatusChanged(c) => {
                if let Some(r) = &mut self.registered {
                    r.status = c.to;
                }
            }
            _ => {}
        }
    }

    fn decide(&self, command: &LotCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.registered, command) {
            (None, LotCommand::Register(new)) => Ok(vec![Event::LotRegistered(new.0.clone())]),
            (Some(lot), LotCommand::Register(_)) => Err(DomainError::AlreadyExists {
                what: "lot",
                id: lot.lot_ref().id(),
            }),
            (None, LotCommand::FollowBatch { .. }) => Err(DomainError::NotFound {
                what: "lot",
                id: String::new(),
            }),
            (Some(lot), LotCommand::FollowBatch { batch, released }) => {
                if lot.origin
                    != (LotOrigin::Produced {
                        batch: batch.clone(),
                    })
                {
                    return Err(DomainError::InvalidState(format!(
                        "lot {} was not produced by batch {batch}",
                        lot.lot_ref().id()
                    )));
                }
                let to = if *released {
                    LotStatus::Released
                } else {
                    LotStatus::Rejected
                };
                if lot.status == to {
                    return Ok(Vec::new());
                }
                Ok(vec![Event::LotStatusChanged(LotStatusChanged {
                    from: lot.status,
                    to,
                })])
            }
        }
    }

    fn reason(_command: &LotCommand) -> Option<&str> {
        None
    }
}

pub(crate) fn rows(
    recorded: crate::projection::Recorded<'_>,
    event: &Event,
) -> Option<Vec<crate::projection::RowOp>> {
    use crate::projection::{RowOp, Value, update};
    if let Event::LotStatusChanged(c) = event {
        return Some(update(
            "lots",
            "id",
            recorded,
            vec![("status", c.to.as_str().into())],
        ));
    }
    let Event::LotRegistered(e) = event else {
        return None;
    };
    let at = Value::Int(recorded.at.as_micros());
    let text = |d: Option<PartialDate>| d.map_or(Value::Null, |d| d.to_string().into());
    let (quantity, unit) = match &e.quantity {
        Some(q) => (q.amount.to_string().into(), q.unit.as_str().into()),
        None => (Value::Null, Value::Null),
    };
    let produced_by = match &e.origin {
        LotOrigin::Produced { batch } => batch.as_str().into(),
        LotOrigin::Received => Value::Null,
    };
    Some(vec![RowOp::Insert {
        table: "lots",
        values: vec![
            ("id", e.lot_ref().id().into()),
            ("material", e.material.as_str().into()),
            ("lot", e.lot.as_str().into()),
            ("site", e.site.as_str().into()),
            ("status", e.status.as_str().into()),
            ("quantity", quantity),
            ("unit", unit),
            ("expiry", text(e.expiry)),
            ("retest", text(e.retest)),
            ("produced_by", produced_by),
            (
                "provenance",
                e.provenance.as_deref().map_or(Value::Null, Value::from),
            ),
            ("version", recorded.stream_version.into()),
            ("created_at", at.clone()),
            ("updated_at", at),
        ],
    }])
}
