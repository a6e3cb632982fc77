//! The MBR list (`/mbrs`): every version of every master batch record with its
//! lifecycle status, newest version of each code first.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use vplant_domain::identity::Permission;
use vplant_store::queries::mes::MbrRow;

use super::MBRS;
use super::labels::mbr_status;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::page::{Chrome, PageError, render};

/// One version as a list row.
pub struct MbrLine {
    pub code: String,
    pub version: u32,
    pub title: String,
    pub product: String,
    pub status: (&'static str, &'static str),
    pub effective_at: String,
    pub href: String,
}

impl MbrLine {
    pub fn new(row: &MbrRow) -> MbrLine {
        MbrLine {
            code: row.code.clone(),
            version: row.mbr_version,
            title: row.title.clone(),
            product: row.product.clone(),
            status: mbr_status(&row.status),
            effective_at: row.effective_at.map(|t| t.to_display()).unwrap_or_default(),
            href: format!("{MBRS}/{}/{}", row.code, row.mbr_version),
        }
    }
}

#[derive(Template)]
#[template(path = "mes/mbrs.html")]
struct ListPage {
    page: Chrome,
    rows: Vec<MbrLine>,
    may_author: bool,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let mut rows = state.app.mbrs().await?;
    // Each code together, its newest version first.
    rows.sort_by(|a, b| a.code.cmp(&b.code).then(b.mbr_version.cmp(&a.mbr_version)));
    let body = ListPage {
        page: Chrome::new("Master batch records", MBRS).viewer(&viewer),
        rows: rows.iter().map(MbrLine::new).collect(),
        may_author: viewer.can(Permission::AuthorRecipes),
    };
    Ok(render(StatusCode::OK, &body))
}
