//! What the KPI API (`kpi.rs`) and the KPI pages (`ui/kpi/`) share: reading the
//! dashboard's and the drill-down's query parameters (so that both refuse the same
//! input naming the same field), a definition as it is shown, the credit of a
//! published data set whose records the figures count, and which recorded figures a
//! viewer may see.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_app::kpi::{DashboardQuery, KpiRecord};
use vplant_app::{App, AppError};
use vplant_domain::FieldError;
use vplant_domain::Timestamp;
use vplant_domain::identity::Scope;
use vplant_domain::kpi::compute::Tally;
use vplant_domain::kpi::definition::{Better, Chart, Definition, KpiCode, Measure};
use vplant_domain::kpi::period::{Granularity, Period, month_index};

use super::batch_reads::code;
use crate::error::ApiError;
use crate::provenance::credit;

/// The most periods a dashboard covers.
pub const MAX_PERIODS: usize = 120;

/// How many periods a dashboard shows when the request does not say: a year of
/// months, two years of quarters, five years.
pub fn default_periods(granularity: Granularity) -> usize {
    match granularity {
        Granularity::Month => 12,
        Granularity::Quarter => 8,
        Granularity::Year => 5,
    }
}

/// The dashboard's parameters as sent (absent or blank: the default).
#[derive(Default)]
pub struct DashboardText<'a> {
    pub granularity: Option<&'a str>,
    pub periods: Option<&'a str>,
    pub end: Option<&'a str>,
    pub site: Option<&'a str>,
    pub product: Option<&'a str>,
}

/// Reads a dashboard request; every refused parameter is added to `errors`. Without
/// an `end` the dashboard ends with the last period that has ended before `now`,
/// since the current one is still filling up (early in a month it is empty).
pub fn dashboard_query(
    text: &DashboardText<'_>,
    now: Timestamp,
    errors: &mut Vec<FieldError>,
) -> DashboardQuery {
    let granularity = match text.granularity {
        None => Granularity::Month,
        Some(g) => Granularity::parse("granularity", g)
            .map_err(|e| errors.push(e))
            .unwrap_or(Granularity::Month),
    };
    let periods = match text.periods {
        None => default_periods(granularity),
        Some(p) => match p.parse::<usize>() {
            Ok(n) if (1..=MAX_PERIODS).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "periods",
                    format!(
                        "'{p}' is not a number of periods; use a whole number from 1 to {MAX_PERIODS}"
                    ),
                ));
                default_periods(granularity)
            }
        },
    };
    let end = match text.end {
        Some(e) => Period::parse("end", e).map_err(|e| errors.push(e)).ok(),
        None => Some(Period::of(month_index(now.date()), granularity).previous()),
    };
    DashboardQuery {
        granularity,
        periods,
        end,
        site: code("site", text.site, errors),
        product: code("product", text.product, errors),
    }
}

/// A KPI named in an address; an unknown one is "not found".
pub fn kpi_code(text: &str) -> Result<KpiCode, ApiError> {
    KpiCode::parse("kpi", text).map_err(|_| ApiError::not_found("KPI", text))
}

/// The period a drill-down shows, and a recording is made for, when none is asked
/// for: last month, the most recent month that has ended (the dashboard's last
/// period by default).
pub fn last_month(now: Timestamp) -> String {
    Period::of(month_index(now.date()), Granularity::Month)
        .previous()
        .to_string()
}

/// A period as the use cases write it (`2026-Q1`), once they have accepted it.
pub fn period_text(text: &str) -> String {
    Period::parse("period", text).map_or_else(|_| text.to_owned(), |p| p.to_string())
}

/// A KPI's definition as the API and the definition page show it: every field, the
/// version, and what changed in it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KpiDefinition {
    pub code: String,
    pub label: String,
    pub version: u32,
    /// What is counted on top.
    pub numerator: String,
    /// What it is divided by (`—` for a count).
    pub denominator: String,
    /// What is included and excluded.
    pub inclusion: String,
    /// Which date puts a record into a period.
    pub attribution: String,
    /// What a period without any record in the denominator shows.
    pub zero_denominator: String,
    /// `percent`, `per100` (events per 100 records), `mean_days` or `count`.
    #[schema(value_type = String)]
    pub measure: Measure,
    /// `%`, `per 100 batches`, `days` or empty for a count.
    pub unit: String,
    /// `higher` or `lower` is better.
    #[schema(value_type = String)]
    pub better: Better,
    /// Green from here (inclusive) in the good direction.
    pub target: f64,
    /// Amber from here (inclusive) up to the target; red beyond.
    pub amber: f64,
    /// Schedule adherence only: days from the planned start that still count as on
    /// schedule (0 for the other KPIs).
    pub window_days: i64,
    /// The control chart it is watched with: `p`, `u` or `none`.
    #[schema(value_type = String)]
    pub chart: Chart,
    /// What changed in this version.
    pub changes: String,
}

