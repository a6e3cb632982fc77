//! The execution screen of a batch record (`/ebrs/<site>/<number>`), tablet first:
//! the steps to do now as large cards (the entry the step asks for, scan fields for
//! lot and equipment labels, the signature the step still needs), what the last
//! entry did (out of limits, refused, exceptions raised) in words that cannot be
//! missed, then the whole procedure with every entry and correction, the exceptions
//! (QA acknowledges a critical one here) and the signatures.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use vplant_app::ebr_sheet::{Sheet, SheetEntry, SheetException, SheetStep, sheet};
use vplant_domain::identity::Permission;
use vplant_store::queries::identity::Signature;

use super::EBRS;
use super::labels::{classification, ebr_status, excursion, step_status};
use crate::AppState;
use crate::auth::Viewer;
use crate::ui::batches::not_found;
use crate::ui::page::{Chrome, PageError, Tone, render};

/// What the operator can do at a step now.
#[derive(PartialEq, Eq)]
pub enum Action {
    /// Record the step's entry (the form depends on the step's kind).
    Enter,
    /// Stop the running timer.
    StopTimer,
    /// Sign the entry as performed, or verify it as a second person.
    Sign {
        meaning: &'static str,
        label: &'static str,
    },
    /// Nothing: done, skipped, or not yet its turn.
    None,
}

/// A step as the screen draws it.
pub struct StepCard {
    pub step: SheetStep,
    pub status: (&'static str, &'static str),
    pub action: Action,
    pub signatures: Vec<Signature>,
    /// The entry's idempotency key: a form sent twice (a double tap, a retry after
    /// the connection dropped) records one entry.
    pub key: String,
    /// The step's entries still in force (not corrected by a later one).
    pub current: Vec<SheetEntry>,
    pub unit: String,
}

/// An exception raised in the batch, with what QA may do about it.
pub struct ExceptionLine {
    pub ex: SheetException,
    pub class: (&'static str, &'static str),
    pub may_acknowledge: bool,
}

#[derive(Template)]
#[template(path = "mes/ebr.html")]
pub struct ScreenPage {
    pub page: Chrome,
    pub sheet_id: String,
    pub href: String,
    pub status: (&'static str, &'static str),
    pub product: String,
    pub order: String,
    pub mbr: String,
    pub size: String,
    pub blocking: Vec<String>,
    /// Every step in the MBR's order.
    pub steps: Vec<StepCard>,
    pub exceptions: Vec<ExceptionLine>,
    pub record_signatures: Vec<Signature>,
    pub may_execute: bool,
    pub may_skip: bool,
    pub done_count: usize,
}

pub fn href(id: &str) -> String {
    format!("{EBRS}/{id}")
}

/// The unit a dispensed weight is entered in: the one in the step's target.
fn unit_of(step: &SheetStep) -> String {
    step.target
        .split_whitespace()
        .nth(1)
        .filter(|_| step.kind == "dispense")
        .unwrap_or_default()
        .to_owned()
}

fn action(step: &SheetStep) -> Action {
    if !step.enterable {
        return Action::None;
    }
    match step.status.as_str() {
        "not_started" => Action::Enter,
        "timer_running" => Action::StopTimer,
        "awaiting_performed" => Action::Sign {
            meaning: "performed",
            label: "Sign as performed",
        },
        "awaiting_verification" => Action::Sign {
            meaning: "verified",
            label: "Verify (second person)",
        },
        _ => Action::None,
    }
}

/// The key a form's entry is sent with: the same page, drawn for the same record
/// version, step and session, sends the same key.
fn key(viewer: &Viewer, sheet: &Sheet, step: &str) -> String {
    let material = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        viewer.csrf.as_deref().unwrap_or_default(),
        sheet.id,
        sheet.version,
        step
    );
    vplant_ledger::sha256(material.as_bytes()).to_hex()
}

/// The sheet of batch record `id` as the viewer may see it.
pub(super) async fn load(state: &AppState, viewer: &Viewer, id: &str) -> Result<Sheet, PageError> {
    let id = id.to_uppercase();
    let view = state
        .app
        .ebr(&viewer.scope(), &id)
        .await
        .map_err(|e| not_found(e, "batch record", &id, ("Batch execution", EBRS)))?;
    let signatures = state
        .app
        .signatures(&format!("ebr/{}", view.row.id))
        .await?;
    Ok(sheet(&view, signatures)?)
}

