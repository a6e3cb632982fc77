//! The batch tracker (`/batches`): every batch the viewer's sites hold, with each
//! milestone's actual date, the QA disposition and what derives from them (lead time
//! from start to disposition, start against plan); filtered by site, product, status
//! and month, ordered as asked, grouped by site, product, status or month, a hundred
//! to a page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use vplant_domain::FieldError;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::identity::Permission;
use vplant_store::queries::batches::{Batch, BatchFilter, BatchGroup};

use super::rows::BatchRow;
use super::{BATCHES, Query, amount, source};
use crate::AppState;
use crate::api::batch_reads::tracker_filters;
use crate::auth::Viewer;
use crate::provenance::credit;
use crate::ui::form::{FieldSpec, FormView, Input};
use crate::ui::page::{Chrome, PageError, render};

/// Batches per page.
const PAGE: u64 = 100;

const STATUS_OPTIONS: &[(&str, &str)] = &[
    ("", "Every status"),
    ("planned", "Planned"),
    ("in_production", "In production"),
    ("awaiting_disposition", "Awaiting disposition"),
    ("released", "Released"),
    ("rejected", "Rejected"),
    ("on_hold", "On hold"),
    ("shipped", "Shipped"),
];

const SORT_OPTIONS: &[(&str, &str)] = &[
    ("", "Latest start first"),
    ("start_asc", "Earliest start first"),
    ("site", "Site, then batch"),
    ("product", "Product, then start"),
    ("disposition", "Latest disposition first"),
];

const GROUP_OPTIONS: &[(&str, &str)] = &[
    ("", "No grouping"),
    ("site", "Site"),
    ("product", "Product"),
    ("status", "Status"),
    ("month", "Month of production start"),
];

/// How many days from planned start an actual start still counts as on schedule
/// (the schedule-adherence KPI's window).
const ON_SCHEDULE_DAYS: i64 = 7;

static FILTER: [FieldSpec; 6] = [
    FieldSpec {
        name: "site",
        label: "Site",
        hint: "A site code, e.g. CMO-SI. Empty: every site you may see.",
        input: Input::Text {
            max: 24,
            upper: true,
        },
    },
    FieldSpec {
        name: "product",
        label: "Product",
        hint: "A product code. Empty: every product.",
        input: Input::Text {
            max: 24,
            upper: true,
        },
    },
    FieldSpec {
        name: "status",
        label: "Status",
        hint: "Derived from the milestones and the disposition.",
        input: Input::Select(STATUS_OPTIONS),
    },
    FieldSpec {
        name: "month",
        label: "Month of production start",
        hint: "YYYY-MM (actual start, else planned). Empty: every month.",
        input: Input::Text {
            max: 7,
            upper: false,
        },
    },
    FieldSpec {
        name: "sort",
        label: "Order",
        hint: "",
        input: Input::Select(SORT_OPTIONS),
    },
    FieldSpec {
        name: "group",
        label: "Group by",
        hint: "Counts by group above the list; each group links to its batches.",
        input: Input::Select(GROUP_OPTIONS),
    },
];

/// The milestones with a column of their own, and their short headings;
/// production start has its own column, with the planned date when there is no
/// actual one.
const COLUMNS: [(Milestone, &str); 6] = [
    (Milestone::MaterialReadiness, "Materials ready"),
    (Milestone::ProductionComplete, "Produced"),
    (Milestone::QcTestingComplete, "QC done"),
    (Milestone::RecordReviewComplete, "Record reviewed"),
    (Milestone::Disposition, "Dispositioned"),
    (Milestone::Shipped, "Shipped"),
];

/// One batch as a row of the tracker: the columns every batch table has, and the
/// tracker's own.
pub struct Row {
    pub batch: BatchRow,
    pub size: String,
    pub source: (&'static str, &'static str),
    /// The actual date of each milestone of [`COLUMNS`], empty when not reached.
    pub dates: Vec<String>,
    /// Days from actual production start to QA disposition, when both are known to
    /// the day.
    pub lead_days: Option<i64>,
    /// The actual start against the planned one: days late (or early), and whether
    /// within the schedule window.
    pub against_plan: Option<(i64, bool)>,
}

