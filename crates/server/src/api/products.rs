//! `/api/v1/products`: the products the network makes.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_domain::Aggregate;
use vplant_domain::master::Change;
use vplant_domain::product::{NewProduct, ProductCommand, ProductState};
use vplant_store::queries::master::Product;

use super::changes::{ListQuery, ReasonBody, RenameBody, found, run};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

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
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Product>>, ApiError> {
    Ok(Json(state.app.store.products(q.include_inactive).await?))
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
    State(state): State<AppState>,
    cmd: Command<NewProductBody>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let b = &cmd.body;
    let new = NewProduct::parse(&b.code, &b.name, &b.dosage_form, &b.strength)
        .map_err(|e| ApiError::from(vplant_app::AppError::Domain(e)))?;
    let code = new.code().to_owned();
    run::<ProductState>(
        &state,
        &code,
        ProductCommand::Register(new),
        cmd.request,
        None,
    )
    .await?;
    let site = found(state.app.store.product(&code).await?, "product", &code)?;
    Ok((StatusCode::CREATED, site))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{code}", tag = "products", params(("code" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Product>, ApiError> {
    found(state.app.store.product(&code).await?, "product", &code)
}

/// Rename a product (reason required).
#[utoipa::path(post, path = "/api/v1/products/{code}/rename", tag = "products", params(("code" = String, Path)),
    request_body = RenameBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<RenameBody>,
) -> Result<Json<Product>, ApiError> {
    let change = cmd.body.change()?;
    change_product(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// Deactivate a product (reason required). Products are never deleted.
#[utoipa::path(post, path = "/api/v1/products/{code}/deactivate", tag = "products", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Product>, ApiError> {
    let change = Change::Deactivate {
        reason: cmd.body.reason()?,
    };
    change_product(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// Reactivate a deactivated product (reason required).
#[utoipa::path(post, path = "/api/v1/products/{code}/reactivate", tag = "products", params(("code" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<Product>, ApiError> {
    let change = Change::Reactivate {
        reason: cmd.body.reason()?,
    };
    change_product(
        &state,
        &code,
        change,
        cmd.request,
        cmd.body.expected_version,
    )
    .await
}

/// The product's full history from the ledger: who, what, when, why, old and new values.
#[utoipa::path(get, path = "/api/v1/products/{code}/history", tag = "products", params(("code" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let entries = state
        .app
        .history(&ProductState::stream_id(&code.to_uppercase()))
        .await?;
    if entries.is_empty() {
        return Err(ApiError::not_found("product", &code));
    }
    Ok(Json(entries))
}

async fn change_product(
    state: &AppState,
    code: &str,
    change: Change,
    request: vplant_app::Request,
    expected_version: Option<u64>,
) -> Result<Json<Product>, ApiError> {
    run::<ProductState>(
        state,
        code,
        ProductCommand::Change(change),
        request,
        expected_version,
    )
    .await?;
    found(state.app.store.product(code).await?, "product", code)
}
