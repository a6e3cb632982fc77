//! Recorded figures (`/kpi/results?period=…`): the figures of a period as they were
//! recorded, every recording with the definition version that produced each figure,
//! and for the people who may record them the form that records a period's figures
//! now (`POST /kpi/results`). A viewer held to some sites sees those sites' figures.

use askama::Template;
use axum::Form;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use vplant_app::AppError;
use vplant_domain::DomainError;
use vplant_domain::identity::Permission;
use vplant_domain::kpi::definition::{Definition, KpiCode};
use vplant_store::queries::kpi::KpiResultRow;

use super::{DASHBOARD, PERIOD, RESULTS, count, definition_href, figure};
use crate::AppState;
use crate::api::kpi_reads::{last_month, period_text};
use crate::auth::Viewer;
use crate::ui::batches::Query;
use crate::ui::form::{Failure, FieldSpec, FormView, Input, Values, value};
use crate::ui::page::{Chrome, PageError, Tone, render};

static FILTER: [FieldSpec; 1] = [PERIOD];

static RECORD: [FieldSpec; 1] = [FieldSpec {
    name: "period",
    label: "Period",
    hint: "A month, quarter or year that has ended: 2026-03, 2026-Q1 or 2026.",
    input: Input::Text {
        max: 7,
        upper: true,
    },
}];

/// One recorded figure.
pub struct ResultRow {
    pub label: String,
    pub definition: String,
    pub version: u64,
    pub scope: String,
    pub numerator: String,
    pub denominator: String,
    pub figure: String,
    /// The value exactly as recorded.
    pub exact: String,
}

/// One recording of the period.
pub struct Recording {
    pub number: u64,
    pub rows: Vec<ResultRow>,
}

#[derive(Template)]
#[template(path = "kpi/results.html")]
struct ResultsPage {
    page: Chrome,
    filter: FormView,
    /// The period listed; `None` when the filter was refused.
    period: Option<String>,
    /// Newest first.
    recordings: Vec<Recording>,
    /// The form that records a period, for those who may.
    record: Option<FormView>,
}

/// "Network", "Site CMO-A", "Product PRD-1".
fn scope_text(scope: &str) -> String {
    match scope.split_once(':') {
        Some(("site", code)) => format!("Site {code}"),
        Some(("product", code)) => format!("Product {code}"),
        _ => "Network".to_owned(),
    }
}

fn row(r: &KpiResultRow) -> ResultRow {
    let def = KpiCode::parse("kpi", &r.code).ok().map(Definition::current);
    let unit = def.as_ref().map_or("", |d| d.measure.unit());
    let number = |text: &str| text.parse::<f64>().map_or_else(|_| text.to_owned(), count);
    ResultRow {
        label: def
            .as_ref()
            .map_or_else(|| r.code.clone(), |d| d.code.label().to_owned()),
        definition: definition_href(&r.code),
        version: r.version,
        scope: scope_text(&r.scope),
        numerator: number(&r.numerator),
        denominator: number(&r.denominator),
        figure: figure(r.value.as_deref().and_then(|v| v.parse().ok()), unit),
        exact: r.value.clone().unwrap_or_default(),
    }
}

/// Where a recorded figure stands: KPIs in the dashboard's order, then the
/// network, each site and each product.
fn order(r: &KpiResultRow) -> (usize, u8, &str) {
    let kpi = KpiCode::ALL
        .iter()
        .position(|c| c.as_str() == r.code)
        .unwrap_or(KpiCode::ALL.len());
    let kind = match r.scope.split_once(':') {
        None => 0,
        Some(("site", _)) => 1,
        Some(_) => 2,
    };
    (kpi, kind, r.scope.as_str())
}

/// The recorded figures, by recording, newest first.
fn recordings(rows: &[KpiResultRow]) -> Vec<Recording> {
    let mut rows: Vec<&KpiResultRow> = rows.iter().collect();
    rows.sort_by(|a, b| order(a).cmp(&order(b)));
    let mut out: Vec<Recording> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|g| g.number == r.recording) {
            Some(group) => group.rows.push(row(r)),
            None => out.push(Recording {
                number: r.recording,
                rows: vec![row(r)],
            }),
        }
    }
    out.sort_by_key(|g| std::cmp::Reverse(g.number));
    out
}

