//! One MBR version (`/mbrs/<code>/<version>`): its facts, the recipe as unit
//! procedures → operations → phases with what each step asks, its signatures, the
//! other versions, and the lifecycle steps the viewer may take (submit, withdraw,
//! make effective, retire, draft a new version) plus the approval dialog.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vplant_app::AppError;
use vplant_app::ebr_sheet::describe_step;
use vplant_domain::identity::Permission;
use vplant_domain::mbr::check::check;
use vplant_domain::mbr::{MbrCommand, MbrState};
use vplant_domain::{Aggregate, DomainError, FieldError};
use vplant_store::queries::identity::Signature;

use super::MBRS;
use super::mbr_list::MbrLine;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::batches::not_found;
use crate::ui::form::{Failure, Values, value};
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, Tone, render};
use crate::ui::sign::{self, Signable};

/// One step of the recipe as the page lists it.
pub struct StepLine {
    pub id: String,
    pub name: String,
    pub instruction: String,
    pub kind: &'static str,
    pub asks: String,
    pub signatures: &'static str,
    pub parallel: Option<String>,
}

/// An operation with its steps.
pub struct OperationBlock {
    pub id: String,
    pub name: String,
    pub steps: Vec<StepLine>,
}

/// A unit procedure with its operations.
pub struct UnitBlock {
    pub id: String,
    pub name: String,
    pub operations: Vec<OperationBlock>,
}

#[derive(Template)]
#[template(path = "mes/mbr.html")]
struct DetailPage {
    page: Chrome,
    line: MbrLine,
    code: String,
    version: u32,
    record_version: u64,
    based_on: Option<u32>,
    batch_size: String,
    /// The step whose entry is the product lot's quantity.
    yield_step: Option<String>,
    units: Vec<UnitBlock>,
    step_count: usize,
    versions: Vec<MbrLine>,
    signatures: Vec<Signature>,
    history: Vec<HistoryRow>,
    /// The lifecycle steps the viewer may take now.
    may_edit: bool,
    may_submit: bool,
    may_withdraw: bool,
    may_effective: bool,
    may_retire: bool,
    may_new_version: bool,
    may_sign: bool,
    /// A refused step: which, and why.
    refused: Option<(String, String)>,
    /// What must be fixed before a draft can be submitted (drafts may be unfinished).
    problems: Vec<FieldError>,
}

fn href(code: &str, version: u32) -> String {
    format!("{MBRS}/{code}/{version}")
}

fn back() -> (&'static str, &'static str) {
    ("Master batch records", MBRS)
}

pub(super) fn parse_version(raw: &str) -> Result<u32, PageError> {
    raw.parse().map_err(|_| PageError::NotFound {
        message: format!("There is no MBR version '{raw}'; versions are numbered 1, 2, 3 …"),
        back: Some(back()),
    })
}

