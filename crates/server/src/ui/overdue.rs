//! "My overdue" (`/overdue`): the actions the viewer owns that are past their due
//! date, and the exceptions past their due date at the sites the viewer may see —
//! what SPEC §2.5 escalates.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::actions::ActionLine;
use super::exceptions::ExceptionLine;
use super::page::{Chrome, PageError, render};
use crate::AppState;
use crate::auth::Viewer;

/// Where the page lives.
pub const BASE: &str = "/overdue";

#[derive(Template)]
#[template(path = "overdue.html")]
struct OverduePage {
    page: Chrome,
    today: String,
    actions: Vec<ActionLine>,
    exceptions: Vec<ExceptionLine>,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let overdue = state
        .app
        .overdue_for(&viewer.scope(), viewer.username())
        .await?;
    let today = state.app.store.now().date().to_string();
    let body = OverduePage {
        page: Chrome::new("My overdue", BASE).viewer(&viewer),
        actions: overdue
            .actions
            .iter()
            .map(|a| ActionLine::new(a, &today))
            .collect(),
        exceptions: overdue
            .exceptions
            .iter()
            .map(|e| ExceptionLine::new(e, &today))
            .collect(),
        today,
    };
    Ok(render(StatusCode::OK, &body))
}
