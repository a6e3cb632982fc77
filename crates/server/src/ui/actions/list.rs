//! The action tracker (`/actions`): the actions at the viewer's sites (every action
//! for people not bound to sites), soonest due first, filtered by owner, status,
//! kind and whether they are overdue; overdue ones are marked.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use vplant_domain::identity::Permission;
use vplant_store::queries::actions::ActionFilter;

use super::{ActionLine, BASE, KIND_FILTER, NEW, STATUS_CHOICES};
use crate::AppState;
use crate::api::action_input::ActionQuery;
use crate::auth::Viewer;
use crate::ui::form::{FieldSpec, Input};
use crate::ui::lists::{self, Listing, ROWS, Rows};
use crate::ui::page::PageError;

static FILTER: LazyLock<[FieldSpec; 4]> = LazyLock::new(|| {
    [
        FieldSpec {
            name: "owner",
            label: "Owner",
            hint: "A username. Empty: everyone.",
            input: Input::Text {
                max: 64,
                upper: false,
            },
        },
        FieldSpec {
            name: "status",
            label: "Status",
            hint: "",
            input: Input::Select(STATUS_CHOICES.as_slice()),
        },
        FieldSpec {
            name: "kind",
            label: "Kind",
            hint: "",
            input: Input::Select(KIND_FILTER.as_slice()),
        },
        FieldSpec {
            name: "overdue",
            label: "Overdue",
            hint: "",
            input: Input::Checkboxes(&[("true", "Only actions past their due date")]),
        },
    ]
});

static LISTING: Listing = Listing {
    title: "Actions",
    base: BASE,
    filter_id: "action-filter",
    create: None,
    caption: "Soonest due first. An action still to be done after its due date is marked overdue.",
    cut_note: "the soonest due only",
};

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let today = state.app.store.now().date().to_string();
    let mut request = lists::read::<ActionQuery>(raw.as_deref(), &*FILTER, &today);
    let rows = match request.filter() {
        Some(filter) => {
            let wanted = ActionFilter {
                limit: ROWS,
                ..filter
            };
            let found = state.app.actions(&viewer.scope(), wanted).await?;
            let rows = found.iter().map(|a| ActionLine::new(a, &today));
            Some(Rows::Actions(rows.collect()))
        }
        None => None,
    };
    let listing = Listing {
        create: viewer
            .can(Permission::HandleActions)
            .then_some((NEW, "Create an action")),
        ..LISTING
    };
    Ok(request.render(&viewer, &listing, &*FILTER, rows))
}
