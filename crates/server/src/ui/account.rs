//! The signed-in person's own account: who they are, their open sessions, signing
//! out everywhere, and changing their password (also the page a one-time password
//! leads to, which every other page redirects to until it is done).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_store::queries::identity::{Session, User};

use super::form::{Failure, FieldSpec, FormView, Input, Values, value};
use super::page::{Chrome, PageError, Tone, render};
use crate::AppState;
use crate::auth::access::{Access, Routes};
use crate::auth::{Client, Viewer, cookies};

pub fn routes() -> Routes {
    Routes::new()
        .get("/account", Access::SignedIn, show)
        .get("/account/password", Access::SignedIn, password_page)
        .post("/account/password", Access::SignedIn, change_password)
        .post(
            "/account/sign-out-everywhere",
            Access::SignedIn,
            sign_out_everywhere,
        )
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Chrome,
    user: User,
    sessions: Vec<Session>,
    current_session: String,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let user = state.app.user(viewer.username()).await?;
    let sessions = state.app.store.open_sessions(viewer.username()).await?;
    let mut page = Chrome::new("My account", "").viewer(&viewer);
    if done.done.as_deref() == Some("password") {
        page = page.alert(
            Tone::Success,
            "Password changed. Your other sessions were signed out.",
        );
    }
    let current_session = match &viewer.via {
        vplant_app::identity::Via::Session(id) => id.clone(),
        vplant_app::identity::Via::Token(_) => String::new(),
    };
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            page,
            user,
            sessions,
            current_session,
        },
    ))
}

static PASSWORD_FIELDS: [FieldSpec; 3] = [
    FieldSpec {
        name: "current_password",
        label: "Current password",
        hint: "The password you signed in with (or the one-time password you were given).",
        input: Input::Password,
    },
    FieldSpec {
        name: "new_password",
        label: "New password",
        hint: "At least 12 characters and hard to guess: a passphrase of unrelated words works well. Not your name or username.",
        input: Input::Password,
    },
    FieldSpec {
        name: "confirm_password",
        label: "New password again",
        hint: "",
        input: Input::Password,
    },
];

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    page: Chrome,
    form: FormView,
}

fn password_form(failure: Option<&Failure>) -> FormView {
    let form = FormView::new(
        "password",
        "/account/password".to_owned(),
        &PASSWORD_FIELDS,
        &Values::new(),
    )
    .submit("Change password", "btn-primary");
    match failure {
        Some(f) => form.failed(f),
        None => form,
    }
}

fn password_chrome(viewer: &Viewer) -> Chrome {
    let page = Chrome::new("Change password", "").viewer(viewer);
    if viewer.must_change_password {
        page.alert(
            Tone::Error,
            "Your password was set by an administrator. Choose your own password to continue.",
        )
    } else {
        page
    }
}

pub async fn password_page(viewer: Viewer) -> Response {
    render(
        StatusCode::OK,
        &PasswordPage {
            page: password_chrome(&viewer),
            form: password_form(None),
        },
    )
}

pub async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Client(client): Client,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let new = value(&values, "new_password");
    let outcome = if new != value(&values, "confirm_password") {
        Err(vplant_app::AppError::Domain(
            vplant_domain::DomainError::field(
                "confirm_password",
                "does not match the new password; type it again",
            ),
        ))
    } else {
        state
            .app
            .change_password(
                &viewer.principal,
                value(&values, "current_password"),
                new,
                &client,
            )
            .await
    };
    match outcome {
        Ok(session) => {
            let mut response = Redirect::to("/account?done=password").into_response();
            let cookie = cookies::set(cookies::SESSION, &session.token, state.web.secure_cookies());
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(error) => {
            let failure = Failure::from_app(error, "account", viewer.username())?;
            Ok(render(
                failure.status,
                &PasswordPage {
                    page: password_chrome(&viewer),
                    form: password_form(Some(&failure)),
                },
            ))
        }
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    state
        .app
        .sign_out_everywhere(&viewer.principal, "signed out of every session by the user")
        .await?;
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    let cookie = cookies::clear(cookies::SESSION, state.web.secure_cookies());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
