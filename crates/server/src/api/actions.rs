//! `/api/v1/actions`: the one tracker for every follow-up (CAPA, corrections,
//! meeting action items, mitigations, tasks) — the list with its filters, creating
//! one, the record with its evidence, each step of its life, its history, and each
//! person's overdue list. Reads and changes are held to the caller's sites by the
//! use cases (another site's action is "not found").

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_app::actions::{ActionView, Overdue};
use vplant_domain::action::{ActionCommand, ActionInput, ActionState};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::actions::ActionRow;

use super::action_input::{self as input, ActionQuery};
use super::changes::ReasonBody;
use super::exceptions::StepBody;
use super::list_query::read_list;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// A new action. The number (`AC-<year>-NNNN`) is given by the system; an action
/// that follows up an exception belongs to the exception's site.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// capa, correction, meeting_action, risk_mitigation, crisis_task, project_task
    /// or other.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The username of the person who owns it.
    #[serde(default)]
    pub owner: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due: String,
    /// The site it concerns; taken from the source exception when there is one. A
    /// CMO partner must name one of their sites.
    #[serde(default)]
    pub site: String,
    /// What it follows up: exception, meeting, risk, crisis or project, with
    /// `source_id`; both empty for nothing.
    #[serde(default)]
    pub source_kind: String,
    /// E.g. `EX-2026-0042`.
    #[serde(default)]
    pub source_id: String,
    /// For a CAPA: what will show it worked.
    #[serde(default)]
    pub effectiveness_criterion: String,
    /// For a CAPA: when effectiveness is checked, `YYYY-MM-DD`, not before `due`.
    #[serde(default)]
    pub effectiveness_due: String,
}

