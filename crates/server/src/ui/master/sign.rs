//! The signature dialog of a master record: a page (`{base}/{code}/sign`) whose
//! `#dialog-body` the record page loads into a modal `<dialog>`; without JavaScript
//! it is an ordinary page. The form shows what is signed (record, version, content
//! hash), offers the meanings the person may sign with, and asks for username and
//! password again, every time (21 CFR 11.200(a)(1)).

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use vplant_app::signatures::SignatureInput;
use vplant_domain::Aggregate;
use vplant_domain::identity::Permission;
use vplant_domain::signature::{self, Meaning};

use super::detail::{not_found, visible};
use super::{MasterUi, RecordView};
use crate::AppState;
use crate::auth::Viewer;
use crate::auth::refusal::redirect;
use crate::ui::form::{Failure, Values, value};
use crate::ui::page::{Chrome, PageError, render};

/// The meanings `viewer` may sign records of type `R` with.
pub(super) fn meanings<R: MasterUi>(viewer: &Viewer) -> Vec<Meaning> {
    let record_type = R::Agg::stream_id("");
    let record_type = record_type.trim_end_matches('/');
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

#[derive(Template)]
#[template(path = "master/sign.html")]
struct SignPage {
    page: Chrome,
    what: &'static str,
    base: &'static str,
    record: RecordView,
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

async fn sign_page<R: MasterUi>(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    shown: Option<(u64, String)>,
) -> Result<SignPage, PageError> {
    let record = R::view(visible::<R>(state, viewer, code).await?);
    let stream_id = R::Agg::stream_id(&record.code);
    let head = state
        .app
        .signable_head(&stream_id)
        .await?
        .ok_or_else(|| not_found::<R>(code))?;
    // After a refusal the form keeps what the person was shown, so that a record
    // changed meanwhile is refused again rather than silently re-bound.
    let (version, hash) = shown.unwrap_or((head.version, head.hash));
    let page = Chrome::new(format!("Sign {} {}", R::WHAT, record.code), R::BASE)
        .via(R::MANY, R::BASE)
        .via(record.code.clone(), format!("{}/{}", R::BASE, record.code))
        .viewer(viewer);
    Ok(SignPage {
        page,
        what: R::WHAT,
        base: R::BASE,
        record,
        version,
        hash,
        meanings: meanings::<R>(viewer),
        chosen: String::new(),
        username: String::new(),
        errors: Vec::new(),
        message: None,
    })
}

pub(super) async fn form<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let page = sign_page::<R>(&state, &viewer, &code.to_uppercase(), None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn submit<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let code = code.to_uppercase();
    let record = visible::<R>(&state, &viewer, &code).await?;
    let record = R::view(record);
    let shown_version = value(&values, "shown_version")
        .trim()
        .parse::<u64>()
        .map_err(|_| {
            PageError::BadRequest(
                "The form's record version is damaged. Reload the page and sign again.".into(),
            )
        })?;
    let input = SignatureInput {
        meaning: value(&values, "meaning").to_owned(),
        shown_version,
        shown_hash: value(&values, "shown_hash").to_owned(),
        username: value(&values, "username").to_owned(),
        password: value(&values, "password").to_owned(),
    };
    let stream_id = R::Agg::stream_id(&record.code);
    let name = format!("{} '{}'", R::WHAT, record.code);
    let outcome = state
        .app
        .sign(&viewer.principal, &stream_id, &name, &input, &viewer.client)
        .await;
    let htmx = headers.contains_key("hx-request");
    let error = match outcome {
        Ok(_) => {
            let to = format!("{}/{}?done=signed", R::BASE, record.code);
            return Ok(redirect(&to, htmx));
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, R::WHAT, &code)?;
    let mut page = sign_page::<R>(
        &state,
        &viewer,
        &code,
        Some((input.shown_version, input.shown_hash.clone())),
    )
    .await?;
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