impl From<&Definition> for KpiDefinition {
    fn from(d: &Definition) -> KpiDefinition {
        KpiDefinition {
            code: d.code.as_str().to_owned(),
            label: d.code.label().to_owned(),
            version: d.version,
            numerator: d.numerator.to_owned(),
            denominator: d.denominator.to_owned(),
            inclusion: d.inclusion.to_owned(),
            attribution: d.attribution.to_owned(),
            zero_denominator: d.zero_denominator.to_owned(),
            measure: d.measure,
            unit: d.measure.unit().to_owned(),
            better: d.better,
            target: d.target,
            amber: d.amber,
            window_days: d.window_days,
            chart: d.chart,
            changes: d.changes.to_owned(),
        }
    }
}

/// The records behind one figure, and the figure they add up to.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KpiRecords {
    pub kpi: KpiDefinition,
    pub period: String,
    /// The site asked for; absent: every site you may see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The sum of the records' numerators.
    pub numerator: f64,
    /// The sum of the records' denominators.
    pub denominator: f64,
    /// The figure in the KPI's unit; absent when the denominator is zero.
    pub value: Option<f64>,
    /// Every record counted, with what it adds to the numerator and denominator.
    pub records: Vec<KpiRecord>,
    /// The credit the licence of a published data set requires, when records it
    /// counts come from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// The records behind the figure of `code` in `period` (last month when `None`), for what `scope` may see, and the data set's credit when they count
/// its records.
pub async fn records(
    app: &App,
    scope: &Scope,
    code: KpiCode,
    period: Option<&str>,
    site: Option<String>,
    product: Option<String>,
) -> Result<KpiRecords, AppError> {
    let period = period.map_or_else(|| last_month(app.store.now()), str::to_owned);
    let (def, records) = app
        .kpi_records(
            scope,
            code.as_str(),
            &period,
            site.as_deref(),
            product.as_deref(),
        )
        .await?;
    let mut tally = Tally::default();
    for r in &records {
        tally.add(Tally {
            numerator: r.numerator,
            denominator: r.denominator,
        });
    }
    let mut sites: Vec<String> = records
        .iter()
        .filter(|r| r.kind == "batch")
        .filter_map(|r| r.id.split_once('/').map(|(s, _)| s.to_owned()))
        .collect();
    sites.sort();
    sites.dedup();
    let credit = data_set_credit(app, scope, &sites, product.as_deref()).await?;
    Ok(KpiRecords {
        kpi: KpiDefinition::from(&def),
        period: period_text(&period),
        site,
        product,
        numerator: tally.numerator,
        denominator: tally.denominator,
        value: tally.value(def.measure),
        records,
        credit,
    })
}

/// The credit of the published data sets whose records figures over `sites` (of
/// `product`) count.
pub async fn data_set_credit(
    app: &App,
    scope: &Scope,
    sites: &[String],
    product: Option<&str>,
) -> Result<Option<String>, AppError> {
    let keys = app.data_sets_behind(scope, sites, product).await?;
    Ok(credit(keys.iter().map(|k| Some(k.as_str()))))
}

#[cfg(test)]
mod tests {

    use super::*;

    /// 2026-04-15, a day in the middle of a quarter.
    fn april() -> Timestamp {
        Timestamp::from_micros(1_776_211_200 * 1_000_000)
    }

    fn fields(text: &DashboardText<'_>) -> Vec<String> {
        let mut errors = Vec::new();
        dashboard_query(text, april(), &mut errors);
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_dashboard_request_defaults_each_parameter_and_names_each_bad_one() {
        let mut errors = Vec::new();
        let q = dashboard_query(&DashboardText::default(), april(), &mut errors);
        assert!(errors.is_empty());
        assert_eq!((q.granularity, q.periods), (Granularity::Month, 12));
        assert_eq!(q.end.map(|p| p.to_string()).as_deref(), Some("2026-03"));
        let years = DashboardText {
            granularity: Some("year"),
            ..DashboardText::default()
        };
        let q = dashboard_query(&years, april(), &mut errors);
        assert_eq!(q.end.map(|p| p.to_string()).as_deref(), Some("2025"));
        let q = dashboard_query(
            &DashboardText {
                granularity: Some("Quarter"),
                end: Some("2026-q1"),
                site: Some("cmo-a"),
                ..DashboardText::default()
            },
            april(),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(q.periods, 8);
        assert_eq!(q.end.map(|p| p.to_string()).as_deref(), Some("2026-Q1"));
        assert_eq!(q.site.as_deref(), Some("CMO-A"));
        let bad = DashboardText {
            granularity: Some("week"),
            periods: Some("0"),
            end: Some("March"),
            site: Some("no site"),
            product: None,
        };
        assert_eq!(fields(&bad), ["granularity", "periods", "end", "site"]);
        let too_many = DashboardText {
            periods: Some("121"),
            ..DashboardText::default()
        };
        assert_eq!(fields(&too_many), ["periods"]);
    }
}
