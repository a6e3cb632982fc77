//! A CMO partner (or a VPT manager) enters a batch, or reports what changed about one,
//! on a web form: the same fields and rules as a row of the tracker file
//! (`docs/tracker-import.md`), each problem shown under its field. A date left blank
//! means "not reported"; it never erases what was reported before.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::import::tracker::BatchEntry;
use vplant_app::master::Sites;
use vplant_domain::batch::milestone::{Milestone, Plan};
use vplant_domain::batch::projection::milestone_column;
use vplant_store::queries::batches::Batch;

use super::{BATCHES, batch_href};
use crate::AppState;
use crate::api::batch_reads::path_id;
use crate::auth::Viewer;
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values};
use crate::ui::page::{Chrome, PageError, render};

const DISPOSITIONS: &[(&str, &str)] = &[
    ("", "Not dispositioned yet"),
    ("released", "Released"),
    ("rejected", "Rejected"),
    ("on_hold", "On hold"),
];

const UNITS: &[(&str, &str)] = &[
    ("", "Choose a unit"),
    ("tablets", "tablets"),
    ("capsules", "capsules"),
    ("units", "units"),
    ("packs", "packs"),
    ("kg", "kg"),
    ("g", "g"),
    ("L", "L"),
    ("mL", "mL"),
];

/// The milestone fields' labels, (planned, actual), in `Milestone::ALL` order.
const MILESTONE_LABELS: [(&str, &str); 7] = [
    (
        "Material readiness (planned)",
        "Material readiness (actual)",
    ),
    ("Production start (planned)", "Production start (actual)"),
    (
        "Production complete (planned)",
        "Production complete (actual)",
    ),
    (
        "QC testing complete (planned)",
        "QC testing complete (actual)",
    ),
    (
        "Batch record review complete (planned)",
        "Batch record review complete (actual)",
    ),
    ("QA disposition (planned)", "QA disposition (actual)"),
    ("Shipped (planned)", "Shipped (actual)"),
];

static FIELDS: LazyLock<Vec<FieldSpec>> = LazyLock::new(|| {
    let mut fields = vec![
        FieldSpec {
            name: "site",
            label: "Site",
            hint: "Your CMO site.",
            input: Input::Choice,
        },
        FieldSpec {
            name: "batch",
            label: "Batch number",
            hint: "As your site writes it: letters, digits, '-', '.', '_'.",
            input: Input::Text {
                max: 40,
                upper: false,
            },
        },
        FieldSpec {
            name: "product",
            label: "Product code",
            hint: "A registered product, e.g. PARA-500.",
            input: Input::Text {
                max: 24,
                upper: true,
            },
        },
        FieldSpec {
            name: "size",
            label: "Batch size",
            hint: "A number, in the unit below.",
            input: Input::Text {
                max: 20,
                upper: false,
            },
        },
        FieldSpec {
            name: "unit",
            label: "Unit",
            hint: "Of the batch size and of shipped quantities.",
            input: Input::Select(UNITS),
        },
    ];
    for (m, (planned, actual)) in Milestone::ALL.into_iter().zip(MILESTONE_LABELS) {
        for (plan, label) in [(Plan::Planned, planned), (Plan::Actual, actual)] {
            fields.push(FieldSpec {
                name: milestone_column(plan, m),
                label,
                hint: "",
                input: Input::Date,
            });
        }
    }
    fields.extend([
        FieldSpec {
            name: "disposition",
            label: "QA disposition",
            hint: "",
            input: Input::Select(DISPOSITIONS),
        },
        FieldSpec {
            name: "committed_quantity",
            label: "Committed quantity",
            hint: "For delivery, in the unit above.",
            input: Input::Text {
                max: 20,
                upper: false,
            },
        },
        FieldSpec {
            name: "committed_date",
            label: "Committed delivery date",
            hint: "",
            input: Input::Date,
        },
        FieldSpec {
            name: "delivered_quantity",
            label: "Delivered quantity",
            hint: "",
            input: Input::Text {
                max: 20,
                upper: false,
            },
        },
        FieldSpec {
            name: "delivered_date",
            label: "Delivered on",
            hint: "",
            input: Input::Date,
        },
    ]);
    fields
});

#[derive(Template)]
#[template(path = "batches/entry.html")]
struct EntryPage {
    page: Chrome,
    form: FormView,
}

