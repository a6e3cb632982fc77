//! Who acts and when: the inputs every decision receives instead of reading globals.

use crate::time::Timestamp;

/// The person or system a change is attributed to, as recorded in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The context of one command.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Actor,
    pub now: Timestamp,
}
