//! The KPI pages (SPEC §2.6): the dashboard (`dashboard`) with a chart per KPI
//! drawn on the server (`chart`), a KPI's definition card (`definition`), the
//! records behind a figure (`records`), and the figures recorded for a period with
//! the form that records them (`results`). Every figure comes from the KPI use
//! cases, which hold a site-scoped viewer to its own sites; the query strings are
//! read with the API's readers (`api/kpi_reads.rs`), so a page refuses what the API
//! refuses, naming the same field.

mod chart;
mod dashboard;
mod definition;
mod records;
mod results;

use vplant_domain::identity::Permission;

use super::form::{FieldSpec, Input};
use crate::auth::access::{Access, Routes};

/// Where the dashboard lives; `?site=` makes it a site's, `?product=` a product's.
pub const DASHBOARD: &str = "/dashboard";
/// Where recorded figures are listed and recorded.
pub const RESULTS: &str = "/kpi/results";

/// The filter fields the KPI pages share.
const PERIOD: FieldSpec = FieldSpec {
    name: "period",
    label: "Period",
    hint: "2026-03, 2026-Q1 or 2026. Empty: last month.",
    input: Input::Text {
        max: 7,
        upper: true,
    },
};
const SITE: FieldSpec = FieldSpec {
    name: "site",
    label: "Site",
    hint: "A site code. Empty: every site you may see.",
    input: Input::Text {
        max: 24,
        upper: true,
    },
};
const PRODUCT: FieldSpec = FieldSpec {
    name: "product",
    label: "Product",
    hint: "A product code. Empty: every product.",
    input: Input::Text {
        max: 24,
        upper: true,
    },
};

pub fn routes() -> Routes {
    let view = Access::Allow(Permission::ViewKpis);
    Routes::new()
        .get(DASHBOARD, view, dashboard::show)
        .get("/kpi/{code}", view, definition::show)
        .get("/kpi/{code}/records", view, records::show)
        .get(RESULTS, view, results::show)
        .post(
            RESULTS,
            Access::Allow(Permission::RecordKpis),
            results::record,
        )
}

/// The definition card of KPI `code`.
pub fn definition_href(code: &str) -> String {
    format!("/kpi/{code}")
}

/// The records behind the figure of `code` in `period`, for `site` and `product`
/// when given.
pub fn records_href(code: &str, period: &str, site: Option<&str>, product: Option<&str>) -> String {
    let mut pairs = vec![("period", period)];
    pairs.extend(site.map(|s| ("site", s)));
    pairs.extend(product.map(|p| ("product", p)));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("/kpi/{code}/records?{query}")
}

/// A figure in its unit: `93.3 %`, `4.2 per 100 batches`, `12.5 days`, `3`; a
/// dash when there is none.
pub fn figure(value: Option<f64>, unit: &str) -> String {
    match (value, unit) {
        (None, _) => "—".to_owned(),
        (Some(_), "") => number(value, unit),
        (Some(_), unit) => format!("{} {unit}", number(value, unit)),
    }
}

/// A figure's number alone: one decimal, none for a count; a dash when there is
/// none.
pub fn number(value: Option<f64>, unit: &str) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) if unit.is_empty() => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// A threshold in its unit, without needless decimals: `95 %`, `7.5 days`.
pub fn threshold(value: f64, unit: &str) -> String {
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    match unit {
        "" => number,
        "%" => format!("{number} %"),
        unit => format!("{number} {unit}"),
    }
}

/// A count as text: whole numbers without decimals.
pub fn count(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// What a figure counts, in words: "14 of 15", "2 in 40 batches"; nothing for a
/// count, which is its own basis.
pub fn basis(unit: &str, numerator: f64, denominator: f64) -> String {
    match unit {
        "%" => format!("{} of {}", count(numerator), count(denominator)),
        "per 100 batches" => format!(
            "{} in {} batches",
            count(numerator / 100.0),
            count(denominator)
        ),
        "days" => format!(
            "{} days over {} records",
            count(numerator),
            count(denominator)
        ),
        _ => String::new(),
    }
}

/// "Target ≥ 95 %, amber from 90 %: higher is better."
pub fn thresholds(better: &str, target: f64, amber: f64, unit: &str) -> String {
    let (sign, way) = if better == "lower" {
        ("≤", "lower")
    } else {
        ("≥", "higher")
    };
    format!(
        "Target {sign} {}, amber {sign} {}: {way} is better.",
        threshold(target, unit),
        threshold(amber, unit)
    )
}

/// A red/amber/green verdict in words and its style; never colour alone.
pub fn rag(rag: Option<&str>) -> Option<(&'static str, &'static str)> {
    Some(match rag? {
        "green" => ("Green", "rag-green"),
        "amber" => ("Amber", "rag-amber"),
        "red" => ("Red", "rag-red"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_in_their_unit() {
        assert_eq!(figure(Some(200.0 / 3.0), "%"), "66.7 %");
        assert_eq!(figure(Some(4.25), "per 100 batches"), "4.2 per 100 batches");
        assert_eq!(figure(Some(3.0), ""), "3");
        assert_eq!(figure(None, "days"), "—");
        assert_eq!(
            thresholds("lower", 30.0, 45.0, "days"),
            "Target ≤ 30 days, amber ≤ 45 days: lower is better."
        );
        assert_eq!(count(2.0), "2");
        assert_eq!(count(0.5), "0.50");
    }

    #[test]
    fn a_drill_down_address_names_only_what_is_asked() {
        assert_eq!(
            records_href("otif", "2026-Q1", Some("CMO-A"), None),
            "/kpi/otif/records?period=2026-Q1&site=CMO-A"
        );
        assert_eq!(
            records_href("otif", "2026", None, Some("PRD-1")),
            "/kpi/otif/records?period=2026&product=PRD-1"
        );
    }
}