fn record_form(values: &Values) -> FormView {
    FormView::new("record-kpis", RESULTS.to_owned(), &RECORD, values)
        .titled(
            "Record figures for a period",
            "Stores every KPI's figure for the period as it is computed now (the network, every site and every product), with the definition version of each. Recording a period again adds a recording; earlier ones are kept as they were.",
        )
        .submit("Record figures", "btn-primary")
}

fn chrome(viewer: &Viewer) -> Chrome {
    Chrome::new("Recorded KPI figures", DASHBOARD)
        .via("KPI dashboard", DASHBOARD)
        .viewer(viewer)
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut query = Query::read(raw.as_deref(), &FILTER);
    let done = query.extra("done");
    let asked = query
        .value("period")
        .map_or_else(|| last_month(state.app.store.now()), str::to_owned);
    let mut page = chrome(&viewer);
    let mut period = None;
    let mut rows = Vec::new();
    if !query.refused() {
        match state
            .app
            .recorded_kpi_results(&viewer.scope(), &asked)
            .await
        {
            Ok(found) => {
                let shown = period_text(&asked);
                if done.as_deref() == Some("recorded") {
                    page = page.alert(
                        Tone::Success,
                        format!("The figures of {shown} were recorded."),
                    );
                }
                period = Some(shown);
                rows = found;
            }
            Err(AppError::Domain(DomainError::Validation(fields))) => {
                fields.into_iter().for_each(|e| query.refuse(e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut defaults = Values::new();
    defaults.insert("period".to_owned(), last_month(state.app.store.now()));
    let body = ResultsPage {
        page,
        filter: query.form("results-filter", RESULTS, &FILTER, "Show a period", "Show"),
        period,
        recordings: recordings(&rows),
        record: viewer
            .can(Permission::RecordKpis)
            .then(|| record_form(&defaults)),
    };
    Ok(render(query.status(), &body))
}

pub(super) async fn record(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Result<Response, PageError> {
    let period = value(&values, "period").trim().to_owned();
    let outcome = if period.is_empty() {
        Err(AppError::Domain(DomainError::field(
            "period",
            "is required",
        )))
    } else {
        state
            .app
            .record_kpi_results(&period, &viewer.request())
            .await
    };
    match outcome {
        Ok(_) => {
            let query = serde_urlencoded::to_string([
                ("period", period_text(&period)),
                ("done", "recorded".to_owned()),
            ])
            .unwrap_or_default();
            Ok(Redirect::to(&format!("{RESULTS}?{query}")).into_response())
        }
        Err(error) => {
            let failure = Failure::from_app(error, "period", &period)?;
            let body = ResultsPage {
                page: chrome(&viewer),
                filter: Query::read(None, &FILTER).form(
                    "results-filter",
                    RESULTS,
                    &FILTER,
                    "Show a period",
                    "Show",
                ),
                period: None,
                recordings: Vec::new(),
                record: Some(record_form(&values).failed(&failure)),
            };
            Ok(render(failure.status, &body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_are_grouped_newest_first_and_read_in_words() {
        let result = |recording: u64, scope: &str| KpiResultRow {
            period: "2026-03".into(),
            code: "right_first_time".into(),
            version: 1,
            scope: scope.into(),
            numerator: "2".into(),
            denominator: "3".into(),
            value: Some("66.66666666666667".into()),
            recording,
        };
        let groups = recordings(&[
            result(1, "site:CMO-A"),
            result(2, "network"),
            result(1, "network"),
        ]);
        assert_eq!(groups.iter().map(|g| g.number).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(groups[1].rows.len(), 2);
        let site = &groups[1].rows[1];
        assert_eq!(
            (
                site.scope.as_str(),
                site.figure.as_str(),
                site.label.as_str()
            ),
            ("Site CMO-A", "66.7 %", "Right first time")
        );
        assert_eq!(site.exact, "66.66666666666667");
    }
}
