//! Review by exception (SPEC §2.3): of a finished batch, QA sees only what needs a
//! human look — exceptions, corrections, out-of-limit values, late entries, skipped
//! steps and refused attempts (overridden or failed checks). Everything else ran as
//! the MBR says, which the record proves.

use serde::Serialize;

use super::EbrState;
use crate::choice;

choice!(
    /// Why an item is on the review list.
    ReviewKind, "a review item kind" {
        Exception = "exception" / "Exception",
        Correction = "correction" / "Correction",
        OutOfLimit = "out_of_limit" / "Out-of-limit value",
        LateEntry = "late_entry" / "Late entry",
        Skipped = "skipped" / "Skipped step",
        Refused = "refused" / "Refused attempt",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    pub kind: ReviewKind,
    pub step: String,
    pub step_name: String,
    /// The entry concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u32>,
    /// The exception concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    pub summary: String,
}

/// Everything QA must look at, in procedure order.
pub fn items(state: &EbrState) -> Vec<ReviewItem> {
    let Some(started) = &state.started else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for located in started.recipe.steps() {
        let step = &located.phase.id;
        let item = |kind, entry, exception, summary: String| ReviewItem {
            kind,
            step: step.clone(),
            step_name: located.phase.name.clone(),
            entry,
            exception,
            summary,
        };
        for l in state
            .exceptions
            .iter()
            .filter(|l| &l.exception.step == step)
        {
            let e = &l.exception;
            out.push(item(
                ReviewKind::Exception,
                None,
                Some(e.number.clone()),
                format!("{} ({}): {}", e.number, e.classification.label(), e.title),
            ));
        }
        if state.skipped.contains_key(step) {
            out.push(item(
                ReviewKind::Skipped,
                None,
                None,
                "step skipped".to_owned(),
            ));
        }
        for (r, _) in state.refused.iter().filter(|(r, _)| &r.step == step) {
            out.push(item(
                ReviewKind::Refused,
                None,
                None,
                format!("{} refused: {}", r.attempted.display(), r.reason),
            ));
        }
        for e in state.entries.iter().filter(|e| &e.recorded.step == step) {
            let r = &e.recorded;
            if let Some(old) = r.corrects {
                let before = state
                    .entries
                    .iter()
                    .find(|x| x.recorded.entry == old)
                    .map(|x| x.recorded.value.display())
                    .unwrap_or_default();
                out.push(item(
                    ReviewKind::Correction,
                    Some(r.entry),
                    None,
                    format!(
                        "entry {} corrects entry {old}: {before} → {}",
                        r.entry,
                        r.value.display()
                    ),
                ));
            }
            if let Some(x) = r.excursion {
                out.push(item(
                    ReviewKind::OutOfLimit,
                    Some(r.entry),
                    None,
                    format!("{} — {}", r.value.display(), x.label().to_lowercase()),
                ));
            }
            if r.late {
                out.push(item(
                    ReviewKind::LateEntry,
                    Some(r.entry),
                    None,
                    format!(
                        "entry {} done at {} arrived late",
                        r.entry,
                        r.performed_at.to_rfc3339()
                    ),
                ));
            }
        }
    }
    out
}
