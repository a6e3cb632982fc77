//! Lots: the list (`/lots`, by material) and one lot (`/lots/<material>/<lot>`)
//! with its status, the batch that produced it, the batches that consumed it, the
//! way into its trace, and its history.

use askama::Template;
use axum::extract::{Form, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_domain::Aggregate;
use vplant_domain::lot::LotState;
use vplant_store::queries::batches::Lot;

use super::rows::{BatchRow, LotRow};
use super::{LOTS, Query, lot_href, not_found, trace_href};
use crate::AppState;
use crate::api::batch_reads::{self, path_id};
use crate::auth::Viewer;
use crate::provenance::credit;
use crate::ui::form::{FieldSpec, FormView, Input, Values};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone, render};
use crate::ui::sign::{self, Signable};

/// The most lots the list shows; a material filter narrows it.
const LIMIT: u64 = 500;

static FILTER: [FieldSpec; 1] = [FieldSpec {
    name: "material",
    label: "Material",
    hint: "A material code, e.g. SMCC. Empty: every material.",
    input: Input::Text {
        max: 24,
        upper: true,
    },
}];

#[derive(Template)]
#[template(path = "batches/lots.html")]
struct ListPage {
    page: Chrome,
    filter: FormView,
    /// `None` when the filter was refused.
    rows: Option<Vec<LotRow>>,
    limit: u64,
    credit: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut query = Query::read(raw.as_deref(), &FILTER);
    let material = query.code("material");
    let mut body = ListPage {
        page: Chrome::new("Lots", LOTS).viewer(&viewer),
        filter: query.form("lot-filter", LOTS, &FILTER, "Filter", "Apply filter"),
        rows: None,
        limit: LIMIT,
        credit: None,
    };
    if !query.refused() {
        let lots = state.app.lots(&viewer.scope(), material, LIMIT).await?;
        body.credit = credit(lots.iter().map(|l| l.provenance.as_deref()));
        body.rows = Some(lots.iter().map(LotRow::new).collect());
    }
    Ok(render(query.status(), &body))
}

#[derive(Template)]
#[template(path = "batches/lot.html")]
struct LotPage {
    page: Chrome,
    lot: Lot,
    row: LotRow,
    expired: bool,
    /// The producing batch, when there is one the viewer may see.
    producer: Vec<BatchRow>,
    consumers: Vec<BatchRow>,
    trace_forward: String,
    trace_backward: String,
    history: Vec<HistoryRow>,
    credit: Option<String>,
    /// QA may release or reject it by signature.
    may_sign: bool,
}

#[derive(serde::Deserialize)]
pub(super) struct ShowParams {
    done: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((material, lot)): Path<(String, String)>,
    axum::extract::Query(params): axum::extract::Query<ShowParams>,
) -> Result<Response, PageError> {
    let id = path_id(&material, &lot);
    let detail = batch_reads::lot_detail(&state.app, &viewer.scope(), &id)
        .await
        .map_err(|e| not_found(e, "lot", &id, ("Lots", LOTS)))?;
    // The history is read only after the use case has let the viewer see the lot.
    let entries = state
        .app
        .history(&LotState::stream_id(&detail.lot.id))
        .await?;
    let lot = detail.lot;
    let mut page = Chrome::new(format!("Lot {}", lot.id), LOTS)
        .via("Lots", LOTS)
        .viewer(&viewer);
    if params.done.as_deref() == Some("signed") {
        page = page.alert(
            Tone::Success,
            "Signed. The lot's status follows the signature.",
        );
    }
    let body = LotPage {
        page,
        may_sign: lot.status != "rejected" && !sign::meanings(&viewer, "lot").is_empty(),
        row: LotRow::new(&lot),
        expired: detail.expired,
        producer: detail.producer.iter().map(BatchRow::new).collect(),
        consumers: detail.consumers.iter().map(BatchRow::new).collect(),
        trace_forward: trace_href("lot", &lot.id, "forward"),
        trace_backward: trace_href("lot", &lot.id, "backward"),
        history: history::rows(entries),
        credit: detail.credit,
        lot,
    };
    Ok(render(StatusCode::OK, &body))
}

/// Lot `material/lot` as its signature dialog names it (QA releases or rejects it),
/// if the viewer may see it.
async fn signable(
    state: &AppState,
    viewer: &Viewer,
    material: &str,
    lot: &str,
) -> Result<Signable, PageError> {
    let id = path_id(material, lot);
    let detail = batch_reads::lot_detail(&state.app, &viewer.scope(), &id)
        .await
        .map_err(|e| not_found(e, "lot", &id, ("Lots", LOTS)))?;
    let lot = detail.lot;
    let blocked = if lot.status == "rejected" {
        Some(format!(
            "Lot {} is rejected; a rejected lot is never released.",
            lot.id
        ))
    } else if sign::meanings(viewer, "lot").is_empty() {
        Some("Your roles do not allow releasing or rejecting a lot.".to_owned())
    } else {
        None
    };
    Ok(Signable {
        what: "lot",
        label: format!(
            "{} · {}{}",
            lot.id,
            lot.status,
            lot.expiry
                .as_ref()
                .map(|e| format!(" · expires {e}"))
                .unwrap_or_default()
        ),
        href: lot_href(&lot.id),
        stream_id: LotState::stream_id(&lot.id),
        section: LOTS,
        list: ("Lots", LOTS),
        decision: Some("Released: it may be dispensed. Rejected: it can never be used.".to_owned()),
        blocked,
        subject: None,
        id: lot.id,
    })
}

pub(super) async fn sign_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((material, lot)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &material, &lot).await?;
    sign::form(&state, &viewer, target).await
}

pub(super) async fn sign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((material, lot)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &material, &lot).await?;
    sign::submit(&state, &viewer, target, &values).await
}