/// Days from `from` to `to` when both are dates with a day.
fn days(from: Option<&String>, to: Option<&String>) -> Option<i64> {
    let parse = |t: Option<&String>| {
        t.and_then(|t| vplant_domain::dates::PartialDate::parse("date", t).ok())
            .filter(|d| d.day().is_some())
    };
    Some(parse(from)?.days_until(parse(to)?))
}

impl Row {
    fn new(batch: &Batch) -> Row {
        Row {
            batch: BatchRow::new(batch),
            size: amount(batch.size.as_deref(), batch.size_unit.as_deref()),
            source: source(&batch.source),
            dates: COLUMNS
                .iter()
                .map(|(m, _)| batch.actual.get(m.as_str()).cloned().unwrap_or_default())
                .collect(),
            lead_days: days(
                batch.actual.get("production_start"),
                batch.actual.get("disposition"),
            ),
            against_plan: days(
                batch.planned.get("production_start"),
                batch.actual.get("production_start"),
            )
            .map(|d| (d, d.abs() <= ON_SCHEDULE_DAYS)),
        }
    }
}

#[derive(Template)]
#[template(path = "batches/list.html")]
struct ListPage {
    page: Chrome,
    filter: FormView,
    headings: Vec<(&'static str, &'static str)>,
    /// `None` when the filter was refused: no table is shown then.
    rows: Option<Vec<Row>>,
    total: u64,
    /// "101–200", the rows of this page.
    shown: String,
    previous: Option<String>,
    next: Option<String>,
    credit: Option<String>,
    /// The same batches as a CSV and an XLSX file; `None` when the filter was
    /// refused.
    export: Option<(String, String)>,
    /// The viewer may import a tracker file.
    can_import: bool,
    /// The counts by group, when grouping was asked for: (heading, groups with the
    /// link to each group's batches).
    groups: Option<(&'static str, Vec<(BatchGroup, String)>)>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut query = Query::read(raw.as_deref(), &FILTER);
    let site = query.code("site");
    let product = query.code("product");
    let mut errors = Vec::new();
    let (status, month, sort) = tracker_filters(
        query.value("status").filter(|v| !v.is_empty()),
        query.value("month").filter(|v| !v.is_empty()),
        query.value("sort").filter(|v| !v.is_empty()),
        &mut errors,
    );
    errors.into_iter().for_each(|e| query.refuse(e));
    let group = query
        .value("group")
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    if let Some(g) = &group
        && !GROUP_OPTIONS.iter().any(|(name, _)| name == g)
    {
        query.refuse(FieldError::new(
            "group",
            format!("'{g}' is not a grouping; use site, product, status or month"),
        ));
    }
    let page = query.extra("page");
    let number = page_number(page.as_deref()).unwrap_or_else(|e| {
        query.refuse(e);
        1
    });
    let mut body = ListPage {
        page: Chrome::new("Batch tracker", BATCHES).viewer(&viewer),
        filter: query.form("batch-filter", BATCHES, &FILTER, "Filter", "Apply filter"),
        headings: COLUMNS
            .iter()
            .map(|(m, short)| (*short, m.label()))
            .collect(),
        rows: None,
        total: 0,
        shown: String::new(),
        previous: None,
        next: None,
        credit: None,
        export: None,
        can_import: viewer.can(Permission::ReportBatches),
        groups: None,
    };
    if query.refused() {
        return Ok(render(query.status(), &body));
    }
    let filter = BatchFilter {
        site,
        product,
        status,
        month,
        sort,
        limit: PAGE,
        offset: (number - 1) * PAGE,
        scope: None,
    };
    if let Some(g) = group.as_deref() {
        let groups = state
            .app
            .batch_groups(&viewer.scope(), filter.clone(), g)
            .await?;
        let heading = GROUP_OPTIONS
            .iter()
            .find(|(name, _)| *name == g)
            .map_or("Group", |(_, label)| *label);
        let linked = groups
            .into_iter()
            .map(|row| {
                let href = group_href(&query, g, &row.key);
                (row, href)
            })
            .collect();
        body.groups = Some((heading, linked));
    }
    let (batches, total) = state.app.batches(&viewer.scope(), filter).await?;
    let link = |n: u64| page_href(&query, n);
    body.previous = (number > 1).then(|| link(number - 1));
    body.next = (number * PAGE < total).then(|| link(number + 1));
    let first = (number - 1) * PAGE;
    body.shown = format!("{}–{}", first + 1, first + batches.len() as u64);
    body.total = total;
    body.credit = credit(batches.iter().map(|b| b.provenance.as_deref()));
    body.rows = Some(batches.iter().map(Row::new).collect());
    body.export = Some((export_href(&query, "csv"), export_href(&query, "xlsx")));
    Ok(render(query.status(), &body))
}

/// `page`: 1 or more; absent means the first. A page whose first row cannot be
/// counted is refused rather than wrapped round.
fn page_number(text: Option<&str>) -> Result<u64, FieldError> {
    let last = u64::MAX / PAGE;
    match text.map(str::parse::<u64>) {
        None => Ok(1),
        Some(Ok(n)) if (1..=last).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            "page",
            format!(
                "'{}' is not a page number; use a whole number from 1 to {last}",
                text.unwrap_or_default()
            ),
        )),
    }
}

