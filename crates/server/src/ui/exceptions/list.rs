//! The exception list (`/exceptions`): the exceptions at the viewer's sites, most
//! recently discovered first, filtered by site, status, classification, batch and
//! whether they are overdue; overdue ones are marked.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use vplant_domain::identity::Permission;
use vplant_store::queries::exceptions::ExceptionFilter;

use super::{BASE, CLASSIFICATION_FILTER, ExceptionLine, NEW, STATUS_CHOICES};
use crate::AppState;
use crate::api::exception_input::ExceptionQuery;
use crate::auth::Viewer;
use crate::ui::form::{FieldSpec, Input};
use crate::ui::lists::{self, Listing, ROWS, Rows};
use crate::ui::page::PageError;

static FILTER: LazyLock<[FieldSpec; 5]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "site",
            label: "Site",
            hint: "A site code, e.g. CMO-SI. Empty: every site you may see.",
            input: Input::Text {
                max: 24,
                upper: true,
            },
        },
        FieldSpec {
            name: "status",
            label: "Status",
            hint: "",
            input: Input::Select(STATUS_CHOICES.as_slice()),
        },
        FieldSpec {
            name: "classification",
            label: "Classification",
            hint: "",
            input: Input::Select(CLASSIFICATION_FILTER.as_slice()),
        },
        FieldSpec {
            name: "batch",
            label: "Batch",
            hint: "Only exceptions about this batch, <site>/<batch number>.",
            input: Input::Text {
                max: 80,
                upper: false,
            },
        },
        FieldSpec {
            name: "overdue",
            label: "Overdue",
            hint: "",
            input: Input::Checkboxes(&[("true", "Only open exceptions past their due date")]),
        },
    ]
});

static LISTING: Listing = Listing {
    title: "Exceptions",
    base: BASE,
    filter_id: "exception-filter",
    create: None,
    caption: "Most recently discovered first. Dates are UTC days; an exception still open after its due date is marked overdue.",
    cut_note: "the most recently discovered only",
};

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let today = state.app.store.now().date().to_string();
    let mut request = lists::read::<ExceptionQuery>(raw.as_deref(), &*FILTER, &today);
    let rows = match request.filter() {
        Some(filter) => {
            let wanted = ExceptionFilter {
                limit: ROWS,
                ..filter
            };
            let found = state.app.exceptions(&viewer.scope(), wanted).await?;
            let rows = found.iter().map(|e| ExceptionLine::new(e, &today));
            Some(Rows::Exceptions(rows.collect()))
        }
        None => None,
    };
    let listing = Listing {
        create: viewer
            .can(Permission::HandleExceptions)
            .then_some((NEW, "Raise an exception")),
        ..LISTING
    };
    Ok(request.render(&viewer, &listing, &*FILTER, rows))
}
