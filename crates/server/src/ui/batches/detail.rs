//! One batch (`/batches/<site>/<number>`): its facts, each milestone planned and
//! actual, the lots it consumed and yielded, its results by source, links to trace
//! it, and its history from the ledger.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vplant_app::batches::{BatchView, Link};
use vplant_domain::Aggregate;
use vplant_domain::batch::BatchState;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::dates::PartialDate;
use vplant_store::queries::batches::{Batch, BatchResult};

use super::{BATCHES, amount, disposition, lot_href, not_found, source, trace_href};
use crate::AppState;
use crate::api::batch_reads::path_id;
use crate::auth::Viewer;
use crate::provenance::credit;
use crate::ui::history::{self, HistoryRow};
use crate::ui::page::{Chrome, PageError, render};

/// One milestone of the batch, planned against actual.
pub struct MilestoneRow {
    pub label: &'static str,
    pub planned: String,
    pub actual: String,
    /// "3 days late", "on plan" …; empty unless both dates name a day.
    pub difference: String,
}

/// A lot that went in or came out.
pub struct LinkRow {
    pub id: String,
    pub href: String,
    pub material: String,
    pub quantity: String,
}

/// The results of one source (laboratory, process …).
pub struct ResultGroup {
    pub source: String,
    pub results: Vec<BatchResult>,
}

#[derive(Template)]
#[template(path = "batches/show.html")]
struct DetailPage {
    page: Chrome,
    batch: Batch,
    size: String,
    /// The delivery the CMO committed to and what it delivered ("1200 tablets,
    /// 2026-05-04"); empty when not reported.
    committed: String,
    delivered: String,
    source: (&'static str, &'static str),
    disposition: Option<(&'static str, &'static str)>,
    milestones: Vec<MilestoneRow>,
    consumed: Vec<LinkRow>,
    yielded: Vec<LinkRow>,
    results: Vec<ResultGroup>,
    trace_backward: String,
    trace_forward: String,
    history: Vec<HistoryRow>,
    credit: Option<String>,
    /// Where a person who reports batches (a CMO batch) reports what changed.
    report: Option<String>,
    /// Time series attached to the batch, drawn.
    series: Vec<super::series::SeriesView>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = path_id(&site, &number);
    let view = state
        .app
        .batch(&viewer.scope(), &id)
        .await
        .map_err(|e| not_found(e, "batch", &id, ("Batch tracker", BATCHES)))?;
    // The history is read only after the use case has let the viewer see the batch.
    let entries = state
        .app
        .history(&BatchState::stream_id(&view.batch.id))
        .await?;
    let BatchView {
        batch,
        consumed,
        yielded,
        results,
    } = view;
    let report = (viewer.can(vplant_domain::identity::Permission::ReportBatches)
        && batch.source == "cmo")
        .then(|| format!("{}/report", super::batch_href(&batch.id)));
    let series = state
        .app
        .batch_series(&viewer.scope(), &batch.id)
        .await?
        .iter()
        .map(|(source, s)| super::series::view(source, s))
        .collect();
    let body = DetailPage {
        series,
        report,
        page: Chrome::new(format!("Batch {}", batch.id), BATCHES)
            .via("Batch tracker", BATCHES)
            .viewer(&viewer),
        size: amount(batch.size.as_deref(), batch.size_unit.as_deref()),
        committed: delivery(
            &batch.committed_quantity,
            &batch.committed_unit,
            &batch.committed_date,
        ),
        delivered: delivery(
            &batch.delivered_quantity,
            &batch.delivered_unit,
            &batch.delivered_date,
        ),
        source: source(&batch.source),
        disposition: disposition(batch.disposition.as_deref()),
        milestones: Milestone::ALL
            .into_iter()
            .map(|m| milestone(&batch, m))
            .collect(),
        consumed: consumed.iter().map(lot_row).collect(),
        yielded: yielded.iter().map(lot_row).collect(),
        results: group(results),
        trace_backward: trace_href("batch", &batch.id, "backward"),
        trace_forward: trace_href("batch", &batch.id, "forward"),
        history: history::rows(entries),
        credit: credit([batch.provenance.as_deref()]),
        batch,
    };
    Ok(render(StatusCode::OK, &body))
}

fn milestone(batch: &Batch, m: Milestone) -> MilestoneRow {
    let planned = batch.planned.get(m.as_str()).cloned().unwrap_or_default();
    let actual = batch.actual.get(m.as_str()).cloned().unwrap_or_default();
    MilestoneRow {
        label: m.label(),
        difference: difference(&planned, &actual),
        planned,
        actual,
    }
}

/// How far the actual date is from the planned one, when both name a day; a month
/// alone is too coarse to count days from.
fn difference(planned: &str, actual: &str) -> String {
    let day = |text: &str| {
        PartialDate::parse("date", text)
            .ok()
            .filter(|d| d.day().is_some())
    };
    let (Some(planned), Some(actual)) = (day(planned), day(actual)) else {
        return String::new();
    };
    match planned.days_until(actual) {
        0 => "on plan".to_owned(),
        1 => "1 day late".to_owned(),
        -1 => "1 day early".to_owned(),
        n if n > 0 => format!("{n} days late"),
        n => format!("{} days early", -n),
    }
}

/// An amount and a date of a shipment, as far as they are reported.
fn delivery(quantity: &Option<String>, unit: &Option<String>, date: &Option<String>) -> String {
    let parts = [
        amount(quantity.as_deref(), unit.as_deref()),
        date.clone().unwrap_or_default(),
    ];
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn lot_row(link: &Link) -> LinkRow {
    LinkRow {
        href: lot_href(&link.id),
        material: link
            .id
            .split_once('/')
            .map_or_else(String::new, |(m, _)| m.to_owned()),
        quantity: amount(link.quantity.as_deref(), link.unit.as_deref()),
        id: link.id.clone(),
    }
}

/// The results by source, in the order the use case gives them (source, test).
fn group(results: Vec<BatchResult>) -> Vec<ResultGroup> {
    let mut groups: Vec<ResultGroup> = Vec::new();
    for result in results {
        match groups.last_mut() {
            Some(g) if g.source == result.source => g.results.push(result),
            _ => groups.push(ResultGroup {
                source: result.source.clone(),
                results: vec![result],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_only_between_two_days() {
        assert_eq!(difference("2026-03-02", "2026-03-05"), "3 days late");
        assert_eq!(difference("2026-03-02", "2026-03-01"), "1 day early");
        assert_eq!(difference("2026-03-02", "2026-03-02"), "on plan");
        assert_eq!(difference("2026-03", "2026-03-05"), "");
        assert_eq!(difference("", "2026-03-05"), "");
    }
}
