//! User and role administration: the list of accounts with the create form
//! (`list`), one account with its sessions, API tokens and history (`detail`) and
//! the forms that change it (`actions`), and the role × permission matrix (`roles`).
//!
//! Every change goes through the identity use cases of `vplant-app`; passwords and
//! token secrets made by the system are shown once, on the page that answers the
//! post, and never travel in a URL.

mod actions;
mod detail;
mod list;
mod roles;

use std::sync::LazyLock;

use axum::extract::{Form, Path, State};
use vplant_app::AppError;
use vplant_app::identity::NewUserInput;
use vplant_domain::identity::{Permission, Role};
use vplant_domain::{DomainError, FieldError};
use vplant_store::StoreError;
use vplant_store::queries::identity::User;

use super::form::{Failure, FieldSpec, Input, Values, value};
use super::page::PageError;
use crate::AppState;
use crate::auth::Viewer;
use crate::auth::access::{Access, Routes};
use actions::Action;

/// Where the account list lives.
pub const BASE: &str = "/users";
/// Where the role matrix lives.
pub const ROLES: &str = "/roles";

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewUsers);
    let manage = Access::Allow(Permission::ManageUsers);
    let mut routes = Routes::new()
        .get(BASE, view, list::list)
        .post(BASE, manage, list::create)
        .get(ROLES, view, roles::show)
        .get("/users/{username}", view, detail::show)
        .get(
            "/users/{username}/tokens/{id}/revoke",
            view,
            detail::back_from_token,
        )
        .post(
            "/users/{username}/tokens/{id}/revoke",
            manage,
            detail::revoke,
        );
    // Each change is its own route, so the route table names every action with its
    // permission. A GET of the same address (a reload after a refused form without
    // JavaScript) shows the account instead of a bare 405.
    for action in Action::ALL {
        let path = format!("/users/{{username}}/{}", action.slug());
        routes = routes.get(&path, view, detail::back).post(
            &path,
            manage,
            move |state: State<AppState>,
                  viewer: Viewer,
                  username: Path<String>,
                  form: Form<Vec<(String, String)>>| {
                detail::change(action, state, viewer, username, form)
            },
        );
    }
    routes
}

/// A submitted form as field → value. A checkbox group sends its field once per
/// ticked box; those values are joined with commas, which is how a
/// [`Input::Checkboxes`] field holds them (no role name or site code has a comma).
fn collect(pairs: Vec<(String, String)>) -> Values {
    let mut values = Values::new();
    for (name, text) in pairs {
        values
            .entry(name)
            .and_modify(|joined: &mut String| {
                joined.push(',');
                joined.push_str(&text);
            })
            .or_insert(text);
    }
    values
}

/// The items of a comma-separated field (ticked roles, typed site codes).
fn items(values: &Values, name: &str) -> Vec<String> {
    value(values, name)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The create form as the use case takes it. The system always makes the first
/// password: an administrator never chooses one for somebody else.
fn new_user(values: &Values) -> NewUserInput {
    NewUserInput {
        username: value(values, "username").to_owned(),
        full_name: value(values, "full_name").to_owned(),
        email: value(values, "email").to_owned(),
        roles: items(values, "roles"),
        sites: items(values, "sites"),
        password: None,
        must_change_password: true,
    }
}

/// Sorts a refused account change into what its form shows. A taken username is
/// named as such (the generic sorting speaks of codes).
fn failure(error: AppError, username: &str) -> Result<Failure, PageError> {
    match error {
        AppError::Domain(DomainError::AlreadyExists { .. }) => Ok(Failure {
            status: axum::http::StatusCode::CONFLICT,
            fields: vec![FieldError::new(
                "username",
                "is already taken; usernames are never reused, not even those of deactivated accounts, so choose another",
            )],
            message: None,
        }),
        AppError::Domain(DomainError::NotFound { .. }) => Err(not_found(username)),
        other => Failure::from_app(other, "user", username),
    }
}

fn not_found(username: &str) -> PageError {
    PageError::NotFound {
        message: format!("There is no user account '{username}'."),
        back: Some(("Users", BASE)),
    }
}

/// The roles as `(name, label)` choices, read from the role table so that a new
/// role appears in every form without touching this file.
static ROLE_CHOICES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect());

/// The roles field: a box per role.
fn roles_field(label: &'static str, hint: &'static str) -> FieldSpec {
    FieldSpec {
        name: "roles",
        label,
        hint,
        input: Input::Checkboxes(ROLE_CHOICES.as_slice()),
    }
}

const FULL_NAME: FieldSpec = FieldSpec {
    name: "full_name",
    label: "Full name",
    hint: "As it is printed on electronic signatures.",
    input: Input::Text {
        max: 120,
        upper: false,
    },
};

const EMAIL: FieldSpec = FieldSpec {
    name: "email",
    label: "E-mail",
    hint: "",
    input: Input::Text {
        max: 254,
        upper: false,
    },
};

const SITES: FieldSpec = FieldSpec {
    name: "sites",
    label: "Sites",
    hint: "Only for a CMO partner: the codes of their CMO sites, separated by commas. Leave empty for internal roles.",
    input: Input::Text {
        max: 200,
        upper: true,
    },
};

const ROLES_HINT: &str = "A CMO partner holds no other role and sees only their own sites.";

/// Accounts locked by the system after failed sign-ins: what administrators are
/// alerted to on the user list and the home page. An account an administrator
/// locked on purpose is shown as locked, but it is no alarm.
pub fn locked_out(users: &[User], lock_after: u32) -> usize {
    users
        .iter()
        .filter(|u| u.status() == "locked" && u.failed_sign_ins >= lock_after)
        .count()
}

/// The alert text for `n` accounts locked after failed sign-ins.
pub fn lockout_alert(n: usize) -> String {
    if n == 1 {
        "1 account is locked after failed sign-ins".to_owned()
    } else {
        format!("{n} accounts are locked after failed sign-ins")
    }
}

/// How many accounts are locked out, for the home page's alert.
pub async fn lockouts(state: &AppState) -> Result<usize, StoreError> {
    let users = state.app.store.users().await?;
    Ok(locked_out(&users, state.app.security.policy.lock_after))
}

/// Role names as their labels, for tables ("QA reviewer, Operator").
fn role_labels(names: &[String]) -> String {
    names
        .iter()
        .map(|name| Role::parse("roles", name).map_or(name.as_str(), |r| r.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_boxes_join_into_one_comma_separated_value() {
        let values = collect(vec![
            ("roles".into(), "operator".into()),
            ("roles".into(), "supervisor".into()),
            ("sites".into(), " cmo-a, ,CMO-B ".into()),
        ]);
        assert_eq!(items(&values, "roles"), ["operator", "supervisor"]);
        assert_eq!(items(&values, "sites"), ["cmo-a", "CMO-B"]);
        assert!(items(&values, "missing").is_empty());
    }

    #[test]
    fn every_role_is_a_choice() {
        assert_eq!(ROLE_CHOICES.len(), Role::ALL.len());
    }
}
