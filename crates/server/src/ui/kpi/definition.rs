//! A KPI's definition card (`/kpi/{code}`): every field of the current definition
//! (exactly what is counted, what is left out, which date puts a record into a
//! period, what an empty period shows, the target and thresholds, the control
//! chart), its version and what changed in it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_domain::kpi::definition::{Better, Chart, Definition, Measure};

use super::{DASHBOARD, records_href, thresholds};
use crate::AppState;
use crate::api::kpi_reads::{KpiDefinition, kpi_code, last_month};
use crate::auth::Viewer;
use crate::ui::page::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "kpi/definition.html")]
struct DefinitionPage {
    page: Chrome,
    kpi: KpiDefinition,
    measure: &'static str,
    chart: &'static str,
    thresholds: String,
    records: String,
}

/// How a figure is worked out from its numerator and denominator.
fn measure(m: Measure) -> &'static str {
    match m {
        Measure::Percent => "A percentage: numerator ÷ denominator × 100.",
        Measure::Per100 => "Events per 100 records: numerator ÷ denominator.",
        Measure::MeanDays => "A mean in days: numerator ÷ denominator.",
        Measure::Count => "A count: the numerator alone.",
    }
}

/// How the KPI is watched for drift.
fn chart(c: Chart) -> &'static str {
    match c {
        Chart::P => {
            "p-chart (a rate): a centre line over the periods shown and 3σ control limits for each period's size; the Western Electric rules and Nelson's trend rule flag drift before the target is missed."
        }
        Chart::U => {
            "u-chart (events per batch): a centre line over the periods shown and 3σ control limits for each period's size; the Western Electric rules and Nelson's trend rule flag drift before the target is missed."
        }
        Chart::None => "None: the trend is shown against the target.",
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let kpi = kpi_code(&code).map_err(|_| PageError::NotFound {
        message: format!("There is no KPI '{code}'."),
        back: Some(("KPI dashboard", DASHBOARD)),
    })?;
    let def = Definition::current(kpi);
    let shown = KpiDefinition::from(&def);
    let better = match def.better {
        Better::Higher => "higher",
        Better::Lower => "lower",
    };
    let page = DefinitionPage {
        page: Chrome::new(shown.label.clone(), DASHBOARD)
            .via("KPI dashboard", DASHBOARD)
            .viewer(&viewer),
        measure: measure(def.measure),
        chart: chart(def.chart),
        thresholds: thresholds(better, def.target, def.amber, &shown.unit),
        records: records_href(&shown.code, &last_month(state.app.store.now()), None, None),
        kpi: shown,
    };
    Ok(render(StatusCode::OK, &page))
}
