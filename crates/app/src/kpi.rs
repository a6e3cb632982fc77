//! KPI use cases: the dashboard (every KPI as a trend with its control chart and a
//! comparison across sites), the records behind a figure, and recording a period's
//! figures. The records the formulas read come from `kpi_facts.rs`.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::identity::Scope;
use vplant_domain::kpi::compute::{Filter, GroupBy, RecordKind, drill, over, tally};
use vplant_domain::kpi::definition::{Better, Chart, Definition, KpiCode};
use vplant_domain::kpi::facts::Facts;
use vplant_domain::kpi::period::{Granularity, Period, month_index};
use vplant_domain::kpi::recorded::{KpiPeriodState, KpiResult, KpiResultsRecorded, RecordResults};
use vplant_domain::kpi::spc::{ControlPoint, Side, control};
use vplant_domain::{DomainError, FieldError};
use vplant_store::queries::kpi::KpiResultRow;

use crate::{App, AppError, Request};

/// What a dashboard shows.
#[derive(Clone, Debug)]
pub struct DashboardQuery {
    pub granularity: Granularity,
    /// How many periods the trends cover (at most 120).
    pub periods: usize,
    /// The last period shown; the current one when `None`.
    pub end: Option<Period>,
    pub site: Option<String>,
    pub product: Option<String>,
}

impl Default for DashboardQuery {
    fn default() -> DashboardQuery {
        DashboardQuery {
            granularity: Granularity::Month,
            periods: 12,
            end: None,
            site: None,
            product: None,
        }
    }
}

/// One KPI on the dashboard.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Tile {
    pub code: String,
    pub label: String,
    pub version: u32,
    /// `%`, `per 100 batches`, `days` or empty for a count.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    pub target: f64,
    pub amber: f64,
    /// One per period, oldest first; `None` where the denominator was zero.
    pub values: Vec<Option<f64>>,
    pub numerators: Vec<f64>,
    pub denominators: Vec<f64>,
    /// The last period's figure and colour.
    pub current: Option<f64>,
    pub rag: Option<String>,
    /// The control chart (rates as fractions, events per batch), when the KPI has one.
    #[schema(value_type = Vec<Object>)]
    pub control: Vec<ControlPoint>,
    /// Control-chart signals on the bad side in the last three periods, in words.
    pub warnings: Vec<String>,
}

/// Every KPI at every site, for the CMO comparison: the latest period's figure and
/// colour, and the trend over all periods.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Comparison {
    pub sites: Vec<String>,
    /// Per KPI (in tile order), per site (in `sites` order).
    pub values: Vec<Vec<Option<f64>>>,
    pub rags: Vec<Vec<Option<String>>>,
    /// Per KPI, per site, per period (in `Dashboard::periods` order).
    pub trends: Vec<Vec<Vec<Option<f64>>>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub periods: Vec<String>,
    pub tiles: Vec<Tile>,
    pub comparison: Comparison,
}

/// One record behind a figure.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KpiRecord {
    /// `batch`, `exception` or `action`.
    pub kind: String,
    pub id: String,
    pub numerator: f64,
    pub denominator: f64,
}

fn field(name: &str, reason: String) -> AppError {
    DomainError::Validation(vec![FieldError::new(name, reason)]).into()
}

impl App {
    /// The site filter for a viewer, and a site or product asked for.
    fn kpi_filter(
        facts: &Facts,
        scope: &Scope,
        site: Option<&str>,
        product: Option<&str>,
    ) -> Result<Filter, AppError> {
        let index = |list: &[String], code: &str| {
            list.iter()
                .position(|c| c.eq_ignore_ascii_case(code))
                .and_then(|i| u32::try_from(i).ok())
        };
        let sites = match scope {
            Scope::All => None,
            Scope::Sites(allowed) => Some(
                allowed
                    .iter()
                    .filter_map(|s| index(&facts.sites, s))
                    .collect(),
            ),
        };
        let site = match site {
            Some(code) if !scope.sees(code) => {
                return Err(field("site", format!("'{code}' is not a site you may see")));
            }
            // A site without batches, exceptions or actions has no figures yet: a
            // filter that matches nothing.
            Some(code) => Some(index(&facts.sites, code).unwrap_or(u32::MAX)),
            None => None,
        };
        let product = product.map(|code| index(&facts.products, code).unwrap_or(u32::MAX));
        Ok(Filter {
            sites,
            site,
            product,
        })
    }

