//! `/api/v1/mbrs`: master batch records — the versions and their status, one
//! version with its recipe, the documented file in (`POST /api/v1/mbrs/import`) and
//! out (`…/file.json`, `…/file.yaml`), the lifecycle steps, a new version, and the
//! comparison of two versions. Approval is a signature (`…/signatures`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vplant_app::mbrs::{RecipeFormat, read_recipe, write_recipe};
use vplant_domain::DomainError;
use vplant_domain::fields::Reason;
use vplant_domain::mbr::MbrCommand;
use vplant_domain::mbr::diff::Difference;
use vplant_store::queries::identity::Signature;
use vplant_store::queries::mes::MbrRow;

use super::audit::QueryParams;
use super::signing::{self, SignBody, SignaturesBody};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// One MBR version: its row and its recipe (the structure of `docs/mbr-format.md`).
#[derive(Serialize, ToSchema)]
pub struct MbrBody {
    #[serde(flatten)]
    pub row: MbrRow,
    #[schema(value_type = Object)]
    pub recipe: serde_json::Value,
}

/// A lifecycle step that needs only a reason (withdraw, retire).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MbrReasonBody {
    #[serde(default)]
    pub reason: String,
}

/// A lifecycle step without input.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}

fn version_of(raw: &str) -> Result<u32, ApiError> {
    raw.parse::<u32>()
        .map_err(|_| ApiError::field("version", "must be a version number like 2"))
}

async fn body(s: &AppState, code: &str, version: u32) -> Result<Json<MbrBody>, ApiError> {
    let view = s.app.mbr(code, version).await?;
    let recipe = serde_json::to_value(&view.recipe)
        .map_err(|e| ApiError::from(vplant_app::AppError::Internal(e.to_string())))?;
    Ok(Json(MbrBody {
        row: view.row,
        recipe,
    }))
}

/// Every version of every MBR, by code and version.
#[utoipa::path(get, path = "/api/v1/mbrs", tag = "mbrs", operation_id = "mbrs_list",
    responses((status = 200, body = Vec<MbrRow>)))]
pub async fn list(State(s): State<AppState>) -> Result<Json<Vec<MbrRow>>, ApiError> {
    Ok(Json(s.app.mbrs().await?))
}

