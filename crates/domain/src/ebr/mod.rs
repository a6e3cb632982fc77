//! Batch execution, the electronic batch record (SPEC §2.3). A batch starts from a
//! production order and an effective MBR version, whose content it keeps. Steps run
//! in the MBR's order (steps of one parallel group in any order); every entry is
//! immutable and a correction is a new entry pointing at the old one, with a reason.
//! Violations raise exceptions on the spot (`checks.rs`); an unacknowledged critical
//! exception blocks the batch. QA reviews by exception (`review.rs`) and signs the
//! disposition. Stream `ebr/<site>/<number>`; the batch is also a row of the tracker
//! (`batch/<site>/<number>`, source `ebr`).

pub mod checks;
pub mod events;
pub(crate) mod history;
pub(crate) mod projection;
pub mod review;
mod steps;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use checks::{Checked, Facts, Input, Violation};
use events::{
    EbrDisposed, EbrStarted, EntryRecorded, EntryRefused, EntryValue, ExceptionAcknowledged,
    ExceptionLinked, StepSkipped,
};
pub use steps::StepStatus;

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::exception::fields::Classification;
use crate::fields::Reason;
use crate::mbr::step::Signatures;
use crate::signature::{Meaning, RecordSigned};
use crate::time::Timestamp;
use crate::units::Quantity;

/// An entry arriving later than this after it was done (an offline tablet syncing)
/// is marked late and raises a minor exception.
pub const LATE_AFTER_MINUTES: i64 = 30;
/// A device clock may run ahead of the server's by this much.
const CLOCK_SKEW_MINUTES: i64 = 2;

/// An exception raised for this batch, with whether QA acknowledged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    pub exception: ExceptionLinked,
    pub acknowledged: bool,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub recorded: EntryRecorded,
    /// The stream version of the event.
    pub version: u64,
    /// Corrected by a later entry.
    pub corrected_by: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Signed {
    pub signature: RecordSigned,
    pub version: u64,
}

#[derive(Clone, Debug, Default)]
pub struct EbrState {
    pub started: Option<EbrStarted>,
    pub entries: Vec<Entry>,
    pub refused: Vec<(EntryRefused, u64)>,
    /// Step id → stream version of the skip.
    pub skipped: BTreeMap<String, u64>,
    pub exceptions: Vec<Linked>,
    pub signatures: Vec<Signed>,
    pub completed: bool,
    pub disposition: Option<bool>,
    /// The stream version of the last event that changed what was recorded (not a
    /// signature or acknowledgement): a review must be at least this recent.
    pub last_change: u64,
    pub version: u64,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub step: String,
    pub input: Input,
    pub device: Option<String>,
    pub performed_at: Timestamp,
    pub corrects: Option<u32>,
    /// Required with a correction.
    pub reason: Option<Reason>,
    pub facts: Facts,
    /// One exception number per violation the checks find (see
    /// [`EbrState::violations`]).
    pub numbers: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum EbrCommand {
    Start(Box<EbrStarted>),
    Record(Box<Record>),
    /// The step is not done, with a reason; a major exception is raised.
    Skip {
        step: String,
        reason: Reason,
        number: String,
    },
    /// QA acknowledged exception `number` (signed on the exception's record).
    Acknowledge {
        number: String,
    },
}

/// What a signature on the batch record is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureFacts<'a> {
    /// Exceptions linked to this batch that are neither closed nor cancelled, with
    /// their classification (from the exceptions' own records).
    pub open_exceptions: &'a [(String, Classification)],
}

impl EbrState {
    pub fn id(&self) -> String {
        self.started
            .as_ref()
            .map_or_else(String::new, |s| format!("{}/{}", s.site, s.number))
    }

    fn started(&self) -> Result<&EbrStarted, DomainError> {
        self.started.as_ref().ok_or(DomainError::NotFound {
            what: "batch record",
            id: String::new(),
        })
    }

    /// Exceptions that block the batch until QA acknowledges them.
    pub fn blocking(&self) -> Vec<&str> {
        self.exceptions
            .iter()
            .filter(|l| l.exception.classification == Classification::Critical && !l.acknowledged)
            .map(|l| l.exception.number.as_str())
            .collect()
    }