    /// Every KPI over the periods asked for, for what the viewer may see.
    pub async fn dashboard(
        &self,
        scope: &Scope,
        query: &DashboardQuery,
    ) -> Result<Dashboard, AppError> {
        if !(1..=120).contains(&query.periods) {
            return Err(field("periods", "must be 1 to 120".to_owned()));
        }
        let facts = self.kpi_facts().await?;
        let filter = Self::kpi_filter(
            &facts,
            scope,
            query.site.as_deref(),
            query.product.as_deref(),
        )?;
        let end = query
            .end
            .unwrap_or_else(|| Period::of(month_index(self.store.now().date()), query.granularity));
        let end = Period::of(end.last(), query.granularity);
        let periods = Period::ending(end.last(), query.granularity, query.periods);
        let (from, to) = (periods[0].first, end.last());
        let site_order: Vec<usize> = {
            let mut order: Vec<usize> = (0..facts.sites.len())
                .filter(|i| {
                    u32::try_from(*i).is_ok_and(|s| {
                        filter.sites.as_ref().is_none_or(|a| a.contains(&s))
                            && filter.site.is_none_or(|f| f == s)
                    })
                })
                .collect();
            order.sort_by(|a, b| facts.sites[*a].cmp(&facts.sites[*b]));
            order
        };
        let mut tiles = Vec::new();
        let mut comparison = Comparison {
            sites: site_order.iter().map(|i| facts.sites[*i].clone()).collect(),
            values: Vec::new(),
            rags: Vec::new(),
            trends: Vec::new(),
        };
        for def in Definition::all() {
            let network = tally(&def, &facts, GroupBy::Network, &filter, from, to);
            let by_site = tally(&def, &facts, GroupBy::Site, &filter, from, to);
            let tallies: Vec<_> = periods.iter().map(|p| over(&network, 0, *p)).collect();
            let values: Vec<Option<f64>> = tallies.iter().map(|t| t.value(def.measure)).collect();
            let current = values.last().copied().flatten();
            let chart = match def.chart {
                Chart::None => Vec::new(),
                chart => control(chart, &tallies, if chart == Chart::U { 100.0 } else { 1.0 }),
            };
            let bad = match def.better {
                Better::Higher => Side::Down,
                Better::Lower => Side::Up,
            };
            let mut warnings = Vec::new();
            for (i, point) in chart.iter().enumerate().skip(chart.len().saturating_sub(3)) {
                for s in point.signals.iter().filter(|s| s.side == bad) {
                    warnings.push(format!("{}: {}", periods[i], s.rule.describe()));
                }
            }
            let site_values: Vec<Option<f64>> = site_order
                .iter()
                .map(|i| {
                    u32::try_from(*i)
                        .ok()
                        .and_then(|s| over(&by_site, s, end).value(def.measure))
                })
                .collect();
            comparison.rags.push(
                site_values
                    .iter()
                    .map(|v| v.map(|v| def.rag(v).as_str().to_owned()))
                    .collect(),
            );
            comparison.values.push(site_values);
            tiles.push(Tile {
                code: def.code.as_str().to_owned(),
                label: def.code.label().to_owned(),
                version: def.version,
                unit: def.measure.unit().to_owned(),
                better: match def.better {
                    Better::Higher => "higher",
                    Better::Lower => "lower",
                }
                .to_owned(),
                target: def.target,
                amber: def.amber,
                numerators: tallies.iter().map(|t| t.numerator).collect(),
                denominators: tallies.iter().map(|t| t.denominator).collect(),
                values,
                current,
                rag: current.map(|v| def.rag(v).as_str().to_owned()),
                control: chart,
                warnings,
            });
        }
        Ok(Dashboard {
            periods: periods.iter().map(ToString::to_string).collect(),
            tiles,
            comparison,
        })
    }

