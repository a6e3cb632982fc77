//! Electronic signatures through the API, for every signable record: the body of a
//! signature, the record's signatures with the head a new one must be bound to, and
//! the work behind `GET`/`POST …/signatures`. The caller has checked that the viewer
//! may see the record; everything else is decided by `App::sign`.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vplant_app::signatures::SignatureInput;
use vplant_store::queries::identity::Signature;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Command;

/// An electronic signature: what the signer saw (version and content hash, from
/// `GET …/signatures`'s `head`), what it means, and the signer's credentials again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// performed, verified, reviewed, approved, released or rejected.
    #[serde(default)]
    pub meaning: String,
    /// The record version shown to the signer.
    pub record_version: u64,
    /// The content hash of that version (`head.hash`).
    #[serde(default)]
    pub record_hash: String,
    /// Your username, re-entered at every signing.
    #[serde(default)]
    pub username: String,
    /// Your password, re-entered at every signing.
    #[serde(default)]
    pub password: String,
}

/// A record's signatures and what a new signature must be bound to.
#[derive(Serialize, ToSchema)]
pub struct SignaturesBody {
    pub head: Head,
    pub signatures: Vec<Signature>,
}

/// The record's current version and content hash.
#[derive(Serialize, ToSchema)]
pub struct Head {
    pub version: u64,
    pub hash: String,
}

/// The signatures of record `stream_id` (`what` `id` in messages).
pub async fn signatures(
    state: &AppState,
    stream_id: &str,
    what: &str,
    id: &str,
) -> Result<Json<SignaturesBody>, ApiError> {
    let head = state
        .app
        .signable_head(stream_id)
        .await?
        .ok_or_else(|| ApiError::not_found(what, id))?;
    Ok(Json(SignaturesBody {
        head: Head {
            version: head.version,
            hash: head.hash,
        },
        signatures: state.app.signatures(stream_id).await?,
    }))
}

/// Signs record `stream_id` (`what` `id` in messages) as the caller.
pub async fn sign(
    state: &AppState,
    stream_id: &str,
    (what, id): (&str, &str),
    cmd: Command<SignBody>,
) -> Result<(StatusCode, Json<Signature>), ApiError> {
    let viewer = &cmd.viewer;
    let input = SignatureInput {
        meaning: cmd.body.meaning.clone(),
        shown_version: cmd.body.record_version,
        shown_hash: cmd.body.record_hash.clone(),
        username: cmd.body.username.clone(),
        password: cmd.body.password.clone(),
    };
    let name = format!("{what} '{id}'");
    let outcome = state
        .app
        .sign(&viewer.principal, stream_id, &name, &input, &viewer.client)
        .await?;
    // The signature is the first event of the commit; what it decided (an exception
    // closed, say) follows it.
    let version = outcome.version - (outcome.last_seq - outcome.first_seq);
    let signature = state
        .app
        .signatures(stream_id)
        .await?
        .into_iter()
        .find(|s| s.stream_version == version)
        .ok_or_else(|| ApiError::not_found("signature", id))?;
    Ok((StatusCode::CREATED, Json(signature)))
}
