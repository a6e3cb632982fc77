//! What every master-data record (site, product, and later materials, equipment …)
//! shares: it is renamed with a reason, deactivated with a reason, reactivated with a
//! reason, and never deleted.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::fields::{Errors, Name, Reason};

/// Payload of a rename: the old name stays in the record next to the new one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

/// A change to an existing master record.
#[derive(Clone, Debug)]
pub enum Change {
    Rename { name: Name, reason: Reason },
    Deactivate { reason: Reason },
    Reactivate { reason: Reason },
}

/// Which change a person asks for, before its input is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Rename,
    Deactivate,
    Reactivate,
}

impl Change {
    /// Parses raw input for a change, naming every bad field. `name` is only read for
    /// a rename.
    pub fn parse(kind: ChangeKind, name: &str, reason: &str) -> Result<Change, DomainError> {
        let mut errors = Errors::default();
        let name = match kind {
            ChangeKind::Rename => errors.take(Name::parse("name", name)),
            ChangeKind::Deactivate | ChangeKind::Reactivate => None,
        };
        let reason = errors.take(Reason::parse("reason", reason));
        errors.into_result()?;
        match (kind, name, reason) {
            (ChangeKind::Rename, Some(name), Some(reason)) => Ok(Change::Rename { name, reason }),
            (ChangeKind::Deactivate, _, Some(reason)) => Ok(Change::Deactivate { reason }),
            (ChangeKind::Reactivate, _, Some(reason)) => Ok(Change::Reactivate { reason }),
            _ => Err(DomainError::field("reason", "could not be read")),
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Change::Rename { reason, .. }
            | Change::Deactivate { reason }
            | Change::Reactivate { reason } => reason.as_str(),
        }
    }
}

/// What a change does, decided; the caller wraps it in its own event type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    Renamed(Renamed),
    Deactivated,
    Reactivated,
}

/// The name and active flag of a registered record.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub name: String,
    pub active: bool,
}

impl Lifecycle {
    pub fn registered(name: &str) -> Lifecycle {
        Lifecycle {
            name: name.to_owned(),
            active: true,
        }
    }

    pub fn apply(&mut self, decided: &Decided) {
        match decided {
            Decided::Renamed(r) => self.name = r.to.clone(),
            Decided::Deactivated => self.active = false,
            Decided::Reactivated => self.active = true,
        }
    }

    /// `what` and `code` name the record in messages, e.g. "site 'BSL'".
    pub fn decide(&self, what: &str, code: &str, change: &Change) -> Result<Decided, DomainError> {
        match change {
            Change::Rename { name, .. } if name.as_str() == self.name => Err(DomainError::field(
                "name",
                format!("is already the {what}'s name; enter the new name"),
            )),
            Change::Rename { name, .. } => Ok(Decided::Renamed(Renamed {
                from: self.name.clone(),
                to: name.as_str().to_owned(),
            })),
            Change::Deactivate { .. } if !self.active => Err(DomainError::InvalidState(format!(
                "{what} '{code}' is already inactive"
            ))),
            Change::Deactivate { .. } => Ok(Decided::Deactivated),
            Change::Reactivate { .. } if self.active => Err(DomainError::InvalidState(format!(
                "{what} '{code}' is already active"
            ))),
            Change::Reactivate { .. } => Ok(Decided::Reactivated),
        }
    }
}
