//! Forgery protection for every state-changing request (OWASP's "defence in depth"
//! pairing): the browser's own statement of where the request comes from
//! (`Sec-Fetch-Site`, `Origin`) must be this site, and the request must carry a token
//! a foreign page cannot read. For a session the token is derived from the session
//! token (so it needs no storage and changes at every sign-in); for the sign-in form,
//! which has no session yet, it is a random value in both a cookie and the form.
//! Requests with an API token carry no cookie, so forgery does not apply to them.
//!
//! A file upload (`multipart/form-data`, sent without JavaScript) carries the token
//! as the form's first field, where the upload forms put it; only the start of its
//! body is read here, and the whole body goes on to the handler, which holds the
//! upload to its own size limit.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

use super::refusal::{Refusal, refuse};
use super::{Viewer, cookies};
use crate::AppState;

/// The form field and header that carry the token.
pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

/// Forms are small; a body larger than this is not read for its token.
const MAX_FORM: usize = 256 * 1024;

/// The anti-forgery token of the session whose token is `session_token`.
pub fn token_for(session_token: &str) -> String {
    let mut material = b"vplant-csrf\0".to_vec();
    material.extend_from_slice(session_token.as_bytes());
    vplant_ledger::sha256(&material).to_hex()
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn unsafe_method(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn header_text<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The browser says the request was made by a page of another site.
fn cross_site(req: &Request, state: &AppState) -> bool {
    if let Some(site) = header_text(req, "sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    let Some(origin) = header_text(req, header::ORIGIN.as_str()) else {
        return false;
    };
    match &state.web.public_origin {
        Some(public) => origin != public.trim_end_matches('/'),
        None => {
            let host = header_text(req, header::HOST.as_str()).unwrap_or_default();
            origin != format!("http://{host}") && origin != format!("https://{host}")
        }
    }
}

/// Reads the token from the header, or from the form body (which is put back).
async fn submitted(req: Request) -> (Request, Option<String>) {
    if let Some(token) = header_text(&req, HEADER) {
        let token = token.to_owned();
        return (req, Some(token));
    }
    let content_type = header_text(&req, header::CONTENT_TYPE.as_str()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        return multipart_token(req).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return (req, None);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return (Request::from_parts(parts, Body::empty()), None);
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    (Request::from_parts(parts, Body::from(bytes)), token)
}

/// What the start of a multipart body says about its first field.
enum FirstField {
    /// The anti-forgery field, complete.
    Token(String),
    /// Another field comes first, or the body is not multipart at all.
    Other,
    /// More of the body is needed.
    Incomplete,
}

/// Reads the token from the first field of a multipart body: chunks are read until
/// that field is complete (at most [`MAX_FORM`] bytes), then put back in front of
/// the rest of the body, which is left unread.
async fn multipart_token(req: Request) -> (Request, Option<String>) {
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let mut read: Vec<Result<Bytes, axum::Error>> = Vec::new();
    let mut start: Vec<u8> = Vec::new();
    let mut token = None;
    while start.len() < MAX_FORM {
        match rest.next().await {
            Some(Ok(chunk)) => {
                start.extend_from_slice(&chunk);
                read.push(Ok(chunk));
            }
            Some(Err(e)) => {
                read.push(Err(e));
                break;
            }
            None => break,
        }
        // The token field is small: the first MAX_FORM bytes hold it if anything does.
        let head = start.get(..MAX_FORM).unwrap_or(&start).to_vec();
        let head = Request::from_parts(parts.clone(), Body::from(head));
        match first_field(head).await {
            FirstField::Token(found) => {
                token = Some(found);
                break;
            }
            FirstField::Other => break,
            FirstField::Incomplete => {}
        }
    }
    let body = Body::from_stream(futures_util::stream::iter(read).chain(rest));
    (Request::from_parts(parts, body), token)
}

/// The first field of `head`, the start of a multipart body.
async fn first_field(head: Request) -> FirstField {
    let Ok(mut multipart) = Multipart::from_request(head, &()).await else {
        return FirstField::Other;
    };
    match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some(FIELD) => match field.text().await {
            Ok(text) => FirstField::Token(text),
            Err(_) => FirstField::Incomplete,
        },
        Ok(_) => FirstField::Other,
        Err(_) => FirstField::Incomplete,
    }
}

/// The layer: refuses a state-changing request that is cross-site or lacks its token.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !unsafe_method(req.method()) {
        return next.run(req).await;
    }
    if cross_site(&req, &state) {
        return refuse(&req, Refusal::Forgery, None);
    }
    let expected = if req.uri().path() == "/login" {
        // The sign-in form carries the sign-in cookie's token, also when the browser
        // still holds a session; without that cookie there is nothing to compare.
        Some(cookies::get(req.headers(), cookies::SIGNIN).unwrap_or_default())
    } else {
        match req.extensions().get::<Viewer>() {
            Some(viewer) => match &viewer.csrf {
                Some(token) => Some(token.clone()),
                // An API token: no cookie, nothing a foreign page could ride on.
                None => return next.run(req).await,
            },
            // Not signed in: the route's access decision answers.
            None => return next.run(req).await,
        }
    };
    let (req, got) = submitted(req).await;
    match (expected, got) {
        (Some(expected), Some(got)) if !expected.is_empty() && same(&expected, &got) => {
            next.run(req).await
        }
        _ => refuse(&req, Refusal::Forgery, None),
    }
}
