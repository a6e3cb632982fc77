//! The batch pages: the tracker (`list`), one batch (`detail`), lots (`lots`) and
//! the genealogy trace (`trace`) with its drawing (`graph`). Every read goes
//! through the batch use cases, which hold a site-scoped viewer to its own sites;
//! the query strings are read with the API's readers (`api/batch_reads.rs`), so a
//! page refuses what the API refuses, naming the same field.
//!
//! The filters are plain GET forms: a filtered view is an address that can be
//! bookmarked or sent to a colleague, and needs no JavaScript.

mod detail;
mod entry;
mod graph;
mod list;
mod lots;
mod rows;
mod series;
mod trace;

use axum::http::StatusCode;
use vplant_app::AppError;
use vplant_domain::identity::Permission;
use vplant_domain::{DomainError, FieldError};
use vplant_store::queries::batches::Batch;

use super::form::{Failure, FieldSpec, FormView, Values};
use super::page::PageError;
use crate::api::audit::QueryParams;
use crate::api::batch_reads::code;
use crate::auth::access::{Access, Routes};

/// Where the tracker lives; a batch is at `/batches/<site>/<number>`.
pub const BATCHES: &str = "/batches";
/// Where the lot list lives; a lot is at `/lots/<material>/<lot number>`.
pub const LOTS: &str = "/lots";
/// Where the trace page lives.
pub const TRACE: &str = "/trace";

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewBatches);
    let report = Access::Allow(Permission::ReportBatches);
    Routes::new()
        .get(BATCHES, view, list::show)
        .get("/batches/new", report, entry::new)
        .post("/batches/new", report, entry::create)
        .get("/batches/{site}/{number}", view, detail::show)
        .get("/batches/{site}/{number}/report", report, entry::edit)
        .post("/batches/{site}/{number}/report", report, entry::update)
        .get(LOTS, view, lots::list)
        .get("/lots/{material}/{lot}", view, lots::show)
        .get(
            "/lots/{material}/{lot}/sign",
            Access::AnySignature,
            lots::sign_form,
        )
        .post(
            "/lots/{material}/{lot}/sign",
            Access::AnySignature,
            lots::sign,
        )
        .get(TRACE, view, trace::show)
}

/// The page of batch `id` (`<site>/<number>`).
pub fn batch_href(id: &str) -> String {
    format!("{BATCHES}/{id}")
}

/// The page of lot `id` (`<material>/<lot number>`).
pub fn lot_href(id: &str) -> String {
    format!("{LOTS}/{id}")
}

/// The trace page from `node` (`lot` or `batch`, and its id) in `direction`.
pub fn trace_href(node: &str, id: &str, direction: &str) -> String {
    format!("{TRACE}?{node}={id}&direction={direction}")
}

/// A record that does not exist, or lies outside the viewer's sites: the same
/// page for both, so that it tells nothing about other sites.
pub(in crate::ui) fn not_found(
    error: AppError,
    what: &str,
    id: &str,
    back: (&'static str, &'static str),
) -> PageError {
    match error {
        AppError::Domain(DomainError::NotFound { .. }) => PageError::NotFound {
            message: format!("There is no {what} '{id}'."),
            back: Some(back),
        },
        other => PageError::from(other),
    }
}

/// How a batch's source reads, and its badge.
fn source(source: &str) -> (&'static str, &'static str) {
    match source {
        "ebr" => ("eBR", "badge-internal"),
        _ => ("CMO", "badge-cmo"),
    }
}

/// How a QA disposition reads, and its badge; `None` before QA has decided.
fn disposition(disposition: Option<&str>) -> Option<(&'static str, &'static str)> {
    Some(match disposition? {
        "released" => ("Released", "badge-active"),
        "rejected" => ("Rejected", "badge-rejected"),
        "on_hold" => ("On hold", "badge-hold"),
        _ => ("Unknown", "badge-inactive"),
    })
}

/// How a lot status reads, and its badge.
fn lot_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "released" => ("Released", "badge-active"),
        "rejected" => ("Rejected", "badge-rejected"),
        "quarantine" => ("Quarantine", "badge-hold"),
        _ => ("Not reported", "badge-inactive"),
    }
}

/// `1200 tablets`, or empty when not reported.
fn amount(quantity: Option<&str>, unit: Option<&str>) -> String {
    match (quantity, unit) {
        (Some(q), Some(u)) => format!("{q} {u}"),
        (Some(q), None) => q.to_owned(),
        _ => String::new(),
    }
}

/// A batch's production start as the tracker shows it: the actual date, else the
/// planned one marked as planned; empty when neither is known.
fn production_start(batch: &Batch) -> (String, bool) {
    let key = vplant_domain::batch::milestone::Milestone::ProductionStart.as_str();
    match (batch.actual.get(key), batch.planned.get(key)) {
        (Some(actual), _) => (actual.clone(), false),
        (None, Some(planned)) => (planned.clone(), true),
        (None, None) => (String::new(), false),
    }
}

/// A page's query string as sent: the values of its filter form's fields, and the
/// refusals found while reading them (a parameter given twice, a query string that
/// cannot be read). The KPI pages read their filters with it too.
pub(in crate::ui) struct Query {
    params: QueryParams,
    values: Values,
    errors: Vec<FieldError>,
}

impl Query {
    pub(in crate::ui) fn read(raw: Option<&str>, fields: &'static [FieldSpec]) -> Query {
        let (params, mut errors) = match QueryParams::parse(raw) {
            Ok(params) => (params, Vec::new()),
            Err(errors) => (QueryParams::default(), errors),
        };
        let values = fields
            .iter()
            .filter_map(|f| {
                params
                    .text(f.name, &mut errors)
                    .map(|v| (f.name.to_owned(), v))
            })
            .collect();
        Query {
            params,
            values,
            errors,
        }
    }

    /// The value of a form field, `None` when absent or blank.
    pub(in crate::ui) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A code field (site, product, material), upper-cased; a value that is not a
    /// code is refused, naming the field.
    pub(in crate::ui) fn code(&mut self, name: &str) -> Option<String> {
        let text = self.values.get(name).cloned();
        code(name, text.as_deref(), &mut self.errors)
    }

    /// A parameter that is not on the form (the page number).
    pub(in crate::ui) fn extra(&mut self, name: &str) -> Option<String> {
        self.params.text(name, &mut self.errors)
    }

    /// Keeps a refusal to show it.
    pub(in crate::ui) fn refuse(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub(in crate::ui) fn refused(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The form titled `title` with the values as sent and, when refused, each
    /// refusal under its field (a refusal of a parameter not on the form goes into
    /// the form's message).
    pub(in crate::ui) fn form(
        &self,
        id: &'static str,
        action: &str,
        fields: &'static [FieldSpec],
        title: &str,
        submit: &'static str,
    ) -> FormView {
        let form = FormView::new(id, action.to_owned(), fields, &self.values)
            .titled(title, "")
            .submit(submit, "btn-primary");
        if self.errors.is_empty() {
            return form;
        }
        form.failed(&Failure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            fields: self.errors.clone(),
            message: Some(
                "The filter was not applied. Correct what is marked below and apply it again."
                    .to_owned(),
            ),
        })
    }

    /// The status of the page: 422 when the query was refused.
    pub(in crate::ui) fn status(&self) -> StatusCode {
        if self.refused() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}
