//! `/api/v1/ebrs`: batch execution — batch records in progress and awaiting review,
//! starting a batch, one record as a sheet, entries (send an `Idempotency-Key`: a
//! tablet that retries after losing its connection records the entry once), skipped
//! steps, and signatures on steps, exceptions (QA's acknowledgement), the review and
//! the disposition. Held to the sites the caller may see.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vplant_app::ebr_record;
use vplant_app::ebr_sheet::{Sheet, sheet};
use vplant_app::ebrs::{EntryInput, StartInput};
use vplant_app::signatures::SignatureInput;
use vplant_store::queries::mes::EbrRow;

use super::audit::QueryParams;
use super::tracker::FileBytes;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// A batch to start from a production order and the MBR's effective version.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// An internal site.
    #[serde(default)]
    pub site: String,
    /// The batch number.
    #[serde(default)]
    pub number: String,
    /// The production order it executes.
    #[serde(default)]
    pub order: String,
    /// The MBR's code; its effective version is used.
    #[serde(default)]
    pub mbr: String,
    /// The batch size; dispensed quantities scale with it.
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub size_unit: String,
}

/// An entry at a step. `value` is read as the step asks: a number, text, an
/// option, pass/fail, a weight (with `lot` and `unit`), an equipment id, a sample
/// label, start/stop for a timer; empty for an instruction or a calculation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub value: String,
    /// The lot scanned at a dispense step, `<material>/<lot>`.
    #[serde(default)]
    pub lot: String,
    /// The unit of a weight (default: the step's).
    #[serde(default)]
    pub unit: String,
    /// The tablet or scale.
    #[serde(default)]
    pub device: String,
    /// When it was done on the device (RFC 3339); default now.
    #[serde(default)]
    pub performed_at: String,
    /// The entry this one corrects; `reason` is then required.
    pub corrects: Option<u32>,
    #[serde(default)]
    pub reason: String,
}

/// What an entry did.
#[derive(Serialize, ToSchema)]
pub struct EntryResult {
    /// The entry's number, when it was recorded.
    pub entry: Option<u32>,
    /// Why it was refused, when it was (the attempt is kept, with its exception).
    pub refused: Option<String>,
    /// Exceptions raised on the spot.
    pub exceptions: Vec<RaisedException>,
    /// Outside alert limits, action limits or the specification.
    pub excursion: Option<String>,
    /// A retry of a command already recorded: nothing new was written.
    pub replayed: bool,
    /// The record after the entry.
    pub sheet: Sheet,
}

#[derive(Serialize, ToSchema)]
pub struct RaisedException {
    pub number: String,
    pub classification: String,
}

/// A skipped step, with the reason (a major exception is raised).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkipBody {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub reason: String,
}

/// A signature on a batch record: `subject` is a step (performed, verified), an
/// exception number (reviewed: QA's acknowledgement), or empty for the record
/// (reviewed, released, rejected).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchSignBody {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub meaning: String,
    /// The record version shown (`version` of the sheet, or `head` of the signatures).
    pub record_version: u64,
    #[serde(default)]
    pub record_hash: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

async fn sheet_of(s: &AppState, viewer: &Viewer, id: &str) -> Result<Sheet, ApiError> {
    let view = s.app.ebr(&viewer.scope(), id).await?;
    let signatures = s.app.signatures(&format!("ebr/{}", view.row.id)).await?;
    Ok(sheet(&view, signatures)?)
}

