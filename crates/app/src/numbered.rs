//! Creating a record that people quote by number (`EX-2026-0042`, `AC-2026-0007`):
//! the number is taken from the series' counter in the same atomic commit as the
//! record, so two people creating at once get consecutive numbers, never the same.

use vplant_domain::numbering::{CounterState, TakeNumber};
use vplant_domain::{Aggregate, DomainError, Event};
use vplant_store::StoreError;

use crate::unit::Unit;
use crate::{App, AppError, Request};

/// How often a numbered record is tried before giving up: each round at least one
/// of the writers racing for the counter wins, so this many writers at one moment
/// all get their number.
pub(crate) const NUMBER_ATTEMPTS: usize = 32;

/// Whether an attempt at a numbered record lost the race for its number, and
/// should take the next one: the counter moved on before the commit (a conflict),
/// or another writer committed that number, record and all, between the moment
/// the counter was read and the moment the record was (it then already exists).
pub(crate) fn lost_race(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Store(StoreError::Conflict { .. })
            | AppError::Domain(DomainError::AlreadyExists { .. })
    )
}

impl App {
    /// Takes the next number of `prefix-<year>` and creates record `A` with the
    /// command `make(number)` builds; returns the number.
    pub(crate) async fn create_numbered<A: Aggregate>(
        &self,
        prefix: &str,
        request: &Request,
        make: impl Fn(&str) -> Result<A::Command, DomainError>,
    ) -> Result<String, AppError> {
        let series = format!("{prefix}-{}", self.store.now().date().year());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut unit = self.unit(request);
            let number = unit.take_number(&series).await?;
            let outcome = match unit.decide::<A>(&number, make(&number)?).await {
                Ok(_) => unit.commit_all().await.map(|_| ()),
                Err(e) => Err(e),
            };
            match outcome {
                Err(e) if lost_race(&e) && attempt < NUMBER_ATTEMPTS => {}
                Err(e) => return Err(e),
                Ok(()) => return Ok(number),
            }
        }
    }
}

impl Unit<'_> {
    /// Takes the next number of `series` (`EX-2026`) from its counter, in this unit:
    /// the number is only the caller's if the unit commits (see [`lost_race`]).
    pub(crate) async fn take_number(&mut self, series: &str) -> Result<String, AppError> {
        self.decide::<CounterState>(
            series,
            TakeNumber {
                series: series.to_owned(),
            },
        )
        .await?;
        match self.decided::<CounterState>(series).last() {
            Some(Event::NumberTaken(taken)) => Ok(taken.number.clone()),
            _ => Err(AppError::Internal(
                "the counter handed out no number".into(),
            )),
        }
    }
}