/// The tracker filtered to one group: the same filter with the group's value set
/// (a site, product, status or month), no longer grouped.
fn group_href(query: &Query, group: &str, key: &str) -> String {
    let mut pairs: Vec<(&str, String)> = FILTER
        .iter()
        .filter(|f| f.name != "group" && f.name != group)
        .filter_map(|f| query.value(f.name).map(|v| (f.name, v.to_owned())))
        .collect();
    pairs.push((group, key.to_owned()));
    match serde_urlencoded::to_string(&pairs) {
        Ok(text) => format!("{BATCHES}?{text}"),
        Err(_) => BATCHES.to_owned(),
    }
}

/// The export of the same filter as a file (`csv` or `xlsx`).
fn export_href(query: &Query, extension: &str) -> String {
    let pairs: Vec<(&str, &str)> = FILTER
        .iter()
        .filter(|f| matches!(f.name, "site" | "product" | "status" | "month"))
        .filter_map(|f| query.value(f.name).map(|v| (f.name, v)))
        .collect();
    let base = format!("/api/v1/batches/export.{extension}");
    match serde_urlencoded::to_string(&pairs) {
        Ok(text) if !text.is_empty() => format!("{base}?{text}"),
        _ => base,
    }
}

/// The tracker's address for page `number` of the same filter.
fn page_href(query: &Query, number: u64) -> String {
    let mut pairs: Vec<(&str, String)> = FILTER
        .iter()
        .filter_map(|f| query.value(f.name).map(|v| (f.name, v.to_owned())))
        .collect();
    pairs.push(("page", number.to_string()));
    match serde_urlencoded::to_string(&pairs) {
        Ok(text) => format!("{BATCHES}?{text}"),
        Err(_) => BATCHES.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_number_is_a_whole_number_from_one() {
        assert_eq!(page_number(None), Ok(1));
        assert_eq!(page_number(Some("3")), Ok(3));
        assert_eq!(page_number(Some("0")).unwrap_err().field, "page");
        assert_eq!(page_number(Some("two")).unwrap_err().field, "page");
        let huge = u64::MAX.to_string();
        assert_eq!(page_number(Some(&huge)).unwrap_err().field, "page");
    }

    #[test]
    fn page_links_keep_the_filter() {
        let query = Query::read(Some("site=cmo-si&product=&page=2"), &FILTER);
        assert_eq!(page_href(&query, 3), "/batches?site=cmo-si&page=3");
        assert_eq!(
            export_href(&query, "xlsx"),
            "/api/v1/batches/export.xlsx?site=cmo-si"
        );
    }
}
