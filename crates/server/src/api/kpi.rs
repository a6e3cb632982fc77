//! `/api/v1/kpi/…`: the KPI dashboard (trends, control charts, the comparison across
//! sites), the definitions, the records behind a figure, and the figures recorded
//! for a period. A viewer held to some sites gets the figures of those sites only:
//! the use cases scope the dashboard and the drill-down, and another site asked for
//! is refused (422 on `site`).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vplant_app::kpi::Dashboard;
use vplant_domain::FieldError;
use vplant_domain::kpi::definition::Definition;
use vplant_store::queries::kpi::KpiResultRow;

use super::audit::QueryParams;
use super::batch_reads::code;
use super::kpi_reads::{
    self, DashboardText, KpiDefinition, KpiRecords, dashboard_query, data_set_credit, kpi_code,
    period_text,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Command;

/// What a dashboard covers. Every parameter left out takes its default.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// `month` (default), `quarter` or `year`.
    granularity: Option<String>,
    /// How many periods the trends cover, 1 to 120 (default: 12 months, 8 quarters
    /// or 5 years).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 120)]
    periods: Option<String>,
    /// The last period shown (`2026-03`, `2026-Q1` or `2026`); the period of the
    /// granularity that holds its end. Default: the last one that has ended.
    end: Option<String>,
    /// Only this site (code): the site's dashboard.
    site: Option<String>,
    /// Only this product (code): the product's dashboard.
    product: Option<String>,
}

/// Which figure to drill into.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsParams {
    /// `2026-03`, `2026-Q1` or `2026` (default: last month).
    period: Option<String>,
    /// Only this site (code).
    site: Option<String>,
    /// Only this product (code).
    product: Option<String>,
}

impl DashboardParams {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> DashboardParams {
        DashboardParams {
            granularity: params.text("granularity", errors),
            periods: params.text("periods", errors),
            end: params.text("end", errors),
            site: params.text("site", errors),
            product: params.text("product", errors),
        }
    }

    fn text(&self) -> DashboardText<'_> {
        DashboardText {
            granularity: self.granularity.as_deref(),
            periods: self.periods.as_deref(),
            end: self.end.as_deref(),
            site: self.site.as_deref(),
            product: self.product.as_deref(),
        }
    }
}

impl RecordsParams {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> RecordsParams {
        RecordsParams {
            period: params.text("period", errors),
            site: params.text("site", errors),
            product: params.text("product", errors),
        }
    }
}

/// The dashboard.
#[derive(Serialize, ToSchema)]
pub struct DashboardBody {
    #[serde(flatten)]
    pub dashboard: Dashboard,
    /// The credit the licence of a published data set requires, when the figures
    /// count records from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// The figures recorded for a period: each recording kept as it was made, with the
/// definition version that produced each figure.
#[derive(Serialize, ToSchema)]
pub struct RecordedResults {
    pub period: String,
    pub results: Vec<KpiResultRow>,
}

/// Recording takes no options; send `{}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {}

/// Every KPI over the periods asked for: a trend per KPI with its control chart and
/// warnings, and the latest period's figure at every site you may see.
#[utoipa::path(get, path = "/api/v1/kpi/dashboard", tag = "kpis", operation_id = "kpi_dashboard", params(DashboardParams),
    responses(
        (status = 200, body = DashboardBody),
        (status = 422, body = ErrorBody, description = "A bad parameter, or a site you may not see; every bad parameter is named"),
    ))]
pub async fn dashboard(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<DashboardBody>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let sent = DashboardParams::read(&params, &mut errors);
    let query = dashboard_query(&sent.text(), s.app.store.now(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let scope = viewer.scope();
    let dashboard = s.app.dashboard(&scope, &query).await?;
    let credit = data_set_credit(
        &s.app,
        &scope,
        &dashboard.comparison.sites,
        query.product.as_deref(),
    )
    .await?;
    Ok(Json(DashboardBody { dashboard, credit }))
}

/// The current definition of every KPI: exactly what is counted, which date puts a
/// record into a period, the target and the red/amber/green thresholds.
#[utoipa::path(get, path = "/api/v1/kpi/definitions", tag = "kpis", operation_id = "kpi_definitions",
    responses((status = 200, body = Vec<KpiDefinition>)))]
pub async fn definitions() -> Json<Vec<KpiDefinition>> {
    Json(Definition::all().iter().map(KpiDefinition::from).collect())
}

/// The records behind one figure, each with what it adds to the numerator and the
/// denominator; their sums are the figure.
#[utoipa::path(get, path = "/api/v1/kpi/{code}/records", tag = "kpis", operation_id = "kpi_records",
    params(("code" = String, Path, description = "The KPI, e.g. `right_first_time`"), RecordsParams),
    responses(
        (status = 200, body = KpiRecords),
        (status = 404, body = ErrorBody, description = "No such KPI"),
        (status = 422, body = ErrorBody, description = "A bad period, or a site you may not see; every bad parameter is named"),
    ))]
pub async fn records(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(kpi): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<KpiRecords>, ApiError> {
    let kpi = kpi_code(&kpi)?;
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let sent = RecordsParams::read(&params, &mut errors);
    let site = code("site", sent.site.as_deref(), &mut errors);
    let product = code("product", sent.product.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let body = kpi_reads::records(
        &s.app,
        &viewer.scope(),
        kpi,
        sent.period.as_deref(),
        site,
        product,
    )
    .await?;
    Ok(Json(body))
}

/// Records the figures of an ended period as they are computed now (the network,
/// every site and every product), each with its definition version. Recording again
/// adds a recording; earlier ones are kept as they were.
#[utoipa::path(post, path = "/api/v1/kpi/results/{period}", tag = "kpis", operation_id = "kpi_record",
    params(("period" = String, Path, description = "`2026-03`, `2026-Q1` or `2026`; it must have ended")),
    request_body = RecordBody,
    responses(
        (status = 200, body = RecordedResults, description = "Every recording of the period, this one included"),
        (status = 422, body = ErrorBody, description = "Not a period, or one that has not ended"),
    ))]
pub async fn record(
    State(s): State<AppState>,
    Path(period): Path<String>,
    cmd: Command<RecordBody>,
) -> Result<Json<RecordedResults>, ApiError> {
    s.app.record_kpi_results(&period, &cmd.request).await?;
    let results = s
        .app
        .recorded_kpi_results(&cmd.viewer.scope(), &period)
        .await?;
    Ok(Json(recorded(&period, results)))
}

/// The figures recorded for a period, every recording, with their definition
/// versions. A viewer held to some sites sees those sites' figures only.
#[utoipa::path(get, path = "/api/v1/kpi/results/{period}", tag = "kpis", operation_id = "kpi_results",
    params(("period" = String, Path, description = "`2026-03`, `2026-Q1` or `2026`")),
    responses(
        (status = 200, body = RecordedResults, description = "Empty when the period was never recorded"),
        (status = 422, body = ErrorBody, description = "Not a period"),
    ))]
pub async fn results(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<Json<RecordedResults>, ApiError> {
    let results = s.app.recorded_kpi_results(&viewer.scope(), &period).await?;
    Ok(Json(recorded(&period, results)))
}

fn recorded(period: &str, results: Vec<KpiResultRow>) -> RecordedResults {
    RecordedResults {
        period: period_text(period),
        results,
    }
}