    fn not_blocked(&self) -> Result<(), DomainError> {
        if let Some(d) = self.disposition {
            return Err(DomainError::InvalidState(format!(
                "batch {} is {} already; its record is closed",
                self.id(),
                if d { "released" } else { "rejected" }
            )));
        }
        let blocking = self.blocking();
        if blocking.is_empty() {
            Ok(())
        } else {
            Err(DomainError::InvalidState(format!(
                "batch {} is blocked by critical exception {} until QA acknowledges it",
                self.id(),
                blocking.join(", ")
            )))
        }
    }

    /// The quantity of the product lot: the current entry of the recipe's yield
    /// step, in that step's unit; `None` when the recipe names none or it has no
    /// entry (skipped).
    pub fn yielded(&self) -> Option<Quantity> {
        let started = self.started.as_ref()?;
        let step = started.recipe.yield_step.as_deref()?;
        let entry = self
            .entries
            .iter()
            .rev()
            .find(|e| e.recorded.step == step && e.corrected_by.is_none())?;
        match &entry.recorded.value {
            EntryValue::Number { value, unit } => Some(Quantity {
                amount: *value,
                unit: crate::units::Unit::parse("unit", unit).ok()?,
            }),
            _ => None,
        }
    }

    /// The values of earlier steps a calculation can read (current entries only).
    fn values(&self) -> BTreeMap<String, f64> {
        self.entries
            .iter()
            .filter(|e| e.corrected_by.is_none())
            .filter_map(|e| {
                e.recorded
                    .value
                    .number()
                    .map(|v| (e.recorded.step.clone(), v))
            })
            .collect()
    }

    fn timer_started(&self, step: &str) -> Option<Timestamp> {
        self.entries
            .iter()
            .filter(|e| e.recorded.step == step && e.corrected_by.is_none())
            .find(|e| e.recorded.value == EntryValue::TimerStarted)
            .map(|e| e.recorded.performed_at)
    }

    /// Checks an entry without recording it: what it would record, and how many
    /// exception numbers the caller must reserve (one per violation, plus one if it
    /// arrives late).
    pub fn assess(&self, record: &Record, now: Timestamp) -> Result<(Checked, bool), DomainError> {
        let started = self.started()?;
        self.not_blocked()?;
        let located = started.recipe.step(&record.step).ok_or_else(|| {
            DomainError::field(
                "step",
                format!("'{}' is not a step of this batch's MBR", record.step),
            )
        })?;
        if let Some(n) = record.corrects {
            let Some(old) = self.entries.iter().find(|e| e.recorded.entry == n) else {
                return Err(DomainError::field(
                    "corrects",
                    format!("entry {n} does not exist"),
                ));
            };
            if old.recorded.step != record.step {
                return Err(DomainError::field(
                    "corrects",
                    format!("entry {n} belongs to step {}", old.recorded.step),
                ));
            }
            if let Some(by) = old.corrected_by {
                return Err(DomainError::field(
                    "corrects",
                    format!("entry {n} was corrected by entry {by}; correct that one"),
                ));
            }
            if matches!(
                old.recorded.value,
                EntryValue::TimerStarted | EntryValue::TimerStopped { .. }
            ) {
                return Err(DomainError::field(
                    "corrects",
                    "a timer records when it ran and cannot be corrected",
                ));
            }
            if record.reason.is_none() {
                return Err(DomainError::field(
                    "reason",
                    "a correction needs the reason for it",
                ));
            }
        } else {
            self.enterable(&record.step)?;
        }
        let skew = (record.performed_at.as_micros() - now.as_micros()) / 60_000_000;
        if skew > CLOCK_SKEW_MINUTES {
            return Err(DomainError::field(
                "performed_at",
                "is in the future; check the device's clock",
            ));
        }
        let context = checks::Context {
            step_name: &located.phase.name,
            scale: self.scale(),
            values: &self.values(),
            timer_started: self.timer_started(&record.step),
            now,
        };
        let checked = checks::check(&located.phase.entry, &record.input, &record.facts, &context)?;
        let late =
            (now.as_micros() - record.performed_at.as_micros()) / 60_000_000 > LATE_AFTER_MINUTES;
        Ok((checked, late))
    }

