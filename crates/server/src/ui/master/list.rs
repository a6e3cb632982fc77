//! The list of a master-data resource and its register form.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_app::AppError;
use vplant_domain::identity::Permission;

use super::{MasterUi, RecordView, done_message};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::form::{Failure, FormView, Values, value};
use crate::ui::page::{Chrome, PageError, Tone, render};

#[derive(Deserialize)]
pub(super) struct ListParams {
    include_inactive: Option<String>,
    done: Option<String>,
}

impl ListParams {
    /// A link (`true`) and a checkbox (`on`) both ask for inactive records.
    fn include_inactive(&self) -> bool {
        matches!(self.include_inactive.as_deref(), Some("true" | "on" | "1"))
    }
}

#[derive(Template)]
#[template(path = "master/list.html")]
struct ListPage {
    page: Chrome,
    what: &'static str,
    base: &'static str,
    columns: &'static [&'static str],
    records: Vec<RecordView>,
    include_inactive: bool,
    /// Only for people who may register records.
    form: Option<FormView>,
}

async fn list_page<R: MasterUi>(
    state: &AppState,
    viewer: &Viewer,
    include_inactive: bool,
    form: FormView,
    page: Chrome,
) -> Result<ListPage, PageError> {
    let records = state
        .app
        .masters::<R>(&viewer.scope(), include_inactive)
        .await?;
    let form = if viewer.can(Permission::EditMasterData) {
        Some(form)
    } else {
        None
    };
    Ok(ListPage {
        page: page.viewer(viewer),
        what: R::WHAT,
        base: R::BASE,
        columns: R::COLUMNS,
        records: records.into_iter().map(R::view).collect(),
        include_inactive,
        form,
    })
}

fn register_form<R: MasterUi>(values: &Values) -> FormView {
    FormView::new("register", R::BASE.to_owned(), R::NEW_FIELDS, values)
        .titled(
            format!("Register a {}", R::WHAT),
            format!(
                "The code identifies the {} everywhere and is never reused.",
                R::WHAT
            ),
        )
        .submit("Register", "btn-primary")
}

pub(super) async fn list<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let mut page = Chrome::new(R::MANY, R::BASE);
    if let Some(text) = done_message(params.done.as_deref(), R::ONE) {
        page = page.alert(Tone::Success, text);
    }
    let form = register_form::<R>(&Values::new());
    let body = list_page::<R>(&state, &viewer, params.include_inactive(), form, page).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn register<R: MasterUi>(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let outcome = match R::register(&values) {
        Ok((code, command)) => state
            .app
            .execute::<R::Agg>(&code, command, &viewer.request())
            .await
            .map(|_| ()),
        Err(e) => Err(AppError::Domain(e)),
    };
    let Err(error) = outcome else {
        return Ok(Redirect::to(&format!("{}?done=registered", R::BASE)).into_response());
    };
    let failure = Failure::from_app(error, R::WHAT, value(&values, "code"))?;
    let form = register_form::<R>(&values).failed(&failure);
    let body = list_page::<R>(&state, &viewer, false, form, Chrome::new(R::MANY, R::BASE)).await?;
    Ok(render(failure.status, &body))
}
