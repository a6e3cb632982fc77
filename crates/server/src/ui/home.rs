//! The home page: what the plant holds (sites, products, ledger events, how far the
//! ledger is sealed by a signed checkpoint) and where to go next.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use vplant_store::queries::master::Counts;

use super::page::{Chrome, PageError, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Chrome,
    counts: Counts,
}

pub async fn show(State(state): State<AppState>) -> Result<Response, PageError> {
    let counts = state.app.store.counts().await?;
    let page = HomePage {
        page: Chrome::home("Overview"),
        counts,
    };
    Ok(render(StatusCode::OK, &page))
}
