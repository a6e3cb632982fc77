//! What every record page with steps shares (an exception's investigation, an
//! action's life): the page with its success message behind `?done=`, the handler
//! the step forms post to (`{record}/{step}`, Post/Redirect/Get, or the page again
//! with the refused form), a step address opened directly, and "not found" alike
//! for records that do not exist and records at other sites. A record type says
//! what it is ([`StepPage`]); the flow is written once, here.

use std::future::Future;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_app::{AppError, Request};
use vplant_domain::DomainError;

use super::form::{Failure, Values, expected_version};
use super::page::{Chrome, PageError, Tone, render};
use crate::AppState;
use crate::auth::Viewer;

/// A step that was refused, to redraw its form with the person's input and why.
pub struct Attempt<'a, S> {
    pub step: S,
    pub values: &'a Values,
    pub failure: &'a Failure,
}

/// A record type whose page offers steps.
pub trait StepPage: 'static {
    type Step: Copy + PartialEq + Send + Sync + 'static;
    type Page: Template + Send;
    /// The record type in messages ("exception") and in titles ("Exception").
    const WHAT: &'static str;
    const ONE: &'static str;
    /// The list the breadcrumb passes through: ("Exceptions", "/exceptions"); a
    /// record's page is `{list}/{number}`.
    const LIST: (&'static str, &'static str);
    const STEPS: &'static [Self::Step];

    /// The last segment of a step's address; also its form's id on the page.
    fn slug(step: Self::Step) -> &'static str;

    /// The fixed message behind `?done=`; the page never echoes the address.
    fn done_message(done: &str) -> Option<&'static str>;

    /// Reads the step's form into its command and runs it.
    fn run(
        state: &AppState,
        viewer: &Viewer,
        number: &str,
        step: Self::Step,
        values: &Values,
        request: &Request,
    ) -> impl Future<Output = Result<(), AppError>> + Send;

    /// The record's page under `page`, with `attempt`'s form redrawn when a step
    /// was refused.
    fn page(
        state: &AppState,
        viewer: &Viewer,
        number: &str,
        page: Chrome,
        attempt: Option<Attempt<'_, Self::Step>>,
    ) -> impl Future<Output = Result<Self::Page, PageError>> + Send;
}

/// A record that does not exist, or lies outside the viewer's sites: the same page
/// for both, so that it tells nothing about other sites.
pub fn not_found<R: StepPage>(number: &str) -> PageError {
    PageError::NotFound {
        message: format!("There is no {} '{}'.", R::WHAT, number.to_uppercase()),
        back: Some(R::LIST),
    }
}

/// [`not_found`] for a use case's "not found"; any other failure as it is.
pub fn or_not_found<R: StepPage>(error: AppError, number: &str) -> PageError {
    match error {
        AppError::Domain(DomainError::NotFound { .. }) => not_found::<R>(number),
        other => PageError::from(other),
    }
}

fn href<R: StepPage>(number: &str) -> String {
    format!("{}/{number}", R::LIST.1)
}

fn chrome<R: StepPage>(number: &str) -> Chrome {
    Chrome::new(format!("{} {number}", R::ONE), R::LIST.1)
}

#[derive(Deserialize)]
pub struct ShowParams {
    done: Option<String>,
}

pub async fn show<R: StepPage>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let mut page = chrome::<R>(&number);
    if let Some(text) = params.done.as_deref().and_then(R::done_message) {
        page = page.alert(Tone::Success, text);
    }
    let body = R::page(&state, &viewer, &number, page, None).await?;
    Ok(render(StatusCode::OK, &body))
}

pub async fn submit<R: StepPage>(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((number, slug)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let step = R::STEPS
        .iter()
        .copied()
        .find(|s| R::slug(*s) == slug)
        .ok_or_else(|| PageError::NotFound {
            message: format!("There is no step called '{slug}'."),
            back: Some(R::LIST),
        })?;
    let number = number.to_uppercase();
    let mut request = viewer.request();
    request.expected_version = expected_version(&values)?;
    let outcome = R::run(&state, &viewer, &number, step, &values, &request).await;
    let error = match outcome {
        Ok(()) => {
            let done = format!("{}?done={}", href::<R>(&number), R::slug(step));
            return Ok(Redirect::to(&done).into_response());
        }
        Err(AppError::Domain(DomainError::NotFound { .. })) => {
            return Err(not_found::<R>(&number));
        }
        Err(error) => error,
    };
    let failure = Failure::from_app(error, R::WHAT, &number)?;
    let attempt = Attempt {
        step,
        values: &values,
        failure: &failure,
    };
    let page = chrome::<R>(&number);
    let body = R::page(&state, &viewer, &number, page, Some(attempt)).await?;
    Ok(render(failure.status, &body))
}

/// A step address opened directly (typed, bookmarked, or reloaded after a refused
/// form without JavaScript) shows the record rather than a bare 405.
pub async fn back<R: StepPage>(Path((number, _)): Path<(String, String)>) -> Redirect {
    Redirect::to(&href::<R>(&number.to_uppercase()))
}
