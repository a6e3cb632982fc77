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
use vplant_store::queries::batches::{BatchFilter, STATUSES};

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
    /// For people who work with batches: the batches of their sites by status, the
    /// open exceptions there and what is overdue for them. For a CMO partner this is
    /// its portal: everything counts its own site only.
    operations: Option<Operations>,
}

struct Operations {
    /// Whose: "your site CMO-LYO", or "the network".
    whose: String,
    /// (status label, count, link to the tracker filtered to it).
    statuses: Vec<(&'static str, u64, String)>,
    open_exceptions: u64,
    overdue_actions: usize,
    overdue_exceptions: usize,
    kpis: bool,
}

async fn operations(state: &AppState, viewer: &Viewer) -> Result<Option<Operations>, PageError> {
    if !viewer.can(Permission::ViewBatches) {
        return Ok(None);
    }
    let scope = viewer.scope();
    let groups = state
        .app
        .batch_groups(&scope, BatchFilter::default(), "status")
        .await?;
    let statuses = STATUSES
        .iter()
        .map(|(name, label)| {
            let count = groups
                .iter()
                .find(|g| g.key == *name)
                .map_or(0, |g| g.batches);
            (*label, count, format!("/batches?status={name}"))
        })
        .collect();
    let (open_exceptions, overdue) = if viewer.can(Permission::ViewExceptions) {
        let open = state.app.open_exception_count(&scope).await?;
        let overdue = state
            .app
            .overdue_for(&scope, &viewer.principal.username)
            .await?;
        (open, Some(overdue))
    } else {
        (0, None)
    };
    let whose = match &scope {
        Scope::All => "the network".to_owned(),
        Scope::Sites(sites) => {
            let list: Vec<&str> = sites.iter().map(String::as_str).collect();
            format!(
                "your site{} {}",
                if list.len() == 1 { "" } else { "s" },
                list.join(", ")
            )
        }
    };
    Ok(Some(Operations {
        whose,
        statuses,
        open_exceptions,
        overdue_actions: overdue.as_ref().map_or(0, |o| o.actions.len()),
        overdue_exceptions: overdue.as_ref().map_or(0, |o| o.exceptions.len()),
        kpis: viewer.can(Permission::ViewKpis),
    }))
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
        operations: operations(&state, &viewer).await?,
    };
    Ok(render(StatusCode::OK, &page))
}
