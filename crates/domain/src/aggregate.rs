//! The shape every aggregate (a stream of the ledger) takes.

use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::Event;

/// An aggregate's state is a fold of its stream's events; a command is decided against
/// that state into new events. Both functions are pure.
pub trait Aggregate: Default {
    type Command;

    /// The ledger stream that holds this aggregate, e.g. `site/BSL`.
    fn stream_id(id: &str) -> String;

    /// Folds one event of this stream into the state.
    fn apply(&mut self, event: &Event);

    /// Folds one event recorded at `at` (ledger time). Aggregates whose rules run
    /// on elapsed time (hold times) override it; the rest only fold the event.
    fn apply_recorded(&mut self, event: &Event, at: crate::time::Timestamp) {
        let _ = at;
        self.apply(event);
    }

    /// Decides what a command changes, or why it cannot.
    fn decide(&self, command: &Self::Command, ctx: &Ctx) -> Result<Vec<Event>, DomainError>;

    /// The reason recorded with the command's events in the ledger.
    fn reason(command: &Self::Command) -> Option<&str>;
}
