//! Batches as the tracker and genealogy see them: one batch at one site, with its
//! milestones, the lots it consumed and yielded, and results attached to it. Stream
//! `batch/<site>/<number>`.

pub mod events;
pub(crate) mod history;
pub mod milestone;
pub mod projection;
pub mod report;

use std::collections::BTreeMap;

use events::{
    BatchRecorded, BatchSizeChanged, DispositionChanged, LotLinked, MilestonesChanged,
    ResultsRecorded, Series, SeriesRecorded, ShipmentChanged, TestResult,
};
use milestone::{MilestoneChange, Milestones, Plan};
use report::BatchReport;

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::Event;
use crate::lot::LotRef;

#[derive(Clone, Debug)]
pub enum BatchCommand {
    /// Record the batch, or what is new about it since it was last reported.
    Report {
        report: Box<BatchReport>,
        /// Why, for updates (e.g. "import of tracker.csv (sha256 …)").
        reason: Option<String>,
    },
}

#[derive(Clone, Debug, Default)]
pub struct BatchState {
    pub recorded: Option<BatchRecorded>,
    pub consumed: Vec<LotRef>,
    pub yielded: Vec<LotRef>,
    /// Latest value by source and test.
    pub results: BTreeMap<String, BTreeMap<String, String>>,
    /// The latest series by source.
    pub series: BTreeMap<String, Series>,
}

impl Aggregate for BatchState {
    type Command = BatchCommand;

    /// `id` is `<site>/<number>`.
    fn stream_id(id: &str) -> String {
        format!("batch/{id}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::BatchRecorded(e) => self.recorded = Some(e.clone()),
            Event::BatchMilestonesChanged(e) => {
                if let Some(batch) = self.recorded.as_mut() {
                    for change in &e.changes {
                        let dates = match change.plan {
                            Plan::Planned => &mut batch.planned,
                            Plan::Actual => &mut batch.actual,
                        };
                        dates.insert(change.milestone, change.to);
                    }
                }
            }
            Event::BatchSizeChanged(e) => {
                if let Some(batch) = self.recorded.as_mut() {
                    batch.size = Some(e.to.clone());
                }
            }
            Event::BatchDispositionChanged(e) => {
                if let Some(batch) = self.recorded.as_mut() {
                    batch.disposition = Some(e.to);
                }
            }
            Event::BatchShipmentChanged(e) => {
                if let Some(batch) = self.recorded.as_mut() {
                    batch.shipment = e.to.clone();
                }
            }
            Event::BatchConsumedLot(e) => self.consumed.push(e.lot.clone()),
            Event::BatchYieldedLot(e) => self.yielded.push(e.lot.clone()),
            Event::BatchSeriesRecorded(e) => {
                self.series.insert(e.source.clone(), e.series.clone());
            }
            Event::BatchResultsRecorded(e) => {
                let tests = self.results.entry(e.source.clone()).or_default();
                for result in &e.results {
                    tests.insert(result.test.clone(), result.value.clone());
                }
            }
            _ => {}
        }
    }

    fn decide(&self, command: &BatchCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        let BatchCommand::Report { report, .. } = command;
        let mut events = match &self.recorded {
            None => vec![Event::BatchRecorded(BatchRecorded {
                site: report.site.as_str().to_owned(),
                number: report.number.as_str().to_owned(),
                product: report.product.as_str().to_owned(),
                size: report.size.clone(),
                source: report.source,
                planned: report.planned.clone(),
                actual: report.actual.clone(),
                disposition: report.disposition,
                shipment: report.shipment.clone(),
                provenance: report.provenance.clone(),
            })],
            Some(batch) => changes(batch, report)?,
        };
        for (lot, quantity) in &report.consumed {
            if !self.consumed.contains(lot) {
                events.push(Event::BatchConsumedLot(LotLinked {
                    lot: lot.clone(),
                    quantity: quantity.clone(),
                }));
            }
        }
        for (lot, quantity) in &report.yielded {
            if !self.yielded.contains(lot) {
                events.push(Event::BatchYieldedLot(LotLinked {
                    lot: lot.clone(),
                    quantity: quantity.clone(),
                }));
            }
        }
        for source in report.results.keys() {
            let known = self.results.get(source);
            let results: Vec<TestResult> = report
                .results_of(source)
                .into_iter()
                .filter_map(|mut r| {
                    let previous = known.and_then(|k| k.get(&r.test));
                    if previous == Some(&r.value) {
                        return None;
                    }
                    r.previous = previous.cloned();
                    Some(r)
                })
                .collect();
            if !results.is_empty() {
                events.push(Event::BatchResultsRecorded(ResultsRecorded {
                    source: source.clone(),
                    results,
                }));
            }
        }
        for (source, series) in &report.series {
            if self.series.get(source) != Some(series) {
                events.push(Event::BatchSeriesRecorded(SeriesRecorded {
                    source: source.clone(),
                    series: series.clone(),
                }));
            }
        }
        Ok(events)
    }