    /// The exceptions an entry would raise, in the order numbers are used.
    pub fn violations(
        &self,
        record: &Record,
        now: Timestamp,
    ) -> Result<Vec<Violation>, DomainError> {
        let (checked, late) = self.assess(record, now)?;
        let mut out = match checked {
            Checked::Accept { violations, .. } => violations,
            Checked::Refuse { violation, .. } => vec![violation],
        };
        if late {
            out.push(steps::late_violation(self, record, now));
        }
        Ok(out)
    }

    pub fn scale(&self) -> f64 {
        self.started
            .as_ref()
            .and_then(|s| s.recipe.scale(&s.size))
            .unwrap_or(1.0)
    }

    fn link(
        &self,
        numbers: &[String],
        step: &str,
        violations: &[Violation],
    ) -> Result<Vec<Event>, DomainError> {
        if numbers.len() != violations.len() {
            return Err(DomainError::InvalidState(format!(
                "{} exception numbers were reserved for {} exceptions; try again",
                numbers.len(),
                violations.len()
            )));
        }
        Ok(numbers
            .iter()
            .zip(violations)
            .map(|(number, v)| {
                Event::EbrExceptionLinked(ExceptionLinked {
                    number: number.clone(),
                    step: step.to_owned(),
                    classification: v.classification,
                    title: v.title.clone(),
                })
            })
            .collect())
    }

    /// Appends the completion event when `events` complete the procedure.
    fn with_completion(&self, mut events: Vec<Event>) -> Vec<Event> {
        if !self.completed {
            let mut after = self.clone();
            events.iter().for_each(|e| after.apply(e));
            if after.is_complete() {
                events.push(Event::EbrCompleted(Empty {}));
            }
        }
        events
    }

    /// What a signature on this batch record does, or why it may not be made:
    /// `subject` is the step for performed and verified, an exception's number for
    /// QA's acknowledgement (reviewed), `None` for the review and the disposition.
    pub fn on_signed(
        &self,
        subject: Option<&str>,
        meaning: Meaning,
        signer: &str,
        facts: &SignatureFacts<'_>,
    ) -> Result<Vec<Event>, DomainError> {
        self.started()?;
        if let Some(d) = self.disposition {
            return Err(DomainError::InvalidState(format!(
                "batch {} is {} already",
                self.id(),
                if d { "released" } else { "rejected" }
            )));
        }
        match (subject, meaning) {
            (Some(step), Meaning::Performed | Meaning::Verified) => {
                self.not_blocked()?;
                steps::check_step_signature(self, step, meaning, signer)?;
                // The signature event itself is appended by the caller; completion
                // follows it.
                let mut after = self.clone();
                after.apply(&Event::RecordSigned(RecordSigned {
                    signer: signer.to_owned(),
                    printed_name: String::new(),
                    meaning,
                    record_version: self.version,
                    record_hash: String::new(),
                    subject: Some(step.to_owned()),
                }));
                Ok(if !self.completed && after.is_complete() {
                    vec![Event::EbrCompleted(Empty {})]
                } else {
                    Vec::new()
                })
            }
            (Some(number), Meaning::Reviewed) => {
                // QA acknowledges an exception raised here; a critical one stops
                // blocking the batch.
                let linked = self
                    .exceptions
                    .iter()
                    .find(|l| l.exception.number == number)
                    .ok_or_else(|| {
                        DomainError::InvalidState(format!(
                            "{number} is neither a step nor an exception of batch {}",
                            self.id()
                        ))
                    })?;
                if linked.acknowledged {
                    return Err(DomainError::InvalidState(format!(
                        "exception {number} is acknowledged already"
                    )));
                }
                Ok(vec![Event::EbrExceptionAcknowledged(
                    ExceptionAcknowledged {
                        number: number.to_owned(),
                    },
                )])
            }
            (None, Meaning::Reviewed) => {
                if !self.is_complete() {
                    return Err(DomainError::InvalidState(format!(
                        "batch {} is not complete: {}",
                        self.id(),
                        self.incomplete().join("; ")
                    )));
                }
                if self.reviewed() {
                    return Err(DomainError::InvalidState(
                        "the record has been reviewed since its last change already".to_owned(),
                    ));
                }
                Ok(Vec::new())
            }
            (None, Meaning::Released) => {
                if !self.is_complete() {
                    return Err(DomainError::InvalidState(format!(
                        "batch {} cannot be released: {}",
                        self.id(),
                        self.incomplete().join("; ")
                    )));
                }
                if !self.reviewed() {
                    return Err(DomainError::InvalidState(format!(
                        "batch {} cannot be released before QA has signed the review of its record as it stands",
                        self.id()
                    )));
                }
                let critical: Vec<&str> = facts
                    .open_exceptions
                    .iter()
                    .filter(|(_, c)| *c == Classification::Critical)
                    .map(|(n, _)| n.as_str())
                    .collect();
                if !critical.is_empty() {
                    return Err(DomainError::InvalidState(format!(
                        "batch {} cannot be released while critical exception {} is open",
                        self.id(),
                        critical.join(", ")
                    )));
                }
                Ok(vec![Event::EbrDisposed(EbrDisposed { released: true })])
            }
            (None, Meaning::Rejected) => {
                Ok(vec![Event::EbrDisposed(EbrDisposed { released: false })])
            }
            (Some(_), m) => Err(DomainError::field(
                "meaning",
                format!(
                    "a step is signed as performed or verified, not {}",
                    m.as_str()
                ),
            )),
            (None, m) => Err(DomainError::field(
                "meaning",
                format!(
                    "a batch record is signed as reviewed, released or rejected, not {}",
                    m.as_str()
                ),
            )),
        }
    }

