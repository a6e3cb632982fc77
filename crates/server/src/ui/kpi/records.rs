//! The records behind a figure (`/kpi/{code}/records?period=…&site=…&product=…`):
//! every batch, exception or action the figure counts, with what each adds to the
//! numerator and the denominator; their sums are the figure. Each record links to
//! its page.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use vplant_app::AppError;
use vplant_domain::DomainError;

use super::{DASHBOARD, PERIOD, PRODUCT, SITE, count, definition_href, figure};
use crate::AppState;
use crate::api::kpi_reads::{self, KpiRecords, kpi_code};
use crate::auth::Viewer;
use crate::ui::batches::Query;
use crate::ui::form::{FieldSpec, FormView};
use crate::ui::page::{Chrome, PageError, render};

static FILTER: [FieldSpec; 3] = [PERIOD, SITE, PRODUCT];

/// One record counted.
pub struct RecordRow {
    /// "Batch", "Exception", "Action".
    pub kind: &'static str,
    pub id: String,
    pub href: String,
    pub numerator: String,
    pub denominator: String,
}

/// The figure and what it is made of.
pub struct Counted {
    pub heading: String,
    pub figure: String,
    pub numerator: String,
    pub denominator: String,
    pub numerator_means: String,
    pub denominator_means: String,
    pub version: u32,
    pub rows: Vec<RecordRow>,
}

#[derive(Template)]
#[template(path = "kpi/records.html")]
struct RecordsPage {
    page: Chrome,
    filter: FormView,
    definition: String,
    /// `None` when the filter was refused.
    counted: Option<Counted>,
    credit: Option<String>,
}

/// A counted record's kind in words, and its page.
fn record_link(kind: &str, id: &str) -> (&'static str, String) {
    match kind {
        "batch" => ("Batch", format!("/batches/{id}")),
        "exception" => ("Exception", format!("/exceptions/{id}")),
        _ => ("Action", format!("/actions/{id}")),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let kpi = kpi_code(&code).map_err(|_| PageError::NotFound {
        message: format!("There is no KPI '{code}'."),
        back: Some(("KPI dashboard", DASHBOARD)),
    })?;
    let mut query = Query::read(raw.as_deref(), &FILTER);
    let site = query.code("site");
    let product = query.code("product");
    let period = query.value("period").map(str::to_owned);
    let action = format!("/kpi/{}/records", kpi.as_str());
    let mut counted = None;
    let mut credit = None;
    if !query.refused() {
        let found = kpi_reads::records(
            &state.app,
            &viewer.scope(),
            kpi,
            period.as_deref(),
            site,
            product,
        )
        .await;
        match found {
            Ok(found) => {
                credit = found.credit.clone();
                counted = Some(summary(found));
            }
            Err(AppError::Domain(DomainError::Validation(fields))) => {
                fields.into_iter().for_each(|e| query.refuse(e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = RecordsPage {
        page: Chrome::new(format!("{}: the records counted", kpi.label()), DASHBOARD)
            .via("KPI dashboard", DASHBOARD)
            .via(kpi.label(), definition_href(kpi.as_str()))
            .viewer(&viewer),
        filter: query.form("records-filter", &action, &FILTER, "Show records", "Show"),
        definition: definition_href(kpi.as_str()),
        counted,
        credit,
    };
    Ok(render(query.status(), &page))
}

fn summary(found: KpiRecords) -> Counted {
    let mut rows: Vec<RecordRow> = found
        .records
        .iter()
        .map(|r| {
            let (kind, href) = record_link(&r.kind, &r.id);
            RecordRow {
                kind,
                id: r.id.clone(),
                href,
                numerator: count(r.numerator),
                denominator: count(r.denominator),
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    let mut whose = Vec::new();
    whose.extend(found.site.as_ref().map(|s| format!("site {s}")));
    whose.extend(found.product.as_ref().map(|p| format!("product {p}")));
    let whose = if whose.is_empty() {
        "every site you may see".to_owned()
    } else {
        whose.join(", ")
    };
    Counted {
        heading: format!("{}, {whose}", found.period),
        figure: figure(found.value, &found.kpi.unit),
        numerator: count(found.numerator),
        denominator: count(found.denominator),
        numerator_means: found.kpi.numerator.clone(),
        denominator_means: found.kpi.denominator.clone(),
        version: found.kpi.version,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_record_links_to_its_page() {
        assert_eq!(record_link("batch", "CMO-A/B1").1, "/batches/CMO-A/B1");
        assert_eq!(record_link("exception", "EX-1").1, "/exceptions/EX-1");
        assert_eq!(record_link("action", "AC-1").1, "/actions/AC-1");
    }
}
