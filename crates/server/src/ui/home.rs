//! The home page: what the plant holds (sites, products, ledger events, how far the
//! ledger is sealed by a signed checkpoint) and where to go next.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use vplant_store::queries::master::Counts;

use super::page::{Chrome, PageError, render};
use crate::AppState;
use crate::auth::Viewer;
use vplant_app::master::Sites;
use vplant_domain::identity::{Permission, Scope};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Chrome,
    counts: Counts,
    /// Accounts locked after failed sign-ins, counted for people who manage users.
    lockouts: usize,
    lockout_alert: String,
    /// The ledger's size and seal describe the whole network's activity; a person
    /// scoped to one site sees neither.
    network_wide: bool,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let mut counts = state.app.store.counts().await?;
    // Counts respect site scoping like every list: a CMO partner counts its own sites.
    if viewer.scope() != Scope::All {
        counts.sites = state
            .app
            .masters::<Sites>(&viewer.scope(), true)
            .await?
            .len() as u64;
    }
    let lockouts = if viewer.can(Permission::ManageUsers) {
        super::users::lockouts(&state).await?
    } else {
        0
    };
    let page = HomePage {
        page: Chrome::home("Overview").viewer(&viewer),
        counts,
        lockouts,
        lockout_alert: super::users::lockout_alert(lockouts),
        network_wide: viewer.scope() == Scope::All,
    };
    Ok(render(StatusCode::OK, &page))
}
