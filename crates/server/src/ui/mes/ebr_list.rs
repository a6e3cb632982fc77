//! Batch execution's list (`/ebrs`): batch records at the sites the viewer may see,
//! by status, and the form that starts a batch from a production order and an
//! effective MBR.

use askama::Template;
use axum::extract::{Form, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::ebrs::{STATUSES, StartInput};
use vplant_app::master::Sites;
use vplant_domain::FieldError;
use vplant_domain::identity::Permission;

use super::EBRS;
use super::labels::ebr_status;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::batches::Query;
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values, value};
use crate::ui::page::{Chrome, PageError, render};

static FILTER: [FieldSpec; 1] = [FieldSpec {
    name: "status",
    label: "Status",
    hint: "",
    input: Input::Select(&[
        ("", "Every status"),
        ("in_progress", "In progress"),
        ("awaiting_review", "Awaiting QA review"),
        ("released", "Released"),
        ("rejected", "Rejected"),
    ]),
}];

static START: [FieldSpec; 6] = [
    FieldSpec {
        name: "site",
        label: "Site",
        hint: "An internal site; batches at CMOs are reported, not executed here.",
        input: Input::Choice,
    },
    FieldSpec {
        name: "mbr",
        label: "Master batch record",
        hint: "Its effective version is used.",
        input: Input::Choice,
    },
    FieldSpec {
        name: "number",
        label: "Batch number",
        hint: "e.g. B26-0147",
        input: Input::Text {
            max: 40,
            upper: true,
        },
    },
    FieldSpec {
        name: "order",
        label: "Production order",
        hint: "The order this batch executes, e.g. PO-2026-0311.",
        input: Input::Text {
            max: 40,
            upper: true,
        },
    },
    FieldSpec {
        name: "size",
        label: "Batch size",
        hint: "Dispensed quantities scale with it.",
        input: Input::Text {
            max: 20,
            upper: false,
        },
    },
    FieldSpec {
        name: "size_unit",
        label: "Unit of the batch size",
        hint: "",
        input: Input::Select(&[("kg", "kg"), ("g", "g")]),
    },
];

/// A batch record as a list row.
pub struct EbrLine {
    pub id: String,
    pub href: String,
    pub order: String,
    pub product: String,
    pub mbr: String,
    pub status: (&'static str, &'static str),
    pub started: String,
}

#[derive(Template)]
#[template(path = "mes/ebrs.html")]
struct ListPage {
    page: Chrome,
    filter: FormView,
    rows: Option<Vec<EbrLine>>,
    start: Option<FormView>,
}

async fn start_form(
    state: &AppState,
    viewer: &Viewer,
    values: &Values,
) -> Result<FormView, PageError> {
    let sites = state.app.masters::<Sites>(&viewer.scope(), false).await?;
    let site_options = std::iter::once((String::new(), "Choose a site…".to_owned()))
        .chain(
            sites
                .into_iter()
                .filter(|s| s.active && s.kind == "internal")
                .map(|s| (s.code.clone(), format!("{} · {}", s.code, s.name))),
        )
        .collect();
    let mut mbrs: Vec<(String, String)> = state
        .app
        .mbrs()
        .await?
        .into_iter()
        .filter(|m| m.status == "effective")
        .map(|m| {
            (
                m.code.clone(),
                format!("{} v{} · {}", m.code, m.mbr_version, m.title),
            )
        })
        .collect();
    mbrs.insert(0, (String::new(), "Choose an MBR…".to_owned()));
    Ok(
        FormView::new("start-batch", EBRS.to_owned(), &START, values)
            .titled(
                "Start a batch",
                "The batch follows the MBR's effective version step by step.",
            )
            .submit("Start batch", "btn-primary")
            .options("site", site_options)
            .options("mbr", mbrs),
    )
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    raw: Option<&str>,
    values: &Values,
) -> Result<(StatusCode, ListPage), PageError> {
    let mut query = Query::read(raw, &FILTER);
    let status = query.value("status").map(str::to_owned);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        query.refuse(FieldError::new("status", "is not a batch record status"));
    }
    let rows = if query.refused() {
        None
    } else {
        let rows = state.app.ebrs(&viewer.scope(), status).await?;
        Some(
            rows.iter()
                .map(|r| EbrLine {
                    id: r.id.clone(),
                    href: format!("{EBRS}/{}", r.id),
                    order: r.production_order.clone(),
                    product: r.product.clone(),
                    mbr: format!("{} v{}", r.mbr, r.mbr_version),
                    status: ebr_status(&r.status),
                    started: r.started_at.to_display(),
                })
                .collect(),
        )
    };
    let start = if viewer.can(Permission::SuperviseBatches) {
        Some(start_form(state, viewer, values).await?)
    } else {
        None
    };
    let body = ListPage {
        page: Chrome::new("Batch execution", EBRS).viewer(viewer),
        filter: query.form("ebr-filter", EBRS, &FILTER, "Filter", "Apply filter"),
        rows,
        start,
    };
    Ok((query.status(), body))
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let defaults = Values::from([("size_unit".to_owned(), "kg".to_owned())]);
    let (status, body) = page(&state, &viewer, raw.as_deref(), &defaults).await?;
    Ok(render(status, &body))
}

pub(super) async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let input = StartInput {
        site: value(&values, "site").to_owned(),
        number: value(&values, "number").to_owned(),
        order: value(&values, "order").to_owned(),
        mbr: value(&values, "mbr").to_owned(),
        size: value(&values, "size").to_owned(),
        size_unit: value(&values, "size_unit").to_owned(),
    };
    let error = match state
        .app
        .start_batch(&viewer.scope(), &input, &viewer.request())
        .await
    {
        Ok(row) => return Ok(Redirect::to(&format!("{EBRS}/{}", row.id)).into_response()),
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "batch", value(&values, "number"))?;
    let (_, mut body) = page(&state, &viewer, None, &values).await?;
    body.start = body.start.map(|f| f.failed(&failure));
    Ok(render(failure.status, &body))
}
