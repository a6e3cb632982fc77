//! Actions: creating one (numbered `AC-<year>-NNNN`), the tracker and the record as
//! people read them, the steps of its life, and each person's overdue list. An action
//! that follows up an exception belongs to the exception's site; a site-scoped viewer
//! reaches only actions of their sites.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::action::events::SourceKind;
use vplant_domain::action::{ActionCommand, ActionInput, ActionState, NewAction};
use vplant_domain::identity::Scope;
use vplant_domain::{Aggregate, DomainError, Event, FieldError, Timestamp};
use vplant_store::StoreError;
use vplant_store::queries::actions::{ActionFilter, ActionRow};
use vplant_store::queries::exceptions::{ExceptionFilter, ExceptionRow};

use crate::batches::scope_sites;
use crate::{App, AppError, Request};

/// One piece of evidence: what, who added it, when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Evidence {
    pub note: String,
    pub by: String,
    #[schema(value_type = String)]
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub row: ActionRow,
    pub description: Option<String>,
    pub effectiveness_criterion: Option<String>,
    pub evidence: Vec<Evidence>,
    /// Notes of effectiveness checks so far, oldest first (effective?, note).
    pub checks: Vec<(bool, String)>,
}

/// What is overdue for one person: actions they own, and exceptions past due at the
/// sites they may see.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overdue {
    pub actions: Vec<ActionRow>,
    pub exceptions: Vec<ExceptionRow>,
}

fn not_found(number: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "action",
        id: number.to_uppercase(),
    })
}

fn visible(scope: &Scope, row: &ActionRow) -> bool {
    match (scope, &row.site) {
        (Scope::All, _) => true,
        (Scope::Sites(_), Some(site)) => scope.sees(site),
        (Scope::Sites(_), None) => false,
    }
}

impl App {
    pub async fn create_action(
        &self,
        scope: &Scope,
        input: &ActionInput,
        request: &Request,
    ) -> Result<ActionRow, AppError> {
        let site = self.action_site(scope, input).await?;
        let owner = input.owner.trim().to_lowercase();
        if !owner.is_empty() && self.store.user(&owner).await?.is_none_or(|u| !u.active) {
            return Err(
                DomainError::field("owner", format!("'{owner}' is not an active user")).into(),
            );
        }
        let number = self
            .create_numbered::<ActionState>("AC", request, |number| {
                let mut new = NewAction::parse(number, input)?;
                if let Some(site) = &site {
                    new = new.at_site(site);
                }
                Ok(ActionCommand::Create(Box::new(new)))
            })
            .await?;
        self.store
            .action(&number)
            .await?
            .ok_or_else(|| not_found(&number))
    }

    /// The site an action belongs to: its source exception's, or the one given; a
    /// site-scoped viewer must name (or inherit) one of theirs.
    async fn action_site(
        &self,
        scope: &Scope,
        input: &ActionInput,
    ) -> Result<Option<String>, AppError> {
        let given = input.site.trim().to_uppercase();
        let source_is_exception =
            SourceKind::parse("source_kind", &input.source_kind) == Ok(SourceKind::Exception);
        let inherited = if source_is_exception {
            let id = input.source_id.trim();
            let exception = self
                .store
                .exception(id)
                .await?
                .filter(|e| scope.sees(&e.site));
            match exception {
                Some(e) => Some(e.site),
                None => {
                    return Err(DomainError::field(
                        "source_id",
                        format!("'{id}' is not an exception you may see"),
                    )
                    .into());
                }
            }
        } else {
            None
        };
        match (inherited, given.as_str()) {
            (Some(site), "") => Ok(Some(site)),
            (Some(site), given) if site == given => Ok(Some(site)),
            (Some(site), given) => Err(DomainError::field(
                "site",
                format!("'{given}' is not the site of the exception it follows up ({site})"),
            )
            .into()),
            (None, "") if matches!(scope, Scope::Sites(_)) => {
                Err(DomainError::field("site", "is required: name one of your sites").into())
            }
            (None, "") => Ok(None),
            (None, given) => {
                let known = self.store.site(given).await?.is_some_and(|s| s.active);
                if known && scope.sees(given) {
                    Ok(Some(given.to_owned()))
                } else {
                    Err(DomainError::Validation(vec![FieldError::new(
                        "site",
                        format!("'{given}' is not a registered active site you may see"),
                    )])
                    .into())
                }
            }
        }
    }

    pub async fn actions(
        &self,
        scope: &Scope,
        mut filter: ActionFilter,
    ) -> Result<Vec<ActionRow>, AppError> {
        filter.scope = scope_sites(scope);
        Ok(self.store.actions(filter).await?)
    }

    pub async fn action(&self, scope: &Scope, number: &str) -> Result<ActionView, AppError> {
        let row = self
            .store
            .action(number)
            .await?
            .filter(|a| visible(scope, a))
            .ok_or_else(|| not_found(number))?;
        let mut description = None;
        let mut criterion = None;
        let mut evidence = Vec::new();
        let mut checks = Vec::new();
        for stored in self
            .store
            .stream(&ActionState::stream_id(&row.number))
            .await?
        {
            let event = Event::from_parts(&stored.event_type, &stored.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            match event {
                Event::ActionCreated(e) => {
                    description = e.description;
                    criterion = e.effectiveness.map(|c| c.criterion);
                }
                Event::ActionEvidenceAdded(e) => evidence.push(Evidence {
                    note: e.note,
                    by: stored.actor.clone(),
                    at: Timestamp::from_micros(stored.recorded_at_us),
                }),
                Event::ActionEffectivenessChecked(e) => checks.push((e.effective, e.note)),
                _ => {}
            }
        }
        Ok(ActionView {
            row,
            description,
            effectiveness_criterion: criterion,
            evidence,
            checks,
        })
    }

    pub async fn act_on_action(
        &self,
        scope: &Scope,
        number: &str,
        command: ActionCommand,
        request: &Request,
    ) -> Result<ActionRow, AppError> {
        let row = self
            .store
            .action(number)
            .await?
            .filter(|a| visible(scope, a))
            .ok_or_else(|| not_found(number))?;
        if let ActionCommand::Reassign { owner, .. } = &command
            && self
                .store
                .user(owner.as_str())
                .await?
                .is_none_or(|u| !u.active)
        {
            return Err(DomainError::field(
                "owner",
                format!("'{}' is not an active user", owner.as_str()),
            )
            .into());
        }
        self.execute::<ActionState>(&row.number, command, request)
            .await?;
        self.store
            .action(&row.number)
            .await?
            .ok_or_else(|| not_found(number))
    }

    /// What is overdue today for `username` (who sees `scope`).
    pub async fn overdue_for(&self, scope: &Scope, username: &str) -> Result<Overdue, AppError> {
        let today = self.store.now().date().to_string();
        let actions = self
            .actions(
                scope,
                ActionFilter {
                    owner: Some(username.to_owned()),
                    overdue_on: Some(today.clone()),
                    limit: 500,
                    ..ActionFilter::default()
                },
            )
            .await?;
        let exceptions = self
            .exceptions(
                scope,
                ExceptionFilter {
                    overdue_on: Some(today),
                    limit: 500,
                    ..ExceptionFilter::default()
                },
            )
            .await?;
        Ok(Overdue {
            actions,
            exceptions,
        })
    }
}