    /// Whether the review signature covers the record as it stands.
    pub fn reviewed(&self) -> bool {
        self.signatures.iter().any(|s| {
            s.signature.meaning == Meaning::Reviewed
                && s.signature.subject.is_none()
                && s.signature.record_version >= self.last_change
        })
    }

    /// Every step done and signed as its MBR requires.
    pub fn is_complete(&self) -> bool {
        self.started.is_some() && self.incomplete().is_empty()
    }

    /// What keeps the batch from being complete, in words.
    pub fn incomplete(&self) -> Vec<String> {
        let Some(started) = &self.started else {
            return vec!["not started".to_owned()];
        };
        started
            .recipe
            .steps()
            .iter()
            .filter_map(|s| {
                let status = self.step_status(&s.phase.id);
                (!status.is_done()).then(|| format!("{} is {}", s.phase.name, status.describe()))
            })
            .collect()
    }

    /// The signature requirement of a step.
    pub fn required(&self, step: &str) -> Signatures {
        self.started
            .as_ref()
            .and_then(|s| s.recipe.step(step).map(|l| l.phase.signatures))
            .unwrap_or_default()
    }
}

impl Aggregate for EbrState {
    type Command = EbrCommand;

    /// `id` is `<site>/<number>`.
    fn stream_id(id: &str) -> String {
        format!("ebr/{id}")
    }

    fn apply(&mut self, event: &Event) {
        self.version += 1;
        let version = self.version;
        match event {
            Event::EbrStarted(s) => self.started = Some(s.clone()),
            Event::EbrEntryRecorded(e) => {
                if let Some(old) = e.corrects
                    && let Some(o) = self.entries.iter_mut().find(|x| x.recorded.entry == old)
                {
                    o.corrected_by = Some(e.entry);
                }
                self.entries.push(Entry {
                    recorded: e.clone(),
                    version,
                    corrected_by: None,
                });
            }
            Event::EbrEntryRefused(r) => self.refused.push((r.clone(), version)),
            Event::EbrStepSkipped(s) => {
                self.skipped.insert(s.step.clone(), version);
            }
            Event::EbrExceptionLinked(l) => self.exceptions.push(Linked {
                exception: l.clone(),
                acknowledged: false,
            }),
            Event::EbrExceptionAcknowledged(a) => {
                for l in &mut self.exceptions {
                    if l.exception.number == a.number {
                        l.acknowledged = true;
                    }
                }
            }
            Event::RecordSigned(s) => self.signatures.push(Signed {
                signature: s.clone(),
                version,
            }),
            Event::EbrCompleted(_) => self.completed = true,
            Event::EbrDisposed(d) => self.disposition = Some(d.released),
            _ => {}
        }
        if matches!(
            event,
            Event::EbrEntryRecorded(_) | Event::EbrStepSkipped(_) | Event::EbrExceptionLinked(_)
        ) {
            self.last_change = version;
        }
    }

