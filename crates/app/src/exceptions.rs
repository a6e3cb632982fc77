//! Exceptions (deviations): raising one (with the next number of its year), the list
//! and the record as people read them, the investigation's steps, and recurrence —
//! the same root-cause category at the same site within [`RECURRENCE_MONTHS`]. Every
//! read and change takes the viewer's scope; another site's exception is "not found".

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::exception::events::{ExceptionAssessed, ExceptionRaised, ExtensionRequested};
use vplant_domain::exception::fields::{DuePolicy, Origin};
use vplant_domain::exception::{ExceptionCommand, ExceptionState, NewException, RaiseInput};
use vplant_domain::identity::Scope;
use vplant_domain::{Aggregate, DomainError, FieldError};
use vplant_store::queries::exceptions::{ExceptionFilter, ExceptionRow};

use crate::batches::scope_sites;
use crate::{App, AppError, Request};

/// Months back (and forward) within which the same root-cause category at the same
/// site makes an exception a recurrence.
pub const RECURRENCE_MONTHS: i64 = 12;

/// An exception as its page shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub row: ExceptionRow,
    pub description: String,
    pub immediate_action: Option<String>,
    pub batches: Vec<String>,
    pub product_impact: Option<String>,
    pub root_cause: Option<String>,
    /// The requested new due date and why, while its approval is pending.
    pub extension_requested_to: Option<String>,
    pub extension_justification: Option<String>,
    /// Other exceptions at the site with the same root-cause category within
    /// [`RECURRENCE_MONTHS`]; not empty means this one is a recurrence.
    pub recurrences: Vec<String>,
}

fn not_found(number: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: "exception",
        id: number.to_uppercase(),
    })
}

impl App {
    /// Raises an exception at a site the viewer may see; its number is the next of
    /// the year (`EX-2026-0042`), taken in the same commit.
    pub async fn raise_exception(
        &self,
        scope: &Scope,
        input: &RaiseInput,
        origin: Origin,
        request: &Request,
    ) -> Result<ExceptionRow, AppError> {
        self.check_references(scope, input).await?;
        let number = self
            .create_numbered::<ExceptionState>("EX", request, |number| {
                let new = NewException::parse(number, input, origin.clone(), DuePolicy::default())?;
                Ok(ExceptionCommand::Raise(Box::new(new)))
            })
            .await?;
        self.store
            .exception(&number)
            .await?
            .ok_or_else(|| not_found(&number))
    }

    /// The site must be one the viewer may see, and registered; the product
    /// registered; each batch recorded at that site.
    async fn check_references(&self, scope: &Scope, input: &RaiseInput) -> Result<(), AppError> {
        let mut errors = Vec::new();
        let site = input.site.trim().to_uppercase();
        let known_site = self.store.site(&site).await?.filter(|s| s.active);
        if !site.is_empty() && (known_site.is_none() || !scope.sees(&site)) {
            errors.push(FieldError::new(
                "site",
                format!("'{site}' is not a registered active site you may see"),
            ));
        }
        let product = input.product.trim().to_uppercase();
        if !product.is_empty() && self.store.product(&product).await?.is_none() {
            errors.push(FieldError::new(
                "product",
                format!("'{product}' is not a registered product"),
            ));
        }
        for batch in input
            .batches
            .iter()
            .map(|b| b.trim())
            .filter(|b| !b.is_empty())
        {
            let (batch_site, _) = batch.split_once('/').unwrap_or((batch, ""));
            let found = self.store.batch(batch).await?;
            if !batch_site.eq_ignore_ascii_case(&site) || found.is_none() {
                errors.push(FieldError::new(
                    "batches",
                    format!("'{batch}' is not a batch recorded at site {site}"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(errors).into())
        }
    }

    pub async fn exceptions(
        &self,
        scope: &Scope,
        mut filter: ExceptionFilter,
    ) -> Result<Vec<ExceptionRow>, AppError> {
        filter.scope = scope_sites(scope);
        Ok(self.store.exceptions(filter).await?)
    }

    /// How many exceptions the scope sees are still open (not closed or cancelled).
    pub async fn open_exception_count(&self, scope: &Scope) -> Result<u64, AppError> {
        Ok(self.store.open_exception_count(scope_sites(scope)).await?)
    }

    /// The exception with what the list does not hold, and its recurrences.
    pub async fn exception(&self, scope: &Scope, number: &str) -> Result<ExceptionView, AppError> {
        let row = self
            .store
            .exception(number)
            .await?
            .filter(|e| scope.sees(&e.site))
            .ok_or_else(|| not_found(number))?;
        let (state, _) = self
            .load::<ExceptionState>(&ExceptionState::stream_id(&row.number))
            .await?;
        let Some(ExceptionRaised {
            description,
            immediate_action,
            batches,
            discovered,
            ..
        }) = state.raised.clone()
        else {
            return Err(not_found(number));
        };
        let recurrences = match &state.assessment {
            Some(ExceptionAssessed {
                root_cause_category,
                ..
            }) => {
                let day = discovered.first_day();
                let window = time::Duration::days(RECURRENCE_MONTHS * 365 / 12);
                self.store
                    .recurrences(
                        &row.number,
                        &row.site,
                        root_cause_category.as_str(),
                        &(day - window).to_string(),
                        &(day + window).to_string(),
                    )
                    .await?
            }
            None => Vec::new(),
        };
        let (extension_requested_to, extension_justification) = match &state.extension {
            Some(ExtensionRequested {
                to, justification, ..
            }) => (Some(to.to_string()), Some(justification.clone())),
            None => (None, None),
        };
        Ok(ExceptionView {
            row,
            description,
            immediate_action,
            batches,
            product_impact: state.assessment.as_ref().map(|a| a.product_impact.clone()),
            root_cause: state.assessment.as_ref().map(|a| a.root_cause.clone()),
            extension_requested_to,
            extension_justification,
            recurrences,
        })
    }

    /// One step of the investigation (start, assess, submit, request an extension,
    /// cancel) on an exception the viewer may see.
    pub async fn act_on_exception(
        &self,
        scope: &Scope,
        number: &str,
        command: ExceptionCommand,
        request: &Request,
    ) -> Result<ExceptionRow, AppError> {
        let row = self
            .store
            .exception(number)
            .await?
            .filter(|e| scope.sees(&e.site))
            .ok_or_else(|| not_found(number))?;
        self.execute::<ExceptionState>(&row.number, command, request)
            .await?;
        self.store
            .exception(&row.number)
            .await?
            .ok_or_else(|| not_found(number))
    }
}
