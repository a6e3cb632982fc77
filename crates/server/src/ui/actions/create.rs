//! Creating an action (`/actions/new`, posted to `/actions`). The same form is
//! drawn on an exception's page as "Create CAPA", filled with the exception as its
//! source; the new page can be opened filled in the same way
//! (`/actions/new?kind=capa&source_kind=exception&source_id=EX-2026-0042`).

use std::sync::LazyLock;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_domain::action::ActionInput;

use super::{BASE, KINDS, SOURCE_KINDS, href};
use crate::AppState;
use crate::api::action_input as input;
use crate::auth::Viewer;
use crate::ui::exceptions::{FormPage, site_choices};
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values, value};
use crate::ui::page::{Chrome, PageError, render};

static FIELDS: LazyLock<[FieldSpec; 10]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "kind",
            label: "Kind",
            hint: "A CAPA also gets an effectiveness check.",
            input: Input::Select(KINDS.as_slice()),
        },
        FieldSpec {
            name: "title",
            label: "Title",
            hint: "What is to be done, in a line.",
            input: Input::Text {
                max: 120,
                upper: false,
            },
        },
        FieldSpec {
            name: "owner",
            label: "Owner",
            hint: "The username of the person who does it.",
            input: Input::Text {
                max: 64,
                upper: false,
            },
        },
        FieldSpec {
            name: "due",
            label: "Due on",
            hint: "YYYY-MM-DD.",
            input: Input::Date,
        },
        FieldSpec {
            name: "source_kind",
            label: "Follows up",
            hint: "The kind of record it follows up, if any.",
            input: Input::Select(SOURCE_KINDS.as_slice()),
        },
        FieldSpec {
            name: "source_id",
            label: "Source record",
            hint: "Its number, e.g. EX-2026-0042. An action following up an exception belongs to the exception's site.",
            input: Input::Text {
                max: 40,
                upper: true,
            },
        },
        FieldSpec {
            name: "site",
            label: "Site",
            hint: "The site it concerns; taken from the exception it follows up when there is one.",
            input: Input::Choice,
        },
        FieldSpec {
            name: "description",
            label: "Description",
            hint: "Optional: what exactly, and how it will be shown to be done.",
            input: Input::Area { max: 4000 },
        },
        FieldSpec {
            name: "effectiveness_criterion",
            label: "Effectiveness criterion (CAPA)",
            hint: "What will show the CAPA worked, e.g. \"no label mix-up in the next 50 batches\".",
            input: Input::Area { max: 4000 },
        },
        FieldSpec {
            name: "effectiveness_due",
            label: "Effectiveness check on (CAPA)",
            hint: "YYYY-MM-DD, not before the action is due.",
            input: Input::Date,
        },
    ]
});

/// The create form with `id` (unique on its page), filled with `values`, marked
/// with `failure` when it was refused.
pub async fn create_form(
    state: &AppState,
    viewer: &Viewer,
    (id, title): (&'static str, &str),
    values: &Values,
    failure: Option<&Failure>,
) -> Result<FormView, PageError> {
    let form = FormView::new(id, BASE.to_owned(), &*FIELDS, values)
        .titled(
            title,
            "It gets the next number of the year. The owner sees it in their overdue list once it is past due.",
        )
        .submit("Create action", "btn-primary")
        .options(
            "site",
            site_choices(state, viewer, "None (or the source's site)").await?,
        );
    Ok(match failure {
        Some(failure) => form.failed(failure),
        None => form,
    })
}

async fn create_page(
    state: &AppState,
    viewer: &Viewer,
    values: &Values,
    failure: Option<&Failure>,
) -> Result<FormPage, PageError> {
    let form = create_form(
        state,
        viewer,
        ("create", "Create an action"),
        values,
        failure,
    )
    .await?;
    Ok(FormPage {
        page: Chrome::new("Create an action", BASE)
            .via("Actions", BASE)
            .viewer(viewer),
        form,
    })
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(given): Query<Values>,
) -> Result<Response, PageError> {
    let mut values: Values = given
        .into_iter()
        .filter(|(name, _)| FIELDS.iter().any(|f| f.name == name))
        .collect();
    values
        .entry("owner".to_owned())
        .or_insert_with(|| viewer.username().to_owned());
    let body = create_page(&state, &viewer, &values, None).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let text = |name: &str| value(&values, name).to_owned();
    let action = ActionInput {
        kind: text("kind"),
        title: text("title"),
        description: text("description"),
        owner: text("owner"),
        due: text("due"),
        site: text("site"),
        source_kind: text("source_kind"),
        source_id: text("source_id"),
        effectiveness_criterion: text("effectiveness_criterion"),
        effectiveness_due: text("effectiveness_due"),
    };
    let created = input::create(&state.app, &viewer.scope(), &action, &viewer.request()).await;
    let error = match created {
        Ok(row) => {
            let to = format!("{}?done=created", href(&row.number));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "action", "")?;
    let body = create_page(&state, &viewer, &values, Some(&failure)).await?;
    Ok(render(failure.status, &body))
}
