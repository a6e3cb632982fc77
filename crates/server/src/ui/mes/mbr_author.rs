//! Writing an MBR in the browser (`/mbrs/new`, `/mbrs/<code>/<version>/edit`): the
//! documented file format (docs/mbr-format.md) in an editor, YAML or JSON. Saving
//! runs every check of the recipe; each problem is listed with where it is (its
//! path in the recipe, or its line and column in the file), and the text stays as
//! typed. A draft is revised in place (each revision kept in the ledger with its
//! reason); a new code starts at version 1.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::mbrs::{RecipeFormat, read_recipe, write_recipe};
use vplant_domain::FieldError;

use super::MBRS;
use super::mbr_detail::parse_version;
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::batches::not_found;
use crate::ui::form::{Failure, Values, value};
use crate::ui::page::{Chrome, PageError, render};

/// What a new MBR starts from: the smallest recipe that passes every check, to
/// be completed.
const STARTER: &str = "\
code: MBR-NEW
title: Product name and strength
product: PRODUCT            # a registered product code
batch_size: { amount: 100, unit: kg }
unit_procedures:
  - id: dispensing
    name: Dispensing
    operations:
      - id: weighing
        name: Weighing of raw materials
        phases:
          - id: line_clearance
            name: Line clearance
            instruction: Check the booth is free of materials of the previous batch.
            entry: { kind: instruction }
          - id: weigh_api
            name: Weigh the active ingredient
            entry: { kind: dispense, material: MATERIAL, quantity: 80, unit: kg, tolerance_percent: 0.5 }
            signatures: performed_verified
";

#[derive(Template)]
#[template(path = "mes/mbr_author.html")]
struct AuthorPage {
    page: Chrome,
    action: String,
    text: String,
    yaml: bool,
    /// Revising a draft asks why.
    revising: bool,
    reason: String,
    problems: Vec<FieldError>,
    message: Option<String>,
}

fn back() -> (&'static str, &'static str) {
    ("Master batch records", MBRS)
}

fn chrome(viewer: &Viewer, title: String) -> Chrome {
    Chrome::new(title, MBRS)
        .via("Master batch records", MBRS)
        .viewer(viewer)
}

pub(super) async fn new(viewer: Viewer) -> Response {
    let body = AuthorPage {
        page: chrome(&viewer, "New MBR".to_owned()),
        action: "/mbrs/new".to_owned(),
        text: STARTER.to_owned(),
        yaml: true,
        revising: false,
        reason: String::new(),
        problems: Vec::new(),
        message: None,
    };
    render(StatusCode::OK, &body)
}

pub(super) async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let version = parse_version(&version)?;
    let code = code.to_uppercase();
    let id = format!("{code}/{version}");
    let view = state
        .app
        .mbr(&code, version)
        .await
        .map_err(|e| not_found(e, "MBR version", &id, back()))?;
    let text = write_recipe(&view.recipe, RecipeFormat::Yaml)?;
    let mut body = AuthorPage {
        page: chrome(&viewer, format!("Edit MBR {code} version {version}")),
        action: format!("{MBRS}/{code}/{version}/edit"),
        text,
        yaml: true,
        revising: true,
        reason: String::new(),
        problems: Vec::new(),
        message: None,
    };
    if view.row.status != "draft" {
        body.message = Some(format!(
            "Version {version} is {} and is never edited. Saving this text starts a new version.",
            view.row.status.replace('_', " ")
        ));
        body.revising = false;
    }
    Ok(render(StatusCode::OK, &body))
}

async fn save(
    state: &AppState,
    viewer: &Viewer,
    values: &Values,
    mut body: AuthorPage,
) -> Result<Response, PageError> {
    let text = value(values, "text");
    let format = if value(values, "format") == "json" {
        RecipeFormat::Json
    } else {
        RecipeFormat::Yaml
    };
    let reason = match value(values, "reason").trim() {
        "" => "revised in the authoring form".to_owned(),
        r => r.to_owned(),
    };
    let outcome = match read_recipe(text, format) {
        Ok(recipe) => state.app.save_mbr(recipe, &reason, &viewer.request()).await,
        Err(e) => Err(e.into()),
    };
    let error = match outcome {
        Ok(row) => {
            let to = format!("{MBRS}/{}/{}?done=saved", row.code, row.mbr_version);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    let failure = Failure::from_app(error, "MBR", "")?;
    body.text = text.to_owned();
    body.yaml = !matches!(format, RecipeFormat::Json);
    body.reason = value(values, "reason").to_owned();
    body.problems = failure.fields.clone();
    body.message = Some(failure.message.clone().unwrap_or_else(|| {
        "Nothing was saved. Correct each problem listed below and save again.".to_owned()
    }));
    Ok(render(failure.status, &body))
}

pub(super) async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let body = AuthorPage {
        page: chrome(&viewer, "New MBR".to_owned()),
        action: "/mbrs/new".to_owned(),
        text: String::new(),
        yaml: true,
        revising: false,
        reason: String::new(),
        problems: Vec::new(),
        message: None,
    };
    save(&state, &viewer, &values, body).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, version)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let version = parse_version(&version)?;
    let code = code.to_uppercase();
    let body = AuthorPage {
        page: chrome(&viewer, format!("Edit MBR {code} version {version}")),
        action: format!("{MBRS}/{code}/{version}/edit"),
        text: String::new(),
        yaml: true,
        revising: true,
        reason: String::new(),
        problems: Vec::new(),
        message: None,
    };
    // A file saved under another code would start that code's draft instead.
    if let Ok(recipe) = read_recipe(
        value(&values, "text"),
        RecipeFormat::guess(value(&values, "format")),
    ) && !recipe.code.eq_ignore_ascii_case(&code)
    {
        let mut body = body;
        body.text = value(&values, "text").to_owned();
        body.problems = vec![FieldError::new(
            "code",
            format!(
                "is '{}' but this page edits {code}; use “New MBR” for another code",
                recipe.code
            ),
        )];
        body.message = Some("Nothing was saved.".to_owned());
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &body));
    }
    save(&state, &viewer, &values, body).await
}
