//! The signature dialog of any signable record: a page (`{record}/sign`) whose
//! `#dialog-body` the record page loads into a modal `<dialog>`; without JavaScript
//! it is an ordinary page. The form shows what is signed (record, version, content
//! hash), offers the meanings the person may sign with, and asks for username and
//! password again, every time (21 CFR 11.200(a)(1)). Each record type only says
//! which record it is ([`Signable`]) after checking that the viewer may see it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::signatures::SignatureInput;
use vplant_domain::identity::Permission;
use vplant_domain::signature::{self, Meaning};

use super::form::{Failure, Values, value};
use super::page::{Chrome, PageError, render};
use crate::AppState;
use crate::auth::Viewer;

/// The meanings `viewer` may sign records of `record_type` (the stream prefix,
/// e.g. `site`) with.
pub fn meanings(viewer: &Viewer, record_type: &str) -> Vec<Meaning> {
    signature::policy(record_type)
        .map(|p| {
            p.meanings
                .iter()
                .copied()
                .filter(|m| viewer.can(Permission::Sign(*m)))
                .collect()
        })
        .unwrap_or_default()
}

/// A record the viewer may see, as its signature dialog names it.
pub struct Signable {
    /// The record type in words: "site", "exception".
    pub what: &'static str,
    /// Its code or number.
    pub id: String,
    /// How the dialog shows it: "BSL · Basel".
    pub label: String,
    /// The record's page; the dialog posts to `{href}/sign`.
    pub href: String,
    pub stream_id: String,
    /// The navigation entry and the list the breadcrumb passes through.
    pub section: &'static str,
    pub list: (&'static str, &'static str),
    /// What a signature decides now, when the record type says (an exception's
    /// closure, or its extension).
    pub decision: Option<String>,
    /// Why nothing can be signed now; the dialog then shows this instead of a form.
    pub blocked: Option<String>,
    /// What within the record is signed: a batch record's step or exception; the
    /// signature then goes through the batch rules (`App::sign_batch`).
    pub subject: Option<Subject>,
}

/// A part of a batch record a signature is about, and the meanings that fit it.
pub struct Subject {
    /// The step id or exception number; empty for the record as a whole.
    pub id: String,
    /// How the dialog names it: "step 1.2.3 · Weigh paracetamol".
    pub label: String,
    pub meanings: Vec<Meaning>,
}

#[derive(Template)]
#[template(path = "sign.html")]
struct SignPage {
    page: Chrome,
    target: Signable,
    version: u64,
    hash: String,
    meanings: Vec<Meaning>,
    chosen: String,
    username: String,
    /// Why the last attempt was refused, by field; `message` for the whole form.
    errors: Vec<(String, String)>,
    message: Option<String>,
}

impl SignPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, r)| r.as_str())
    }
}

async fn sign_page(
    state: &AppState,
    viewer: &Viewer,
    target: Signable,
    shown: Option<(u64, String)>,
) -> Result<SignPage, PageError> {
    let head = state
        .app
        .signable_head(&target.stream_id)
        .await?
        .ok_or_else(|| PageError::NotFound {
            message: format!("There is no {} '{}'.", target.what, target.id),
            back: Some(target.list),
        })?;
    // After a refusal the form keeps what the person was shown, so that a record
    // changed meanwhile is refused again rather than silently re-bound.
    let (version, hash) = shown.unwrap_or((head.version, head.hash));
    let record_type = target.stream_id.split('/').next().unwrap_or_default();
    let mut meanings = meanings(viewer, record_type);
    if let Some(subject) = &target.subject {
        meanings.retain(|m| subject.meanings.contains(m));
    }
    let page = Chrome::new(
        format!("Sign {} {}", target.what, target.id),
        target.section,
    )
    .via(target.list.0, target.list.1)
    .via(target.id.clone(), target.href.clone())
    .viewer(viewer);
    Ok(SignPage {
        page,
        meanings,
        target,
        version,
        hash,
        chosen: String::new(),
        username: String::new(),
        errors: Vec::new(),
        message: None,
    })
}

/// The dialog for `target`.
pub async fn form(
    state: &AppState,
    viewer: &Viewer,
    target: Signable,
) -> Result<Response, PageError> {
    let page = sign_page(state, viewer, target, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Signs `target` with what the dialog posted: back to the record page when
/// signed, or the dialog again with the reason it was refused.
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    target: Signable,
    values: &Values,
) -> Result<Response, PageError> {
    let shown_version = value(values, "shown_version")
        .trim()
        .parse::<u64>()
        .map_err(|_| {
            PageError::BadRequest(
                "The form's record version is damaged. Reload the page and sign again.".into(),
            )
        })?;
    let input = SignatureInput {
        meaning: value(values, "meaning").to_owned(),
        shown_version,
        shown_hash: value(values, "shown_hash").to_owned(),
        username: value(values, "username").to_owned(),
        password: value(values, "password").to_owned(),
    };
    let name = format!("{} '{}'", target.what, target.id);
    let outcome = match &target.subject {
        Some(subject) => state
            .app
            .sign_batch(
                &viewer.principal,
                &target.id,
                Some(subject.id.as_str()),
                &input,
                &viewer.client,
            )
            .await
            .map(|_| ()),
        None => state
            .app
            .sign(
                &viewer.principal,
                &target.stream_id,
                &name,
                &input,
                &viewer.client,
            )
            .await
            .map(|_| ()),
    };
    let error = match outcome {
        // Sent by htmx, the redirect becomes `HX-Redirect` (`ui::htmx`).
        Ok(()) => {
            return Ok(Redirect::to(&format!("{}?done=signed", target.href)).into_response());
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, target.what, &target.id)?;
    let shown = Some((input.shown_version, input.shown_hash.clone()));
    let mut page = sign_page(state, viewer, target, shown).await?;
    page.chosen = input.meaning;
    page.username = input.username;
    page.errors = failure
        .fields
        .iter()
        .map(|f| (f.field.clone(), f.reason.clone()))
        .collect();
    page.message = failure.message.clone();
    Ok(render(failure.status, &page))
}
