//! Exceptions (deviations), SPEC §2.5: raised by the VPT, reported by a CMO or raised
//! on the spot during execution; investigated, assessed, submitted, and closed by an
//! approval signature of someone who recorded none of it. Due dates follow the
//! classification; an extension needs a justification and its own approval signature.
//! Stream `exception/<number>`.

pub mod events;
pub mod fields;
pub(crate) mod history;
pub(crate) mod projection;

use events::{
    DueDateExtended, ExceptionAssessed, ExceptionClosed, ExceptionRaised, ExtensionRequested,
};
use fields::{Category, Classification, DuePolicy, Origin, RootCause};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::dates::PartialDate;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::fields::{Code, Errors, Name, Number, Reason, Text};
use crate::signature::Meaning;

/// Where an exception stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Open,
    UnderInvestigation,
    PendingApproval,
    Closed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::UnderInvestigation => "under_investigation",
            Status::PendingApproval => "pending_approval",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }
}

/// The input of a new exception, unparsed.
#[derive(Clone, Debug, Default)]
pub struct RaiseInput {
    pub site: String,
    pub product: String,
    pub batches: Vec<String>,
    pub occurred: String,
    pub discovered: String,
    pub title: String,
    pub description: String,
    pub classification: String,
    pub category: String,
    pub immediate_action: String,
}

/// A validated new exception; its number is given by the caller (the next of the
/// year), its due date follows from the classification.
#[derive(Clone, Debug)]
pub struct NewException(ExceptionRaised);

impl NewException {
    pub fn parse(
        number: &str,
        input: &RaiseInput,
        origin: Origin,
        policy: DuePolicy,
    ) -> Result<NewException, DomainError> {
        let mut errors = Errors::default();
        let site = errors.take(Code::parse("site", &input.site));
        let product = if input.product.trim().is_empty() {
            None
        } else {
            errors.take(Code::parse("product", &input.product))
        };
        let occurred = errors.take(day("occurred", &input.occurred));
        let discovered = errors.take(day("discovered", &input.discovered));
        if let (Some(o), Some(d)) = (occurred, discovered)
            && d < o
        {
            errors.push(crate::FieldError::new(
                "discovered",
                format!("{d} is before the day it occurred ({o})"),
            ));
        }
        let title = errors.take(Name::parse("title", &input.title));
        let description = errors.take(Text::parse("description", &input.description));
        let classification = errors.take(Classification::parse(
            "classification",
            &input.classification,
        ));
        let category = errors.take(Category::parse("category", &input.category));
        let immediate_action = if input.immediate_action.trim().is_empty() {
            None
        } else {
            errors.take(Text::parse("immediate_action", &input.immediate_action))
        };
        let mut batches = Vec::new();
        for b in &input.batches {
            let b = b.trim();
            if b.is_empty() {
                continue;
            }
            match b.split_once('/') {
                Some((s, n))
                    if Code::parse("batches", s).is_ok() && Number::parse("batches", n).is_ok() =>
                {
                    batches.push(format!("{}/{}", s.to_uppercase(), n));
                }
                _ => errors.push(crate::FieldError::new(
                    "batches",
                    format!("'{b}' is not a batch as <site>/<batch number>"),
                )),
            }
        }
        batches.sort();
        batches.dedup();
        errors.into_result()?;
        let (
            Some(site),
            Some(occurred),
            Some(discovered),
            Some(title),
            Some(description),
            Some(classification),
            Some(category),
        ) = (
            site,
            occurred,
            discovered,
            title,
            description,
            classification,
            category,
        )
        else {
            return Err(DomainError::field("input", "could not be read"));
        };
        let due_day =
            discovered.first_day() + time::Duration::days(i64::from(policy.days(classification)));
        Ok(NewException(ExceptionRaised {
            number: number.to_owned(),
            site: site.as_str().to_owned(),
            product: product.map(|p| p.as_str().to_owned()),
            batches,
            occurred,
            discovered,
            title: title.as_str().to_owned(),
            description: description.as_str().to_owned(),
            classification,
            category,
            immediate_action: immediate_action.map(|t| t.as_str().to_owned()),
            origin,
            due: PartialDate::from_date(due_day),
        }))
    }