/// One version with its recipe.
#[utoipa::path(get, path = "/api/v1/mbrs/{code}/{version}", tag = "mbrs", operation_id = "mbrs_show",
    params(("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, body = MbrBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
) -> Result<Json<MbrBody>, ApiError> {
    body(&s, &code, version_of(&version)?).await
}

fn file(s_recipe: Result<String, vplant_app::AppError>, json: bool, name: String) -> Response {
    match s_recipe {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    if json {
                        "application/json"
                    } else {
                        "application/yaml; charset=utf-8"
                    },
                ),
                (
                    header::CONTENT_DISPOSITION,
                    &format!("attachment; filename=\"{name}\""),
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A version as an MBR file in JSON.
#[utoipa::path(get, path = "/api/v1/mbrs/{code}/{version}/file.json", tag = "mbrs",
    operation_id = "mbrs_file_json", params(("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, content_type = "application/json", body = String), (status = 404, body = ErrorBody)))]
pub async fn file_json(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let version = version_of(&version)?;
    let view = s.app.mbr(&code, version).await?;
    let name = format!("{}-v{version}.json", view.row.code);
    Ok(file(
        write_recipe(&view.recipe, RecipeFormat::Json),
        true,
        name,
    ))
}

/// A version as an MBR file in YAML.
#[utoipa::path(get, path = "/api/v1/mbrs/{code}/{version}/file.yaml", tag = "mbrs",
    operation_id = "mbrs_file_yaml", params(("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, content_type = "application/yaml", body = String), (status = 404, body = ErrorBody)))]
pub async fn file_yaml(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let version = version_of(&version)?;
    let view = s.app.mbr(&code, version).await?;
    let name = format!("{}-v{version}.yaml", view.row.code);
    Ok(file(
        write_recipe(&view.recipe, RecipeFormat::Yaml),
        false,
        name,
    ))
}

/// Import an MBR file (the body; `name` says JSON or YAML by its extension). It
/// revises the open draft of its code, or starts the next version.
#[utoipa::path(post, path = "/api/v1/mbrs/import", tag = "mbrs", operation_id = "mbrs_import",
    params(("name" = String, Query, description = "The file's name, e.g. mbr-pcm500.yaml; recorded as the reason")),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 200, body = MbrRow), (status = 422, body = ErrorBody, description = "The file cannot be read, with the line and column")))]
pub async fn import(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> Result<Json<MbrRow>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let name = params.text("name", &mut errors).ok_or_else(|| {
        ApiError::field("name", "is required: the file's name, e.g. name=mbr.yaml")
    })?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|_| ApiError::field("file", "is not UTF-8 text"))?;
    let recipe = read_recipe(text, RecipeFormat::guess(&name)).map_err(ApiError::domain)?;
    let request = vplant_app::Request::by(viewer.username());
    Ok(Json(
        s.app
            .save_mbr(recipe, &format!("import of {name}"), &request)
            .await?,
    ))
}

/// Submit a draft for review (the recipe must be complete).
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/{version}/submit", tag = "mbrs",
    operation_id = "mbrs_submit", params(("code" = String, Path), ("version" = u32, Path)),
    request_body = EmptyBody,
    responses((status = 200, body = MbrRow), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
    cmd: Command<EmptyBody>,
) -> Result<Json<MbrRow>, ApiError> {
    let version = version_of(&version)?;
    Ok(Json(s.app.submit_mbr(&code, version, &cmd.request).await?))
}

fn reason(raw: &str) -> Result<Reason, ApiError> {
    Reason::parse("reason", raw).map_err(|e| ApiError::domain(DomainError::Validation(vec![e])))
}

/// Withdraw a version from review, back to draft.
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/{version}/withdraw", tag = "mbrs",
    operation_id = "mbrs_withdraw", params(("code" = String, Path), ("version" = u32, Path)),
    request_body = MbrReasonBody,
    responses((status = 200, body = MbrRow), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn withdraw(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
    cmd: Command<MbrReasonBody>,
) -> Result<Json<MbrRow>, ApiError> {
    with_reason(&s, &code, &version, cmd, |reason| MbrCommand::Withdraw {
        reason,
    })
    .await
}

/// Retire a version: no further batch starts from it.
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/{version}/retire", tag = "mbrs",
    operation_id = "mbrs_retire", params(("code" = String, Path), ("version" = u32, Path)),
    request_body = MbrReasonBody,
    responses((status = 200, body = MbrRow), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn retire(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
    cmd: Command<MbrReasonBody>,
) -> Result<Json<MbrRow>, ApiError> {
    with_reason(&s, &code, &version, cmd, |reason| MbrCommand::Retire {
        reason,
    })
    .await
}

/// Runs a lifecycle step that carries a reason.
async fn with_reason(
    s: &AppState,
    code: &str,
    version: &str,
    cmd: Command<MbrReasonBody>,
    make: impl FnOnce(Reason) -> MbrCommand,
) -> Result<Json<MbrRow>, ApiError> {
    let command = make(reason(&cmd.body.reason)?);
    let version = version_of(version)?;
    Ok(Json(
        s.app
            .mbr_command(code, version, command, &cmd.request)
            .await?,
    ))
}

/// Make an approved version effective; the version effective until now is
/// superseded in the same commit.
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/{version}/effective", tag = "mbrs",
    operation_id = "mbrs_make_effective", params(("code" = String, Path), ("version" = u32, Path)),
    request_body = EmptyBody,
    responses((status = 200, body = MbrRow), (status = 409, body = ErrorBody)))]
pub async fn make_effective(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
    cmd: Command<EmptyBody>,
) -> Result<Json<MbrRow>, ApiError> {
    let version = version_of(&version)?;
    Ok(Json(
        s.app
            .make_mbr_effective(&code, version, &cmd.request)
            .await?,
    ))
}

/// Draft the next version from the latest one.
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/versions", tag = "mbrs",
    operation_id = "mbrs_new_version", params(("code" = String, Path)), request_body = EmptyBody,
    responses((status = 201, body = MbrRow), (status = 409, body = ErrorBody)))]
pub async fn new_version(
    State(s): State<AppState>,
    Path(code): Path<String>,
    cmd: Command<EmptyBody>,
) -> Result<(StatusCode, Json<MbrRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.new_mbr_version(&code, &cmd.request).await?),
    ))
}

/// What changed from version `from` to version `to`, step by step.
#[utoipa::path(get, path = "/api/v1/mbrs/{code}/diff/{from}/{to}", tag = "mbrs",
    operation_id = "mbrs_diff", params(("code" = String, Path), ("from" = u32, Path), ("to" = u32, Path)),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
pub async fn diff(
    State(s): State<AppState>,
    Path((code, from, to)): Path<(String, String, String)>,
) -> Result<Json<Vec<Difference>>, ApiError> {
    Ok(Json(
        s.app
            .mbr_diff(&code, version_of(&from)?, version_of(&to)?)
            .await?,
    ))
}

/// A version's signatures and the head a new signature must be bound to.
#[utoipa::path(get, path = "/api/v1/mbrs/{code}/{version}/signatures", tag = "mbrs",
    operation_id = "mbrs_signatures", params(("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, body = SignaturesBody), (status = 404, body = ErrorBody)))]
pub async fn signatures(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
) -> Result<Json<SignaturesBody>, ApiError> {
    let version = version_of(&version)?;
    let id = format!("{}/{version}", code.to_uppercase());
    signing::signatures(&s, &format!("mbr/{id}"), "MBR version", &id).await
}

/// Approve (or reject) a version in review: a signature by someone who recorded
/// nothing in it.
#[utoipa::path(post, path = "/api/v1/mbrs/{code}/{version}/signatures", tag = "mbrs",
    operation_id = "mbrs_sign", params(("code" = String, Path), ("version" = u32, Path)),
    request_body = SignBody,
    responses((status = 201, body = Signature), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    Path((code, version)): Path<(String, String)>,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    let version = version_of(&version)?;
    let id = format!("{}/{version}", code.to_uppercase());
    s.app.mbr(&code, version).await?;
    signing::sign(&s, &format!("mbr/{id}"), ("MBR version", &id), cmd).await
}