    fn reason(command: &BatchCommand) -> Option<&str> {
        let BatchCommand::Report { reason, .. } = command;
        reason.as_deref()
    }
}

/// What a report of an already recorded batch changes. A report never clears what was
/// reported before (a blank cell means "not reported", not "erase"), and a batch never
/// moves to another product.
fn changes(batch: &BatchRecorded, report: &BatchReport) -> Result<Vec<Event>, DomainError> {
    if batch.product != report.product.as_str() {
        return Err(DomainError::InvalidState(format!(
            "batch {}/{} is recorded for product {}; it cannot be reported for product {}",
            batch.site,
            batch.number,
            batch.product,
            report.product.as_str()
        )));
    }
    let mut events = Vec::new();
    if let Some(size) = &report.size
        && batch.size.as_ref() != Some(size)
    {
        events.push(Event::BatchSizeChanged(BatchSizeChanged {
            from: batch.size.clone(),
            to: size.clone(),
        }));
    }
    let mut moved = Vec::new();
    for (plan, old, new) in [
        (Plan::Planned, &batch.planned, &report.planned),
        (Plan::Actual, &batch.actual, &report.actual),
    ] {
        moved.extend(milestone_changes(plan, old, new));
    }
    if !moved.is_empty() {
        events.push(Event::BatchMilestonesChanged(MilestonesChanged {
            changes: moved,
        }));
    }
    if let Some(to) = report.disposition
        && batch.disposition != Some(to)
    {
        events.push(Event::BatchDispositionChanged(DispositionChanged {
            from: batch.disposition,
            to,
        }));
    }
    let shipment = batch.shipment.updated_by(&report.shipment);
    if shipment != batch.shipment {
        events.push(Event::BatchShipmentChanged(ShipmentChanged {
            from: batch.shipment.clone(),
            to: shipment,
        }));
    }
    Ok(events)
}

fn milestone_changes(plan: Plan, old: &Milestones, new: &Milestones) -> Vec<MilestoneChange> {
    new.iter()
        .filter(|(m, date)| old.get(m) != Some(date))
        .map(|(m, date)| MilestoneChange {
            milestone: *m,
            plan,
            from: old.get(m).copied(),
            to: *date,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::PartialDate;
    use crate::time::Timestamp;
    use crate::{Actor, Ctx};
    use events::BatchSource;
    use milestone::Milestone;

    fn ctx() -> Ctx {
        Ctx {
            actor: Actor("cmo.lyo".into()),
            now: Timestamp::from_micros(0),
        }
    }

    fn report() -> BatchReport {
        let mut r = BatchReport::new("CMO-LYO", "B-001", "PARA-500", BatchSource::Cmo).unwrap();
        r.actual.insert(
            Milestone::ProductionStart,
            PartialDate::parse("d", "2026-03").unwrap(),
        );
        r.consume(LotRef::parse("SMCC", "12").unwrap(), None);
        r.result("lab", "assay", "99.1");
        r
    }

    fn decide(state: &BatchState, report: BatchReport) -> Result<Vec<Event>, DomainError> {
        state.decide(
            &BatchCommand::Report {
                report: Box::new(report),
                reason: None,
            },
            &ctx(),
        )
    }

    fn fold(events: &[Event]) -> BatchState {
        let mut state = BatchState::default();
        events.iter().for_each(|e| state.apply(e));
        state
    }

    #[test]
    fn reporting_the_same_batch_again_records_nothing() {
        let first = decide(&BatchState::default(), report()).unwrap();
        assert_eq!(first.len(), 3, "recorded, consumed, results: {first:?}");
        assert_eq!(decide(&fold(&first), report()).unwrap(), Vec::new());
    }

    #[test]
    fn a_later_report_records_only_what_changed_with_the_old_value() {
        let state = fold(&decide(&BatchState::default(), report()).unwrap());
        let mut later = report();
        later.actual.insert(
            Milestone::ProductionStart,
            PartialDate::parse("d", "2026-03-04").unwrap(),
        );
        later.result("lab", "assay", "99.4");

        let events = decide(&state, later).unwrap();

        let [
            Event::BatchMilestonesChanged(moved),
            Event::BatchResultsRecorded(results),
        ] = events.as_slice()
        else {
            panic!("unexpected events {events:?}");
        };
        assert_eq!(
            moved.changes[0].from.map(|d| d.to_string()).as_deref(),
            Some("2026-03")
        );
        assert_eq!(results.results[0].previous.as_deref(), Some("99.1"));
    }

    #[test]
    fn a_batch_never_moves_to_another_product() {
        let state = fold(&decide(&BatchState::default(), report()).unwrap());
        let mut other = report();
        other.product = crate::fields::Code::parse("product", "IBU-400").unwrap();
        assert!(matches!(
            decide(&state, other),
            Err(DomainError::InvalidState(_))
        ));
    }
}