/// The form's values for an existing batch.
fn values_of(batch: &Batch) -> Values {
    let mut values = Values::new();
    let mut put = |k: &str, v: Option<&String>| {
        if let Some(v) = v {
            values.insert(k.to_owned(), v.clone());
        }
    };
    put("site", Some(&batch.site));
    put("batch", Some(&batch.number));
    put("product", Some(&batch.product));
    put("size", batch.size.as_ref());
    put(
        "unit",
        batch.size_unit.as_ref().or(batch.committed_unit.as_ref()),
    );
    for m in Milestone::ALL {
        put(
            milestone_column(Plan::Planned, m),
            batch.planned.get(m.as_str()),
        );
        put(
            milestone_column(Plan::Actual, m),
            batch.actual.get(m.as_str()),
        );
    }
    put("disposition", batch.disposition.as_ref());
    put("committed_quantity", batch.committed_quantity.as_ref());
    put("committed_date", batch.committed_date.as_ref());
    put("delivered_quantity", batch.delivered_quantity.as_ref());
    put("delivered_date", batch.delivered_date.as_ref());
    values
}

/// The CMO sites the viewer may report for.
async fn site_options(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, PageError> {
    let sites = state.app.masters::<Sites>(&viewer.scope(), false).await?;
    let mut options = vec![(String::new(), "Choose a site".to_owned())];
    options.extend(
        sites
            .into_iter()
            .filter(|s| s.kind == "cmo")
            .map(|s| (s.code.clone(), format!("{} — {}", s.code, s.name))),
    );
    Ok(options)
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    action: String,
    title: String,
    values: &Values,
) -> Result<EntryPage, PageError> {
    let form = FormView::new("batch-entry", action, &FIELDS, values)
        .titled(
            title.clone(),
            "The same fields and rules as a row of the tracker file. A blank date means “not reported”; it never erases a date reported before. Every change is recorded in the batch's history.",
        )
        .submit("Save batch", "btn-primary")
        .options("site", site_options(state, viewer).await?);
    Ok(EntryPage {
        page: Chrome::new(title, BATCHES)
            .viewer(viewer)
            .via("Batches", BATCHES),
        form,
    })
}

pub(super) async fn new(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let body = page(
        &state,
        &viewer,
        format!("{BATCHES}/new"),
        "Report a batch".to_owned(),
        &Values::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = path_id(&site, &number);
    let view = state
        .app
        .batch(&viewer.scope(), &id)
        .await
        .map_err(|e| super::not_found(e, "batch", &id, ("Batches", BATCHES)))?;
    let action = format!("{}/report", batch_href(&id));
    let body = page(
        &state,
        &viewer,
        action,
        format!("Report on batch {id}"),
        &values_of(&view.batch),
    )
    .await?;
    Ok(render(StatusCode::OK, &body))
}

async fn save(
    state: AppState,
    viewer: Viewer,
    action: String,
    title: String,
    values: Values,
) -> Result<Response, PageError> {
    let entry = BatchEntry {
        fields: values
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    match state
        .app
        .report_batch(&viewer.scope(), &entry, &viewer.request())
        .await
    {
        Ok(id) => Ok(Redirect::to(&batch_href(&id)).into_response()),
        Err(error) => {
            let failure = Failure::from_app(
                error,
                "batch",
                values.get("batch").map_or("", String::as_str),
            )?;
            let mut body = page(&state, &viewer, action, title, &values).await?;
            body.form = body.form.failed(&failure);
            Ok(render(failure.status, &body))
        }
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    save(
        state,
        viewer,
        format!("{BATCHES}/new"),
        "Report a batch".to_owned(),
        values,
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Form(mut values): Form<Values>,
) -> Result<Response, PageError> {
    let id = path_id(&site, &number);
    // The address names the batch; the form cannot move the report to another one.
    state
        .app
        .batch(&viewer.scope(), &id)
        .await
        .map_err(|e| super::not_found(e, "batch", &id, ("Batches", BATCHES)))?;
    values.insert("site".to_owned(), site.to_uppercase());
    values.insert("batch".to_owned(), number);
    let action = format!("{}/report", batch_href(&id));
    save(
        state,
        viewer,
        action,
        format!("Report on batch {id}"),
        values,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_milestone_label_names_its_milestone() {
        for (m, (planned, actual)) in Milestone::ALL.into_iter().zip(MILESTONE_LABELS) {
            assert_eq!(planned, format!("{} (planned)", m.label()));
            assert_eq!(actual, format!("{} (actual)", m.label()));
        }
    }
}
