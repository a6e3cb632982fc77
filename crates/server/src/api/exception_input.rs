//! What the exception API (`exceptions.rs`) and the exception pages
//! (`ui/exceptions/`) share: the list's query, raising with every bad field
//! named at once, and reading the investigation's steps from named fields. Both
//! refuse the same input naming the same field.

use utoipa::IntoParams;
use vplant_app::{App, AppError, Request};
use vplant_domain::exception::fields::{Classification, DuePolicy, Origin, RootCause};
use vplant_domain::exception::{ExceptionCommand, NewException, RaiseInput, Status};
use vplant_domain::fields::{Errors, Reason, Text};
use vplant_domain::identity::{Role, Scope};
use vplant_domain::{DomainError, FieldError};
use vplant_store::queries::exceptions::{ExceptionFilter, ExceptionRow};

use super::batch_reads::{code, record_id};
use super::list_query::{self, ListQuery};
use crate::auth::Viewer;

/// Every status, in the order an exception passes through them.
pub(crate) const STATUSES: [Status; 5] = [
    Status::Open,
    Status::UnderInvestigation,
    Status::PendingApproval,
    Status::Closed,
    Status::Cancelled,
];

/// How a status reads.
pub(crate) fn status_label(status: Status) -> &'static str {
    match status {
        Status::Open => "Open",
        Status::UnderInvestigation => "Under investigation",
        Status::PendingApproval => "Pending approval",
        Status::Closed => "Closed",
        Status::Cancelled => "Cancelled",
    }
}

/// The status named `text` as stored (`under_investigation`).
pub(crate) fn status(text: &str) -> Option<Status> {
    STATUSES.into_iter().find(|s| s.as_str() == text)
}

/// Whether an exception is past its due date on `today` (`YYYY-MM-DD`) and still
/// open.
pub(crate) fn overdue(row: &ExceptionRow, today: &str) -> bool {
    status(&row.status).is_some_and(|s| !s.is_final()) && row.due.as_str() < today
}

/// Which exceptions to list. Every parameter left out matches everything.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionQuery {
    /// Only exceptions at this site (code).
    site: Option<String>,
    /// open, under_investigation, pending_approval, closed or cancelled.
    status: Option<String>,
    /// minor, major or critical.
    classification: Option<String>,
    /// `true`: only exceptions still open whose due date has passed.
    #[param(value_type = Option<bool>)]
    overdue: Option<String>,
    /// Only exceptions that concern this batch, `<site>/<batch number>`.
    batch: Option<String>,
    /// Rows per answer, 1 to 1000 (default 100); a larger number is cut to 1000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

impl ListQuery for ExceptionQuery {
    type Filter = ExceptionFilter;

    fn read(mut value: impl FnMut(&str) -> Option<String>) -> ExceptionQuery {
        ExceptionQuery {
            site: value("site"),
            status: value("status"),
            classification: value("classification"),
            overdue: value("overdue"),
            batch: value("batch"),
            limit: value("limit"),
        }
    }

    fn filter(self, today: &str, errors: &mut Vec<FieldError>) -> ExceptionFilter {
        let names = STATUSES.iter().map(|s| s.as_str());
        let status = list_query::status(self.status, names, errors);
        let classification = self.classification.and_then(|text| {
            Classification::parse("classification", &text)
                .map(|c| c.as_str().to_owned())
                .map_err(|e| errors.push(e))
                .ok()
        });
        let batch = self.batch.and_then(|text| {
            record_id("batch", &text, "<site>/<batch number>, e.g. CMO-SI/7")
                .map_err(|e| errors.push(e))
                .ok()
        });
        let overdue = list_query::overdue(self.overdue.as_deref(), errors);
        ExceptionFilter {
            scope: None,
            site: code("site", self.site.as_deref(), errors),
            status,
            classification,
            overdue_on: overdue.then(|| today.to_owned()),
            batch,
            limit: list_query::limit(self.limit.as_deref(), errors),
        }
    }
}

/// Where an exception raised by `viewer` comes from: a CMO partner reports it; the
/// Virtual Plant Team raises everything else (exceptions raised on the spot during
/// execution come from the eBR, not from here).
pub(crate) fn origin(viewer: &Viewer) -> Origin {
    if viewer.principal.roles.contains(&Role::CmoPartner) {
        Origin::CmoReport
    } else {
        Origin::Vpt
    }
}

/// Raises the exception. The use case checks the site, product and batches it
/// refers to before it reads the rest; when it refuses them, the rest is read here
/// too, so that one answer names every bad field.
pub(crate) async fn raise(
    app: &App,
    scope: &Scope,
    input: &RaiseInput,
    origin: Origin,
    request: &Request,
) -> Result<ExceptionRow, AppError> {
    let raised = app
        .raise_exception(scope, input, origin.clone(), request)
        .await;
    with_reading_errors(raised, || {
        NewException::parse("EX-0000-0000", input, origin, DuePolicy::default()).map(|_| ())
    })
}

/// Adds what `reading` refuses to a refusal of references, each field once.
pub(crate) fn with_reading_errors<T>(
    result: Result<T, AppError>,
    reading: impl FnOnce() -> Result<(), DomainError>,
) -> Result<T, AppError> {
    match result {
        Err(AppError::Domain(DomainError::Validation(mut fields))) => {
            if let Err(DomainError::Validation(more)) = reading() {
                for error in more {
                    if !fields.iter().any(|f| f.field == error.field) {
                        fields.push(error);
                    }
                }
            }
            Err(DomainError::Validation(fields).into())
        }
        other => other,
    }
}

/// The batches a form lists, one per line or separated by commas.
pub(crate) fn batch_lines(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The assessment: product impact, root-cause category and root cause.
pub(crate) fn assess(
    product_impact: &str,
    root_cause_category: &str,
    root_cause: &str,
) -> Result<ExceptionCommand, DomainError> {
    let mut errors = Errors::default();
    let impact = errors.take(Text::parse("product_impact", product_impact));
    let category = errors.take(RootCause::parse("root_cause_category", root_cause_category));
    let cause = errors.take(Text::parse("root_cause", root_cause));
    errors.into_result()?;
    match (impact, category, cause) {
        (Some(product_impact), Some(root_cause_category), Some(root_cause)) => {
            Ok(ExceptionCommand::Assess {
                product_impact,
                root_cause_category,
                root_cause,
            })
        }
        _ => Err(DomainError::field("product_impact", "could not be read")),
    }
}

/// Cancelling, with its reason.
pub(crate) fn cancel(reason: &str) -> Result<ExceptionCommand, DomainError> {
    let reason = Reason::parse("reason", reason).map_err(|e| DomainError::Validation(vec![e]))?;
    Ok(ExceptionCommand::Cancel { reason })
}
