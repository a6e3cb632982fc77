//! How a refused request is answered: the JSON API gets a status and an error body,
//! a page request gets a page or a redirect that says what to do next (sign in, change
//! the password, ask for access). htmx requests get `HX-Redirect`, so a background
//! request that finds the session ended moves the whole page, not a fragment.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::AuthProblem;
use crate::error::ApiError;
use crate::ui::PageError;

/// Why a request is refused before its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotSignedIn,
    PasswordChangeRequired,
    Forbidden,
    /// The request is cross-site or lacks its anti-forgery token.
    Forgery,
    /// Too many attempts from this client; retry after the seconds given.
    RateLimited(u64),
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The response for `refusal` of `req`.
pub fn refuse(req: &Request, refusal: Refusal, problem: Option<AuthProblem>) -> Response {
    let path = req.uri().path();
    if is_api(path) {
        return api_refusal(refusal, problem).into_response();
    }
    let htmx = req.headers().contains_key("hx-request");
    match refusal {
        Refusal::NotSignedIn => {
            let to = match problem {
                Some(AuthProblem::Ended(why)) => format!("/session-expired?why={}", why_slug(why)),
                _ => {
                    let next = req
                        .uri()
                        .path_and_query()
                        .map_or("/", |p| p.as_str())
                        .to_owned();
                    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                    format!("/login?{query}")
                }
            };
            redirect(&to, htmx)
        }
        Refusal::PasswordChangeRequired => redirect("/account/password", htmx),
        Refusal::Forbidden => PageError::Forbidden(
            "Your roles do not allow this page or action. If you need it, ask an administrator to review your roles."
                .to_owned(),
        )
        .into_response(),
        Refusal::Forgery => PageError::Forbidden(
            "The form did not come from this Virtual Plant page, or it was open too long. Nothing was changed. Reload the page and try again."
                .to_owned(),
        )
        .into_response(),
        Refusal::RateLimited(secs) => {
            let mut response = PageError::TooManyAttempts(secs).into_response();
            retry_after(&mut response, secs);
            response
        }
    }
}

fn api_refusal(refusal: Refusal, problem: Option<AuthProblem>) -> Response {
    let (status, code, message) = match (refusal, problem) {
        (Refusal::NotSignedIn, Some(AuthProblem::Ended(why))) => (
            StatusCode::UNAUTHORIZED,
            "VP-SESSION-ENDED",
            format!("your session ended ({}); sign in again", why.as_str()),
        ),
        (Refusal::NotSignedIn, Some(AuthProblem::BadToken)) => (
            StatusCode::UNAUTHORIZED,
            "VP-BAD-TOKEN",
            "the API token is unknown, revoked or expired".to_owned(),
        ),
        (Refusal::NotSignedIn, _) => (
            StatusCode::UNAUTHORIZED,
            "VP-NOT-SIGNED-IN",
            "sign in, or send an API token as 'Authorization: Bearer <token>'".to_owned(),
        ),
        (Refusal::PasswordChangeRequired, _) => (
            StatusCode::FORBIDDEN,
            "VP-PASSWORD-CHANGE-REQUIRED",
            "your password was reset; change it at /account/password first".to_owned(),
        ),
        (Refusal::Forbidden, _) => (
            StatusCode::FORBIDDEN,
            "VP-FORBIDDEN",
            "your roles do not allow this; ask an administrator if you need it".to_owned(),
        ),
        (Refusal::Forgery, _) => (
            StatusCode::FORBIDDEN,
            "VP-CSRF",
            "cross-site request refused: send the X-CSRF-Token of your session from a same-origin page"
                .to_owned(),
        ),
        (Refusal::RateLimited(secs), _) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "VP-RATE-LIMITED",
                format!("too many attempts from your address; try again in {secs} s"),
            )
            .into_response();
            retry_after(&mut response, secs);
            return response;
        }
    };
    let mut response = ApiError::new(status, code, message).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"vplant\""),
        );
    }
    response
}

fn retry_after(response: &mut Response, secs: u64) {
    if let Ok(value) = HeaderValue::from_str(&secs.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

fn why_slug(why: vplant_domain::identity::session::SessionEnd) -> &'static str {
    use vplant_domain::identity::session::SessionEnd;
    match why {
        SessionEnd::IdleTimeout => "idle",
        SessionEnd::AbsoluteTimeout => "absolute",
        SessionEnd::Revoked => "revoked",
        SessionEnd::SignedOut => "signed-out",
    }
}

/// A redirect that also works for htmx requests.
pub fn redirect(to: &str, htmx: bool) -> Response {
    if htmx {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(value) = HeaderValue::from_str(to) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return response;
    }
    Redirect::to(to).into_response()
}
