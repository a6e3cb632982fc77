//! Materials: what goes into a batch (API, excipients, packaging, intermediates) and
//! what comes out of it, identified by a material code.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::{DomainError, FieldError};
use crate::event::{Empty, Event};
use crate::fields::{Code, Errors, Name};
use crate::master::{Change, Decided, Lifecycle};
use crate::units::Unit;

/// SPEC §2.1: raw material, API, excipient, packaging, intermediate (and the finished
/// product a batch yields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    RawMaterial,
    Api,
    Excipient,
    Packaging,
    Intermediate,
    FinishedProduct,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 6] = [
        MaterialKind::RawMaterial,
        MaterialKind::Api,
        MaterialKind::Excipient,
        MaterialKind::Packaging,
        MaterialKind::Intermediate,
        MaterialKind::FinishedProduct,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MaterialKind::RawMaterial => "raw_material",
            MaterialKind::Api => "api",
            MaterialKind::Excipient => "excipient",
            MaterialKind::Packaging => "packaging",
            MaterialKind::Intermediate => "intermediate",
            MaterialKind::FinishedProduct => "finished_product",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<MaterialKind, FieldError> {
        let text = raw.trim().to_lowercase().replace([' ', '-'], "_");
        MaterialKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = MaterialKind::ALL.iter().map(|k| k.as_str()).collect();
                FieldError::new(field, format!("must be one of {}", known.join(", ")))
            })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialRegistered {
    pub code: String,
    pub name: String,
    pub kind: MaterialKind,
    /// The unit quantities of this material are usually given in.
    pub unit: Unit,
}

/// A validated new material.
#[derive(Clone, Debug)]
pub struct NewMaterial(MaterialRegistered);

impl NewMaterial {
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        unit: &str,
    ) -> Result<NewMaterial, DomainError> {
        let mut errors = Errors::default();
        let code = errors.take(Code::parse("code", code));
        let name = errors.take(Name::parse("name", name));
        let kind = errors.take(MaterialKind::parse("kind", kind));
        let unit = errors.take(Unit::parse("unit", unit));
        errors.into_result()?;
        match (code, name, kind, unit) {
            (Some(code), Some(name), Some(kind), Some(unit)) => {
                Ok(NewMaterial(MaterialRegistered {
                    code: code.as_str().to_owned(),
                    name: name.as_str().to_owned(),
                    kind,
                    unit,
                }))
            }
            _ => Err(DomainError::field("input", "could not be read")),
        }
    }

    pub fn code(&self) -> &str {
        &self.0.code
    }
}

#[derive(Clone, Debug)]
pub enum MaterialCommand {
    Register(NewMaterial),
    Change(Change),
}

#[derive(Clone, Debug, Default)]
pub struct MaterialState {
    pub registered: Option<MaterialRegistered>,
    pub lifecycle: Lifecycle,
}

impl Aggregate for MaterialState {
    type Command = MaterialCommand;

    fn stream_id(code: &str) -> String {
        format!("material/{code}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::MaterialRegistered(e) => {
                self.lifecycle = Lifecycle::registered(&e.name);
                self.registered = Some(e.clone());
            }
            Event::MaterialRenamed(r) => self.lifecycle.apply(&Decided::Renamed(r.clone())),
            Event::MaterialDeactivated(_) => self.lifecycle.apply(&Decided::Deactivated),
            Event::MaterialReactivated(_) => self.lifecycle.apply(&Decided::Reactivated),
            _ => {}
        }
    }

    fn decide(&self, command: &MaterialCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.registered, command) {
            (None, MaterialCommand::Register(new)) => {
                Ok(vec![Event::MaterialRegistered(new.0.clone())])
            }
            (Some(m), MaterialCommand::Register(_)) => Err(DomainError::AlreadyExists {
                what: "material",
                id: m.code.clone(),
            }),
            (None, MaterialCommand::Change(_)) => Err(DomainError::NotFound {
                what: "material",
                id: String::new(),
            }),
            (Some(m), MaterialCommand::Change(change)) => Ok(vec![match self
                .lifecycle
                .decide("material", &m.code, change)?
            {
                Decided::Renamed(r) => Event::MaterialRenamed(r),
                Decided::Deactivated => Event::MaterialDeactivated(Empty {}),
                Decided::Reactivated => Event::MaterialReactivated(Empty {}),
            }]),
        }
    }

    fn reason(command: &MaterialCommand) -> Option<&str> {
        match command {
            MaterialCommand::Register(_) => None,
            MaterialCommand::Change(change) => Some(change.reason()),
        }
    }
}

pub(crate) fn rows(
    recorded: crate::projection::Recorded<'_>,
    event: &Event,
) -> Option<Vec<crate::projection::RowOp>> {
    use crate::projection::{RowOp, Value, update};
    let at = Value::Int(recorded.at.as_micros());
    let touch = |change: (&'static str, Value)| update("materials", "code", recorded, vec![change]);
    Some(match event {
        Event::MaterialRegistered(e) => vec![RowOp::Insert {
            table: "materials",
            values: vec![
                ("code", e.code.as_str().into()),
                ("name", e.name.as_str().into()),
                ("kind", e.kind.as_str().into()),
                ("unit", e.unit.as_str().into()),
                ("active", true.into()),
                ("version", recorded.stream_version.into()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::MaterialRenamed(r) => touch(("name", r.to.as_str().into())),
        Event::MaterialDeactivated(_) => touch(("active", false.into())),
        Event::MaterialReactivated(_) => touch(("active", true.into())),
        _ => return None,
    })
}
