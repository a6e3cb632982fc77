//! `/api/v1/sites`: manufacturing sites, internal and CMO.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_domain::Aggregate;
use vplant_domain::master::Change;
use vplant_domain::site::{NewSite, SiteCommand, SiteState};
use vplant_store::queries::master::Site;

use super::changes::{ListQuery, ReasonBody, RenameBody, found, run};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteBody {
    /// 2–24 letters, digits or '-', starting with a letter; unique and never reused.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// `internal` or `cmo`.
    #[serde(default)]
    pub kind: String,
    /// ISO 3166-1 alpha-2, e.g. `CH`.
    #[serde(default)]
    pub country: String,
}

/// List sites.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", params(ListQuery),
    responses((status = 200, body = Vec<Site>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Site>>, ApiError> {
    Ok(Json(state.app.store.sites(q.include_inactive).await?))
}

/// Register a site.
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = NewSiteBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return its first result")),
    responses(
        (status = 201, body = Site, description = "Registered"),
        (status = 409, body = ErrorBody, description = "The code is taken"),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    cmd: Command<NewSiteBody>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    let b = &cmd.body;
    let new = NewSite::parse(&b.code, &b.name, &b.kind, &b.country)
        .map_err(|e| ApiError::from(vplant_app::AppError::Domain(e)))?;
    let code = new.code().to_owned();
    run::<SiteState>(&state, &code, SiteCommand::Register(new), cmd.request, None).await?;
    let site = found(state.app.store.site(&code).await?, "site", &code)?;
    Ok((StatusCode::CREATED, site))
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{code}", tag = "sites", params(("code" = String, Path)),
    responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Site>, ApiError> {
    found(state.app.store.site(&code).await?, "site", &code)
}

/// Rename a site (reason required).
#[utoipa::path(post, path = "/api/v1/sites/{code}/rename", tag = "sites", params(("code" = String, Path)),
    request_body = RenameBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<RenameBody>,
) -> Result<Json<Site>, ApiError> {
    let change = cmd.body.change()?;
    change_site(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// Deactivate a site (reason required). Sites are never deleted.
#[utoipa::path(post, path = "/api/v1/sites/{code}/deactivate", tag = "sites", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Site>, ApiError> {
    let change = Change::Deactivate {
        reason: cmd.body.reason()?,
    };
    change_site(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// Reactivate a deactivated site (reason required).
#[utoipa::path(post, path = "/api/v1/sites/{code}/reactivate", tag = "sites", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Site>, ApiError> {
    let change = Change::Reactivate {
        reason: cmd.body.reason()?,
    };
    change_site(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// The site's full history from the ledger: who, what, when, why, old and new values.
#[utoipa::path(get, path = "/api/v1/sites/{code}/history", tag = "sites", params(("code" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let entries = state
        .app
        .history(&SiteState::stream_id(&code.to_uppercase()))
        .await?;
    if entries.is_empty() {
        return Err(ApiError::not_found("site", &code));
    }
    Ok(Json(entries))
}

async fn change_site(
    state: &AppState,
    code: &str,
    change: Change,
    request: vplant_app::Request,
    expected_version: Option<u64>,
) -> Result<Json<Site>, ApiError> {
    run::<SiteState>(
        state,
        code,
        SiteCommand::Change(change),
        request,
        expected_version,
    )
    .await?;
    found(state.app.store.site(code).await?, "site", code)
}
