//! `/api/v1/sites`: manufacturing sites, internal and CMO. The work is generic, in
//! `changes.rs`; this file describes the endpoints and the register body.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_app::master::Sites;
use vplant_domain::master::ChangeKind;
use vplant_domain::site::{NewSite, SiteCommand};
use vplant_store::queries::master::Site;

use super::changes::{self, ListQuery, ReasonBody, RenameBody};
use super::signing::{SignBody, SignaturesBody};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;
use vplant_store::queries::identity::Signature;

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
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Site>>, ApiError> {
    changes::list::<Sites>(&s, &viewer, &q).await
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
    State(s): State<AppState>,
    cmd: Command<NewSiteBody>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    let b = &cmd.body;
    let parsed = NewSite::parse(&b.code, &b.name, &b.kind, &b.country)
        .map(|new| (new.code().to_owned(), SiteCommand::Register(new)));
    changes::register::<Sites>(&s, parsed, &cmd.request).await
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{code}", tag = "sites", params(("code" = String, Path)),
    responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<Site>, ApiError> {
    changes::show::<Sites>(&s, &viewer, &code).await
}

/// Rename a site (reason required).
#[utoipa::path(post, path = "/api/v1/sites/{code}/rename", tag = "sites", params(("code" = String, Path)),
    request_body = RenameBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<RenameBody>,
) -> Result<Json<Site>, ApiError> {
    changes::rename::<Sites>(&s, &code, cmd).await
}

/// Deactivate a site (reason required). Sites are never deleted.
#[utoipa::path(post, path = "/api/v1/sites/{code}/deactivate", tag = "sites", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Site>, ApiError> {
    changes::toggle::<Sites>(&s, &code, ChangeKind::Deactivate, cmd).await
}

/// Reactivate a deactivated site (reason required).
#[utoipa::path(post, path = "/api/v1/sites/{code}/reactivate", tag = "sites", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reactivate(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Site>, ApiError> {
    changes::toggle::<Sites>(&s, &code, ChangeKind::Reactivate, cmd).await
}

/// The site's full history from the ledger: who, what, when, why, old and new values.
#[utoipa::path(get, path = "/api/v1/sites/{code}/history", tag = "sites", params(("code" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    changes::history::<Sites>(&s, &viewer, &code).await
}

/// The site's electronic signatures, and the version and content hash a new
/// signature must be bound to.
#[utoipa::path(get, path = "/api/v1/sites/{code}/signatures", tag = "sites", params(("code" = String, Path)),
    responses((status = 200, body = SignaturesBody), (status = 404, body = ErrorBody)))]
pub async fn signatures(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<SignaturesBody>, ApiError> {
    changes::signatures::<Sites>(&s, &viewer, &code).await
}

/// Sign the site (21 CFR Part 11): username and password again, the meaning, and
/// the version and hash you were shown. A record changed since is refused (409);
/// so is signing what you authored (403, segregation of duties).
#[utoipa::path(post, path = "/api/v1/sites/{code}/signatures", tag = "sites", params(("code" = String, Path)),
    request_body = SignBody,
    responses((status = 201, body = Signature), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    changes::sign::<Sites>(&s, &code, cmd).await
}
