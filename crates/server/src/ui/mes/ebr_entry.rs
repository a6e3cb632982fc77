//! What the execution screen posts: an entry (or a correction) and a skipped step.
//! An entry carries the idempotency key the screen drew it with, so a double tap
//! or a retry after a dropped connection records it once. After the post the screen
//! is shown again (Post/Redirect/Get) saying what the entry did; a refused form
//! (a value that is not a number, a missing reason) is shown with why, and nothing
//! is stored.

use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::ebrs::EntryInput;
use vplant_store::Idempotency;

use super::ebr_screen::{ShowParams, href, screen};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{Failure, Values, value};
use crate::ui::mes::mbr_detail::refusal_text;
use crate::ui::page::{PageError, Tone, render};

/// The idempotency guard of a posted form: its key, bound to this exact command
/// (the address and every value but the anti-forgery token).
fn idempotency(path: &str, values: &Values) -> Option<Idempotency> {
    let key = value(values, "idempotency_key").trim();
    if key.is_empty() || key.len() > 200 {
        return None;
    }
    let mut fields: Vec<(&String, &String)> = values
        .iter()
        .filter(|(k, _)| k.as_str() != "_csrf")
        .collect();
    fields.sort();
    let mut material = path.as_bytes().to_vec();
    for (k, v) in fields {
        material.push(0);
        material.extend_from_slice(k.as_bytes());
        material.push(b'=');
        material.extend_from_slice(v.as_bytes());
    }
    Some(Idempotency {
        key: key.to_owned(),
        fingerprint: vplant_ledger::sha256(&material),
    })
}

/// The screen again, with why the form was refused.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    failure: &Failure,
) -> Result<Response, PageError> {
    let text = refusal_text(failure);
    let body = screen(
        state,
        viewer,
        id,
        Some((Tone::Error, text)),
        &ShowParams::default(),
    )
    .await?;
    Ok(render(failure.status, &body))
}

pub(super) async fn enter(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let id = format!("{site}/{number}").to_uppercase();
    let corrects = match value(&values, "corrects").trim() {
        "" => None,
        n => Some(n.parse::<u32>().map_err(|_| {
            PageError::BadRequest(
                "The form's corrected entry number is damaged. Reload the page and try again."
                    .into(),
            )
        })?),
    };
    let device = match value(&values, "device").trim() {
        "" => format!("browser at {}", viewer.client),
        d => d.to_owned(),
    };
    let input = EntryInput {
        step: value(&values, "step").to_owned(),
        value: value(&values, "value").to_owned(),
        lot: value(&values, "lot").to_owned(),
        unit: value(&values, "unit").to_owned(),
        device,
        performed_at: value(&values, "performed_at").to_owned(),
        corrects,
        reason: value(&values, "reason").to_owned(),
    };
    let mut request = viewer.request();
    request.idempotency = idempotency(&format!("{}/entries", href(&id)), &values);
    let outcome = state
        .app
        .record_entry(&viewer.scope(), &id, &input, &request)
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(error) => {
            let failure = Failure::from_app(error, "batch record", &id)?;
            return refused(&state, &viewer, &id, &failure).await;
        }
    };
    let raised = outcome
        .exceptions
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let query = match (outcome.replayed, outcome.entry, &outcome.refused) {
        (true, _, _) => "done=replayed".to_owned(),
        (false, Some(entry), _) => format!("entry={entry}&ex={raised}"),
        (false, None, _) => format!("refused={}&ex={raised}", input.step.trim().to_lowercase()),
    };
    let to = format!("{}?{query}#now-title", href(&id));
    Ok(Redirect::to(&to).into_response())
}

pub(super) async fn skip(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let id = format!("{site}/{number}").to_uppercase();
    let outcome = state
        .app
        .skip_step(
            &viewer.scope(),
            &id,
            value(&values, "step"),
            value(&values, "reason"),
            &viewer.request(),
        )
        .await;
    match outcome {
        Ok(number) => {
            let to = format!("{}?done=skipped&ex={number}", href(&id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            let failure = Failure::from_app(error, "batch record", &id)?;
            refused(&state, &viewer, &id, &failure).await
        }
    }
}