    pub fn site(&self) -> &str {
        &self.0.site
    }

    pub fn batches(&self) -> &[String] {
        &self.0.batches
    }

    pub fn product(&self) -> Option<&str> {
        self.0.product.as_deref()
    }
}

/// A full date (day precision), as exceptions need.
fn day(field: &str, raw: &str) -> Result<PartialDate, crate::FieldError> {
    let date = PartialDate::parse(field, raw)?;
    if date.day().is_none() {
        return Err(crate::FieldError::new(field, "needs the day: YYYY-MM-DD"));
    }
    Ok(date)
}

#[derive(Clone, Debug)]
pub enum ExceptionCommand {
    Raise(Box<NewException>),
    StartInvestigation,
    Assess {
        product_impact: Text,
        root_cause_category: RootCause,
        root_cause: Text,
    },
    SubmitForClosure,
    RequestExtension {
        to: String,
        justification: String,
    },
    Cancel {
        reason: Reason,
    },
}

#[derive(Clone, Debug, Default)]
pub struct ExceptionState {
    pub raised: Option<ExceptionRaised>,
    pub status: Status,
    pub assessment: Option<ExceptionAssessed>,
    pub due: Option<PartialDate>,
    /// An extension waiting for its approval signature.
    pub extension: Option<ExtensionRequested>,
    pub closed_on: Option<PartialDate>,
}

impl ExceptionState {
    fn number(&self) -> &str {
        self.raised.as_ref().map_or("", |r| r.number.as_str())
    }

    fn refuse(&self, what: &str) -> DomainError {
        DomainError::InvalidState(format!(
            "exception {} is {}; it cannot {what}",
            self.number(),
            self.status.as_str().replace('_', " ")
        ))
    }

    /// What an approval or rejection signature does to the exception, decided
    /// before the signature is stored: close it, send it back to the investigation,
    /// or grant or refuse a pending extension.
    pub fn on_signed(
        &self,
        meaning: Meaning,
        today: PartialDate,
    ) -> Result<Vec<Event>, DomainError> {
        match (&self.extension, self.status, meaning) {
            (Some(ext), _, Meaning::Approved) => {
                Ok(vec![Event::ExceptionDueDateExtended(DueDateExtended {
                    from: ext.from,
                    to: ext.to,
                })])
            }
            (Some(_), _, Meaning::Rejected) => Ok(vec![Event::ExceptionExtensionRefused(Empty {})]),
            (None, Status::PendingApproval, Meaning::Approved) => {
                Ok(vec![Event::ExceptionClosed(ExceptionClosed { on: today })])
            }
            (None, Status::PendingApproval, Meaning::Rejected) => {
                Ok(vec![Event::ExceptionReturned(Empty {})])
            }
            _ => Err(DomainError::InvalidState(format!(
                "exception {} is not waiting for an approval (it is {}); there is nothing to sign",
                self.number(),
                self.status.as_str().replace('_', " ")
            ))),
        }
    }
}

impl Aggregate for ExceptionState {
    type Command = ExceptionCommand;

