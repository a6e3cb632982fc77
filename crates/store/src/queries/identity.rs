//! Users, sessions, API tokens and signatures as the read tables hold them.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;

use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

/// A user account as administrators and auditors see it. The password hash is not
/// part of it; only sign-in reads it, through [`Store::credentials`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// Role names, e.g. `qa_reviewer`.
    pub roles: Vec<String>,
    /// Site codes a CMO partner is bound to.
    pub sites: Vec<String>,
    pub active: bool,
    pub locked: bool,
    pub must_change_password: bool,
    /// Consecutive failed sign-ins since the last success.
    pub failed_sign_ins: u32,
    #[schema(value_type = Option<String>)]
    pub locked_at: Option<Timestamp>,
    pub version: u64,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

impl User {
    /// `active`, `locked` or `deactivated`.
    pub fn status(&self) -> &'static str {
        match (self.active, self.locked) {
            (false, _) => "deactivated",
            (true, true) => "locked",
            (true, false) => "active",
        }
    }
}

/// What sign-in and session checks need beyond [`User`].
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    /// Sessions started before this time are void (sign out everywhere).
    pub sessions_valid_after: Timestamp,
}

/// A sign-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Session {
    pub id: String,
    pub username: String,
    #[schema(value_type = String)]
    pub started_at: Timestamp,
    #[schema(value_type = String)]
    pub last_seen: Timestamp,
    pub idle_timeout_secs: u64,
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
    pub client: String,
    #[schema(value_type = Option<String>)]
    pub ended_at: Option<Timestamp>,
    pub ended_why: Option<String>,
    pub version: u64,
}

/// An API token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub roles: Vec<String>,
    pub sites: Vec<String>,
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<Timestamp>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

/// An electronic signature, as every view of a signed record manifests it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Signature {
    pub stream_id: String,
    /// The signature's own position in the record's stream.
    pub stream_version: u64,
    pub signer: String,
    pub printed_name: String,
    pub meaning: String,
    #[schema(value_type = String)]
    pub signed_at: Timestamp,
    /// The record version that was signed, and its ledger hash.
    pub record_version: u64,
    pub record_hash: String,
    /// The part of the record signed (a step of a batch record), if not the whole.
    pub subject: Option<String>,
}

impl Signature {
    /// "Approved", "Verified" … as the signature manifests its meaning.
    pub fn meaning_label(&self) -> &str {
        vplant_domain::signature::Meaning::parse("meaning", &self.meaning)
            .map_or(self.meaning.as_str(), |m| m.label())
    }

    /// The first 16 hex digits of the signed content hash, enough to compare by eye.
    pub fn short_hash(&self) -> &str {
        self.record_hash.get(..16).unwrap_or(&self.record_hash)
    }
}

fn list(text: String) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn opt_time(r: &Row, i: usize) -> Result<Option<Timestamp>, StoreError> {
    Ok(r.opt_int(i)?.map(Timestamp::from_micros))
}

const USER_COLUMNS: &str = "username, full_name, email, roles, sites, active, locked, \
     must_change_password, failed_sign_ins, locked_at, version, created_at, updated_at, \
     password_hash, sessions_valid_after";

fn user(r: &Row) -> Result<User, StoreError> {
    Ok(User {
        username: r.text(0)?,
        full_name: r.text(1)?,
        email: r.text(2)?,
        roles: list(r.text(3)?),
        sites: list(r.text(4)?),
        active: r.bool(5)?,
        locked: r.bool(6)?,
        must_change_password: r.bool(7)?,
        failed_sign_ins: u32::try_from(r.uint(8)?).unwrap_or(u32::MAX),
        locked_at: opt_time(r, 9)?,
        version: r.uint(10)?,
        created_at: Timestamp::from_micros(r.int(11)?),
        updated_at: Timestamp::from_micros(r.int(12)?),
    })
}

const SESSION_COLUMNS: &str = "id, username, started_at, last_seen, idle_timeout_secs, \
     expires_at, client, ended_at, ended_why, version";

