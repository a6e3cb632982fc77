//! Where each step of a batch stands: the order in which steps may be entered, and
//! the signatures each still needs.

use super::checks::Violation;
use super::events::EntryValue;
use super::{EbrState, Record};
use crate::error::DomainError;
use crate::exception::fields::{Category, Classification};
use crate::mbr::step::Signatures;
use crate::signature::Meaning;
use crate::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepStatus {
    NotStarted,
    TimerRunning,
    AwaitingPerformed,
    AwaitingVerification,
    Done,
    Skipped,
}

impl StepStatus {
    pub fn is_done(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "not_started",
            StepStatus::TimerRunning => "timer_running",
            StepStatus::AwaitingPerformed => "awaiting_performed",
            StepStatus::AwaitingVerification => "awaiting_verification",
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "not done",
            StepStatus::TimerRunning => "holding (timer running)",
            StepStatus::AwaitingPerformed => "waiting for the performer's signature",
            StepStatus::AwaitingVerification => "waiting for a second person's verification",
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
        }
    }
}

impl EbrState {
    /// The current (uncorrected) entries of a step, oldest first.
    pub fn current_entries(&self, step: &str) -> impl Iterator<Item = &super::Entry> {
        self.entries
            .iter()
            .filter(move |e| e.recorded.step == step && e.corrected_by.is_none())
    }

    /// The stream version of the step's latest current entry.
    fn last_entry_version(&self, step: &str) -> Option<u64> {
        self.current_entries(step).map(|e| e.version).max()
    }

    fn fresh_signature(
        &self,
        step: &str,
        meaning: Meaning,
    ) -> Option<&crate::signature::RecordSigned> {
        let since = self.last_entry_version(step)?;
        self.signatures
            .iter()
            .rev()
            .map(|s| &s.signature)
            .find(|s| {
                s.meaning == meaning
                    && s.subject.as_deref() == Some(step)
                    && s.record_version >= since
            })
    }

    pub fn step_status(&self, step: &str) -> StepStatus {
        if self.skipped.contains_key(step) {
            return StepStatus::Skipped;
        }
        let entries: Vec<&EntryValue> = self
            .current_entries(step)
            .map(|e| &e.recorded.value)
            .collect();
        if entries.is_empty() {
            return StepStatus::NotStarted;
        }
        let is_timer = entries.iter().any(|v| {
            matches!(
                v,
                EntryValue::TimerStarted | EntryValue::TimerStopped { .. }
            )
        });
        if is_timer
            && !entries
                .iter()
                .any(|v| matches!(v, EntryValue::TimerStopped { .. }))
        {
            return StepStatus::TimerRunning;
        }
        let required = self.required(step);
        if required != Signatures::None && self.fresh_signature(step, Meaning::Performed).is_none()
        {
            return StepStatus::AwaitingPerformed;
        }
        if required == Signatures::PerformedVerified
            && self.fresh_signature(step, Meaning::Verified).is_none()
        {
            return StepStatus::AwaitingVerification;
        }
        StepStatus::Done
    }

    /// Whether `step` may get its first entry (or its timer stopped) now: every
    /// step of earlier slots is done, and this one is not.
    pub(super) fn enterable(&self, step: &str) -> Result<(), DomainError> {
        let Some(started) = &self.started else {
            return Err(DomainError::NotFound {
                what: "batch record",
                id: String::new(),
            });
        };
        let steps = started.recipe.steps();
        let Some(this) = steps.iter().find(|s| s.phase.id == step) else {
            return Err(DomainError::field(
                "step",
                format!("'{step}' is not a step of this batch's MBR"),
            ));
        };
        if let Some(open) = steps
            .iter()
            .filter(|s| s.slot < this.slot)
            .find(|s| !self.step_status(&s.phase.id).is_done())
        {
            return Err(DomainError::InvalidState(format!(
                "steps run in order: {} ({}) is {} and comes first",
                open.phase.name,
                open.phase.id,
                self.step_status(&open.phase.id).describe()
            )));
        }
        match self.step_status(step) {
            StepStatus::NotStarted | StepStatus::TimerRunning => Ok(()),
            StepStatus::Skipped => Err(DomainError::InvalidState(format!(
                "{} was skipped",
                this.phase.name
            ))),
            _ => Err(DomainError::InvalidState(format!(
                "{} has its entry; to change it, correct that entry with a reason",
                this.phase.name
            ))),
        }
    }
}

/// Whether `signer` may sign `step` with `meaning` now.
pub(super) fn check_step_signature(
    state: &EbrState,
    step: &str,
    meaning: Meaning,
    signer: &str,
) -> Result<(), DomainError> {
    let required = state.required(step);
    let latest = state.current_entries(step).last().ok_or_else(|| {
        DomainError::InvalidState(format!("step {step} has no entry to sign yet"))
    })?;
    match (meaning, required) {
        (_, Signatures::None) => Err(DomainError::InvalidState(format!(
            "step {step} needs no signature"
        ))),
        (Meaning::Performed, _) => {
            if state.step_status(step) != StepStatus::AwaitingPerformed {
                return Err(DomainError::InvalidState(format!(
                    "step {step} is {}; it is not waiting for a performed signature",
                    state.step_status(step).describe()
                )));
            }
            if latest.recorded.by != signer {
                return Err(DomainError::NotAllowed(format!(
                    "the entry of step {step} was made by {}; only they can sign it as performed",
                    latest.recorded.by
                )));
            }
            Ok(())
        }
        (Meaning::Verified, Signatures::Performed) => Err(DomainError::InvalidState(format!(
            "step {step} is not a critical step and needs no verification"
        ))),
        (Meaning::Verified, _) => {
            if state.step_status(step) != StepStatus::AwaitingVerification {
                return Err(DomainError::InvalidState(format!(
                    "step {step} is {}; it is not waiting for a verification",
                    state.step_status(step).describe()
                )));
            }
            let performer = state
                .fresh_signature(step, Meaning::Performed)
                .map(|s| s.signer.as_str());
            if latest.recorded.by == signer || performer == Some(signer) {
                return Err(DomainError::NotAllowed(format!(
                    "segregation of duties: you performed step {step}; a second person must verify it"
                )));
            }
            Ok(())
        }
        (other, _) => Err(DomainError::field(
            "meaning",
            format!(
                "a step is signed as performed or verified, not {}",
                other.as_str()
            ),
        )),
    }
}

pub(super) fn late_violation(state: &EbrState, record: &Record, now: Timestamp) -> Violation {
    let minutes = (now.as_micros() - record.performed_at.as_micros()) / 60_000_000;
    let name = state
        .started
        .as_ref()
        .and_then(|s| s.recipe.step(&record.step).map(|l| l.phase.name.clone()))
        .unwrap_or_else(|| record.step.clone());
    Violation {
        classification: Classification::Minor,
        category: Category::Documentation,
        title: format!("{name}: entry recorded late"),
        description: format!(
            "The entry for {name} done at {} reached the record {minutes} min later (more than {} min).",
            record.performed_at.to_rfc3339(),
            super::LATE_AFTER_MINUTES
        ),
    }
}
