//! `/api/v1/me`, `/api/v1/users` and `/api/v1/tokens`: who is calling, user
//! accounts, and API tokens. Accounts are never deleted; the system makes every
//! password and token secret, which the answer to the post shows once.
//!
//! The `Idempotency-Key` header is not honoured where a secret is made (create,
//! reset password, issue token): a replay could not show the first secret again,
//! which is never stored, so a retry is refused as a conflict instead.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vplant_app::identity::{AccountChange, NewUserInput};
use vplant_app::{AppError, HistoryEntry};
use vplant_domain::identity::Permission;
use vplant_domain::identity::user::UserState;
use vplant_domain::{Aggregate, DomainError, FieldError};
use vplant_store::queries::identity::{ApiToken, User};

use super::changes::ReasonBody;
use crate::AppState;
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// The routes of this file, each with its access decision.
pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewUsers);
    let manage = Access::Allow(Permission::ManageUsers);
    let user = "/api/v1/users/{username}";
    Routes::new()
        .get("/api/v1/me", Access::SignedIn, me)
        .get("/api/v1/users", view, list)
        .post("/api/v1/users", manage, create)
        .get(user, view, show)
        .get(&format!("{user}/history"), view, history)
        .post(&format!("{user}/lock"), manage, lock)
        .post(&format!("{user}/unlock"), manage, unlock)
        .post(&format!("{user}/deactivate"), manage, deactivate)
        .post(&format!("{user}/reactivate"), manage, reactivate)
        .post(&format!("{user}/reset-password"), manage, reset_password)
        .post(&format!("{user}/access"), manage, access)
        .post(&format!("{user}/profile"), manage, profile)
        .get(&format!("{user}/tokens"), view, tokens)
        .post(&format!("{user}/tokens"), manage, issue_token)
        .post("/api/v1/tokens/{id}/revoke", manage, revoke_token)
}

/// The caller as the request acts: an API token shows its own, reduced roles.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub full_name: String,
    /// Role names, e.g. `qa_reviewer`.
    pub roles: Vec<String>,
    /// Site codes the caller is bound to (empty: not bound to sites).
    pub sites: Vec<String>,
    /// Set after an administrator's reset: everything but `/account/password`,
    /// sign-out and this endpoint is refused until the password is changed.
    pub must_change_password: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// 3–64 lower-case letters, digits, `.`, `_` or `-`, starting with a letter;
    /// unique and never reused.
    #[serde(default)]
    pub username: String,
    /// As printed on electronic signatures.
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    /// Role names, e.g. `["qa_reviewer"]`. A CMO partner holds no other role.
    #[serde(default)]
    pub roles: Vec<String>,
    /// CMO site codes; required for a CMO partner, empty for internal roles.
    #[serde(default)]
    pub sites: Vec<String>,
}

/// A new account and its one-time password, which is shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Hand it over separately from the username; it must be changed at first
    /// sign-in.
    pub one_time_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    /// Why (required; kept in the audit trail).
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessBody {
    /// The complete new set of role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The complete new set of CMO site codes.
    #[serde(default)]
    pub sites: Vec<String>,
    /// Why (required; kept in the audit trail).
    #[serde(default)]
    pub reason: String,
    /// The version you saw; when set, a change made since then is refused (409).
    pub expected_version: Option<u64>,
}

/// A password reset: the new one-time password, shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct PasswordReset {
    pub username: String,
    pub one_time_password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What the token is for, e.g. "LIMS interface".
    #[serde(default)]
    pub name: String,
    /// Roles the account holds that the token may use.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Optional: limit the token to these site codes.
    #[serde(default)]
    pub sites: Vec<String>,
    /// 1 to 366.
    pub valid_days: u32,
}

/// A new API token and its secret, which is shown only in this answer; send it as
/// `Authorization: Bearer <secret>`.
#[derive(Serialize, ToSchema)]
pub struct IssuedTokenBody {
    pub token: ApiToken,
    pub secret: String,
}

