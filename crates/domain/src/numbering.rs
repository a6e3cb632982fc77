//! Record numbers that people quote (`EX-2026-0042`): handed out by a counter stream
//! per series and year (`counter/EX-2026`). Taking a number is an event in the same
//! atomic commit that creates the record, so two writers racing for a number conflict
//! and one retries; numbers are never skipped or reused.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::Event;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberTaken {
    /// The number handed out, e.g. `EX-2026-0042`.
    pub number: String,
}

#[derive(Clone, Debug, Default)]
pub struct CounterState {
    pub taken: u64,
}

impl CounterState {
    /// The number the next taker gets in series `series` (e.g. `EX-2026`).
    pub fn next(&self, series: &str) -> String {
        format!("{series}-{:04}", self.taken + 1)
    }
}

/// Take the next number of the series.
#[derive(Clone, Debug)]
pub struct TakeNumber {
    pub series: String,
}

impl Aggregate for CounterState {
    type Command = TakeNumber;

    fn stream_id(series: &str) -> String {
        format!("counter/{series}")
    }

    fn apply(&mut self, event: &Event) {
        if let Event::NumberTaken(_) = event {
            self.taken += 1;
        }
    }

    fn decide(&self, command: &TakeNumber, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        Ok(vec![Event::NumberTaken(NumberTaken {
            number: self.next(&command.series),
        })])
    }

    fn reason(_command: &TakeNumber) -> Option<&str> {
        None
    }
}
