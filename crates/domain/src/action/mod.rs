//! Actions (SPEC §2.5): the one tracker for every follow-up — a CAPA from an exception,
//! an action item from a meeting, a risk mitigation, a crisis or project task. Owner,
//! due date, status, source link, evidence; a CAPA also carries an effectiveness check,
//! and an ineffective result reopens it. Stream `action/<number>`.

pub mod events;
pub(crate) mod history;
pub(crate) mod projection;

use events::{
    ActionCompleted, ActionCreated, ActionDueChanged, ActionKind, EffectivenessCheck,
    EffectivenessChecked, EvidenceAdded, OwnerChanged, Source, SourceKind,
};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::dates::PartialDate;
use crate::error::{DomainError, FieldError};
use crate::event::{Empty, Event};
use crate::fields::{Code, Errors, Name, Reason, Text};
use crate::identity::fields::Username;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ActionStatus {
    #[default]
    Open,
    InProgress,
    /// Done; for a CAPA, waiting for its effectiveness check.
    Done,
    /// A CAPA whose effectiveness check found it effective.
    Effective,
    Cancelled,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Effective => "effective",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// The input of a new action, unparsed.
#[derive(Clone, Debug, Default)]
pub struct ActionInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub site: String,
    /// `exception`, `meeting` … with `source_id`; both empty for none.
    pub source_kind: String,
    pub source_id: String,
    /// For a CAPA: the effectiveness criterion and when it is checked.
    pub effectiveness_criterion: String,
    pub effectiveness_due: String,
}

fn day(field: &str, raw: &str) -> Result<PartialDate, FieldError> {
    let date = PartialDate::parse(field, raw)?;
    if date.day().is_none() {
        return Err(FieldError::new(field, "needs the day: YYYY-MM-DD"));
    }
    Ok(date)
}

#[derive(Clone, Debug)]
pub struct NewAction(ActionCreated);

impl NewAction {
    pub fn parse(number: &str, input: &ActionInput) -> Result<NewAction, DomainError> {
        let mut errors = Errors::default();
        let kind = errors.take(ActionKind::parse("kind", &input.kind));
        let title = errors.take(Name::parse("title", &input.title));
        let description = match input.description.trim() {
            "" => None,
            text => errors.take(Text::parse("description", text)),
        };
        let owner = errors.take(Username::parse("owner", &input.owner));
        let due = errors.take(day("due", &input.due));
        let site = match input.site.trim() {
            "" => None,
            text => errors.take(Code::parse("site", text)),
        };
        let source = match (input.source_kind.trim(), input.source_id.trim()) {
            ("", "") => None,
            (_, "") => {
                errors.push(FieldError::new(
                    "source_id",
                    "is required with a source kind",
                ));
                None
            }
            (kind, id) => errors
                .take(SourceKind::parse("source_kind", kind))
                .map(|kind| Source {
                    kind,
                    id: id.to_uppercase(),
                }),
        };
        let capa = kind == Some(ActionKind::Capa);
        let effectiveness = if capa {
            let criterion = errors.take(Text::parse(
                "effectiveness_criterion",
                &input.effectiveness_criterion,
            ));
            let check_due = errors.take(day("effectiveness_due", &input.effectiveness_due));
            if let (Some(d), Some(c)) = (due, check_due)
                && c < d
            {
                errors.push(FieldError::new(
                    "effectiveness_due",
                    format!(
                        "{c} is before the action is due ({d}); effectiveness is checked after"
                    ),
                ));
            }
            criterion.zip(check_due).map(|(c, d)| EffectivenessCheck {
                criterion: c.as_str().to_owned(),
                due: d,
            })
        } else {
            // With an unreadable kind, whether a check belongs is not known yet.
            if kind.is_some() && !input.effectiveness_criterion.trim().is_empty() {
                errors.push(FieldError::new(
                    "effectiveness_criterion",
                    "only a CAPA has an effectiveness check",
                ));
            }
            None
        };
        errors.into_result()?;
        let (Some(kind), Some(title), Some(owner), Some(due)) = (kind, title, owner, due) else {
            return Err(DomainError::field("input", "could not be read"));
        };
        Ok(NewAction(ActionCreated {
            number: number.to_owned(),
            kind,
            title: title.as_str().to_owned(),
            description: description.map(|d| d.as_str().to_owned()),
            owner: owner.as_str().to_owned(),
            due,
            site: site.map(|s| s.as_str().to_owned()),
            source,
            effectiveness,
        }))
    }

    pub fn owner(&self) -> &str {
        &self.0.owner
    }

    pub fn site(&self) -> Option<&str> {
        self.0.site.as_deref()
    }

    pub fn source(&self) -> Option<&Source> {
        self.0.source.as_ref()
    }

    /// Sets the site an action takes from its source (an exception's site).
    pub fn at_site(mut self, site: &str) -> NewAction {
        self.0.site = Some(site.to_owned());
        self
    }
}

#[derive(Clone, Debug)]
pub enum ActionCommand {
    Create(Box<NewAction>),
    Start,
    AddEvidence { note: Text },
    Complete,
    CheckEffectiveness { effective: bool, note: Text },
    Reassign { owner: Username, reason: Reason },
    ChangeDue { to: String, reason: Reason },
    Cancel { reason: Reason },
}