/// An answer that carries a secret: no cache may keep it.
fn secret<T: Serialize>(status: StatusCode, body: T) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A taken username is named as the field it is (the generic answer says `code`).
fn taken(error: AppError) -> ApiError {
    match error {
        AppError::Domain(DomainError::AlreadyExists { .. }) => {
            let mut api = ApiError::from(error);
            api.fields = vec![FieldError::new(
                "username",
                "is already taken; usernames are never reused, choose another",
            )];
            api
        }
        other => ApiError::from(other),
    }
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "me", tag = "users",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(viewer: Viewer) -> Json<Me> {
    let p = &viewer.principal;
    Json(Me {
        username: p.username.clone(),
        full_name: p.full_name.clone(),
        roles: p.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        sites: p.sites.iter().cloned().collect(),
        must_change_password: viewer.must_change_password,
    })
}

/// List user accounts, deactivated ones included.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "list_users", tag = "users",
    responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(s.app.store.users().await?))
}

/// Create a user account with a one-time password.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "create_user", tag = "users", request_body = NewUserBody,
    responses(
        (status = 201, body = CreatedUser, description = "Created; the one-time password is shown only here"),
        (status = 409, body = ErrorBody, description = "The username is taken"),
        (status = 422, body = ErrorBody, description = "Bad input; every bad field is named"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    mut cmd: Command<NewUserBody>,
) -> Result<Response, ApiError> {
    cmd.request.idempotency = None;
    let b = cmd.body;
    let input = NewUserInput {
        username: b.username,
        full_name: b.full_name,
        email: b.email,
        roles: b.roles,
        sites: b.sites,
        password: None,
        must_change_password: true,
    };
    let (user, password) = s
        .app
        .create_user(input, &cmd.request)
        .await
        .map_err(taken)?;
    let one_time_password = password.map(|p| p.0).ok_or_else(|| {
        ApiError::from(AppError::Internal(
            "no one-time password was made for a new account".to_owned(),
        ))
    })?;
    Ok(secret(
        StatusCode::CREATED,
        CreatedUser {
            user,
            one_time_password,
        },
    ))
}

/// One user account.
#[utoipa::path(get, path = "/api/v1/users/{username}", operation_id = "show_user", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    Path(username): Path<String>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(s.app.user(&username).await?))
}

/// The account's full history from the ledger (password hashes are never shown).
#[utoipa::path(get, path = "/api/v1/users/{username}/history", operation_id = "user_history", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    Path(username): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let user = s.app.user(&username).await?;
    Ok(Json(
        s.app.history(&UserState::stream_id(&user.username)).await?,
    ))
}

async fn account_change(
    s: &AppState,
    username: &str,
    change: AccountChange,
    cmd: Command<ReasonBody>,
) -> Result<Json<User>, ApiError> {
    let mut request = cmd.request;
    request.expected_version = cmd.body.expected_version;
    Ok(Json(
        s.app
            .set_account_state(username, change, &cmd.body.reason, &request)
            .await?,
    ))
}

/// Lock an account (reason required): its sessions end at once and its API tokens
/// stop working. Your own account cannot be locked (403).
#[utoipa::path(post, path = "/api/v1/users/{username}/lock", operation_id = "lock_user", tag = "users", params(("username" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<User>, ApiError> {
    account_change(&s, &username, AccountChange::Lock, cmd).await
}

/// Unlock a locked account (reason required); its failed sign-ins are cleared.
#[utoipa::path(post, path = "/api/v1/users/{username}/unlock", operation_id = "unlock_user", tag = "users", params(("username" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn unlock(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<User>, ApiError> {
    account_change(&s, &username, AccountChange::Unlock, cmd).await
}

/// Deactivate an account (reason required); it is kept, and its username is never
/// reused. Your own account cannot be deactivated (403).
#[utoipa::path(post, path = "/api/v1/users/{username}/deactivate", operation_id = "deactivate_user", tag = "users", params(("username" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deactivate(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<User>, ApiError> {
    account_change(&s, &username, AccountChange::Deactivate, cmd).await
}

