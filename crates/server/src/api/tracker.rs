//! `/api/v1/tracker/…` and `/api/v1/batches/export.*`: the batch tracker as a file.
//! A CMO reports its batches by importing a tracker file (CSV or XLSX, in the
//! columns the template documents); the empty templates and an export of the
//! tracker in the same columns are downloads. An import is all or nothing: a
//! refused file comes back with every problem, row by row, and nothing is stored.
//! A CMO partner imports and exports only its own site's batches.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use vplant_app::import::grid::Format;
use vplant_app::import::{ImportError, ImportSummary, RowError};
use vplant_app::tracker_file;
use vplant_domain::FieldError;
use vplant_store::queries::batches::BatchFilter;

use super::audit::QueryParams;
use super::batch_reads::code;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody, ErrorDetail};

/// The largest tracker file accepted.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// What a person is told about a file over [`MAX_UPLOAD`].
pub const TOO_LARGE: &str = "The file is larger than 20 MiB, the most one import takes. Nothing was stored. Split it into smaller files and import each (every file is taken whole or not at all).";

/// The name of the file being imported.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name; its extension says the format (`.csv` or `.xlsx`), and it
    /// is named in the reason of every change the import makes.
    #[param(required = true)]
    name: Option<String>,
}

/// Which batches to export. Every parameter left out matches everything.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Only batches made at this site (code).
    site: Option<String>,
    /// Only batches of this product (code).
    product: Option<String>,
    /// Only batches in this status (as the batch list's `status`).
    status: Option<String>,
    /// Only batches that started (or are planned to start) in this month, `YYYY-MM`.
    month: Option<String>,
}

impl ImportParams {
    /// The file's name and so its format; refused naming `name`.
    fn read(raw: Option<&str>) -> Result<(String, Format), ApiError> {
        let params = QueryParams::parse(raw).map_err(ApiError::invalid)?;
        let mut errors = Vec::new();
        let ImportParams { name } = ImportParams {
            name: params.text("name", &mut errors),
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let Some(name) = name else {
            return Err(ApiError::field(
                "name",
                "is required: the file's name, e.g. name=march.csv",
            ));
        };
        match Format::of(&name) {
            Some(format) => Ok((name, format)),
            None => Err(ApiError::field(
                "name",
                format!("'{name}' must end in .csv or .xlsx, which says the file's format"),
            )),
        }
    }
}

impl ExportParams {
    /// The export's filter, read like the batch list's.
    fn filter(raw: Option<&str>) -> Result<BatchFilter, ApiError> {
        let params = QueryParams::parse(raw).map_err(ApiError::invalid)?;
        let mut errors = Vec::new();
        let sent = ExportParams {
            site: params.text("site", &mut errors),
            product: params.text("product", &mut errors),
            status: params.text("status", &mut errors),
            month: params.text("month", &mut errors),
        };
        let (status, month, _) = crate::api::batch_reads::tracker_filters(
            sent.status.as_deref(),
            sent.month.as_deref(),
            None,
            &mut errors,
        );
        let filter = BatchFilter {
            site: code("site", sent.site.as_deref(), &mut errors),
            product: code("product", sent.product.as_deref(), &mut errors),
            status,
            month,
            sort: None,
            limit: 0,
            offset: 0,
            scope: None,
        };
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

/// A file's bytes, as uploaded or downloaded.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// A refused import: the error, and every problem of the file, row by row.
#[derive(Serialize, ToSchema)]
pub struct ImportRejected {
    pub error: ErrorDetail,
    /// Every problem found: file, row (the header is row 1; 0 for the file as a
    /// whole), column, value and reason.
    pub rows: Vec<RowError>,
}

/// The answer to a refused file: 422 with every problem.
pub fn rejected(rows: Vec<RowError>) -> Response {
    let fields = rows
        .iter()
        .map(|r| {
            let field = if r.column.is_empty() {
                "file"
            } else {
                r.column.as_str()
            };
            let reason = if r.row == 0 {
                r.reason.clone()
            } else {
                format!("row {}: '{}' {}", r.row, r.value, r.reason)
            };
            FieldError::new(field, reason)
        })
        .collect();
    let error = ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "VP-IMPORT-REJECTED",
        message: format!(
            "the file was refused and nothing was stored: {} problem(s), each listed in `rows` with its row, column, value and reason",
            rows.len()
        ),
        fields,
    };
    let body = ImportRejected {
        error: error.body().error,
        rows,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The body, refused (413) past [`MAX_UPLOAD`] bytes.
async fn read_upload(body: Body) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "VP-BODY-TOO-LARGE",
            TOO_LARGE,
        )
    };
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "VP-BAD-BODY",
                format!("the file could not be received ({e}); nothing was stored, send it again"),
            )
        })?;
        if bytes.len() + chunk.len() > MAX_UPLOAD {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Imports a tracker file sent as the body, as you, for the sites you may report
/// for. All or nothing: a file with any problem stores nothing and comes back with
/// every problem. Importing the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/tracker/import", tag = "tracker", operation_id = "tracker_import", params(ImportParams),
    request_body(content = FileBytes, content_type = "application/octet-stream",
        description = "The file's bytes: CSV (UTF-8, comma or semicolon) or XLSX (its first worksheet), in the template's columns"),
    responses(
        (status = 200, body = ImportSummary, description = "The file was imported: how many batches it holds, how many were new or changed, how many events were recorded"),
        (status = 413, body = ErrorBody, description = "The file is larger than 20 MiB"),
        (status = 422, body = ImportRejected, description = "The file was refused and nothing was stored; every problem is listed row by row"),
    ))]
