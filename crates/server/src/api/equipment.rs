//! `/api/v1/equipment`: equipment units of the ISA-95 hierarchy with their status
//! now (clean, dirty, in use, maintenance, calibration due), registering one, the
//! logbook (`…/history`) and its entries (cleaning, maintenance, calibration). Held
//! to the sites the caller may see.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vplant_app::HistoryEntry;
use vplant_app::equipment::{EquipmentView, LogbookInput};
use vplant_domain::equipment::EquipmentInput;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// A new equipment unit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentBody {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// What kind of unit it is, as MBR steps ask for it (e.g. granulator).
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub work_centre: String,
    /// Hours it stays usable after cleaning.
    #[serde(default)]
    pub clean_hold_hours: String,
    /// Hours it may wait dirty before cleaning.
    #[serde(default)]
    pub dirty_hold_hours: String,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    #[serde(default)]
    pub calibration_due: String,
}

/// A logbook entry: `kind` is clean, maintenance_start, maintenance_end or
/// calibrate (with `next_due`; `note` names the certificate).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogbookBody {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub next_due: String,
}

/// Every unit at the sites you may see, with its status now.
#[utoipa::path(get, path = "/api/v1/equipment", tag = "equipment", operation_id = "equipment_list",
    responses((status = 200, body = Vec<EquipmentView>)))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<EquipmentView>>, ApiError> {
    Ok(Json(s.app.equipment_board(&viewer.scope()).await?))
}

/// Register a unit.
#[utoipa::path(post, path = "/api/v1/equipment", tag = "equipment", operation_id = "equipment_create",
    request_body = EquipmentBody,
    responses((status = 201, body = EquipmentView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    cmd: Command<EquipmentBody>,
) -> Result<(StatusCode, Json<EquipmentView>), ApiError> {
    let b = cmd.body;
    let input = EquipmentInput {
        id: b.id,
        name: b.name,
        class: b.class,
        site: b.site,
        area: b.area,
        work_centre: b.work_centre,
        clean_hold_hours: b.clean_hold_hours,
        dirty_hold_hours: b.dirty_hold_hours,
        calibration_due: b.calibration_due,
    };
    let view = s
        .app
        .register_equipment(&cmd.viewer.scope(), &input, &cmd.request)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One unit with its status now.
#[utoipa::path(get, path = "/api/v1/equipment/{id}", tag = "equipment", operation_id = "equipment_show",
    params(("id" = String, Path)), responses((status = 200, body = EquipmentView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<EquipmentView>, ApiError> {
    Ok(Json(s.app.equipment(&viewer.scope(), &id).await?))
}

/// Add a logbook entry.
#[utoipa::path(post, path = "/api/v1/equipment/{id}/logbook", tag = "equipment",
    operation_id = "equipment_log", params(("id" = String, Path)), request_body = LogbookBody,
    responses((status = 200, body = EquipmentView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn log(
    State(s): State<AppState>,
    Path(id): Path<String>,
    cmd: Command<LogbookBody>,
) -> Result<Json<EquipmentView>, ApiError> {
    let b = cmd.body;
    let input = LogbookInput {
        kind: b.kind,
        note: b.note,
        next_due: b.next_due,
    };
    Ok(Json(
        s.app
            .log_equipment(&cmd.viewer.scope(), &id, &input, &cmd.request)
            .await?,
    ))
}

/// The logbook: every use, cleaning, maintenance and calibration, oldest first.
#[utoipa::path(get, path = "/api/v1/equipment/{id}/history", tag = "equipment",
    operation_id = "equipment_history", params(("id" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let view = s.app.equipment(&viewer.scope(), &id).await?;
    Ok(Json(
        s.app.history(&format!("equipment/{}", view.row.id)).await?,
    ))
}