/// Reactivate a deactivated account (reason required).
#[utoipa::path(post, path = "/api/v1/users/{username}/reactivate", operation_id = "reactivate_user", tag = "users", params(("username" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reactivate(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<Json<User>, ApiError> {
    account_change(&s, &username, AccountChange::Reactivate, cmd).await
}

/// Reset the password (reason required): a new one-time password, shown only in
/// this answer; the person's sessions end and they must change it at sign-in.
#[utoipa::path(post, path = "/api/v1/users/{username}/reset-password", operation_id = "reset_password", tag = "users", params(("username" = String, Path)),
    request_body = ReasonBody,
    responses((status = 200, body = PasswordReset), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    Path(username): Path<String>,
    mut cmd: Command<ReasonBody>,
) -> Result<Response, ApiError> {
    cmd.request.idempotency = None;
    cmd.request.expected_version = cmd.body.expected_version;
    let user = s.app.user(&username).await?;
    let password = s
        .app
        .reset_password(&user.username, &cmd.body.reason, &cmd.request)
        .await?;
    Ok(secret(
        StatusCode::OK,
        PasswordReset {
            username: user.username,
            one_time_password: password.0,
        },
    ))
}

/// Change roles and sites (reason required); the body holds the complete new sets.
#[utoipa::path(post, path = "/api/v1/users/{username}/access", operation_id = "change_user_access", tag = "users", params(("username" = String, Path)),
    request_body = AccessBody,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn access(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<AccessBody>,
) -> Result<Json<User>, ApiError> {
    let mut request = cmd.request;
    request.expected_version = cmd.body.expected_version;
    let b = &cmd.body;
    Ok(Json(
        s.app
            .change_access(&username, &b.roles, &b.sites, &b.reason, &request)
            .await?,
    ))
}

/// Change the full name and e-mail address (reason required).
#[utoipa::path(post, path = "/api/v1/users/{username}/profile", operation_id = "change_user_profile", tag = "users", params(("username" = String, Path)),
    request_body = ProfileBody,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn profile(
    State(s): State<AppState>,
    Path(username): Path<String>,
    cmd: Command<ProfileBody>,
) -> Result<Json<User>, ApiError> {
    let mut request = cmd.request;
    request.expected_version = cmd.body.expected_version;
    let b = &cmd.body;
    Ok(Json(
        s.app
            .change_profile(&username, &b.full_name, &b.email, &b.reason, &request)
            .await?,
    ))
}

/// The API tokens issued for the account, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/users/{username}/tokens", operation_id = "list_api_tokens", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = Vec<ApiToken>), (status = 404, body = ErrorBody)))]
pub async fn tokens(
    State(s): State<AppState>,
    Path(username): Path<String>,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let user = s.app.user(&username).await?;
    Ok(Json(s.app.store.api_tokens_of(&user.username).await?))
}

/// Issue an API token acting as the account, limited to some of its roles and
/// sites; the secret is shown only in this answer.
#[utoipa::path(post, path = "/api/v1/users/{username}/tokens", operation_id = "issue_api_token", tag = "users", params(("username" = String, Path)),
    request_body = NewTokenBody,
    responses((status = 201, body = IssuedTokenBody, description = "Issued; the secret is shown only here"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_token(
    State(s): State<AppState>,
    Path(username): Path<String>,
    mut cmd: Command<NewTokenBody>,
) -> Result<Response, ApiError> {
    cmd.request.idempotency = None;
    let b = &cmd.body;
    let issued = s
        .app
        .issue_api_token(
            &username,
            &b.name,
            &b.roles,
            &b.sites,
            b.valid_days,
            &cmd.request,
        )
        .await?;
    Ok(secret(
        StatusCode::CREATED,
        IssuedTokenBody {
            token: issued.token,
            secret: issued.secret,
        },
    ))
}

/// Revoke an API token (reason required); it stops working at once.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", operation_id = "revoke_api_token", tag = "users", params(("id" = String, Path)),
    request_body = ReasonBody,
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already revoked"), (status = 422, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<String>,
    cmd: Command<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    let mut request = cmd.request;
    request.expected_version = cmd.body.expected_version;
    s.app
        .revoke_api_token(&id, &cmd.body.reason, &request)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
