//! One account: its facts, open sessions, API tokens and history, and for people who
//! manage users the forms that change it (see `actions`). A change that makes a
//! secret (a reset password, a new API token) answers with this page and the
//! secret, once; every other change redirects back here (Post/Redirect/Get).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_domain::Aggregate;
use vplant_domain::identity::Permission;
use vplant_domain::identity::fields::Username;
use vplant_domain::identity::user::UserState;
use vplant_store::queries::identity::{ApiToken, Session, User};

use super::actions::{Action, Secret};
use super::{BASE, collect, failure, not_found, role_labels};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{Failure, FormView, Values, value};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone, render};

/// An API token as a row of the account's token list.
pub(super) struct TokenRow {
    token: ApiToken,
    roles: String,
    /// `active`, `expired` or `revoked`.
    status: &'static str,
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct DetailPage {
    page: Chrome,
    user: User,
    roles: String,
    secret: Option<Secret>,
    sessions: Vec<Session>,
    tokens: Vec<TokenRow>,
    /// Only for people who may manage users.
    forms: Vec<FormView>,
    may_manage: bool,
    /// The viewer looks at their own account.
    own: bool,
    history: Vec<HistoryRow>,
}

/// A change that was refused, to redraw its form with the person's input and why.
pub(super) struct Attempt<'a> {
    action: Action,
    values: &'a Values,
    failure: &'a Failure,
}

/// What a refusal says in one line, for an alert outside any form.
fn summary(failure: &Failure) -> String {
    match &failure.message {
        Some(message) => message.clone(),
        None => {
            let fields: Vec<String> = failure
                .fields
                .iter()
                .map(|f| format!("{} {}", f.field.replace('_', " "), f.reason))
                .collect();
            format!("Nothing was saved: {}.", fields.join("; "))
        }
    }
}

/// Renders the account page with `status`. A page that carries a secret is marked
/// `no-store`, so that no cache or back button keeps the secret.
pub(super) async fn answer(
    state: &AppState,
    viewer: &Viewer,
    username: &str,
    page: Chrome,
    attempt: Option<Attempt<'_>>,
    secret: Option<Secret>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let user = state
        .app
        .store
        .user(username)
        .await?
        .ok_or_else(|| not_found(username))?;
    let entries = state
        .app
        .history(&UserState::stream_id(&user.username))
        .await?;
    let sessions = state.app.store.open_sessions(&user.username).await?;
    let now = state.app.store.now();
    let tokens = state
        .app
        .store
        .api_tokens_of(&user.username)
        .await?
        .into_iter()
        .map(|token| TokenRow {
            roles: role_labels(&token.roles),
            status: if token.revoked_at.is_some() {
                "revoked"
            } else if token.expires_at <= now {
                "expired"
            } else {
                "active"
            },
            token,
        })
        .collect();
    let own = viewer.username() == user.username;
    let may_manage = viewer.can(Permission::ManageUsers);
    let offered = if may_manage {
        Action::offered(&user, own)
    } else {
        Vec::new()
    };
    let forms = offered
        .iter()
        .map(|&action| match &attempt {
            Some(a) if a.action == action => action.form(&user, a.values).failed(a.failure),
            _ => action.form(&user, &action.current(&user)),
        })
        .collect();
    let mut page = page.via("Users", BASE).viewer(viewer);
    // A refused change whose form is not offered (the person's own lock, or a state
    // someone else changed first) still gets its reason shown.
    if let Some(a) = attempt.filter(|a| !offered.contains(&a.action)) {
        page = page.alert(Tone::Error, summary(a.failure));
    }
    let secret_shown = secret.is_some();
    let body = DetailPage {
        page,
        roles: role_labels(&user.roles),
        user,
        secret,
        sessions,
        tokens,
        forms,
        may_manage,
        own,
        history: history::rows(entries),
    };
    let mut response = render(status, &body);
    if secret_shown {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct ShowParams {
    done: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(username): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PageError> {
    let username = username.trim().to_lowercase();
    let mut page = Chrome::new(username.clone(), BASE);
    if let Some(text) = params.done.as_deref().and_then(Action::done_message) {
        page = page.alert(Tone::Success, text);
    }
    answer(&state, &viewer, &username, page, None, None, StatusCode::OK).await
}

pub(super) async fn change(
    action: Action,
    State(state): State<AppState>,
    viewer: Viewer,
    Path(username): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let username = username.trim().to_lowercase();
    let values = collect(pairs);
    if state.app.store.user(&username).await?.is_none() {
        return Err(not_found(&username));
    }
    let mut request = viewer.request();
    if action != Action::IssueToken {
        request.expected_version = expected_version(&values)?;
    }
    let page = Chrome::new(username.clone(), BASE);
    match action.run(&state, &username, &values, &request).await {
        Ok(None) => {
            Ok(Redirect::to(&format!("{BASE}/{username}?done={}", action.slug())).into_response())
        }
        Ok(Some(secret)) => {
            let (text, status) = if action == Action::IssueToken {
                ("API token issued. It is listed below.", StatusCode::CREATED)
            } else {
                (
                    "Password reset; the person's sessions were ended.",
                    StatusCode::OK,
                )
            };
            let page = page.alert(Tone::Success, text);
            answer(&state, &viewer, &username, page, None, Some(secret), status).await
        }
        Err(error) => {
            let failure = failure(error, &username)?;
            let attempt = Attempt {
                action,
                values: &values,
                failure: &failure,
            };
            answer(
                &state,
                &viewer,
                &username,
                page,
                Some(attempt),
                None,
                failure.status,
            )
            .await
        }
    }
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((username, id)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let username = username.trim().to_lowercase();
    // The address names the account; a token of another account is not found here.
    let tokens = state.app.store.api_tokens_of(&username).await?;
    if !tokens.iter().any(|t| t.id == id) {
        return Err(PageError::NotFound {
            message: format!("User '{username}' has no API token '{id}'."),
            back: Some(("Users", BASE)),
        });
    }
    let reason = value(&values, "reason");
    match state
        .app
        .revoke_api_token(&id, reason, &viewer.request())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{BASE}/{username}?done=revoked")).into_response()),
        Err(error) => {
            let failure = failure(error, &username)?;
            let page = Chrome::new(username.clone(), BASE).alert(Tone::Error, summary(&failure));
            answer(&state, &viewer, &username, page, None, None, failure.status).await
        }
    }
}

/// A change address opened directly shows the account rather than a bare 405.
pub(super) async fn back(Path(username): Path<String>) -> Redirect {
    account(&username)
}

pub(super) async fn back_from_token(Path((username, _)): Path<(String, String)>) -> Redirect {
    account(&username)
}

/// The account page of `username`, or the list when the address holds no valid
/// username (it came from the address bar, and goes into a `Location` header).
fn account(username: &str) -> Redirect {
    match Username::parse("username", username) {
        Ok(name) => Redirect::to(&format!("{BASE}/{}", name.as_str())),
        Err(_) => Redirect::to(BASE),
    }
}

/// The hidden `expected_version`: absent means "do not check"; anything but a number
/// means the form was damaged.
fn expected_version(values: &Values) -> Result<Option<u64>, PageError> {
    match value(values, "expected_version").trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            PageError::BadRequest(
                "The form's record version is damaged. Reload the page and try again.".into(),
            )
        }),
    }
}