#[derive(Clone, Debug, Default)]
pub struct ActionState {
    pub created: Option<ActionCreated>,
    pub status: ActionStatus,
    pub owner: String,
    pub due: Option<PartialDate>,
    pub evidence: usize,
}

impl ActionState {
    fn number(&self) -> &str {
        self.created.as_ref().map_or("", |c| c.number.as_str())
    }

    fn refuse(&self, what: &str) -> DomainError {
        DomainError::InvalidState(format!(
            "action {} is {}; it cannot {what}",
            self.number(),
            self.status.as_str().replace('_', " ")
        ))
    }
}

impl Aggregate for ActionState {
    type Command = ActionCommand;

    fn stream_id(number: &str) -> String {
        format!("action/{number}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::ActionCreated(e) => {
                self.owner = e.owner.clone();
                self.due = Some(e.due);
                self.created = Some(e.clone());
            }
            Event::ActionStarted(_) => self.status = ActionStatus::InProgress,
            Event::ActionEvidenceAdded(_) => self.evidence += 1,
            Event::ActionCompleted(_) => self.status = ActionStatus::Done,
            Event::ActionEffectivenessChecked(e) => {
                self.status = if e.effective {
                    ActionStatus::Effective
                } else {
                    ActionStatus::Open
                };
            }
            Event::ActionOwnerChanged(e) => self.owner = e.to.clone(),
            Event::ActionDueChanged(e) => self.due = Some(e.to),
            Event::ActionCancelled(_) => self.status = ActionStatus::Cancelled,
            _ => {}
        }
    }

    fn decide(&self, command: &ActionCommand, ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        use ActionCommand as C;
        let today = ctx.now.date();
        let Some(created) = &self.created else {
            return match command {
                C::Create(new) => Ok(vec![Event::ActionCreated(new.0.clone())]),
                _ => Err(DomainError::NotFound {
                    what: "action",
                    id: String::new(),
                }),
            };
        };
        match command {
            C::Create(_) => Err(DomainError::AlreadyExists {
                what: "action",
                id: created.number.clone(),
            }),
            C::Start if self.status == ActionStatus::Open => {
                Ok(vec![Event::ActionStarted(Empty {})])
            }
            C::Start => Err(self.refuse("be started")),
            C::AddEvidence { note } if self.status != ActionStatus::Cancelled => {
                Ok(vec![Event::ActionEvidenceAdded(EvidenceAdded {
                    note: note.as_str().to_owned(),
                })])
            }
            C::AddEvidence { .. } => Err(self.refuse("take evidence")),
            C::Complete if self.status.is_open() => {
                if created.kind == ActionKind::Capa && self.evidence == 0 {
                    return Err(DomainError::InvalidState(format!(
                        "CAPA {} has no evidence; add what shows it was done before completing it",
                        created.number
                    )));
                }
                Ok(vec![Event::ActionCompleted(ActionCompleted { on: today })])
            }
            C::Complete => Err(self.refuse("be completed")),
            C::CheckEffectiveness { effective, note } => {
                if created.effectiveness.is_none() {
                    return Err(DomainError::InvalidState(format!(
                        "action {} is not a CAPA; it has no effectiveness check",
                        created.number
                    )));
                }
                if self.status != ActionStatus::Done {
                    return Err(
                        self.refuse("have its effectiveness checked (it must be done first)")
                    );
                }
                Ok(vec![Event::ActionEffectivenessChecked(
                    EffectivenessChecked {
                        effective: *effective,
                        note: note.as_str().to_owned(),
                        on: today,
                    },
                )])
            }
            C::Reassign { owner, .. } if self.status.is_open() => {
                if owner.as_str() == self.owner {
                    return Err(DomainError::field(
                        "owner",
                        format!("{} owns it already", self.owner),
                    ));
                }
                Ok(vec![Event::ActionOwnerChanged(OwnerChanged {
                    from: self.owner.clone(),
                    to: owner.as_str().to_owned(),
                })])
            }
            C::Reassign { .. } => Err(self.refuse("be reassigned")),
            C::ChangeDue { to, .. } if self.status.is_open() => {
                let to = day("due", to).map_err(|e| DomainError::Validation(vec![e]))?;
                let from = self.due.unwrap_or(created.due);
                if to == from {
                    return Err(DomainError::field("due", format!("is {from} already")));
                }
                Ok(vec![Event::ActionDueChanged(ActionDueChanged { from, to })])
            }
            C::ChangeDue { .. } => Err(self.refuse("have its due date changed")),
            C::Cancel { .. } if self.status.is_open() => Ok(vec![Event::ActionCancelled(Empty {})]),
            C::Cancel { .. } => Err(self.refuse("be cancelled")),
        }
    }

    fn reason(command: &ActionCommand) -> Option<&str> {
        match command {
            ActionCommand::Reassign { reason, .. }
            | ActionCommand::ChangeDue { reason, .. }
            | ActionCommand::Cancel { reason } => Some(reason.as_str()),
            _ => None,
        }
    }
}
