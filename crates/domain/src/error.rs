//! Errors of the domain, each with a stable code that validation paperwork can cite.

use serde::Serialize;

/// One field of the input and why it was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input is malformed; every bad field is listed.
    #[error("the input is not valid: {}", describe(.0))]
    Validation(Vec<FieldError>),
    /// The record does not exist.
    #[error("{what} '{id}' does not exist")]
    NotFound { what: &'static str, id: String },
    /// A record with this identity exists already.
    #[error("{what} '{id}' already exists; choose another code")]
    AlreadyExists { what: &'static str, id: String },
    /// The record is in a state where this command does not apply.
    #[error("{0}")]
    InvalidState(String),
    /// The rules forbid this person this action (segregation of duties, a role
    /// without the permission).
    #[error("{0}")]
    NotAllowed(String),
}

impl DomainError {
    /// Stable, documented error code.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Validation(_) => "VP-VALIDATION",
            DomainError::NotFound { .. } => "VP-NOT-FOUND",
            DomainError::AlreadyExists { .. } => "VP-ALREADY-EXISTS",
            DomainError::InvalidState(_) => "VP-INVALID-STATE",
            DomainError::NotAllowed(_) => "VP-NOT-ALLOWED",
        }
    }

    pub fn field(field: &str, reason: impl Into<String>) -> DomainError {
        DomainError::Validation(vec![FieldError::new(field, reason)])
    }
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}
