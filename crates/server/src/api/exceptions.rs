//! `/api/v1/exceptions`: exceptions (deviations) for integrations — the list with
//! its filters, raising one, the record, each step of the investigation, the
//! approval signatures that close it or extend its due date, and its history. Every
//! read and change is held to the caller's sites by the use cases (another site's
//! exception is "not found").

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_app::exceptions::ExceptionView;
use vplant_domain::exception::{ExceptionCommand, ExceptionState, RaiseInput};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::exceptions::ExceptionRow;
use vplant_store::queries::identity::Signature;

use super::changes::ReasonBody;
use super::exception_input::{self as input, ExceptionQuery};
use super::list_query::read_list;
use super::signing::{self, SignBody, SignaturesBody};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// A new exception. The number (`EX-<year>-NNNN`) and the due date (from the
/// classification) are given by the system.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseBody {
    /// The site code; one you may see.
    #[serde(default)]
    pub site: String,
    /// The product code, if the exception concerns one.
    #[serde(default)]
    pub product: String,
    /// The batches it concerns, each `<site>/<batch number>` at the same site.
    #[serde(default)]
    pub batches: Vec<String>,
    /// The day it occurred, `YYYY-MM-DD`.
    #[serde(default)]
    pub occurred: String,
    /// The day it was discovered, `YYYY-MM-DD`; not before it occurred.
    #[serde(default)]
    pub discovered: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// minor, major or critical.
    #[serde(default)]
    pub classification: String,
    /// process, equipment, materials, documentation, laboratory, facility,
    /// personnel, supplier or other.
    #[serde(default)]
    pub category: String,
    /// What was done at once, if anything.
    #[serde(default)]
    pub immediate_action: String,
}

/// A step that needs nothing but the go-ahead.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// The investigation's findings.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessBody {
    /// The product-impact assessment.
    #[serde(default)]
    pub product_impact: String,
    /// human_error, method, machine, material, measurement, environment, supplier
    /// or undetermined; recurrence is judged on it.
    #[serde(default)]
    pub root_cause_category: String,
    #[serde(default)]
    pub root_cause: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// A later due date, which takes effect once approved by signature.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// The requested new due date, `YYYY-MM-DD`, after the current one.
    #[serde(default)]
    pub due: String,
    /// Why more time is needed.
    #[serde(default)]
    pub justification: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// The exceptions at the sites you may see, most recently discovered first.
#[utoipa::path(get, path = "/api/v1/exceptions", tag = "exceptions", operation_id = "exceptions_list",
    params(ExceptionQuery),
    responses(
        (status = 200, body = Vec<ExceptionRow>),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ExceptionRow>>, ApiError> {
    let today = s.app.store.now().date().to_string();
    let filter = read_list::<ExceptionQuery>(raw.as_deref(), &today)?;
    Ok(Json(s.app.exceptions(&viewer.scope(), filter).await?))
}

/// Raise an exception at a site you may see. A CMO partner's exception is recorded
/// as reported by the CMO, everyone else's as raised by the Virtual Plant Team.
#[utoipa::path(post, path = "/api/v1/exceptions", tag = "exceptions", operation_id = "exceptions_raise",
    request_body = RaiseBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return its first result")),
    responses(
        (status = 201, body = ExceptionRow, description = "Raised"),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named"),
    ))]