/// Batch records at the sites you may see, newest first.
#[utoipa::path(get, path = "/api/v1/ebrs", tag = "ebrs", operation_id = "ebrs_list",
    params(("status" = Option<String>, Query, description = "in_progress, awaiting_review, released or rejected")),
    responses((status = 200, body = Vec<EbrRow>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<EbrRow>>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let status = params.text("status", &mut errors);
    if let Some(st) = &status
        && !vplant_app::ebrs::STATUSES.contains(&st.as_str())
    {
        errors.push(vplant_domain::FieldError::new(
            "status",
            "must be in_progress, awaiting_review, released or rejected",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(Json(s.app.ebrs(&viewer.scope(), status).await?))
}

/// Start a batch.
#[utoipa::path(post, path = "/api/v1/ebrs", tag = "ebrs", operation_id = "ebrs_start",
    request_body = StartBody,
    responses((status = 201, body = EbrRow), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    cmd: Command<StartBody>,
) -> Result<(StatusCode, Json<EbrRow>), ApiError> {
    let b = cmd.body;
    let input = StartInput {
        site: b.site,
        number: b.number,
        order: b.order,
        mbr: b.mbr,
        size: b.size,
        size_unit: b.size_unit,
    };
    let row = s
        .app
        .start_batch(&cmd.viewer.scope(), &input, &cmd.request)
        .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// One batch record as a sheet: steps with targets, status and entries,
/// exceptions, refused attempts, signatures and the review list.
#[utoipa::path(get, path = "/api/v1/ebrs/{site}/{number}", tag = "ebrs", operation_id = "ebrs_show",
    params(("site" = String, Path), ("number" = String, Path)),
    responses((status = 200, body = Sheet), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Json<Sheet>, ApiError> {
    Ok(Json(
        sheet_of(&s, &viewer, &format!("{site}/{number}")).await?,
    ))
}

/// The executed batch record as a PDF/A-2u: every entry with who and when (device
/// clock and ledger), corrections with the old value struck and the new one marked
/// as changed after first entry, exceptions, refused attempts, the review list and
/// every signature's manifestation (printed name, date and time, meaning).
#[utoipa::path(get, path = "/api/v1/ebrs/{site}/{number}/record.pdf", tag = "ebrs",
    operation_id = "ebrs_record_pdf", params(("site" = String, Path), ("number" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = FileBytes,
        description = "The record as printed now, by you, as an attachment named batch-record-<site>-<number>.pdf"),
        (status = 404, body = ErrorBody)))]
pub async fn record_pdf(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(printed_pdf(&s, &viewer, &site, &number).await?)
}

/// Batch record `<site>/<number>` printed now by `viewer`, as a PDF download; the
/// API and the pages both answer with it.
pub(crate) async fn printed_pdf(
    s: &AppState,
    viewer: &Viewer,
    site: &str,
    number: &str,
) -> Result<Response, vplant_app::AppError> {
    let id = format!("{site}/{number}").to_uppercase();
    let record = s.app.ebr_record(&viewer.principal, &id).await?;
    let pdf = ebr_record::to_pdf(record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    ebr_record::file_name(&id, "pdf")
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// Record an entry.
#[utoipa::path(post, path = "/api/v1/ebrs/{site}/{number}/entries", tag = "ebrs",
    operation_id = "ebrs_enter", params(("site" = String, Path), ("number" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request record the entry once")),
    request_body = EntryBody,
    responses((status = 200, body = EntryResult), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Out of order, blocked by a critical exception, or closed"),
        (status = 422, body = ErrorBody)))]
pub async fn enter(
    State(s): State<AppState>,
    Path((site, number)): Path<(String, String)>,
    cmd: Command<EntryBody>,
) -> Result<Json<EntryResult>, ApiError> {
    let id = format!("{site}/{number}");
    let b = cmd.body;
    let input = EntryInput {
        step: b.step,
        value: b.value,
        lot: b.lot,
        unit: b.unit,
        device: b.device,
        performed_at: b.performed_at,
        corrects: b.corrects,
        reason: b.reason,
    };
    let outcome = s
        .app
        .record_entry(&cmd.viewer.scope(), &id, &input, &cmd.request)
        .await?;
    Ok(Json(EntryResult {
        entry: outcome.entry,
        refused: outcome.refused,
        exceptions: outcome
            .exceptions
            .into_iter()
            .map(|(number, c)| RaisedException {
                number,
                classification: c.as_str().to_owned(),
            })
            .collect(),
        excursion: outcome.excursion,
        replayed: outcome.replayed,
        sheet: sheet_of(&s, &cmd.viewer, &id).await?,
    }))
}

/// Skip a step, with the reason; a major exception is raised.
#[utoipa::path(post, path = "/api/v1/ebrs/{site}/{number}/skips", tag = "ebrs",
    operation_id = "ebrs_skip", params(("site" = String, Path), ("number" = String, Path)),
    request_body = SkipBody,
    responses((status = 200, body = Sheet), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn skip(
    State(s): State<AppState>,
    Path((site, number)): Path<(String, String)>,
    cmd: Command<SkipBody>,
) -> Result<Json<Sheet>, ApiError> {
    let id = format!("{site}/{number}");
    s.app
        .skip_step(
            &cmd.viewer.scope(),
            &id,
            &cmd.body.step,
            &cmd.body.reason,
            &cmd.request,
        )
        .await?;
    Ok(Json(sheet_of(&s, &cmd.viewer, &id).await?))
}

/// Sign a step, an exception (QA's acknowledgement), the review or the
/// disposition.
#[utoipa::path(post, path = "/api/v1/ebrs/{site}/{number}/signatures", tag = "ebrs",
    operation_id = "ebrs_sign", params(("site" = String, Path), ("number" = String, Path)),
    request_body = BatchSignBody,
    responses((status = 200, body = Sheet), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    Path((site, number)): Path<(String, String)>,
    cmd: Command<BatchSignBody>,
) -> Result<Json<Sheet>, ApiError> {
    let id = format!("{site}/{number}");
    let b = &cmd.body;
    let input = SignatureInput {
        meaning: b.meaning.clone(),
        shown_version: b.record_version,
        shown_hash: b.record_hash.clone(),
        username: b.username.clone(),
        password: b.password.clone(),
    };
    let subject = Some(b.subject.as_str()).filter(|s| !s.trim().is_empty());
    s.app
        .sign_batch(
            &cmd.viewer.principal,
            &id,
            subject,
            &input,
            &cmd.viewer.client,
        )
        .await?;
    Ok(Json(sheet_of(&s, &cmd.viewer, &id).await?))
}

/// The record's signatures and the head a new signature must be bound to.
#[utoipa::path(get, path = "/api/v1/ebrs/{site}/{number}/signatures", tag = "ebrs",
    operation_id = "ebrs_signatures", params(("site" = String, Path), ("number" = String, Path)),
    responses((status = 200, body = super::signing::SignaturesBody), (status = 404, body = ErrorBody)))]
pub async fn signatures(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Json<super::signing::SignaturesBody>, ApiError> {
    let view = s
        .app
        .ebr(&viewer.scope(), &format!("{site}/{number}"))
        .await?;
    super::signing::signatures(
        &s,
        &format!("ebr/{}", view.row.id),
        "batch record",
        &view.row.id,
    )
    .await
}
