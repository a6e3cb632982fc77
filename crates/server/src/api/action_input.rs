//! What the action API (`actions.rs`) and the action pages (`ui/actions/`) share:
//! the list's query, creating with every bad field named at once, and reading
//! the steps of an action's life from named fields. Both refuse the same input
//! naming the same field.

use utoipa::IntoParams;
use vplant_app::{App, AppError, Request};
use vplant_domain::action::events::ActionKind;
use vplant_domain::action::{ActionCommand, ActionInput, ActionStatus, NewAction};
use vplant_domain::dates::PartialDate;
use vplant_domain::fields::{Errors, Reason, Text};
use vplant_domain::identity::Scope;
use vplant_domain::identity::fields::Username;
use vplant_domain::{DomainError, FieldError};
use vplant_store::queries::actions::{ActionFilter, ActionRow};

use super::exception_input::with_reading_errors;
use super::list_query::{self, ListQuery};

/// Every status, in the order an action passes through them.
pub(crate) const STATUSES: [ActionStatus; 5] = [
    ActionStatus::Open,
    ActionStatus::InProgress,
    ActionStatus::Done,
    ActionStatus::Effective,
    ActionStatus::Cancelled,
];

/// How a status reads.
pub(crate) fn status_label(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "Open",
        ActionStatus::InProgress => "In progress",
        ActionStatus::Done => "Done",
        ActionStatus::Effective => "Effective",
        ActionStatus::Cancelled => "Cancelled",
    }
}

/// The status named `text` as stored (`in_progress`).
pub(crate) fn status(text: &str) -> Option<ActionStatus> {
    STATUSES.into_iter().find(|s| s.as_str() == text)
}

/// Whether an action is past its due date on `today` (`YYYY-MM-DD`) and still to
/// be done.
pub(crate) fn overdue(row: &ActionRow, today: &str) -> bool {
    matches!(
        status(&row.status),
        Some(ActionStatus::Open | ActionStatus::InProgress)
    ) && row.due.as_str() < today
}

/// Which actions to list. Every parameter left out matches everything.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions this person (username) owns.
    owner: Option<String>,
    /// open, in_progress, done, effective or cancelled.
    status: Option<String>,
    /// capa, correction, meeting_action, risk_mitigation, crisis_task, project_task
    /// or other.
    kind: Option<String>,
    /// `true`: only actions still to be done whose due date has passed.
    #[param(value_type = Option<bool>)]
    overdue: Option<String>,
    /// Rows per answer, 1 to 1000 (default 100); a larger number is cut to 1000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

impl ListQuery for ActionQuery {
    type Filter = ActionFilter;

    fn read(mut value: impl FnMut(&str) -> Option<String>) -> ActionQuery {
        ActionQuery {
            owner: value("owner"),
            status: value("status"),
            kind: value("kind"),
            overdue: value("overdue"),
            limit: value("limit"),
        }
    }

    fn filter(self, today: &str, errors: &mut Vec<FieldError>) -> ActionFilter {
        let owner = self.owner.and_then(|text| {
            Username::parse("owner", &text)
                .map(|u| u.as_str().to_owned())
                .map_err(|e| errors.push(e))
                .ok()
        });
        let names = STATUSES.iter().map(|s| s.as_str());
        let status = list_query::status(self.status, names, errors);
        let kind = self.kind.and_then(|text| {
            ActionKind::parse("kind", &text)
                .map(|k| k.as_str().to_owned())
                .map_err(|e| errors.push(e))
                .ok()
        });
        let overdue = list_query::overdue(self.overdue.as_deref(), errors);
        ActionFilter {
            scope: None,
            owner,
            status,
            kind,
            overdue_on: overdue.then(|| today.to_owned()),
            source: None,
            limit: list_query::limit(self.limit.as_deref(), errors),
        }
    }
}

/// Creates the action. The use case checks the site, source and owner before it
/// reads the rest; when it refuses them, the rest is read here too, so that one
/// answer names every bad field.
pub(crate) async fn create(
    app: &App,
    scope: &Scope,
    input: &ActionInput,
    request: &Request,
) -> Result<ActionRow, AppError> {
    let created = app.create_action(scope, input, request).await;
    with_reading_errors(created, || {
        NewAction::parse("AC-0000-0000", input).map(|_| ())
    })
}

fn one(error: FieldError) -> DomainError {
    DomainError::Validation(vec![error])
}

pub(crate) fn evidence(note: &str) -> Result<ActionCommand, DomainError> {
    let note = Text::parse("note", note).map_err(one)?;
    Ok(ActionCommand::AddEvidence { note })
}

/// The result of a CAPA's effectiveness check; `None` when no result was chosen.
pub(crate) fn effectiveness(
    effective: Option<bool>,
    note: &str,
) -> Result<ActionCommand, DomainError> {
    let mut errors = Errors::default();
    if effective.is_none() {
        errors.push(FieldError::new(
            "effective",
            "is required: say whether the CAPA was effective",
        ));
    }
    let note = errors.take(Text::parse("note", note));
    errors.into_result()?;
    match (effective, note) {
        (Some(effective), Some(note)) => Ok(ActionCommand::CheckEffectiveness { effective, note }),
        _ => Err(DomainError::field("effective", "could not be read")),
    }
}

pub(crate) fn reassign(owner: &str, reason: &str) -> Result<ActionCommand, DomainError> {
    let mut errors = Errors::default();
    let owner = errors.take(Username::parse("owner", owner));
    let reason = errors.take(Reason::parse("reason", reason));
    errors.into_result()?;
    match (owner, reason) {
        (Some(owner), Some(reason)) => Ok(ActionCommand::Reassign { owner, reason }),
        _ => Err(DomainError::field("owner", "could not be read")),
    }
}

/// A new due date, with its reason. The domain judges the date; it is read here
/// too only so that a bad date and a missing reason are named together.
pub(crate) fn change_due(due: &str, reason: &str) -> Result<ActionCommand, DomainError> {
    let mut errors = Errors::default();
    match PartialDate::parse("due", due) {
        Ok(date) if date.day().is_none() => {
            errors.push(FieldError::new("due", "needs the day: YYYY-MM-DD"));
        }
        Ok(_) => {}
        Err(e) => errors.push(e),
    }
    let reason = errors.take(Reason::parse("reason", reason));
    errors.into_result()?;
    let reason = reason.ok_or_else(|| DomainError::field("reason", "could not be read"))?;
    Ok(ActionCommand::ChangeDue {
        to: due.to_owned(),
        reason,
    })
}

pub(crate) fn cancel(reason: &str) -> Result<ActionCommand, DomainError> {
    let reason = Reason::parse("reason", reason).map_err(one)?;
    Ok(ActionCommand::Cancel { reason })
}