pub async fn raise(
    State(s): State<AppState>,
    cmd: Command<RaiseBody>,
) -> Result<(StatusCode, Json<ExceptionRow>), ApiError> {
    let b = cmd.body;
    let raise = RaiseInput {
        site: b.site,
        product: b.product,
        batches: b.batches,
        occurred: b.occurred,
        discovered: b.discovered,
        title: b.title,
        description: b.description,
        classification: b.classification,
        category: b.category,
        immediate_action: b.immediate_action,
    };
    let origin = input::origin(&cmd.viewer);
    let row = input::raise(&s.app, &cmd.viewer.scope(), &raise, origin, &cmd.request).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// One exception with its description, batches, assessment, pending extension and
/// recurrences.
#[utoipa::path(get, path = "/api/v1/exceptions/{number}", tag = "exceptions", operation_id = "exceptions_show",
    params(("number" = String, Path, description = "E.g. EX-2026-0042")),
    responses((status = 200, body = ExceptionView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Json<ExceptionView>, ApiError> {
    Ok(Json(s.app.exception(&viewer.scope(), &number).await?))
}

/// Runs one step on exception `number` for the caller.
async fn step<B>(
    s: &AppState,
    number: &str,
    parsed: Result<ExceptionCommand, DomainError>,
    cmd: Command<B>,
    expected_version: Option<u64>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let command = parsed.map_err(ApiError::domain)?;
    let (viewer, request) = cmd.guarded(expected_version);
    let scope = viewer.scope();
    Ok(Json(
        s.app
            .act_on_exception(&scope, number, command, &request)
            .await?,
    ))
}

/// Start the investigation of an open exception.
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/start-investigation", tag = "exceptions",
    operation_id = "exceptions_start_investigation", params(("number" = String, Path)), request_body = StepBody,
    responses((status = 200, body = ExceptionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start_investigation(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<StepBody>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let version = cmd.body.expected_version;
    step(
        &s,
        &number,
        Ok(ExceptionCommand::StartInvestigation),
        cmd,
        version,
    )
    .await
}

/// Record (or revise) the product-impact assessment and the root cause; an open
/// exception goes under investigation with it.
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/assess", tag = "exceptions",
    operation_id = "exceptions_assess", params(("number" = String, Path)), request_body = AssessBody,
    responses((status = 200, body = ExceptionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named")))]
pub async fn assess(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<AssessBody>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let b = &cmd.body;
    let parsed = input::assess(&b.product_impact, &b.root_cause_category, &b.root_cause);
    let version = b.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// Submit the assessed exception for closure; an approval signature closes it.
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/submit", tag = "exceptions",
    operation_id = "exceptions_submit", params(("number" = String, Path)), request_body = StepBody,
    responses((status = 200, body = ExceptionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<StepBody>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let version = cmd.body.expected_version;
    step(
        &s,
        &number,
        Ok(ExceptionCommand::SubmitForClosure),
        cmd,
        version,
    )
    .await
}

/// Ask for a later due date, with a justification; an approval signature grants it.
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/request-extension", tag = "exceptions",
    operation_id = "exceptions_request_extension", params(("number" = String, Path)), request_body = ExtensionBody,
    responses((status = 200, body = ExceptionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named")))]
pub async fn request_extension(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<ExtensionBody>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let command = ExceptionCommand::RequestExtension {
        to: cmd.body.due.clone(),
        justification: cmd.body.justification.clone(),
    };
    let version = cmd.body.expected_version;
    step(&s, &number, Ok(command), cmd, version).await
}

/// Cancel the exception (reason required).
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/cancel", tag = "exceptions",
    operation_id = "exceptions_cancel", params(("number" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = ExceptionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<ExceptionRow>, ApiError> {
    let parsed = input::cancel(&cmd.body.reason);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// The exception's stream, once the caller is known to see it.
async fn stream_of(
    s: &AppState,
    viewer: &Viewer,
    number: &str,
) -> Result<(String, String), ApiError> {
    let view = s.app.exception(&viewer.scope(), number).await?;
    Ok((ExceptionState::stream_id(&view.row.number), view.row.number))
}

/// The exception's approval signatures, and the version and content hash a new
/// signature must be bound to.
#[utoipa::path(get, path = "/api/v1/exceptions/{number}/signatures", tag = "exceptions",
    operation_id = "exceptions_signatures", params(("number" = String, Path)),
    responses((status = 200, body = SignaturesBody), (status = 404, body = ErrorBody)))]
pub async fn signatures(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Json<SignaturesBody>, ApiError> {
    let (stream, number) = stream_of(&s, &viewer, &number).await?;
    signing::signatures(&s, &stream, "exception", &number).await
}

/// Approve or reject (21 CFR Part 11) what the exception waits for: its closure
/// (approved closes it, rejected returns it to the investigation) or a requested
/// extension (approved moves the due date). Nobody who recorded part of the
/// exception may sign it (403, segregation of duties); a record changed since it
/// was shown is refused (409).
#[utoipa::path(post, path = "/api/v1/exceptions/{number}/signatures", tag = "exceptions",
    operation_id = "exceptions_sign", params(("number" = String, Path)), request_body = SignBody,
    responses((status = 201, body = Signature), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    let (stream, number) = stream_of(&s, &cmd.viewer, &number).await?;
    signing::sign(&s, &stream, ("exception", &number), cmd).await
}

/// The exception's full history from the ledger: who, what, when, why, old and new
/// values.
#[utoipa::path(get, path = "/api/v1/exceptions/{number}/history", tag = "exceptions",
    operation_id = "exceptions_history", params(("number" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let (stream, _) = stream_of(&s, &viewer, &number).await?;
    Ok(Json(s.app.history(&stream).await?))
}