    fn stream_id(number: &str) -> String {
        format!("exception/{number}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::ExceptionRaised(e) => {
                self.due = Some(e.due);
                self.raised = Some(e.clone());
            }
            Event::ExceptionInvestigationStarted(_) | Event::ExceptionReturned(_) => {
                self.status = Status::UnderInvestigation;
            }
            Event::ExceptionAssessed(e) => self.assessment = Some(e.clone()),
            Event::ExceptionSubmitted(_) => self.status = Status::PendingApproval,
            Event::ExceptionClosed(e) => {
                self.status = Status::Closed;
                self.closed_on = Some(e.on);
            }
            Event::ExceptionCancelled(_) => self.status = Status::Cancelled,
            Event::ExceptionExtensionRequested(e) => self.extension = Some(e.clone()),
            Event::ExceptionDueDateExtended(e) => {
                self.due = Some(e.to);
                self.extension = None;
            }
            Event::ExceptionExtensionRefused(_) => self.extension = None,
            _ => {}
        }
    }

    fn decide(&self, command: &ExceptionCommand, ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        use ExceptionCommand as C;
        let Some(raised) = &self.raised else {
            return match command {
                C::Raise(new) => {
                    let today = ctx.now.date();
                    if new.0.discovered > today || new.0.occurred > today {
                        return Err(DomainError::field(
                            if new.0.occurred > today {
                                "occurred"
                            } else {
                                "discovered"
                            },
                            format!("lies in the future (today is {today})"),
                        ));
                    }
                    Ok(vec![Event::ExceptionRaised(new.0.clone())])
                }
                _ => Err(DomainError::NotFound {
                    what: "exception",
                    id: String::new(),
                }),
            };
        };
        match command {
            C::Raise(_) => Err(DomainError::AlreadyExists {
                what: "exception",
                id: raised.number.clone(),
            }),
            C::StartInvestigation if self.status == Status::Open => {
                Ok(vec![Event::ExceptionInvestigationStarted(Empty {})])
            }
            C::StartInvestigation => Err(self.refuse("start an investigation")),
            C::Assess {
                product_impact,
                root_cause_category,
                root_cause,
            } if matches!(self.status, Status::Open | Status::UnderInvestigation) => {
                let assessed = ExceptionAssessed {
                    product_impact: product_impact.as_str().to_owned(),
                    root_cause_category: *root_cause_category,
                    root_cause: root_cause.as_str().to_owned(),
                };
                if self.assessment.as_ref() == Some(&assessed) {
                    return Err(DomainError::InvalidState(
                        "the assessment is unchanged; nothing to record".to_owned(),
                    ));
                }
                let mut events = Vec::new();
                if self.status == Status::Open {
                    events.push(Event::ExceptionInvestigationStarted(Empty {}));
                }
                events.push(Event::ExceptionAssessed(assessed));
                Ok(events)
            }
            C::Assess { .. } => Err(self.refuse("be assessed")),
            C::SubmitForClosure if self.status == Status::UnderInvestigation => {
                if self.assessment.is_none() {
                    return Err(DomainError::InvalidState(format!(
                        "exception {} has no product-impact assessment and root cause yet; record them before submitting it for closure",
                        raised.number
                    )));
                }
                if self.extension.is_some() {
                    return Err(DomainError::InvalidState(format!(
                        "exception {} has an extension waiting for approval; it must be decided first",
                        raised.number
                    )));
                }
                Ok(vec![Event::ExceptionSubmitted(Empty {})])
            }
            C::SubmitForClosure => Err(self.refuse("be submitted for closure")),
            C::RequestExtension { to, justification } => {
                if self.status.is_final() || self.status == Status::PendingApproval {
                    return Err(self.refuse("have its due date extended"));
                }
                if self.extension.is_some() {
                    return Err(DomainError::InvalidState(format!(
                        "exception {} already has an extension waiting for approval",
                        raised.number
                    )));
                }
                let mut errors = Errors::default();
                let to = errors.take(day("due", to));
                let justification = errors.take(Text::parse("justification", justification));
                errors.into_result()?;
                let (Some(to), Some(justification)) = (to, justification) else {
                    return Err(DomainError::field("due", "could not be read"));
                };
                let from = self.due.unwrap_or(raised.due);
                if to <= from {
                    return Err(DomainError::field(
                        "due",
                        format!("must be after the current due date {from}"),
                    ));
                }
                Ok(vec![Event::ExceptionExtensionRequested(
                    ExtensionRequested {
                        from,
                        to,
                        justification: justification.as_str().to_owned(),
                    },
                )])
            }
            C::Cancel { .. } if !self.status.is_final() => {
                Ok(vec![Event::ExceptionCancelled(Empty {})])
            }
            C::Cancel { .. } => Err(self.refuse("be cancelled")),
        }
    }

    fn reason(command: &ExceptionCommand) -> Option<&str> {
        match command {
            ExceptionCommand::Cancel { reason } => Some(reason.as_str()),
            _ => None,
        }
    }
}