pub async fn import(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<ImportSummary>, Response> {
    let (name, _) = ImportParams::read(raw.as_deref()).map_err(IntoResponse::into_response)?;
    let bytes = read_upload(body)
        .await
        .map_err(IntoResponse::into_response)?;
    match s
        .app
        .import_tracker(&viewer.scope(), &name, &bytes, &viewer.request())
        .await
    {
        Ok(summary) => Ok(Json(summary)),
        Err(ImportError::Rejected(rows)) => Err(rejected(rows)),
        Err(ImportError::App(e)) => Err(ApiError::from(e).into_response()),
    }
}

/// A file to download, named `<stem>.csv` or `<stem>.xlsx`.
pub fn download(file: FileBytes, format: Format, stem: &str) -> Response {
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{extension}\""),
            ),
        ],
        file.0,
    )
        .into_response()
}

fn template(format: Format) -> Result<Response, ApiError> {
    let bytes = tracker_file::template(format)?;
    Ok(download(FileBytes(bytes), format, "tracker-template"))
}

/// The empty tracker template as CSV: the header row, in the documented columns.
#[utoipa::path(get, path = "/api/v1/tracker/template.csv", tag = "tracker", operation_id = "tracker_template_csv",
    responses((status = 200, content_type = "text/csv", body = String, description = "The header row of the template")))]
pub async fn template_csv() -> Result<Response, ApiError> {
    template(Format::Csv)
}

/// The empty tracker template as XLSX, with a second sheet that explains every
/// column.
#[utoipa::path(get, path = "/api/v1/tracker/template.xlsx", tag = "tracker", operation_id = "tracker_template_xlsx",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes,
        description = "An XLSX workbook: sheet Batches (the header row) and sheet Columns (what each column means)")))]
pub async fn template_xlsx() -> Result<Response, ApiError> {
    template(Format::Xlsx)
}

async fn export(
    s: &AppState,
    viewer: &Viewer,
    raw: Option<&str>,
    format: Format,
) -> Result<Response, ApiError> {
    let filter = ExportParams::filter(raw)?;
    let bytes = s
        .app
        .export_batches(&viewer.scope(), filter, format)
        .await?;
    Ok(download(FileBytes(bytes), format, "batches"))
}

/// The tracker rows you may see (filtered like the batch list) as CSV, in the
/// template's columns, so that an export can be edited and imported again.
#[utoipa::path(get, path = "/api/v1/batches/export.csv", tag = "tracker", operation_id = "batches_export_csv", params(ExportParams),
    responses(
        (status = 200, content_type = "text/csv", body = String, description = "One row per batch in the template's columns"),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn export_csv(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    export(&s, &viewer, raw.as_deref(), Format::Csv).await
}

/// The tracker rows you may see (filtered like the batch list) as XLSX, in the
/// template's columns, with the sheet that explains them.
#[utoipa::path(get, path = "/api/v1/batches/export.xlsx", tag = "tracker", operation_id = "batches_export_xlsx", params(ExportParams),
    responses(
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes,
            description = "An XLSX workbook: sheet Batches (one row per batch) and sheet Columns"),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn export_xlsx(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    export(&s, &viewer, raw.as_deref(), Format::Xlsx).await
}
