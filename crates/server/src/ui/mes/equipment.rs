//! The equipment board (`/equipment`): every unit at the viewer's sites with its
//! status now (clean, dirty, in use, maintenance, calibration due) and why it cannot
//! be used; registering a unit; one unit (`/equipment/<id>`) with its logbook
//! (use, cleaning, maintenance, calibration, from the ledger) and the form that adds
//! a logbook entry.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::equipment::{EquipmentView, LogbookInput};
use vplant_domain::Aggregate;
use vplant_domain::equipment::{EquipmentInput, EquipmentState};
use vplant_domain::identity::Permission;

use super::EQUIPMENT;
use super::labels::equipment_status;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::batches::not_found;
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values, value};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone, render};

static REGISTER: [FieldSpec; 9] = [
    FieldSpec {
        name: "id",
        label: "Equipment id",
        hint: "As on its label, e.g. GRAN-01.",
        input: Input::Text {
            max: 24,
            upper: true,
        },
    },
    FieldSpec {
        name: "name",
        label: "Name",
        hint: "e.g. High-shear granulator 600 L",
        input: Input::Text {
            max: 120,
            upper: false,
        },
    },
    FieldSpec {
        name: "class",
        label: "Class",
        hint: "What MBR steps ask for, e.g. granulator, tablet press.",
        input: Input::Text {
            max: 60,
            upper: false,
        },
    },
    FieldSpec {
        name: "site",
        label: "Site",
        hint: "",
        input: Input::Choice,
    },
    FieldSpec {
        name: "area",
        label: "Area",
        hint: "ISA-95 area, e.g. Solid dosage.",
        input: Input::Text {
            max: 60,
            upper: false,
        },
    },
    FieldSpec {
        name: "work_centre",
        label: "Work centre",
        hint: "e.g. Granulation suite 2",
        input: Input::Text {
            max: 60,
            upper: false,
        },
    },
    FieldSpec {
        name: "clean_hold_hours",
        label: "Clean hold (hours)",
        hint: "How long it stays usable after cleaning.",
        input: Input::Text {
            max: 6,
            upper: false,
        },
    },
    FieldSpec {
        name: "dirty_hold_hours",
        label: "Dirty hold (hours)",
        hint: "How long it may wait dirty before cleaning.",
        input: Input::Text {
            max: 6,
            upper: false,
        },
    },
    FieldSpec {
        name: "calibration_due",
        label: "Calibration due",
        hint: "",
        input: Input::Date,
    },
];

static LOGBOOK: [FieldSpec; 3] = [
    FieldSpec {
        name: "kind",
        label: "Entry",
        hint: "",
        input: Input::Select(&[
            ("", "Choose…"),
            ("clean", "Cleaned"),
            ("maintenance_start", "Maintenance started"),
            ("maintenance_end", "Maintenance ended"),
            ("calibrate", "Calibrated"),
        ]),
    },
    FieldSpec {
        name: "note",
        label: "Note",
        hint: "Cleaning procedure, work order or certificate number.",
        input: Input::Area { max: 500 },
    },
    FieldSpec {
        name: "next_due",
        label: "Next calibration due",
        hint: "Only for a calibration.",
        input: Input::Date,
    },
];

/// A unit as the board shows it.
pub struct UnitLine {
    pub view: EquipmentView,
    pub status: (&'static str, &'static str),
    pub href: String,
}

impl UnitLine {
    fn new(view: EquipmentView) -> UnitLine {
        UnitLine {
            status: equipment_status(&view.status),
            href: format!("{EQUIPMENT}/{}", view.row.id),
            view,
        }
    }
}

#[derive(Template)]
#[template(path = "mes/equipment_board.html")]
struct BoardPage {
    page: Chrome,
    units: Vec<UnitLine>,
    register: Option<FormView>,
}

async fn board_page(
    state: &AppState,
    viewer: &Viewer,
    values: &Values,
) -> Result<BoardPage, PageError> {
    let units = state.app.equipment_board(&viewer.scope()).await?;
    let register = if viewer.can(Permission::ManageEquipment) {
        let sites = crate::ui::exceptions::site_choices(state, viewer, "Choose a site…").await?;
        Some(
            FormView::new(
                "register-equipment",
                EQUIPMENT.to_owned(),
                &REGISTER,
                values,
            )
            .titled("Register equipment", "")
            .submit("Register", "btn-primary")
            .options("site", sites),
        )
    } else {
        None
    };
    Ok(BoardPage {
        page: Chrome::new("Equipment", EQUIPMENT).viewer(viewer),
        units: units.into_iter().map(UnitLine::new).collect(),
        register,
    })
}

