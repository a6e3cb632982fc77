//! Who is asking, and whether they may: sessions and API tokens (`authenticate`),
//! the route table with its one access check (`access`), forgery protection
//! (`csrf`), per-client rate limits (`rate`) and cookies (`cookies`).
//!
//! Order of the layers on every request: rate limit → authenticate → CSRF check →
//! the route's access decision → handler.

pub mod access;
pub mod cookies;
pub mod csrf;
pub mod rate;
pub mod refusal;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vplant_app::identity::{AuthError, Authenticated, Via};
use vplant_app::{AppError, Request as AppRequest};
use vplant_domain::identity::session::SessionEnd;
use vplant_domain::identity::{Permission, Principal, Scope};

use crate::AppState;
use crate::error::ApiError;

/// How the web edge runs: where it is reached from and how hard it limits.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The origin people use, e.g. `https://vplant.example.com`. It decides the
    /// `Secure` cookie flag and is what a state-changing request's `Origin` must
    /// be. `None`: the request's own `Host`, over plain HTTP (local use).
    pub public_origin: Option<String>,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that
    /// sets it).
    pub trust_forwarded_for: bool,
    /// Sign-in and signing attempts per client and minute.
    pub attempts_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            public_origin: None,
            trust_forwarded_for: false,
            attempts_per_minute: 20,
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }
}

/// The signed-in person of a request, put there by [`authenticate`].
#[derive(Clone, Debug)]
pub struct Viewer {
    pub principal: Principal,
    pub via: Via,
    pub must_change_password: bool,
    /// The anti-forgery token forms of this session carry; `None` for API tokens.
    pub csrf: Option<String>,
    pub client: String,
}

impl Viewer {
    pub fn can(&self, permission: Permission) -> bool {
        self.principal.can(permission)
    }

    pub fn scope(&self) -> Scope {
        self.principal.scope()
    }

    pub fn username(&self) -> &str {
        &self.principal.username
    }

    /// A use-case request attributed to this person.
    pub fn request(&self) -> AppRequest {
        AppRequest::by(&self.principal.username)
    }
}

/// Why a request carried credentials that did not let it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthProblem {
    Ended(SessionEnd),
    BadToken,
}

/// The client address, as a string for the ledger ("203.0.113.7").
#[derive(Clone, Debug)]
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "VP-NOT-SIGNED-IN",
                "you are not signed in; sign in to continue",
            )
            .into_response()
        })
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Client>()
            .cloned()
            .unwrap_or_else(|| Client("unknown".to_owned())))
    }
}

fn client_address(req: &Request, config: &WebConfig) -> String {
    if config.trust_forwarded_for
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_owned();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "local".to_owned(), |c| c.0.ip().to_string())
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// Puts the [`Viewer`] (or the [`AuthProblem`]) into the request. It never refuses
/// by itself: public routes must work with a stale cookie, and the route's own
/// access decision says what a missing viewer means.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = client_address(&req, &state.web);
    req.extensions_mut().insert(Client(client.clone()));
    let (result, csrf) = if let Some(token) = bearer(&req) {
        (Some(state.app.authenticate_token(&token).await), None)
    } else if let Some(token) = cookies::get(req.headers(), cookies::SESSION) {
        let csrf = csrf::token_for(&token);
        (
            Some(state.app.authenticate_session(&token).await),
            Some(csrf),
        )
    } else {
        (None, None)
    };
    match result {
        None => {}
        Some(Ok(Authenticated {
            principal,
            via,
            must_change_password,
        })) => {
            let csrf = if matches!(via, Via::Session(_)) {
                csrf
            } else {
                None
            };
            req.extensions_mut().insert(Viewer {
                principal,
                via,
                must_change_password,
                csrf,
                client,
            });
        }
        Some(Err(AppError::Auth(AuthError::SessionEnded(why)))) => {
            req.extensions_mut().insert(AuthProblem::Ended(why));
        }
        Some(Err(AppError::Auth(AuthError::BadToken))) => {
            req.extensions_mut().insert(AuthProblem::BadToken);
        }
        Some(Err(AppError::Auth(_))) => {}
        Some(Err(other)) => {
            if refusal::is_api(req.uri().path()) {
                return ApiError::from(other).into_response();
            }
            return crate::ui::PageError::from(other).into_response();
        }
    }
    next.run(req).await
}
