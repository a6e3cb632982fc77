//! The executed batch record printed: `/ebrs/{site}/{number}/record` is the print
//! view (the whole record as one self-contained page for the browser's print
//! dialog, without the site's navigation) and `/ebrs/{site}/{number}/record.pdf` the
//! PDF/A to download. Both need `ViewManufacturing`; a record at a site the viewer
//! may not see is "not found", like one that does not exist (the use case decides).

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use vplant_app::ebr_record;
use vplant_domain::identity::Permission;

use super::page::PageError;
use crate::AppState;
use crate::api::ebrs::printed_pdf;
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};

/// The print view and the PDF of every batch record.
pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewManufacturing);
    Routes::new()
        .get("/ebrs/{site}/{number}/record", view, print_view)
        .get("/ebrs/{site}/{number}/record.pdf", view, pdf)
}

async fn print_view(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let record = s
        .app
        .ebr_record(&viewer.principal, &format!("{site}/{number}"))
        .await?;
    Ok(Html(ebr_record::to_html(&record)?).into_response())
}

async fn pdf(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    Ok(printed_pdf(&s, &viewer, &site, &number).await?)
}
