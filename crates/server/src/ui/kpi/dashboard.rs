//! The dashboard (`/dashboard`): one tile per KPI with its latest figure, its
//! red/amber/green verdict against the target, its trend drawn as a chart (the
//! control chart for rates) and the figures under it in a table, and the comparison
//! of every site the viewer may see. `?site=` makes it that site's dashboard and
//! `?product=` that product's; a CMO partner's dashboard is its own site's, since
//! the use case holds it there. Every figure links to the records it counts.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use vplant_app::AppError;
use vplant_app::kpi::{Dashboard, DashboardQuery, Tile};
use vplant_app::master::Products;
use vplant_domain::DomainError;
use vplant_domain::identity::{Permission, Scope};
use vplant_domain::kpi::period::Granularity;

use super::chart::{self, Chart};
use super::{
    DASHBOARD, PRODUCT, RESULTS, SITE, basis, definition_href, figure, number, rag, records_href,
    thresholds,
};
use crate::AppState;
use crate::api::kpi_reads::{DashboardText, dashboard_query, data_set_credit};
use crate::auth::Viewer;
use crate::ui::batches::Query;
use crate::ui::form::{FieldSpec, FormView, Input};
use crate::ui::page::{Chrome, PageError, render};

static FILTER: [FieldSpec; 5] = [
    FieldSpec {
        name: "granularity",
        label: "Periods of",
        hint: "",
        input: Input::Select(&[
            ("month", "Months"),
            ("quarter", "Quarters"),
            ("year", "Years"),
        ]),
    },
    FieldSpec {
        name: "periods",
        label: "How many periods",
        hint: "1 to 120. Empty: 12 months, 8 quarters or 5 years.",
        input: Input::Text {
            max: 3,
            upper: false,
        },
    },
    FieldSpec {
        name: "end",
        label: "Last period",
        hint: "2026-03, 2026-Q1 or 2026. Empty: the last one that has ended.",
        input: Input::Text {
            max: 7,
            upper: true,
        },
    },
    SITE,
    PRODUCT,
];

/// A red/amber/green verdict as shown: words and a style.
pub type Verdict = Option<(&'static str, &'static str)>;

/// One period of a tile's table.
pub struct PeriodRow {
    pub period: String,
    pub figure: String,
    pub basis: String,
    /// Control charts only: "80.1 – 99.0 %".
    pub limits: String,
    pub href: String,
}

/// One KPI as a tile.
pub struct TileView {
    pub code: String,
    pub label: String,
    pub version: u32,
    pub definition: String,
    /// The latest figure's number, and its unit beside it.
    pub current: String,
    pub unit: String,
    pub current_href: String,
    pub verdict: Verdict,
    pub thresholds: String,
    pub chart: Chart,
    pub centre: String,
    pub warnings: Vec<String>,
    pub rows: Vec<PeriodRow>,
}

/// One cell of the comparison.
pub struct Cell {
    pub figure: String,
    pub verdict: Verdict,
    pub href: String,
}

/// One KPI as a row of the comparison.
pub struct ComparisonRow {
    pub label: String,
    pub definition: String,
    pub cells: Vec<Cell>,
}

/// The dashboard as the page shows it.
pub struct Board {
    /// "Network · months 2025-04 to 2026-03".
    pub heading: String,
    pub last: String,
    /// The network dashboard with the same periods, when this one is narrowed.
    pub widen: Option<String>,
    pub tiles: Vec<TileView>,
    /// Each site as a column head, with its dashboard.
    pub sites: Vec<(String, String)>,
    pub comparison: Vec<ComparisonRow>,
    /// Each product with its dashboard.
    pub products: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "kpi/dashboard.html")]