/// Evidence that the work was done.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    /// What shows it (a document, a record, a result).
    #[serde(default)]
    pub note: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// The result of a CAPA's effectiveness check.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectivenessBody {
    /// Whether the CAPA was effective; `false` reopens it.
    pub effective: Option<bool>,
    /// What the check found.
    #[serde(default)]
    pub note: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// A new owner, with the reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    /// The username of the new owner (an active account).
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// A new due date, with the reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueBody {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// The actions at the sites you may see (all actions for people not bound to
/// sites), soonest due first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", operation_id = "actions_list",
    params(ActionQuery),
    responses(
        (status = 200, body = Vec<ActionRow>),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ActionRow>>, ApiError> {
    let today = s.app.store.now().date().to_string();
    let filter = read_list::<ActionQuery>(raw.as_deref(), &today)?;
    Ok(Json(s.app.actions(&viewer.scope(), filter).await?))
}

/// Create an action, e.g. a CAPA following up an exception.
#[utoipa::path(post, path = "/api/v1/actions", tag = "actions", operation_id = "actions_create",
    request_body = ActionBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return its first result")),
    responses(
        (status = 201, body = ActionRow, description = "Created"),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    cmd: Command<ActionBody>,
) -> Result<(StatusCode, Json<ActionRow>), ApiError> {
    let b = cmd.body;
    let action = ActionInput {
        kind: b.kind,
        title: b.title,
        description: b.description,
        owner: b.owner,
        due: b.due,
        site: b.site,
        source_kind: b.source_kind,
        source_id: b.source_id,
        effectiveness_criterion: b.effectiveness_criterion,
        effectiveness_due: b.effectiveness_due,
    };
    let row = input::create(&s.app, &cmd.viewer.scope(), &action, &cmd.request).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// One action with its description, evidence (who added what, when) and
/// effectiveness checks.
#[utoipa::path(get, path = "/api/v1/actions/{number}", tag = "actions", operation_id = "actions_show",
    params(("number" = String, Path, description = "E.g. AC-2026-0007")),
    responses((status = 200, body = ActionView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Json<ActionView>, ApiError> {
    Ok(Json(s.app.action(&viewer.scope(), &number).await?))
}

/// Runs one step on action `number` for the caller.
async fn step<B>(
    s: &AppState,
    number: &str,
    parsed: Result<ActionCommand, DomainError>,
    cmd: Command<B>,
    expected_version: Option<u64>,
) -> Result<Json<ActionRow>, ApiError> {
    let command = parsed.map_err(ApiError::domain)?;
    let (viewer, request) = cmd.guarded(expected_version);
    let scope = viewer.scope();
    Ok(Json(
        s.app
            .act_on_action(&scope, number, command, &request)
            .await?,
    ))
}

/// Start work on an open action.
#[utoipa::path(post, path = "/api/v1/actions/{number}/start", tag = "actions",
    operation_id = "actions_start", params(("number" = String, Path)), request_body = StepBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<StepBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let version = cmd.body.expected_version;
    step(&s, &number, Ok(ActionCommand::Start), cmd, version).await
}

/// Add evidence; a CAPA cannot be completed without any.
#[utoipa::path(post, path = "/api/v1/actions/{number}/evidence", tag = "actions",
    operation_id = "actions_add_evidence", params(("number" = String, Path)), request_body = EvidenceBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn evidence(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<EvidenceBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let parsed = input::evidence(&cmd.body.note);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// Complete the action; a CAPA then waits for its effectiveness check.
#[utoipa::path(post, path = "/api/v1/actions/{number}/complete", tag = "actions",
    operation_id = "actions_complete", params(("number" = String, Path)), request_body = StepBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn complete(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<StepBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let version = cmd.body.expected_version;
    step(&s, &number, Ok(ActionCommand::Complete), cmd, version).await
}

/// Record a completed CAPA's effectiveness check; an ineffective one is reopened.
#[utoipa::path(post, path = "/api/v1/actions/{number}/effectiveness", tag = "actions",
    operation_id = "actions_check_effectiveness", params(("number" = String, Path)), request_body = EffectivenessBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named")))]
pub async fn effectiveness(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<EffectivenessBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let parsed = input::effectiveness(cmd.body.effective, &cmd.body.note);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// Give the action to another person (reason required).
#[utoipa::path(post, path = "/api/v1/actions/{number}/reassign", tag = "actions",
    operation_id = "actions_reassign", params(("number" = String, Path)), request_body = ReassignBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named")))]
pub async fn reassign(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<ReassignBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let parsed = input::reassign(&cmd.body.owner, &cmd.body.reason);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// Move the due date (reason required).
#[utoipa::path(post, path = "/api/v1/actions/{number}/due", tag = "actions",
    operation_id = "actions_change_due", params(("number" = String, Path)), request_body = DueBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named")))]
pub async fn change_due(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<DueBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let parsed = input::change_due(&cmd.body.due, &cmd.body.reason);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// Cancel the action (reason required).
#[utoipa::path(post, path = "/api/v1/actions/{number}/cancel", tag = "actions",
    operation_id = "actions_cancel", params(("number" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = ActionRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(s): State<AppState>,
    Path(number): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<ActionRow>, ApiError> {
    let parsed = input::cancel(&cmd.body.reason);
    let version = cmd.body.expected_version;
    step(&s, &number, parsed, cmd, version).await
}

/// The action's full history from the ledger: who, what, when, why, old and new
/// values.
#[utoipa::path(get, path = "/api/v1/actions/{number}/history", tag = "actions",
    operation_id = "actions_history", params(("number" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let view = s.app.action(&viewer.scope(), &number).await?;
    let stream = ActionState::stream_id(&view.row.number);
    Ok(Json(s.app.history(&stream).await?))
}

/// What is overdue for you today: the actions you own past their due date, and the
/// exceptions past their due date at the sites you may see.
#[utoipa::path(get, path = "/api/v1/me/overdue", tag = "actions", operation_id = "me_overdue",
    responses((status = 200, body = Overdue)))]
pub async fn overdue(State(s): State<AppState>, viewer: Viewer) -> Result<Json<Overdue>, ApiError> {
    Ok(Json(
        s.app
            .overdue_for(&viewer.scope(), viewer.username())
            .await?,
    ))
}