pub(super) async fn board(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let defaults = Values::from([
        ("clean_hold_hours".to_owned(), "72".to_owned()),
        ("dirty_hold_hours".to_owned(), "24".to_owned()),
    ]);
    let body = board_page(&state, &viewer, &defaults).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let field = |n: &str| value(&values, n).to_owned();
    let input = EquipmentInput {
        id: field("id"),
        name: field("name"),
        class: field("class"),
        site: field("site"),
        area: field("area"),
        work_centre: field("work_centre"),
        clean_hold_hours: field("clean_hold_hours"),
        dirty_hold_hours: field("dirty_hold_hours"),
        calibration_due: field("calibration_due"),
    };
    let error = match state
        .app
        .register_equipment(&viewer.scope(), &input, &viewer.request())
        .await
    {
        Ok(view) => {
            return Ok(
                Redirect::to(&format!("{EQUIPMENT}/{}?done=registered", view.row.id))
                    .into_response(),
            );
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "equipment", value(&values, "id"))?;
    let mut body = board_page(&state, &viewer, &values).await?;
    body.register = body.register.map(|f| f.failed(&failure));
    Ok(render(failure.status, &body))
}

#[derive(Template)]
#[template(path = "mes/equipment.html")]
struct UnitPage {
    page: Chrome,
    unit: UnitLine,
    logbook: Option<FormView>,
    history: Vec<HistoryRow>,
}

async fn unit_page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    values: &Values,
    chrome: Chrome,
) -> Result<UnitPage, PageError> {
    let id = id.to_uppercase();
    let view = state
        .app
        .equipment(&viewer.scope(), &id)
        .await
        .map_err(|e| not_found(e, "equipment", &id, ("Equipment", EQUIPMENT)))?;
    let history = history::rows(
        state
            .app
            .history(&EquipmentState::stream_id(&view.row.id))
            .await?,
    );
    let logbook = viewer.can(Permission::RecordEquipment).then(|| {
        FormView::new(
            "logbook",
            format!("{EQUIPMENT}/{id}/logbook"),
            &LOGBOOK,
            values,
        )
        .titled(
            "Add a logbook entry",
            "Use is recorded by the batch steps that take the unit.",
        )
        .submit("Record", "btn-primary")
    });
    Ok(UnitPage {
        page: chrome.via("Equipment", EQUIPMENT).viewer(viewer),
        unit: UnitLine::new(view),
        logbook,
        history,
    })
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "registered" => "Registered. Clean it before its first use.",
        "logged" => "Recorded in the logbook.",
        _ => return None,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct ShowParams {
    done: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(params): axum::extract::Query<ShowParams>,
) -> Result<Response, PageError> {
    let mut chrome = Chrome::new(format!("Equipment {}", id.to_uppercase()), EQUIPMENT);
    if let Some(text) = params.done.as_deref().and_then(done_message) {
        chrome = chrome.alert(Tone::Success, text);
    }
    let body = unit_page(&state, &viewer, &id, &Values::new(), chrome).await?;
    Ok(render(StatusCode::OK, &body))
}

pub(super) async fn log(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let input = LogbookInput {
        kind: value(&values, "kind").to_owned(),
        note: value(&values, "note").to_owned(),
        next_due: value(&values, "next_due").to_owned(),
    };
    let error = match state
        .app
        .log_equipment(&viewer.scope(), &id, &input, &viewer.request())
        .await
    {
        Ok(view) => {
            return Ok(
                Redirect::to(&format!("{EQUIPMENT}/{}?done=logged", view.row.id)).into_response(),
            );
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "equipment", &id.to_uppercase())?;
    let chrome = Chrome::new(format!("Equipment {}", id.to_uppercase()), EQUIPMENT);
    let mut body = unit_page(&state, &viewer, &id, &values, chrome).await?;
    body.logbook = body.logbook.map(|f| f.failed(&failure));
    Ok(render(failure.status, &body))
}
