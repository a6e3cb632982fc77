//! The signature dialog of a batch record (`/ebrs/<site>/<number>/sign`): a step
//! signed as performed or verified (`?subject=<step>`), a critical exception
//! acknowledged by QA (`?subject=<EX number>`, meaning reviewed), or the record
//! reviewed, released or rejected (no subject). The dialog is the one every
//! signable record shares; the batch rules (who may sign what, the release gates)
//! are the app's.

use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use vplant_domain::signature::Meaning;

use super::EBRS;
use super::ebr_screen::{href, load, sign_meanings};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{Values, value};
use crate::ui::page::PageError;
use crate::ui::sign::{self, Signable, Subject};

/// Batch record `id` as the dialog names it, signed about `subject`.
async fn signable(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    subject: &str,
) -> Result<Signable, PageError> {
    let sheet = load(state, viewer, id).await?;
    let subject = subject.trim();
    let (label, meanings, blocked) = if subject.is_empty() {
        let blocked = sign_meanings(viewer).is_empty().then(|| {
            "Your roles do not allow reviewing or disposing of a batch record.".to_owned()
        });
        (
            format!(
                "the whole record, version {} (review or disposition)",
                sheet.version
            ),
            vec![Meaning::Reviewed, Meaning::Released, Meaning::Rejected],
            blocked,
        )
    } else if let Some(ex) = sheet
        .exceptions
        .iter()
        .find(|e| e.number.eq_ignore_ascii_case(subject))
    {
        let blocked = ex
            .acknowledged
            .then(|| format!("Exception {} is already acknowledged.", ex.number));
        (
            format!(
                "acknowledgement of exception {} ({}): {}",
                ex.number, ex.classification, ex.title
            ),
            vec![Meaning::Reviewed],
            blocked,
        )
    } else if let Some(step) = sheet
        .steps
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(subject))
    {
        let (meanings, blocked) = match step.status.as_str() {
            "awaiting_performed" => (vec![Meaning::Performed], None),
            "awaiting_verification" => (vec![Meaning::Verified], None),
            other => (
                Vec::new(),
                Some(format!(
                    "Step {} is {}; it needs no signature now.",
                    step.id,
                    other.replace('_', " ")
                )),
            ),
        };
        let entry = step
            .entries
            .iter()
            .rev()
            .find(|e| e.corrected_by.is_none())
            .map(|e| format!(": entry #{} = {}", e.entry, e.value))
            .unwrap_or_default();
        (
            format!("step {} · {}{entry}", step.id, step.name),
            meanings,
            blocked,
        )
    } else {
        return Err(PageError::NotFound {
            message: format!("Batch {} has no step or exception '{subject}'.", sheet.id),
            back: Some(("Batch execution", EBRS)),
        });
    };
    // Someone whose roles hold none of the meanings that fit is told so, not shown
    // a form with nothing to choose.
    let held = sign::meanings(viewer, "ebr");
    let blocked = blocked.or_else(|| {
        (!meanings.is_empty() && !meanings.iter().any(|m| held.contains(m))).then(|| {
            let needed: Vec<&str> = meanings.iter().map(|m| m.label()).collect();
            format!(
                "Your roles do not allow signing this; it needs: {}.",
                needed.join(" or ")
            )
        })
    });
    Ok(Signable {
        what: "batch record",
        label: format!("Batch {} · {} · {}", sheet.id, sheet.product, sheet.mbr),
        href: href(&sheet.id),
        stream_id: format!("ebr/{}", sheet.id),
        section: EBRS,
        list: ("Batch execution", EBRS),
        decision: None,
        blocked,
        subject: Some(Subject {
            id: subject.to_owned(),
            label,
            meanings,
        }),
        id: sheet.id,
    })
}

#[derive(Deserialize)]
pub(super) struct SignParams {
    subject: Option<String>,
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Query(params): Query<SignParams>,
) -> Result<Response, PageError> {
    let subject = params.subject.unwrap_or_default();
    let target = signable(&state, &viewer, &format!("{site}/{number}"), &subject).await?;
    sign::form(&state, &viewer, target).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let subject = value(&values, "subject").to_owned();
    let target = signable(&state, &viewer, &format!("{site}/{number}"), &subject).await?;
    sign::submit(&state, &viewer, target, &values).await
}