    /// The records behind one figure: what each adds to numerator and denominator.
    pub async fn kpi_records(
        &self,
        scope: &Scope,
        code: &str,
        period: &str,
        site: Option<&str>,
        product: Option<&str>,
    ) -> Result<(Definition, Vec<KpiRecord>), AppError> {
        let code = KpiCode::parse("kpi", code).map_err(|e| DomainError::Validation(vec![e]))?;
        let period =
            Period::parse("period", period).map_err(|e| DomainError::Validation(vec![e]))?;
        let facts = self.kpi_facts().await?;
        let filter = Self::kpi_filter(&facts, scope, site, product)?;
        let def = Definition::current(code);
        let records = drill(&def, &facts, &filter, period)
            .into_iter()
            .map(|c| KpiRecord {
                kind: match c.kind {
                    RecordKind::Batch => "batch",
                    RecordKind::Exception => "exception",
                    RecordKind::Action => "action",
                }
                .to_owned(),
                id: c.record.to_owned(),
                numerator: c.numerator,
                denominator: c.denominator,
            })
            .collect();
        Ok((def, records))
    }

    /// Records the figures of a period (network, every site, every product) as they
    /// are computed now, with their definition versions.
    pub async fn record_kpi_results(
        &self,
        period: &str,
        request: &Request,
    ) -> Result<Vec<KpiResultRow>, AppError> {
        let period =
            Period::parse("period", period).map_err(|e| DomainError::Validation(vec![e]))?;
        let today = month_index(self.store.now().date());
        if period.last() >= today {
            return Err(field(
                "period",
                format!("{period} has not ended; record a period once it is over"),
            ));
        }
        let facts = self.kpi_facts().await?;
        let all = Filter::default();
        let mut results = Vec::new();
        let text = |v: f64| format!("{v}");
        for def in Definition::all() {
            for (group, label, names) in [
                (GroupBy::Network, "network", None),
                (GroupBy::Site, "site", Some(&facts.sites)),
                (GroupBy::Product, "product", Some(&facts.products)),
            ] {
                let grid = tally(&def, &facts, group, &all, period.first, period.last());
                for g in 0..grid.groups {
                    let Ok(gi) = u32::try_from(g) else { continue };
                    let t = over(&grid, gi, period);
                    if t.numerator == 0.0 && t.denominator == 0.0 && group != GroupBy::Network {
                        continue;
                    }
                    results.push(KpiResult {
                        code: def.code.as_str().to_owned(),
                        version: def.version,
                        scope: match names {
                            None => label.to_owned(),
                            Some(names) => format!("{label}:{}", names[g]),
                        },
                        numerator: text(t.numerator),
                        denominator: text(t.denominator),
                        value: t.value(def.measure).map(text),
                    });
                }
            }
        }
        let key = period.to_string();
        self.execute::<KpiPeriodState>(
            &key,
            RecordResults(KpiResultsRecorded {
                period: key.clone(),
                results,
            }),
            request,
        )
        .await?;
        Ok(self.store.kpi_results(&key).await?)
    }

    /// The recorded figures of a period `scope` may see. A recording holds the
    /// network's figure, every site's and every product's; network and product
    /// figures count every site's records, so a viewer held to some sites sees only
    /// those sites' figures.
    pub async fn recorded_kpi_results(
        &self,
        scope: &Scope,
        period: &str,
    ) -> Result<Vec<KpiResultRow>, AppError> {
        let period =
            Period::parse("period", period).map_err(|e| DomainError::Validation(vec![e]))?;
        let rows = self.store.kpi_results(&period.to_string()).await?;
        Ok(match scope {
            Scope::All => rows,
            Scope::Sites(_) => rows
                .into_iter()
                .filter(|r| {
                    r.scope
                        .strip_prefix("site:")
                        .is_some_and(|site| scope.sees(site))
                })
                .collect(),
        })
    }

    /// The published data sets whose records count in figures over `sites` (of
    /// `product`), so that the figures can credit them.
    pub async fn data_sets_behind(
        &self,
        scope: &Scope,
        sites: &[String],
        product: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let sites: Vec<String> = sites.iter().filter(|s| scope.sees(s)).cloned().collect();
        Ok(self
            .store
            .provenance_of(sites, product.map(str::to_owned))
            .await?)
    }
}
