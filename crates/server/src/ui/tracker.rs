//! The tracker import page (`/tracker/import`): a CMO partner or VPT manager uploads
//! a tracker file (CSV or XLSX) and sees either what it changed or, row by row,
//! every problem in it, in which case nothing was stored. The page also offers the
//! empty templates and documents every column (`COLUMNS`, the same list the
//! templates and `docs/tracker-import.md` describe). The upload is a plain
//! `multipart/form-data` form that works without JavaScript; its anti-forgery token
//! is its first field, where the forgery check reads it (`auth/csrf.rs`).

use askama::Template;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::Response;
use vplant_app::import::tracker::{COLUMNS, Column};
use vplant_app::import::{ImportError, ImportSummary, RowError};
use vplant_domain::identity::Permission;

use super::batches::BATCHES;
use super::page::{Chrome, PageError, render};
use crate::AppState;
use crate::api::tracker::{MAX_UPLOAD, TOO_LARGE};
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};

/// Where the import page lives.
pub const IMPORT: &str = "/tracker/import";

/// The most a whole upload request may carry: the file and the form around it.
const MAX_REQUEST: usize = MAX_UPLOAD + 64 * 1024;

pub fn routes() -> Routes {
    let report = Access::Allow(Permission::ReportBatches);
    Routes::new().get(IMPORT, report, show).post(
        IMPORT,
        report,
        upload.layer(DefaultBodyLimit::max(MAX_REQUEST)),
    )
}

/// A file that was imported.
pub struct Imported {
    pub file: String,
    pub summary: ImportSummary,
}

/// A file that was refused, with every problem in it.
pub struct Rejected {
    pub file: String,
    pub rows: Vec<RowError>,
}

#[derive(Template)]
#[template(path = "tracker/import.html")]
struct ImportPage {
    page: Chrome,
    action: &'static str,
    imported: Option<Imported>,
    rejected: Option<Rejected>,
    /// An upload that could not be taken at all (too large, no file, broken off).
    refusal: Option<String>,
    columns: &'static [Column],
    max_mib: usize,
}

fn page(viewer: &Viewer) -> ImportPage {
    ImportPage {
        page: Chrome::new("Import a tracker file", BATCHES)
            .via("Batch tracker", BATCHES)
            .viewer(viewer),
        action: IMPORT,
        imported: None,
        rejected: None,
        refusal: None,
        columns: COLUMNS.as_slice(),
        max_mib: MAX_UPLOAD / (1024 * 1024),
    }
}

async fn show(viewer: Viewer) -> Response {
    render(StatusCode::OK, &page(&viewer))
}

/// Why an upload could not be read, and the status that says so.
fn unreadable(error: &MultipartError) -> (StatusCode, String) {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE.to_owned());
    }
    (
        StatusCode::BAD_REQUEST,
        format!(
            "The upload could not be read ({error}). Nothing was stored. Choose the file and import it again."
        ),
    )
}

/// The file field's name and bytes, refused past [`MAX_UPLOAD`].
async fn file_of(mut field: Field<'_>) -> Result<(String, Vec<u8>), (StatusCode, String)> {
    let name = field.file_name().unwrap_or_default().to_owned();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
        if bytes.len() + chunk.len() > MAX_UPLOAD {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE.to_owned()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((name, bytes))
}

/// The uploaded file: the form's `file` field.
async fn uploaded(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), (StatusCode, String)> {
    let mut multipart = multipart.map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            "The upload did not come as a file. Nothing was stored. Choose the file with the form on this page and import it."
                .to_owned(),
        )
    })?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        if field.name() == Some("file") {
            file = Some(file_of(field).await?);
        }
    }
    match file {
        Some((name, bytes)) if !name.is_empty() => Ok((name, bytes)),
        _ => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "No file was chosen. Choose a CSV or XLSX tracker file and import it.".to_owned(),
        )),
    }
}

async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let mut body = page(&viewer);
    let (name, bytes) = match uploaded(multipart).await {
        Ok(file) => file,
        Err((status, message)) => {
            body.refusal = Some(message);
            return Ok(render(status, &body));
        }
    };
    let file = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_owned();
    let outcome = state
        .app
        .import_tracker(&viewer.scope(), &name, &bytes, &viewer.request())
        .await;
    let status = match outcome {
        Ok(summary) => {
            body.imported = Some(Imported { file, summary });
            StatusCode::OK
        }
        Err(ImportError::Rejected(rows)) => {
            body.rejected = Some(Rejected { file, rows });
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportError::App(e)) => return Err(e.into()),
    };
    Ok(render(status, &body))
}
