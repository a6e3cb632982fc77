//! The approval signature dialog of an exception (`/exceptions/<number>/sign`):
//! approved or rejected, for its closure or a requested extension. The exception
//! is looked up in the viewer's scope first; the dialog itself is the one every
//! signable record shares (`ui::sign`), and the app commits what the signature
//! decides with it.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use vplant_domain::Aggregate;
use vplant_domain::exception::ExceptionState;

use super::detail::approval;
use super::{BASE, ExceptionPages, href};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::Values;
use crate::ui::page::PageError;
use crate::ui::sign::{self, Signable};
use crate::ui::step_flow::or_not_found;

/// Exception `number` as its dialog names it, if `viewer` may see it.
async fn signable(state: &AppState, viewer: &Viewer, number: &str) -> Result<Signable, PageError> {
    let view = state
        .app
        .exception(&viewer.scope(), number)
        .await
        .map_err(|e| or_not_found::<ExceptionPages>(e, number))?;
    let row = &view.row;
    let decision = approval(&view);
    let blocked = if decision.is_none() {
        Some(format!(
            "Exception {} is not waiting for an approval; there is nothing to sign.",
            row.number
        ))
    } else if sign::meanings(viewer, "exception").is_empty() {
        Some("Your roles do not allow approving or rejecting an exception.".to_owned())
    } else {
        None
    };
    Ok(Signable {
        what: "exception",
        id: row.number.clone(),
        label: format!("{} · {}", row.number, row.title),
        href: href(&row.number),
        stream_id: ExceptionState::stream_id(&row.number),
        section: BASE,
        list: ("Exceptions", BASE),
        decision,
        blocked,
        subject: None,
    })
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &number).await?;
    sign::form(&state, &viewer, target).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &number).await?;
    sign::submit(&state, &viewer, target, &values).await
}
