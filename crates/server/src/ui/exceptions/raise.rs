//! Raising an exception (`/exceptions/new`, posted to `/exceptions`): the site is
//! chosen among the sites the person may see, the batches are listed one per line;
//! the number and the due date are given by the system.

use std::sync::LazyLock;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_domain::exception::RaiseInput;

use super::{BASE, CATEGORIES, CLASSIFICATIONS, FormPage, href, site_choices};
use crate::AppState;
use crate::api::exception_input::{self as input, batch_lines};
use crate::auth::Viewer;
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values, value};
use crate::ui::page::{Chrome, PageError, render};

static FIELDS: LazyLock<[FieldSpec; 10]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "site",
            label: "Site",
            hint: "Where it happened; only the sites you may see are offered.",
            input: Input::Choice,
        },
        FieldSpec {
            name: "title",
            label: "Title",
            hint: "What happened, in a line.",
            input: Input::Text {
                max: 120,
                upper: false,
            },
        },
        FieldSpec {
            name: "classification",
            label: "Classification",
            hint: "Sets the due date (30 days to close by default).",
            input: Input::Select(CLASSIFICATIONS.as_slice()),
        },
        FieldSpec {
            name: "category",
            label: "Category",
            hint: "",
            input: Input::Select(CATEGORIES.as_slice()),
        },
        FieldSpec {
            name: "occurred",
            label: "Occurred on",
            hint: "YYYY-MM-DD, not in the future.",
            input: Input::Date,
        },
        FieldSpec {
            name: "discovered",
            label: "Discovered on",
            hint: "YYYY-MM-DD, not before it occurred.",
            input: Input::Date,
        },
        FieldSpec {
            name: "product",
            label: "Product",
            hint: "A product code, if it concerns one.",
            input: Input::Text {
                max: 24,
                upper: true,
            },
        },
        FieldSpec {
            name: "batches",
            label: "Batches",
            hint: "The batches it concerns at this site, one per line as <site>/<batch number>, e.g. CMO-SI/7.",
            input: Input::Area { max: 2000 },
        },
        FieldSpec {
            name: "description",
            label: "Description",
            hint: "What was observed, where, and against which requirement.",
            input: Input::Area { max: 4000 },
        },
        FieldSpec {
            name: "immediate_action",
            label: "Immediate action",
            hint: "What was done at once (batch on hold, line stopped …), if anything.",
            input: Input::Area { max: 4000 },
        },
    ]
});

async fn raise_page(
    state: &AppState,
    viewer: &Viewer,
    values: &Values,
    failure: Option<&Failure>,
) -> Result<FormPage, PageError> {
    let mut form = FormView::new("raise", BASE.to_owned(), &*FIELDS, values)
        .titled(
            "Raise an exception",
            "It gets the next number of the year and a due date from its classification.",
        )
        .submit("Raise exception", "btn-primary")
        .options("site", site_choices(state, viewer, "Choose…").await?);
    if let Some(failure) = failure {
        form = form.failed(failure);
    }
    Ok(FormPage {
        page: Chrome::new("Raise an exception", BASE)
            .via("Exceptions", BASE)
            .viewer(viewer),
        form,
    })
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let today = state.app.store.now().date().to_string();
    let values = Values::from([
        ("occurred".to_owned(), today.clone()),
        ("discovered".to_owned(), today),
    ]);
    let body = raise_page(&state, &viewer, &values, None).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let text = |name: &str| value(&values, name).to_owned();
    let raise = RaiseInput {
        site: text("site"),
        product: text("product"),
        batches: batch_lines(value(&values, "batches")),
        occurred: text("occurred"),
        discovered: text("discovered"),
        title: text("title"),
        description: text("description"),
        classification: text("classification"),
        category: text("category"),
        immediate_action: text("immediate_action"),
    };
    let origin = input::origin(&viewer);
    let raised = input::raise(
        &state.app,
        &viewer.scope(),
        &raise,
        origin,
        &viewer.request(),
    )
    .await;
    let error = match raised {
        Ok(row) => {
            let to = format!("{}?done=raised", href(&row.number));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "exception", "")?;
    let body = raise_page(&state, &viewer, &values, Some(&failure)).await?;
    Ok(render(failure.status, &body))
}