fn units(recipe: &vplant_domain::mbr::recipe::Recipe) -> Vec<UnitBlock> {
    // What each step asks, once, by id; the tree below takes each phase's line.
    let mut lines: std::collections::HashMap<String, StepLine> = recipe
        .steps()
        .iter()
        .map(|located| {
            let phase = located.phase;
            let line = StepLine {
                id: phase.id.clone(),
                name: phase.name.clone(),
                instruction: phase.instruction.clone(),
                kind: phase.entry.name(),
                asks: describe_step(located, 1.0),
                signatures: phase.signatures.label(),
                parallel: phase.parallel.clone(),
            };
            (phase.id.clone(), line)
        })
        .collect();
    recipe
        .unit_procedures
        .iter()
        .map(|u| UnitBlock {
            id: u.id.clone(),
            name: u.name.clone(),
            operations: u
                .operations
                .iter()
                .map(|o| OperationBlock {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    steps: o
                        .phases
                        .iter()
                        .filter_map(|p| lines.remove(&p.id))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    version: u32,
    chrome: Chrome,
) -> Result<DetailPage, PageError> {
    let code = code.to_uppercase();
    let id = format!("{code}/{version}");
    let view = state
        .app
        .mbr(&code, version)
        .await
        .map_err(|e| not_found(e, "MBR version", &id, back()))?;
    let stream = MbrState::stream_id(&id);
    let versions = state.app.mbr_versions(&code).await?;
    let signatures = state.app.signatures(&stream).await?;
    let history = history::rows(state.app.history(&stream).await?);
    let status = view.row.status.as_str();
    let author = viewer.can(Permission::AuthorRecipes);
    let last = versions.last().map(|l| l.mbr_version) == Some(version);
    let recipe = &view.recipe;
    Ok(DetailPage {
        page: chrome.via("Master batch records", MBRS).viewer(viewer),
        line: MbrLine::new(&view.row),
        record_version: view.row.version,
        based_on: view.row.based_on,
        batch_size: format!(
            "{} {}",
            recipe.batch_size.amount,
            recipe.batch_size.unit.as_str()
        ),
        step_count: recipe.steps().len(),
        yield_step: recipe.yield_step.clone(),
        units: units(recipe),
        versions: versions.iter().rev().map(MbrLine::new).collect(),
        signatures,
        history,
        may_edit: author && status == "draft",
        may_submit: author && status == "draft",
        may_withdraw: author && status == "in_review",
        may_effective: author && status == "approved",
        may_retire: author && matches!(status, "approved" | "effective"),
        may_new_version: author
            && last
            && matches!(status, "approved" | "effective" | "superseded" | "retired"),
        may_sign: status == "in_review" && !sign::meanings(viewer, "mbr").is_empty(),
        refused: None,
        problems: match (status, check(recipe)) {
            ("draft", Err(DomainError::Validation(fields))) => fields,
            ("draft", Err(other)) => vec![FieldError::new("recipe", other.to_string())],
            _ => Vec::new(),
        },
        code,
        version,
    })
}

#[derive(Deserialize)]
pub(super) struct ShowParams {
    done: Option<String>,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "submit" => "Submitted for review. QA approves or rejects it by e-signature.",
        "withdraw" => "Withdrawn from review; it is a draft again.",
        "effective" => "This version is now effective; new batches start from it.",
        "retire" => "Retired: no new batch can start from this version.",
        "signed" => "Signed. The signature is in the ledger.",
        "saved" => "Saved.",
        _ => return None,
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, String)>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PageError> {
    let version = parse_version(&version)?;
    let code = code.to_uppercase();
    let mut chrome = Chrome::new(format!("MBR {code} version {version}"), MBRS);
    if let Some(text) = params.done.as_deref().and_then(done_message) {
        chrome = chrome.alert(Tone::Success, text);
    }
    let body = page(&state, &viewer, &code, version, chrome).await?;
    Ok(render(StatusCode::OK, &body))
}

fn reason(values: &Values) -> Result<vplant_domain::fields::Reason, AppError> {
    vplant_domain::fields::Reason::parse("reason", value(values, "reason"))
        .map_err(|e| AppError::Domain(DomainError::Validation(vec![e])))
}

/// A lifecycle step posted from the page: Post/Redirect/Get, or the page again
/// with the reason it was refused.
pub(super) async fn step(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version, step)): Path<(String, String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let version = parse_version(&version)?;
    let code = code.to_uppercase();
    let request = viewer.request();
    let app = &state.app;
    let outcome = match step.as_str() {
        "submit" => app
            .submit_mbr(&code, version, &request)
            .await
            .map(|_| version),
        "withdraw" => match reason(&values) {
            Ok(reason) => app
                .mbr_command(&code, version, MbrCommand::Withdraw { reason }, &request)
                .await
                .map(|_| version),
            Err(e) => Err(e),
        },
        "retire" => match reason(&values) {
            Ok(reason) => app
                .mbr_command(&code, version, MbrCommand::Retire { reason }, &request)
                .await
                .map(|_| version),
            Err(e) => Err(e),
        },
        "effective" => app
            .make_mbr_effective(&code, version, &request)
            .await
            .map(|_| version),
        "new-version" => app
            .new_mbr_version(&code, &request)
            .await
            .map(|r| r.mbr_version),
        _ => {
            return Err(PageError::NotFound {
                message: format!("There is no MBR step called '{step}'."),
                back: Some(back()),
            });
        }
    };
    let error = match outcome {
        Ok(shown) if step == "new-version" => {
            return Ok(Redirect::to(&format!("{}/edit", href(&code, shown))).into_response());
        }
        Ok(shown) => {
            return Ok(Redirect::to(&format!("{}?done={step}", href(&code, shown))).into_response());
        }
        Err(e) => e,
    };
    let id = format!("{code}/{version}");
    let failure = Failure::from_app(error, "MBR version", &id)?;
    let chrome = Chrome::new(format!("MBR {code} version {version}"), MBRS);
    let mut body = page(&state, &viewer, &code, version, chrome).await?;
    body.refused = Some((step, refusal_text(&failure)));
    Ok(render(failure.status, &body))
}

/// A refusal as one sentence: the message, or each field with its reason.
pub(super) fn refusal_text(failure: &Failure) -> String {
    let fields = failure
        .fields
        .iter()
        .map(|FieldError { field, reason }| format!("{field}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ");
    match (&failure.message, fields.is_empty()) {
        (Some(m), true) => m.clone(),
        (Some(m), false) => format!("{m} {fields}"),
        (None, _) => format!("Nothing was saved. {fields}."),
    }
}

async fn signable(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    version: &str,
) -> Result<Signable, PageError> {
    let version = parse_version(version)?;
    let code = code.to_uppercase();
    let id = format!("{code}/{version}");
    // A signer who may not read the MES (a CMO partner) learns nothing of it.
    if !viewer.can(Permission::ViewManufacturing) {
        return Err(PageError::NotFound {
            message: format!("There is no MBR version '{id}'."),
            back: None,
        });
    }
    let view = state
        .app
        .mbr(&code, version)
        .await
        .map_err(|e| not_found(e, "MBR version", &id, back()))?;
    let blocked = if view.row.status != "in_review" {
        Some(format!(
            "MBR {code} version {version} is not in review; there is nothing to approve or reject."
        ))
    } else if sign::meanings(viewer, "mbr").is_empty() {
        Some("Your roles do not allow approving or rejecting an MBR.".to_owned())
    } else {
        None
    };
    Ok(Signable {
        what: "MBR version",
        label: format!("{code} version {version} · {}", view.row.title),
        href: href(&code, version),
        stream_id: MbrState::stream_id(&id),
        section: MBRS,
        list: back(),
        decision: Some(
            "Approved: it may be made effective. Rejected: it returns to draft.".to_owned(),
        ),
        blocked,
        subject: None,
        id,
    })
}

pub(super) async fn sign_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &code, &version).await?;
    sign::form(&state, &viewer, target).await
}

pub(super) async fn sign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let target = signable(&state, &viewer, &code, &version).await?;
    sign::submit(&state, &viewer, target, &values).await
}