    fn decide(&self, command: &EbrCommand, ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match command {
            EbrCommand::Start(start) => {
                if self.started.is_some() {
                    return Err(DomainError::AlreadyExists {
                        what: "batch record",
                        id: self.id(),
                    });
                }
                if start.recipe.scale(&start.size).is_none() {
                    return Err(DomainError::field(
                        "size",
                        format!(
                            "{} cannot be compared with the MBR's batch size of {}",
                            start.size, start.recipe.batch_size
                        ),
                    ));
                }
                Ok(vec![Event::EbrStarted((**start).clone())])
            }
            EbrCommand::Record(record) => {
                let (checked, late) = self.assess(record, ctx.now)?;
                let entry_no = u32::try_from(self.entries.len() + 1).unwrap_or(u32::MAX);
                let mut violations = Vec::new();
                let mut events = match checked {
                    Checked::Accept {
                        value,
                        excursion,
                        violations: found,
                    } => {
                        violations.extend(found);
                        vec![Event::EbrEntryRecorded(EntryRecorded {
                            entry: entry_no,
                            step: record.step.clone(),
                            value,
                            device: record.device.clone(),
                            performed_at: record.performed_at,
                            corrects: record.corrects,
                            excursion,
                            late,
                            by: ctx.actor.0.clone(),
                        })]
                    }
                    Checked::Refuse {
                        attempted,
                        reason,
                        violation,
                    } => {
                        violations.push(violation);
                        vec![Event::EbrEntryRefused(EntryRefused {
                            step: record.step.clone(),
                            attempted,
                            reason,
                            device: record.device.clone(),
                        })]
                    }
                };
                if late {
                    violations.push(steps::late_violation(self, record, ctx.now));
                }
                events.extend(self.link(&record.numbers, &record.step, &violations)?);
                Ok(self.with_completion(events))
            }
            EbrCommand::Skip { step, number, .. } => {
                self.started()?;
                self.not_blocked()?;
                self.enterable(step)?;
                let name = self
                    .started()?
                    .recipe
                    .step(step)
                    .map(|l| l.phase.name.clone())
                    .unwrap_or_default();
                let events = vec![
                    Event::EbrStepSkipped(StepSkipped { step: step.clone() }),
                    Event::EbrExceptionLinked(ExceptionLinked {
                        number: number.clone(),
                        step: step.clone(),
                        classification: Classification::Major,
                        title: format!("{name}: step skipped"),
                    }),
                ];
                Ok(self.with_completion(events))
            }
            EbrCommand::Acknowledge { number } => {
                let linked = self
                    .exceptions
                    .iter()
                    .find(|l| &l.exception.number == number)
                    .ok_or_else(|| {
                        DomainError::InvalidState(format!(
                            "exception {number} was not raised by batch {}",
                            self.id()
                        ))
                    })?;
                if linked.acknowledged {
                    return Ok(Vec::new());
                }
                Ok(vec![Event::EbrExceptionAcknowledged(
                    ExceptionAcknowledged {
                        number: number.clone(),
                    },
                )])
            }
        }
    }

    fn reason(command: &EbrCommand) -> Option<&str> {
        match command {
            EbrCommand::Record(r) => r.reason.as_ref().map(Reason::as_str),
            EbrCommand::Skip { reason, .. } => Some(reason.as_str()),
            _ => None,
        }
    }
}