struct DashboardPage {
    page: Chrome,
    filter: FormView,
    /// `None` when the filter was refused.
    board: Option<Board>,
    credit: Option<String>,
    can_record: bool,
    results: &'static str,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut query = Query::read(raw.as_deref(), &FILTER);
    let mut errors = Vec::new();
    let asked = dashboard_query(
        &DashboardText {
            granularity: query.value("granularity"),
            periods: query.value("periods"),
            end: query.value("end"),
            site: query.value("site"),
            product: query.value("product"),
        },
        state.app.store.now(),
        &mut errors,
    );
    errors.into_iter().for_each(|e| query.refuse(e));
    let scope = viewer.scope();
    let dashboard = if query.refused() {
        None
    } else {
        match state.app.dashboard(&scope, &asked).await {
            Ok(d) => Some(d),
            Err(AppError::Domain(DomainError::Validation(fields))) => {
                fields.into_iter().for_each(|e| query.refuse(e));
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let mut body = DashboardPage {
        page: Chrome::new(title(&asked), DASHBOARD).viewer(&viewer),
        filter: query.form("kpi-filter", DASHBOARD, &FILTER, "Show", "Show"),
        board: None,
        credit: None,
        can_record: viewer.can(Permission::RecordKpis),
        results: RESULTS,
    };
    if let Some(dashboard) = dashboard {
        body.credit = data_set_credit(
            &state.app,
            &scope,
            &dashboard.comparison.sites,
            asked.product.as_deref(),
        )
        .await?;
        let products = state.app.masters::<Products>(&scope, false).await?;
        let mut board = board(&query, &asked, &scope, &dashboard);
        board.products = products
            .into_iter()
            .map(|p| {
                let href = dashboard_href(&query, asked.site.as_deref(), Some(&p.code));
                (p.code, p.name, href)
            })
            .collect();
        body.board = Some(board);
    }
    Ok(render(query.status(), &body))
}

/// "KPI dashboard", "KPI dashboard: site CMO-A", "KPI dashboard: product PRD-1".
fn title(q: &DashboardQuery) -> String {
    match (&q.site, &q.product) {
        (None, None) => "KPI dashboard".to_owned(),
        (Some(s), None) => format!("KPI dashboard: site {s}"),
        (None, Some(p)) => format!("KPI dashboard: product {p}"),
        (Some(s), Some(p)) => format!("KPI dashboard: site {s}, product {p}"),
    }
}

/// The dashboard with the same periods as `query`, for `site` and `product`.
fn dashboard_href(query: &Query, site: Option<&str>, product: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = ["granularity", "periods", "end"]
        .into_iter()
        .filter_map(|name| query.value(name).map(|v| (name, v)))
        .collect();
    pairs.extend(site.map(|s| ("site", s)));
    pairs.extend(product.map(|p| ("product", p)));
    match serde_urlencoded::to_string(&pairs) {
        Ok(text) if !text.is_empty() => format!("{DASHBOARD}?{text}"),
        _ => DASHBOARD.to_owned(),
    }
}

fn board(query: &Query, asked: &DashboardQuery, scope: &Scope, d: &Dashboard) -> Board {
    let first = d.periods.first().cloned().unwrap_or_default();
    let last = d.periods.last().cloned().unwrap_or_default();
    let (site, product) = (asked.site.as_deref(), asked.product.as_deref());
    let whose = match (site, scope) {
        (Some(s), _) => format!("Site {s}"),
        (None, Scope::All) => "Network".to_owned(),
        (None, Scope::Sites(sites)) => format!(
            "Your {}: {}",
            if sites.len() == 1 { "site" } else { "sites" },
            sites.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    let whose = match product {
        Some(p) => format!("{whose}, product {p}"),
        None => whose,
    };
    let span = match asked.granularity {
        Granularity::Month => "months",
        Granularity::Quarter => "quarters",
        Granularity::Year => "years",
    };
    let tiles = d
        .tiles
        .iter()
        .map(|t| tile(t, &d.periods, site, product))
        .collect();
    let comparison = d
        .tiles
        .iter()
        .zip(d.comparison.values.iter().zip(&d.comparison.rags))
        .map(|(t, (values, rags))| ComparisonRow {
            label: t.label.clone(),
            definition: definition_href(&t.code),
            cells: d
                .comparison
                .sites
                .iter()
                .zip(values.iter().zip(rags))
                .map(|(s, (v, r))| Cell {
                    figure: figure(*v, &t.unit),
                    verdict: rag(r.as_deref()),
                    href: records_href(&t.code, &last, Some(s), product),
                })
                .collect(),
        })
        .collect();
    Board {
        heading: format!("{whose} · {span} {first} to {last}"),
        widen: (site.is_some() || product.is_some()).then(|| dashboard_href(query, None, None)),
        tiles,
        sites: d
            .comparison
            .sites
            .iter()
            .map(|s| (s.clone(), dashboard_href(query, Some(s), product)))
            .collect(),
        comparison,
        products: Vec::new(),
        last,
    }
}

fn tile(t: &Tile, periods: &[String], site: Option<&str>, product: Option<&str>) -> TileView {
    let href = |period: &str| records_href(&t.code, period, site, product);
    let last = periods.last().map_or("", String::as_str);
    let rows = periods
        .iter()
        .enumerate()
        .map(|(i, period)| {
            let limits = t
                .control
                .get(i)
                .and_then(|p| Some((p.lower?, p.upper?)))
                .map(|(lo, hi)| {
                    format!(
                        "{} – {}",
                        figure(Some(lo * 100.0), ""),
                        figure(Some(hi * 100.0), &t.unit)
                    )
                })
                .unwrap_or_default();
            PeriodRow {
                period: period.clone(),
                figure: figure(t.values.get(i).copied().flatten(), &t.unit),
                basis: basis(
                    &t.unit,
                    t.numerators.get(i).copied().unwrap_or_default(),
                    t.denominators.get(i).copied().unwrap_or_default(),
                ),
                limits,
                href: href(period),
            }
        })
        .collect();
    TileView {
        code: t.code.clone(),
        label: t.label.clone(),
        version: t.version,
        definition: definition_href(&t.code),
        current: number(t.current, &t.unit),
        unit: if t.current.is_some() {
            t.unit.clone()
        } else {
            String::new()
        },
        current_href: href(last),
        verdict: rag(t.rag.as_deref()),
        thresholds: thresholds(&t.better, t.target, t.amber, &t.unit),
        chart: chart::draw(t, periods, href),
        centre: t
            .control
            .first()
            .map(|p| figure(Some(p.center * 100.0), &t.unit))
            .unwrap_or_default(),
        warnings: t.warnings.clone(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_links_keep_the_periods_and_change_only_site_and_product() {
        let query = Query::read(
            Some("granularity=quarter&periods=4&end=&site=CMO-A"),
            &FILTER,
        );
        assert_eq!(
            dashboard_href(&query, Some("CMO-B"), None),
            "/dashboard?granularity=quarter&periods=4&site=CMO-B"
        );
        let plain = Query::read(None, &FILTER);
        assert_eq!(dashboard_href(&plain, None, None), "/dashboard");
    }
}
