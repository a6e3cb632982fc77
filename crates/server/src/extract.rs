//! Request extraction shared by API handlers: JSON bodies whose errors name the field,
//! the `Idempotency-Key` header turned into a store idempotency guard, and the
//! signed-in person every change is attributed to.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use vplant_app::Request as AppRequest;
use vplant_domain::Actor;
use vplant_store::Idempotency;

use crate::auth::Viewer;
use crate::error::ApiError;

/// The largest accepted JSON body; master-data commands are far smaller.
const MAX_BODY: usize = 256 * 1024;

/// A command from the JSON API: the parsed body, the request guards, and the
/// signed-in person it is attributed to.
pub struct Command<T> {
    pub body: T,
    pub request: AppRequest,
    pub viewer: Viewer,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Command<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let viewer = parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "VP-NOT-SIGNED-IN",
                "you are not signed in; sign in to continue",
            )
        })?;
        let key = idempotency_key(&parts)?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "VP-BAD-BODY", e.body_text()))?;
        if bytes.len() > MAX_BODY {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "VP-BODY-TOO-LARGE",
                format!("the body is larger than {MAX_BODY} bytes"),
            ));
        }
        let body = parse_json(&bytes)?;
        let idempotency = key.map(|key| {
            // The fingerprint binds the key to this exact command: same path, same body.
            let mut material = parts.uri.path().as_bytes().to_vec();
            material.push(0);
            material.extend_from_slice(&bytes);
            Idempotency {
                key,
                fingerprint: vplant_ledger::sha256(&material),
            }
        });
        Ok(Command {
            body,
            request: AppRequest {
                actor: Actor(viewer.username().to_owned()),
                expected_version: None,
                idempotency,
            },
            viewer,
        })
    }
}

impl<T> Command<T> {
    /// Who asks, and the request guarded by the version they saw: a change made to
    /// the record since is refused rather than overwritten.
    pub fn guarded(self, expected_version: Option<u64>) -> (Viewer, AppRequest) {
        let mut request = self.request;
        request.expected_version = expected_version;
        (self.viewer, request)
    }
}

/// Parses JSON, naming the offending field and what was wrong with it.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let field = if path == "." || path.is_empty() {
            // serde reports unknown and missing fields at the parent: pull the name out.
            message
                .split('`')
                .nth(1)
                .map_or_else(|| "body".to_owned(), str::to_owned)
        } else {
            path
        };
        let reason = if inner.is_syntax() || inner.is_eof() {
            format!("is not valid JSON: {message}")
        } else {
            message
        };
        ApiError::field(&field, reason)
    })
}

fn idempotency_key(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", "must be printable ASCII"))?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::field(
            "Idempotency-Key",
            "must be 1 to 200 characters (a UUID is a good choice)",
        ));
    }
    Ok(Some(key.to_owned()))
}
