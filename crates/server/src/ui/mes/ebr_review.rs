//! QA's review by exception of a batch record (`/ebrs/<site>/<number>/review`):
//! only what needs a human look (exceptions, corrections, out-of-limit values, late
//! entries, skipped steps, refused attempts), the gates of release (every step done
//! and signed, the review covering the record as it stands, no critical exception
//! open), and the review and disposition signatures.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_app::ebr_sheet::SheetReview;
use vplant_store::queries::identity::Signature;

use super::EBRS;
use super::ebr_screen::{href, load, sign_meanings};
use super::labels::{ebr_status, review_kind};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::page::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "mes/ebr_review.html")]
struct ReviewPage {
    page: Chrome,
    id: String,
    href: String,
    status: (&'static str, &'static str),
    product: String,
    mbr: String,
    items: Vec<(&'static str, SheetReview)>,
    complete: bool,
    reviewed: bool,
    open_critical: Vec<String>,
    steps_open: usize,
    signatures: Vec<Signature>,
    may_sign: bool,
    decided: bool,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let sheet = load(&state, &viewer, &format!("{site}/{number}")).await?;
    let body = ReviewPage {
        page: Chrome::new(format!("QA review of batch {}", sheet.id), EBRS)
            .via("Batch execution", EBRS)
            .via(format!("Batch {}", sheet.id), href(&sheet.id))
            .viewer(&viewer),
        href: href(&sheet.id),
        status: ebr_status(&sheet.status),
        product: sheet.product.clone(),
        mbr: format!("{} v{}", sheet.mbr, sheet.mbr_version),
        items: sheet
            .review
            .iter()
            .map(|r| (review_kind(&r.kind), r.clone()))
            .collect(),
        complete: sheet.complete,
        reviewed: sheet.reviewed,
        open_critical: sheet
            .exceptions
            .iter()
            .filter(|e| e.classification == "critical" && !e.acknowledged)
            .map(|e| e.number.clone())
            .collect(),
        steps_open: sheet
            .steps
            .iter()
            .filter(|s| !matches!(s.status.as_str(), "done" | "skipped"))
            .count(),
        signatures: sheet
            .signatures
            .iter()
            .filter(|g| g.subject.is_none())
            .cloned()
            .collect(),
        may_sign: !sign_meanings(&viewer).is_empty(),
        decided: matches!(sheet.status.as_str(), "released" | "rejected"),
        id: sheet.id,
    };
    Ok(render(StatusCode::OK, &body))
}
