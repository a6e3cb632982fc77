//! Bodies shared by the rename, deactivate and reactivate endpoints of every
//! master-data resource, and their parsing into domain changes.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use vplant_domain::fields::{Errors, Name, Reason};
use vplant_domain::master::Change;

use crate::error::ApiError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    #[serde(default)]
    pub name: String,
    /// Why the record is renamed (required; kept in the audit trail).
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (required; kept in the audit trail).
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Include deactivated records (default: only active ones).
    #[serde(default)]
    pub include_inactive: bool,
}

impl RenameBody {
    pub fn change(&self) -> Result<Change, ApiError> {
        let mut errors = Errors::default();
        let name = errors.take(Name::parse("name", &self.name));
        let reason = errors.take(Reason::parse("reason", &self.reason));
        errors
            .into_result()
            .map_err(|e| ApiError::from(vplant_app::AppError::Domain(e)))?;
        match (name, reason) {
            (Some(name), Some(reason)) => Ok(Change::Rename { name, reason }),
            _ => Err(ApiError::field("body", "could not be read")),
        }
    }
}

impl ReasonBody {
    pub fn reason(&self) -> Result<Reason, ApiError> {
        Reason::parse("reason", &self.reason).map_err(|e| ApiError::field(&e.field, e.reason))
    }
}

/// Runs a command on aggregate `code` with the client's expected version.
pub async fn run<A: vplant_domain::Aggregate>(
    state: &crate::AppState,
    code: &str,
    command: A::Command,
    mut request: vplant_app::Request,
    expected_version: Option<u64>,
) -> Result<vplant_app::Committed, ApiError> {
    request.expected_version = expected_version;
    Ok(state
        .app
        .execute::<A>(&code.to_uppercase(), command, &request)
        .await?)
}

/// The record, or a 404 naming what was looked for.
pub fn found<T>(record: Option<T>, what: &str, code: &str) -> Result<axum::Json<T>, ApiError> {
    record
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found(what, code))
}
