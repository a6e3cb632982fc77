//! The signature dialog of a master record (`{base}/{code}/sign`): the record is
//! looked up in the viewer's scope and handed to the dialog every signable record
//! shares (`ui::sign`).

use axum::extract::{Form, Path, State};
use axum::response::Response;
use vplant_domain::Aggregate;
use vplant_domain::signature::Meaning;

use super::MasterUi;
use super::detail::visible;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::Values;
use crate::ui::page::PageError;
use crate::ui::sign::{self, Signable};

/// The meanings `viewer` may sign records of type `R` with.
pub(super) fn meanings<R: MasterUi>(viewer: &Viewer) -> Vec<Meaning> {
    let record_type = R::Agg::stream_id("");
    sign::meanings(viewer, record_type.trim_end_matches('/'))
}

/// The record `code` as its dialog names it, if `viewer` may see it.
async fn signable<R: MasterUi>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<Signable, PageError> {
    let record = R::view(visible::<R>(state, viewer, &code.to_uppercase()).await?);
    Ok(Signable {
        what: R::WHAT,
        label: format!("{} · {}", record.code, record.name),
        href: format!("{}/{}", R::BASE, record.code),
        stream_id: R::Agg::stream_id(&record.code),
        section: R::BASE,
        list: (R::MANY, R::BASE),
        decision: None,
        blocked: None,
        subject: None,
        id: record.code,
    })
}

pub(super) async fn form<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let target = signable::<R>(&state, &viewer, &code).await?;
    sign::form(&state, &viewer, target).await
}

pub(super) async fn submit<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let target = signable::<R>(&state, &viewer, &code).await?;
    sign::submit(&state, &viewer, target, &values).await
}
