//! Creating a record that people quote by number (`EX-2026-0042`, `AC-2026-0007`):
//! the number is taken from the series' counter in the same atomic commit as the
//! record, so two people creating at once get consecutive numbers, never the same.

use vplant_domain::numbering::{CounterState, TakeNumber};
use vplant_domain::{Aggregate, DomainError, Event};
use vplant_store::StoreError;

use crate::{App, AppError, Request};

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
            unit.decide::<CounterState>(
                &series,
                TakeNumber {
                    series: series.clone(),
                },
            )
            .await?;
            let number = match unit.decided::<CounterState>(&series).as_slice() {
                [Event::NumberTaken(taken)] => taken.number.clone(),
                _ => {
                    return Err(AppError::Internal(
                        "the counter handed out no number".into(),
                    ));
                }
            };
            unit.decide::<A>(&number, make(&number)?).await?;
            match unit.commit_all().await {
                // Another writer took the number first: take the next one.
                Err(AppError::Store(StoreError::Conflict { .. })) if attempt < 5 => {}
                Err(e) => return Err(e),
                Ok(_) => return Ok(number),
            }
        }
    }
}