fn cards(viewer: &Viewer, sheet: &Sheet) -> Vec<StepCard> {
    sheet
        .steps
        .iter()
        .map(|s| StepCard {
            status: step_status(&s.status),
            action: action(s),
            signatures: sheet
                .signatures
                .iter()
                .filter(|g| g.subject.as_deref() == Some(s.id.as_str()))
                .cloned()
                .collect(),
            key: key(viewer, sheet, &s.id),
            current: s
                .entries
                .iter()
                .filter(|e| e.corrected_by.is_none())
                .cloned()
                .collect(),
            unit: unit_of(s),
            step: s.clone(),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(super) struct ShowParams {
    /// The entry just recorded.
    entry: Option<u32>,
    /// The step whose attempt was just refused.
    refused: Option<String>,
    /// Exceptions the last entry raised (only numbers of this batch are shown).
    ex: Option<String>,
    done: Option<String>,
}

/// The alert that says what the last entry did. Only facts of this record are
/// shown; the query string only says which ones.
fn outcome(sheet: &Sheet, params: &ShowParams) -> Option<(Tone, String)> {
    let raised: Vec<&SheetException> = params
        .ex
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter_map(|n| sheet.exceptions.iter().find(|e| e.number == n.trim()))
        .collect();
    let raised_text = raised
        .iter()
        .map(|e| {
            format!(
                "exception {} ({}) raised: {}",
                e.number, e.classification, e.title
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(step) = &params.refused {
        let attempt = sheet.refused.iter().rev().find(|r| &r.step == step)?;
        let mut text = format!(
            "Refused at step {}: {}. Nothing was recorded for the step.",
            attempt.step, attempt.reason
        );
        if !raised_text.is_empty() {
            text.push_str(&format!(" The attempt is kept; {raised_text}."));
        }
        return Some((Tone::Error, text));
    }
    if let Some(n) = params.entry {
        let (step, entry) = sheet
            .steps
            .iter()
            .find_map(|s| s.entries.iter().find(|e| e.entry == n).map(|e| (s, e)))?;
        return Some(match &entry.excursion {
            Some(level) => {
                let mut text = format!(
                    "{}: {} at step {} ({}; {}).",
                    excursion(level),
                    entry.value,
                    step.id,
                    step.name,
                    step.target
                );
                if !raised_text.is_empty() {
                    text.push_str(&format!(" Recorded, and {raised_text}."));
                }
                let tone = if raised.is_empty() {
                    Tone::Warning
                } else {
                    Tone::Error
                };
                (tone, text)
            }
            None if !raised.is_empty() => (
                Tone::Error,
                format!(
                    "Recorded {} at step {}, and {raised_text}.",
                    entry.value, step.id
                ),
            ),
            None => (
                Tone::Success,
                format!(
                    "Recorded {} at step {} ({}).",
                    entry.value, step.id, step.name
                ),
            ),
        });
    }
    let text = match params.done.as_deref()? {
        "signed" => "Signed. The signature is in the ledger.",
        "skipped" => "Step skipped; a major exception was raised for QA.",
        "replayed" => "This entry had already been recorded; nothing new was written.",
        "started" => "Batch started. Begin with the first step below.",
        _ => return None,
    };
    Some((Tone::Success, text.to_owned()))
}

pub(super) async fn screen(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    outcome: Option<(Tone, String)>,
    params: &ShowParams,
) -> Result<ScreenPage, PageError> {
    let sheet = load(state, viewer, id).await?;
    let steps = cards(viewer, &sheet);
    let may_review = !sign_meanings(viewer).is_empty();
    let outcome = outcome.or_else(|| self::outcome(&sheet, params));
    let mut page = Chrome::new(format!("Batch {}", sheet.id), EBRS)
        .via("Batch execution", EBRS)
        .viewer(viewer);
    if let Some((tone, text)) = &outcome {
        page = page.alert(*tone, text.clone());
    }
    Ok(ScreenPage {
        page,
        href: href(&sheet.id),
        status: ebr_status(&sheet.status),
        product: sheet.product.clone(),
        order: sheet.production_order.clone(),
        mbr: format!("{} v{}", sheet.mbr, sheet.mbr_version),
        size: sheet.size.clone(),
        blocking: sheet.blocking.clone(),
        done_count: sheet
            .steps
            .iter()
            .filter(|s| matches!(s.status.as_str(), "done" | "skipped"))
            .count(),
        exceptions: sheet
            .exceptions
            .iter()
            .map(|e| ExceptionLine {
                class: classification(&e.classification),
                may_acknowledge: !e.acknowledged && e.classification == "critical" && may_review,
                ex: e.clone(),
            })
            .collect(),
        record_signatures: sheet
            .signatures
            .iter()
            .filter(|g| g.subject.is_none())
            .cloned()
            .collect(),
        may_execute: viewer.can(Permission::ExecuteBatches) && sheet.status == "in_progress",
        may_skip: viewer.can(Permission::SuperviseBatches) && sheet.status == "in_progress",
        sheet_id: sheet.id.clone(),
        steps,
    })
}

/// The record meanings QA may sign a batch with (reviewed, released, rejected).
pub(super) fn sign_meanings(viewer: &Viewer) -> Vec<vplant_domain::signature::Meaning> {
    use vplant_domain::signature::Meaning;
    crate::ui::sign::meanings(viewer, "ebr")
        .into_iter()
        .filter(|m| matches!(m, Meaning::Reviewed | Meaning::Released | Meaning::Rejected))
        .collect()
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
    Query(params): Query<ShowParams>,
) -> Result<Response, PageError> {
    let body = screen(&state, &viewer, &format!("{site}/{number}"), None, &params).await?;
    Ok(render(StatusCode::OK, &body))
}

impl ScreenPage {
    /// The steps to do now: enter, stop a timer, or sign.
    pub fn now(&self) -> Vec<&StepCard> {
        self.steps
            .iter()
            .filter(|c| c.action != Action::None)
            .collect()
    }
}