fn session(r: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        id: r.text(0)?,
        username: r.text(1)?,
        started_at: Timestamp::from_micros(r.int(2)?),
        last_seen: Timestamp::from_micros(r.int(3)?),
        idle_timeout_secs: r.uint(4)?,
        expires_at: Timestamp::from_micros(r.int(5)?),
        client: r.text(6)?,
        ended_at: opt_time(r, 7)?,
        ended_why: r.opt_text(8)?,
        version: r.uint(9)?,
    })
}

const TOKEN_COLUMNS: &str = "id, owner, name, roles, sites, expires_at, revoked_at, created_at";

fn token(r: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.text(0)?,
        owner: r.text(1)?,
        name: r.text(2)?,
        roles: list(r.text(3)?),
        sites: list(r.text(4)?),
        expires_at: Timestamp::from_micros(r.int(5)?),
        revoked_at: opt_time(r, 6)?,
        created_at: Timestamp::from_micros(r.int(7)?),
    })
}

const SIGNATURE_COLUMNS: &str = "stream_id, stream_version, signer, printed_name, meaning, \
     signed_at, record_version, record_hash, subject";

fn signature(r: &Row) -> Result<Signature, StoreError> {
    Ok(Signature {
        stream_id: r.text(0)?,
        stream_version: r.uint(1)?,
        signer: r.text(2)?,
        printed_name: r.text(3)?,
        meaning: r.text(4)?,
        signed_at: Timestamp::from_micros(r.int(5)?),
        record_version: r.uint(6)?,
        record_hash: r.text(7)?,
        subject: r.opt_text(8)?,
    })
}

impl Store {
    /// Every account, ordered by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        self.read(|conn| {
            conn.query(
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"),
                &[],
            )?
            .iter()
            .map(user)
            .collect()
        })
        .await
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        Ok(self.credentials(username).await?.map(|c| c.user))
    }

    /// The account with its password hash, for sign-in and signing only.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let username = username.trim().to_lowercase();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
                &[Value::Text(username)],
            )?
            .first()
            .map(|r| {
                Ok(Credentials {
                    user: user(r)?,
                    password_hash: r.text(13)?,
                    sessions_valid_after: Timestamp::from_micros(r.int(14)?),
                })
            })
            .transpose()
        })
        .await
    }

    /// The session whose token hashes to `token_hash` (hex), ended or not.
    pub async fn session_by_token(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"),
                &[Value::Text(token_hash)],
            )?
            .first()
            .map(session)
            .transpose()
        })
        .await
    }

    /// Sessions of one person that have not been ended, newest first. Sessions past
    /// their timeouts are included: they end when next used or swept.
    pub async fn open_sessions(&self, username: &str) -> Result<Vec<Session>, StoreError> {
        let username = username.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE username = $1 AND ended_at IS NULL ORDER BY started_at DESC"
                ),
                &[Value::Text(username)],
            )?
            .iter()
            .map(session)
            .collect()
        })
        .await
    }

    /// The API token whose secret hashes to `token_hash`, with its owner's credentials.
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"),
                &[Value::Text(token_hash)],
            )?
            .first()
            .map(token)
            .transpose()
        })
        .await
    }

    /// The tokens issued for `owner`, newest first.
    pub async fn api_tokens_of(&self, owner: &str) -> Result<Vec<ApiToken>, StoreError> {
        let owner = owner.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE owner = $1 ORDER BY created_at DESC"),
                &[Value::Text(owner)],
            )?
            .iter()
            .map(token)
            .collect()
        })
        .await
    }

    /// The signatures of one record, in the order they were made.
    pub async fn signatures(&self, stream_id: &str) -> Result<Vec<Signature>, StoreError> {
        let stream_id = stream_id.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE stream_id = $1 ORDER BY stream_version"),
                &[Value::Text(stream_id)],
            )?
            .iter()
            .map(signature)
            .collect()
        })
        .await
    }
}
