//! The list of accounts, locked ones first under an alert, and the create form.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_app::master::Sites;
use vplant_domain::identity::{Permission, Scope};
use vplant_store::queries::identity::User;

use super::actions::Secret;
use super::detail;
use super::{
    BASE, EMAIL, FULL_NAME, ROLES_HINT, SITES, collect, failure, new_user, role_labels, roles_field,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{FieldSpec, FormView, Input, Values, value};
use crate::ui::page::{Chrome, PageError, Tone, render};

static NEW_FIELDS: LazyLock<[FieldSpec; 5]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "username",
            label: "Username",
            hint: "3 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter. It can never be changed or reused.",
            input: Input::Text {
                max: 64,
                upper: false,
            },
        },
        FULL_NAME,
        EMAIL,
        roles_field("Roles", ROLES_HINT),
        SITES,
    ]
});

/// One account as a row of the list.
pub(super) struct Row {
    user: User,
    roles: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    page: Chrome,
    rows: Vec<Row>,
    /// Accounts locked after failed sign-ins (the alert); 0 shows none.
    locked_out: usize,
    alert: String,
    /// Only for people who may manage accounts.
    form: Option<FormView>,
}

/// The create form; its intro names the CMO sites a partner can be bound to.
async fn create_form(state: &AppState, values: &Values) -> Result<FormView, PageError> {
    let cmo: Vec<String> = state
        .app
        .masters::<Sites>(&Scope::All, false)
        .await?
        .into_iter()
        .filter(|s| s.kind == "cmo")
        .map(|s| s.code)
        .collect();
    let sites = if cmo.is_empty() {
        "No CMO site is registered yet.".to_owned()
    } else {
        format!("CMO sites: {}.", cmo.join(", "))
    };
    Ok(
        FormView::new("create", BASE.to_owned(), &*NEW_FIELDS, values)
            .titled(
                "Create a user",
                format!(
                    "The system makes a one-time password, shown once after the account is created; the person chooses their own at first sign-in. {sites}"
                ),
            )
            .submit("Create user", "btn-primary"),
    )
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<FormView>,
    page: Chrome,
) -> Result<ListPage, PageError> {
    let mut users = state.app.store.users().await?;
    // Locked accounts first: they are what an administrator has to act on.
    users.sort_by_key(|u| u.status() != "locked");
    let locked_out = super::locked_out(&users, state.app.security.policy.lock_after);
    let form = match form {
        Some(form) => Some(form),
        None if viewer.can(Permission::ManageUsers) => {
            Some(create_form(state, &Values::new()).await?)
        }
        None => None,
    };
    Ok(ListPage {
        page: page.viewer(viewer),
        rows: users
            .into_iter()
            .map(|user| Row {
                roles: role_labels(&user.roles),
                user,
            })
            .collect(),
        locked_out,
        alert: super::lockout_alert(locked_out),
        form,
    })
}

pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let body = list_page(&state, &viewer, None, Chrome::new("Users", BASE)).await?;
    Ok(render(StatusCode::OK, &body))
}

/// Creates the account and answers with its page and the one-time password, with
/// status 201 rather than a redirect, so that the password is never in a URL.
pub(super) async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let values = collect(pairs);
    let username = value(&values, "username").trim().to_lowercase();
    match state
        .app
        .create_user(new_user(&values), &viewer.request())
        .await
    {
        Ok((user, password)) => {
            let page = Chrome::new(user.username.clone(), BASE).alert(
                Tone::Success,
                format!(
                    "Account {} created. The change is recorded in its history.",
                    user.username
                ),
            );
            let secret = password.map(|p| Secret::password(&user.username, p.0));
            detail::answer(
                &state,
                &viewer,
                &user.username,
                page,
                None,
                secret,
                StatusCode::CREATED,
            )
            .await
        }
        Err(error) => {
            let failure = failure(error, &username)?;
            let form = create_form(&state, &values).await?.failed(&failure);
            let body = list_page(&state, &viewer, Some(form), Chrome::new("Users", BASE)).await?;
            Ok(render(failure.status, &body))
        }
    }
}
