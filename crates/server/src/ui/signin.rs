//! Signing in and out: the sign-in page, sign-out, and the page that says a session
//! ended. A new session token is made at every sign-in (never reused from the
//! request, so a planted cookie cannot become a session: no session fixation), and a
//! session cookie the browser still had is ended first.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_app::AppError;
use vplant_app::identity::passwords::hex;
use vplant_app::identity::{AuthError, Via};
use vplant_domain::identity::session::SessionEnd;

use super::form::{Values, value};
use super::page::{Alert, Chrome, PageError, Tone, render};
use crate::AppState;
use crate::auth::access::{Access, Routes};
use crate::auth::{Client, Viewer, cookies};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, show)
        .post("/login", Access::Public, submit)
        .post("/logout", Access::SignedIn, sign_out)
        .get("/session-expired", Access::Public, expired)
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    page: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInParams {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Where to go after sign-in: only a path on this site, never another site (an
/// open redirect would let a phishing link borrow our sign-in page).
fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would
        // become "//evil.example": control characters and whitespace are refused too.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn page(
    state: &AppState,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<(SignInPage, String), PageError> {
    let token = hex(&state.app.security.passwords.random::<16>()?);
    let mut chrome = Chrome::public("Sign in");
    if let Some(text) = notice {
        chrome.alerts.push(Alert {
            tone: Tone::Success,
            text: text.to_owned(),
        });
    }
    let cookie = cookies::set(cookies::SIGNIN, &token, state.web.secure_cookies());
    Ok((
        SignInPage {
            page: chrome,
            csrf: token,
            next,
            username,
            error,
        },
        cookie,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Option<Viewer>,
    Query(params): Query<SignInParams>,
) -> Result<Response, PageError> {
    let next = safe_next(params.next.as_deref());
    if viewer.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let notice = params.signed_out.is_some().then_some("You are signed out.");
    let (body, cookie) = page(&state, next, String::new(), None, notice).await?;
    Ok(with_cookies(render(StatusCode::OK, &body), &[cookie]))
}

pub async fn submit(
    State(state): State<AppState>,
    Client(client): Client,
    previous: Option<Viewer>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let username = value(&values, "username").trim().to_owned();
    let next = safe_next(Some(value(&values, "next")));
    let secure = state.web.secure_cookies();
    let outcome = state
        .app
        .sign_in(&username, value(&values, "password"), &client)
        .await;
    let error = match outcome {
        Ok(session) => {
            // The authentication layer already resolved the cookie the browser
            // held; a session it found is ended, not authenticated a second time.
            if let Some(previous) = previous
                && let Via::Session(id) = previous.via
            {
                state
                    .app
                    .end_session(
                        &id,
                        SessionEnd::SignedOut,
                        previous.principal.username.as_str(),
                    )
                    .await?;
            }
            let to = if session.must_change_password {
                "/account/password".to_owned()
            } else {
                next
            };
            return Ok(with_cookies(
                Redirect::to(&to).into_response(),
                &[
                    cookies::set(cookies::SESSION, &session.token, secure),
                    cookies::clear(cookies::SIGNIN, secure),
                ],
            ));
        }
        Err(AppError::Auth(
            e @ (AuthError::BadCredentials | AuthError::Locked | AuthError::Deactivated),
        )) => {
            let advice = match e {
                AuthError::BadCredentials => {
                    "The username or password is not correct. Check both and try again; after repeated failures the account is locked."
                }
                AuthError::Locked => "This account is locked. Ask an administrator to unlock it.",
                _ => "This account is deactivated. Ask an administrator if you need it again.",
            };
            advice.to_owned()
        }
        Err(other) => return Err(other.into()),
    };
    let (body, cookie) = page(&state, next, username, Some(error), None).await?;
    Ok(with_cookies(
        render(StatusCode::UNAUTHORIZED, &body),
        &[cookie],
    ))
}

pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    if let Via::Session(id) = &viewer.via {
        state
            .app
            .end_session(id, SessionEnd::SignedOut, viewer.username())
            .await?;
    }
    Ok(with_cookies(
        Redirect::to("/login?signed_out=1").into_response(),
        &[cookies::clear(cookies::SESSION, state.web.secure_cookies())],
    ))
}

#[derive(Template)]
#[template(path = "session_ended.html")]
struct EndedPage {
    page: Chrome,
    explanation: String,
}

#[derive(Deserialize)]
pub struct EndedParams {
    why: Option<String>,
}

pub async fn expired(State(state): State<AppState>, Query(params): Query<EndedParams>) -> Response {
    let minutes = state
        .app
        .security
        .policy
        .idle_timeout
        .as_secs()
        .div_ceil(60);
    let explanation = match params.why.as_deref() {
        Some("idle") => format!(
            "Your session ended because it was not used for {minutes} minutes. This protects records from being changed by someone else at an unattended screen."
        ),
        Some("absolute") => "Your session reached its maximum length and ended.".to_owned(),
        Some("revoked") => "Your session was ended: you signed out everywhere, your password was changed or reset, or an administrator locked or deactivated the account.".to_owned(),
        _ => "Your session has ended.".to_owned(),
    };
    let body = EndedPage {
        page: Chrome::public("Session ended"),
        explanation,
    };
    with_cookies(
        render(StatusCode::OK, &body),
        &[cookies::clear(cookies::SESSION, state.web.secure_cookies())],
    )
}
