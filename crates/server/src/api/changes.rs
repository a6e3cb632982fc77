//! What every master-data resource's endpoints share: the bodies of rename,
//! deactivate and reactivate, and the generic work behind each endpoint. The
//! per-resource files (`sites.rs`, `products.rs`) only carry the OpenAPI description
//! and the register body.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use vplant_app::HistoryEntry;
use vplant_app::master::Master;
use vplant_domain::identity::Scope;
use vplant_domain::master::{Change, ChangeKind};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::identity::Signature;

use super::signing::{self, SignBody, SignaturesBody};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::ApiError;
use crate::extract::Command;

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

pub async fn list<M: Master>(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
) -> Result<Json<Vec<M::Record>>, ApiError> {
    Ok(Json(
        state
            .app
            .masters::<M>(&viewer.scope(), q.include_inactive)
            .await?,
    ))
}

pub async fn show<M: Master>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<Json<M::Record>, ApiError> {
    Ok(Json(state.app.master::<M>(&viewer.scope(), code).await?))
}

pub async fn history<M: Master>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    Ok(Json(
        state.app.master_history::<M>(&viewer.scope(), code).await?,
    ))
}

/// Registers a record whose register command was parsed (or refused) by the caller.
pub async fn register<M: Master>(
    state: &AppState,
    parsed: Result<(String, <M::Agg as Aggregate>::Command), DomainError>,
    request: &vplant_app::Request,
) -> Result<(StatusCode, Json<M::Record>), ApiError> {
    let (code, command) = parsed.map_err(ApiError::domain)?;
    state.app.execute::<M::Agg>(&code, command, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.app.master::<M>(&Scope::All, &code).await?),
    ))
}

pub async fn rename<M: Master>(
    state: &AppState,
    code: &str,
    cmd: Command<RenameBody>,
) -> Result<Json<M::Record>, ApiError> {
    let change = Change::parse(ChangeKind::Rename, &cmd.body.name, &cmd.body.reason)
        .map_err(ApiError::domain)?;
    apply::<M, _>(state, code, change, cmd, |b| b.expected_version).await
}

/// Deactivate or reactivate.
pub async fn toggle<M: Master>(
    state: &AppState,
    code: &str,
    kind: ChangeKind,
    cmd: Command<ReasonBody>,
) -> Result<Json<M::Record>, ApiError> {
    let change = Change::parse(kind, "", &cmd.body.reason).map_err(ApiError::domain)?;
    apply::<M, _>(state, code, change, cmd, |b| b.expected_version).await
}

async fn apply<M: Master, B>(
    state: &AppState,
    code: &str,
    change: Change,
    cmd: Command<B>,
    expected_version: impl Fn(&B) -> Option<u64>,
) -> Result<Json<M::Record>, ApiError> {
    let mut request = cmd.request;
    request.expected_version = expected_version(&cmd.body);
    Ok(Json(
        state
            .app
            .change_master::<M>(&cmd.viewer.scope(), code, change, &request)
            .await?,
    ))
}

pub async fn signatures<M: Master>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<Json<SignaturesBody>, ApiError> {
    let code = code.to_uppercase();
    state.app.master::<M>(&viewer.scope(), &code).await?;
    signing::signatures(state, &M::Agg::stream_id(&code), M::WHAT, &code).await
}

pub async fn sign<M: Master>(
    state: &AppState,
    code: &str,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    let code = code.to_uppercase();
    state.app.master::<M>(&cmd.viewer.scope(), &code).await?;
    signing::sign(state, &M::Agg::stream_id(&code), (M::WHAT, &code), cmd).await
}
