//! `/api/v1/products`: the products the network makes. The work is generic, in
//! `changes.rs`; this file describes the endpoints and the register body.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_app::master::Products;
use vplant_domain::master::ChangeKind;
use vplant_domain::product::{NewProduct, ProductCommand};
use vplant_store::queries::master::Product;

use super::changes::{self, ListQuery, ReasonBody, RenameBody};
use super::signing::{SignBody, SignaturesBody};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;
use vplant_store::queries::identity::Signature;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProductBody {
    /// 2–24 letters, digits or '-', starting with a letter; unique and never reused.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// e.g. `film-coated tablet`.
    #[serde(default)]
    pub dosage_form: String,
    /// e.g. `500 mg`.
    #[serde(default)]
    pub strength: String,
}

/// List products.
#[utoipa::path(get, path = "/api/v1/products", tag = "products", params(ListQuery),
    responses((status = 200, body = Vec<Product>)))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Product>>, ApiError> {
    changes::list::<Products>(&s, &viewer, &q).await
}

/// Register a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = NewProductBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return its first result")),
    responses(
        (status = 201, body = Product, description = "Registered"),
        (status = 409, body = ErrorBody, description = "The code is taken"),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    cmd: Command<NewProductBody>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let b = &cmd.body;
    let parsed = NewProduct::parse(&b.code, &b.name, &b.dosage_form, &b.strength)
        .map(|new| (new.code().to_owned(), ProductCommand::Register(new)));
    changes::register::<Products>(&s, parsed, &cmd.request).await
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{code}", tag = "products", params(("code" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<Product>, ApiError> {
    changes::show::<Products>(&s, &viewer, &code).await
}

/// Rename a product (reason required).
#[utoipa::path(post, path = "/api/v1/products/{code}/rename", tag = "products", params(("code" = String, Path)),
    request_body = RenameBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<RenameBody>,
) -> Result<Json<Product>, ApiError> {
    changes::rename::<Products>(&s, &code, cmd).await
}

/// Deactivate a product (reason required). Products are never deleted.
#[utoipa::path(post, path = "/api/v1/products/{code}/deactivate", tag = "products", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Product>, ApiError> {
    changes::toggle::<Products>(&s, &code, ChangeKind::Deactivate, cmd).await
}

/// Reactivate a deactivated product (reason required).
#[utoipa::path(post, path = "/api/v1/products/{code}/reactivate", tag = "products", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reactivate(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Product>, ApiError> {
    changes::toggle::<Products>(&s, &code, ChangeKind::Reactivate, cmd).await
}

/// The product's full history from the ledger: who, what, when, why, old and new values.
#[utoipa::path(get, path = "/api/v1/products/{code}/history", tag = "products", params(("code" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    changes::history::<Products>(&s, &viewer, &code).await
}

/// The product's electronic signatures, and the version and content hash a new
/// signature must be bound to.
#[utoipa::path(get, path = "/api/v1/products/{code}/signatures", tag = "products", params(("code" = String, Path)),
    responses((status = 200, body = SignaturesBody), (status = 404, body = ErrorBody)))]
pub async fn signatures(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<SignaturesBody>, ApiError> {
    changes::signatures::<Products>(&s, &viewer, &code).await
}

/// Sign the product (21 CFR Part 11): username and password again, the meaning, and
/// the version and hash you were shown. A record changed since is refused (409);
/// so is signing what you authored (403, segregation of duties).
#[utoipa::path(post, path = "/api/v1/products/{code}/signatures", tag = "products", params(("code" = String, Path)),
    request_body = SignBody,
    responses((status = 201, body = Signature), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    changes::sign::<Products>(&s, &code, cmd).await
}
