//! The batch record as people read it — on the tablet, in the API, in QA's review
//! and in the printed record: every step with its target, status and entries (with
//! corrections), the exceptions, refused attempts, signatures and the review list.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::ebr::EbrState;
use vplant_domain::ebr::events::EntryValue;
use vplant_domain::mbr::recipe::Located;
use vplant_domain::mbr::step::{Checks, StepKind};
use vplant_store::StoreError;
use vplant_store::queries::identity::Signature;

use crate::AppError;
use crate::ebrs::{EbrView, Recorded};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Sheet {
    pub id: String,
    pub site: String,
    pub number: String,
    pub production_order: String,
    pub product: String,
    pub mbr: String,
    pub mbr_version: u32,
    pub size: String,
    /// in_progress, awaiting_review, released or rejected.
    pub status: String,
    /// Every step done and signed as the MBR requires.
    pub complete: bool,
    /// QA's review signature covers the record as it stands.
    pub reviewed: bool,
    /// Critical exceptions QA has not acknowledged yet; while any is listed, nothing
    /// can be entered.
    pub blocking: Vec<String>,
    /// The record version (bind signatures to it).
    pub version: u64,
    pub steps: Vec<SheetStep>,
    pub exceptions: Vec<SheetException>,
    pub refused: Vec<SheetRefused>,
    /// What QA must look at (review by exception).
    pub review: Vec<SheetReview>,
    pub signatures: Vec<Signature>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetStep {
    pub id: String,
    pub name: String,
    pub instruction: String,
    /// instruction, numeric, text, choice, pass_fail, dispense, equipment, sample,
    /// calculation or timer.
    pub kind: String,
    pub unit_procedure: String,
    pub operation: String,
    /// Steps with the same slot may run together; slots run in order.
    pub slot: usize,
    /// none, performed or performed_verified.
    pub signatures: String,
    /// not_started, timer_running, awaiting_performed, awaiting_verification, done
    /// or skipped.
    pub status: String,
    /// The status in words, e.g. "waiting for a second person's verification".
    pub status_label: String,
    /// Who skipped the step, when and why, if it was skipped.
    pub skipped: Option<SheetSkip>,
    /// Whether it may take its first entry now.
    pub enterable: bool,
    /// What is asked, in words: the scaled target and tolerance, limits, options.
    pub target: String,
    /// The options of a choice step.
    pub options: Vec<String>,
    pub entries: Vec<SheetEntry>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetEntry {
    pub entry: u32,
    pub value: String,
    pub by: String,
    /// When it was done, by the device's clock (RFC 3339).
    #[schema(value_type = String)]
    pub performed_at: Timestamp,
    /// When it reached the ledger, by the server's clock (RFC 3339).
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
    pub device: Option<String>,
    pub corrects: Option<u32>,
    /// The reason given with the entry (required with a correction).
    pub reason: Option<String>,
    pub corrected_by: Option<u32>,
    /// alert, action or spec.
    pub excursion: Option<String>,
    pub late: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetException {
    pub number: String,
    pub step: String,
    pub classification: String,
    pub title: String,
    pub acknowledged: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetRefused {
    pub step: String,
    pub attempted: String,
    pub reason: String,
    /// Who attempted it.
    pub by: String,
    pub device: Option<String>,
    /// When the attempt reached the ledger (RFC 3339).
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
}

/// A step that was not done.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetSkip {
    pub by: String,
    pub reason: Option<String>,
    /// When the skip reached the ledger (RFC 3339).
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SheetReview {
    /// exception, correction, out_of_limit, late_entry, skipped or refused.
    pub kind: String,
    pub step: String,
    pub step_name: String,
    pub entry: Option<u32>,
    pub exception: Option<String>,
    pub summary: String,
}

fn limits(unit: &str, target: Option<f64>, checks: &Checks) -> String {
    let mut parts = Vec::new();
    if let Some(t) = target {
        parts.push(format!("target {t} {unit}"));
    }
    for (name, l) in [
        ("alert", &checks.alert),
        ("action", &checks.action),
        ("specification", &checks.spec),
    ] {
        if let Some(l) = l {
            parts.push(format!("{name} {} {unit}", l.describe()));
        }
    }
    if parts.is_empty() {
        format!("in {unit}")
    } else {
        parts.join("; ")
    }
}

/// What step `located` asks for, in words, with dispensed quantities scaled by
/// `scale`: the target and tolerance, limits, options, the hold time.
pub fn describe_step(located: &Located<'_>, scale: f64) -> String {
    match &located.phase.entry {
        StepKind::Instruction => "acknowledge".to_owned(),
        StepKind::Numeric {
            unit,
            target,
            checks,
        } => limits(unit, *target, checks),
        StepKind::Text => "text".to_owned(),
        StepKind::Choice { accepted, .. } => format!("accepted: {}", accepted.join(", ")),
        StepKind::PassFail => "pass or fail".to_owned(),
        StepKind::Dispense {
            material,
            quantity,
            unit,
            tolerance_percent,
        } => {
            let amount = quantity * scale;
            format!(
                "{} {} of {material} ± {tolerance_percent} % ({} – {} {})",
                (amount * 1000.0).round() / 1000.0,
                unit.as_str(),
                (amount * (1.0 - tolerance_percent / 100.0) * 1000.0).round() / 1000.0,
                (amount * (1.0 + tolerance_percent / 100.0) * 1000.0).round() / 1000.0,
                unit.as_str()
            )
        }
        StepKind::Equipment { class } => format!("a clean, calibrated {class}"),
        StepKind::Sample { test } => format!("sample for {test}"),
        StepKind::Calculation {
            formula,
            unit,
            checks,
        } => format!("= {formula}; {}", limits(unit, None, checks)),
        StepKind::Timer {
            min_minutes,
            max_minutes,
        } => match max_minutes {
            Some(max) => format!("hold {min_minutes} – {max} min"),
            None => format!("hold at least {min_minutes} min"),
        },
    }
}

fn entry_value(value: &EntryValue) -> String {
    value.display()
}

/// The ledger's facts about the event at `version`. A view folded from its stream
/// has them for every version it applied, so a missing one means the view was not
/// read from the ledger; the sheet is refused rather than show a time never recorded.
fn recorded(view: &EbrView, version: u64) -> Result<Recorded, AppError> {
    view.recorded(version).cloned().ok_or_else(|| {
        AppError::Store(StoreError::Corrupt(format!(
            "batch record {}: the event at version {version} is not in the ledger read; \
             run `vplant verify` on the database",
            view.row.id
        )))
    })
}

/// The sheet of a batch record, with its signatures.
///
/// # Errors
///
/// When the view lacks the ledger's facts about one of its events (see [`recorded`]).
pub fn sheet(view: &EbrView, signatures: Vec<Signature>) -> Result<Sheet, AppError> {
    let state: &EbrState = &view.state;
    let row = &view.row;
    let scale = state.scale();
    let steps = state
        .started
        .as_ref()
        .map(|s| s.recipe.steps())
        .unwrap_or_default();
    let blocking: Vec<String> = state.blocking().iter().map(|s| (*s).to_owned()).collect();
    let open_slot = steps
        .iter()
        .find(|s| !state.step_status(&s.phase.id).is_done())
        .map(|s| s.slot);
    let mut sheet_steps = Vec::with_capacity(steps.len());
    for s in &steps {
        let status = state.step_status(&s.phase.id);
        let skipped = match state.skipped.get(&s.phase.id) {
            Some(version) => {
                let ledger = recorded(view, *version)?;
                Some(SheetSkip {
                    by: ledger.actor,
                    reason: ledger.reason,
                    recorded_at: ledger.recorded_at,
                })
            }
            None => None,
        };
        let mut entries = Vec::new();
        for e in state
            .entries
            .iter()
            .filter(|e| e.recorded.step == s.phase.id)
        {
            let ledger = recorded(view, e.version)?;
            entries.push(SheetEntry {
                entry: e.recorded.entry,
                value: entry_value(&e.recorded.value),
                by: e.recorded.by.clone(),
                performed_at: e.recorded.performed_at,
                recorded_at: ledger.recorded_at,
                device: e.recorded.device.clone(),
                corrects: e.recorded.corrects,
                reason: ledger.reason,
                corrected_by: e.corrected_by,
                excursion: e.recorded.excursion.map(|x| x.as_str().to_owned()),
                late: e.recorded.late,
            });
        }
        sheet_steps.push(SheetStep {
            id: s.phase.id.clone(),
            name: s.phase.name.clone(),
            instruction: s.phase.instruction.clone(),
            kind: s.phase.entry.name().to_owned(),
            unit_procedure: s.unit_procedure.name.clone(),
            operation: s.operation.name.clone(),
            slot: s.slot,
            signatures: s.phase.signatures.as_str().to_owned(),
            status: status.as_str().to_owned(),
            status_label: status.describe().to_owned(),
            skipped,
            enterable: blocking.is_empty()
                && state.disposition.is_none()
                && open_slot == Some(s.slot)
                && !status.is_done(),
            target: describe_step(s, scale),
            options: match &s.phase.entry {
                StepKind::Choice { options, .. } => options.clone(),
                StepKind::PassFail => vec!["pass".into(), "fail".into()],
                _ => Vec::new(),
            },
            entries,
        });
    }
    let mut refused = Vec::with_capacity(state.refused.len());
    for (r, version) in &state.refused {
        let ledger = recorded(view, *version)?;
        refused.push(SheetRefused {
            step: r.step.clone(),
            attempted: r.attempted.display(),
            reason: r.reason.clone(),
            by: ledger.actor,
            device: r.device.clone(),
            recorded_at: ledger.recorded_at,
        });
    }
    Ok(Sheet {
        id: row.id.clone(),
        site: row.site.clone(),
        number: row.number.clone(),
        production_order: row.production_order.clone(),
        product: row.product.clone(),
        mbr: row.mbr.clone(),
        mbr_version: row.mbr_version,
        size: state
            .started
            .as_ref()
            .map(|s| s.size.to_string())
            .unwrap_or_default(),
        status: row.status.clone(),
        complete: state.is_complete(),
        reviewed: state.reviewed(),
        version: state.version,
        steps: sheet_steps,
        blocking,
        exceptions: state
            .exceptions
            .iter()
            .map(|l| SheetException {
                number: l.exception.number.clone(),
                step: l.exception.step.clone(),
                classification: l.exception.classification.as_str().to_owned(),
                title: l.exception.title.clone(),
                acknowledged: l.acknowledged,
            })
            .collect(),
        refused,
        review: view
            .review
            .iter()
            .map(|i| SheetReview {
                kind: i.kind.as_str().to_owned(),
                step: i.step.clone(),
                step_name: i.step_name.clone(),
                entry: i.entry,
                exception: i.exception.clone(),
                summary: i.summary.clone(),
            })
            .collect(),
        signatures,
    })
}
