//! What every master-data resource's endpoints share: the bodies of rename,
//! deactivate and reactivate, and the generic work behind each endpoint. The
//! per-resource files (`sites.rs`, `products.rs`) only carry the OpenAPI description
//! and the register body.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vplant_app::master::Master;
use vplant_app::signatures::SignatureInput;
use vplant_app::{AppError, HistoryEntry};
use vplant_domain::identity::Scope;
use vplant_domain::master::{Change, ChangeKind};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::identity::Signature;

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

fn domain(e: DomainError) -> ApiError {
    ApiError::from(AppError::Domain(e))
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
    let (code, command) = parsed.map_err(domain)?;
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
    let change =
        Change::parse(ChangeKind::Rename, &cmd.body.name, &cmd.body.reason).map_err(domain)?;
    apply::<M, _>(state, code, change, cmd, |b| b.expected_version).await
}

/// Deactivate or reactivate.
pub async fn toggle<M: Master>(
    state: &AppState,
    code: &str,
    kind: ChangeKind,
    cmd: Command<ReasonBody>,
) -> Result<Json<M::Record>, ApiError> {
    let change = Change::parse(kind, "", &cmd.body.reason).map_err(domain)?;
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

/// An electronic signature: what the signer saw (version and content hash, from
/// `GET …/signatures`'s `head`), what it means, and the signer's credentials again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// performed, verified, reviewed, approved, released or rejected.
    #[serde(default)]
    pub meaning: String,
    /// The record version shown to the signer.
    pub record_version: u64,
    /// The content hash of that version (`head.hash`).
    #[serde(default)]
    pub record_hash: String,
    /// Your username, re-entered at every signing.
    #[serde(default)]
    pub username: String,
    /// Your password, re-entered at every signing.
    #[serde(default)]
    pub password: String,
}

/// A record's signatures and what a new signature must be bound to.
#[derive(Serialize, ToSchema)]
pub struct SignaturesBody {
    pub head: Head,
    pub signatures: Vec<Signature>,
}

/// The record's current version and content hash.
#[derive(Serialize, ToSchema)]
pub struct Head {
    pub version: u64,
    pub hash: String,
}

pub async fn signatures<M: Master>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<Json<SignaturesBody>, ApiError> {
    let code = code.to_uppercase();
    state.app.master::<M>(&viewer.scope(), &code).await?;
    let stream_id = M::Agg::stream_id(&code);
    let head = state
        .app
        .signable_head(&stream_id)
        .await?
        .ok_or_else(|| ApiError::not_found(M::WHAT, &code))?;
    Ok(Json(SignaturesBody {
        head: Head {
            version: head.version,
            hash: head.hash,
        },
        signatures: state.app.signatures(&stream_id).await?,
    }))
}

pub async fn sign<M: Master>(
    state: &AppState,
    code: &str,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    let code = code.to_uppercase();
    let viewer = &cmd.viewer;
    state.app.master::<M>(&viewer.scope(), &code).await?;
    let stream_id = M::Agg::stream_id(&code);
    let input = SignatureInput {
        meaning: cmd.body.meaning.clone(),
        shown_version: cmd.body.record_version,
        shown_hash: cmd.body.record_hash.clone(),
        username: cmd.body.username.clone(),
        password: cmd.body.password.clone(),
    };
    let name = format!("{} '{code}'", M::WHAT);
    let outcome = state
        .app
        .sign(&viewer.principal, &stream_id, &name, &input, &viewer.client)
        .await?;
    let signature = state
        .app
        .signatures(&stream_id)
        .await?
        .into_iter()
        .find(|s| s.stream_version == outcome.version)
        .ok_or_else(|| ApiError::not_found("signature", &code))?;
    Ok((StatusCode::CREATED, Json(signature)))
}
