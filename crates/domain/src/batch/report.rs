//! A batch as a CMO (or an importer) reports it: the whole known state, from which the
//! domain decides what is new. Reporting the same batch twice records nothing the
//! second time; that is what makes imports idempotent.

use std::collections::BTreeMap;

use super::events::{BatchSource, Disposition, Series, Shipment, TestResult};
use super::milestone::Milestones;
use crate::error::DomainError;
use crate::fields::{Code, Errors, Number};
use crate::lot::LotRef;
use crate::units::Quantity;

/// A validated batch report. Build it with [`BatchReport::new`] and the `with_*`
/// methods.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchReport {
    pub site: Code,
    pub number: Number,
    pub product: Code,
    pub source: BatchSource,
    pub size: Option<Quantity>,
    pub planned: Milestones,
    pub actual: Milestones,
    pub disposition: Option<Disposition>,
    pub shipment: Shipment,
    pub consumed: Vec<(LotRef, Option<Quantity>)>,
    pub yielded: Vec<(LotRef, Option<Quantity>)>,
    /// Results by source, each by test name.
    pub results: BTreeMap<String, BTreeMap<String, String>>,
    /// Time series by source.
    pub series: BTreeMap<String, Series>,
    /// The published data set the batch comes from, if any.
    pub provenance: Option<String>,
}

impl BatchReport {
    pub fn new(
        site: &str,
        number: &str,
        product: &str,
        source: BatchSource,
    ) -> Result<BatchReport, DomainError> {
        let mut errors = Errors::default();
        let site = errors.take(Code::parse("site", site));
        let number = errors.take(Number::parse("batch", number));
        let product = errors.take(Code::parse("product", product));
        errors.into_result()?;
        match (site, number, product) {
            (Some(site), Some(number), Some(product)) => Ok(BatchReport {
                site,
                number,
                product,
                source,
                size: None,
                planned: Milestones::new(),
                actual: Milestones::new(),
                disposition: None,
                shipment: Shipment::default(),
                consumed: Vec::new(),
                yielded: Vec::new(),
                results: BTreeMap::new(),
                series: BTreeMap::new(),
                provenance: None,
            }),
            _ => Err(DomainError::field("batch", "could not be read")),
        }
    }

    /// `<site>/<number>`, the batch's record id.
    pub fn id(&self) -> String {
        format!("{}/{}", self.site.as_str(), self.number.as_str())
    }

    /// Adds a consumed lot, once.
    pub fn consume(&mut self, lot: LotRef, quantity: Option<Quantity>) {
        if !self.consumed.iter().any(|(l, _)| *l == lot) {
            self.consumed.push((lot, quantity));
        }
    }

    /// Adds a yielded lot, once.
    pub fn yield_lot(&mut self, lot: LotRef, quantity: Option<Quantity>) {
        if !self.yielded.iter().any(|(l, _)| *l == lot) {
            self.yielded.push((lot, quantity));
        }
    }

    pub fn result(&mut self, source: &str, test: &str, value: &str) {
        self.results
            .entry(source.to_owned())
            .or_default()
            .insert(test.to_owned(), value.to_owned());
    }

    pub(super) fn results_of(&self, source: &str) -> Vec<TestResult> {
        self.results
            .get(source)
            .map(|tests| {
                tests
                    .iter()
                    .map(|(test, value)| TestResult {
                        test: test.clone(),
                        value: value.clone(),
                        previous: None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}
