//! Sign-in attempts with a username that does not exist. They are recorded per client
//! address (`signin/{client}`) so that a security review sees probing, without storing
//! the text typed as username: people type passwords there by mistake.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::Event;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnknownUserSignIn {
    pub client: String,
}

#[derive(Clone, Debug, Default)]
pub struct UnknownSignIns;

impl Aggregate for UnknownSignIns {
    type Command = UnknownUserSignIn;

    fn stream_id(client: &str) -> String {
        format!("signin/{client}")
    }

    fn apply(&mut self, _: &Event) {}

    fn decide(&self, command: &UnknownUserSignIn, _: &Ctx) -> Result<Vec<Event>, DomainError> {
        Ok(vec![Event::UnknownUserSignIn(command.clone())])
    }

    fn reason(_: &UnknownUserSignIn) -> Option<&str> {
        None
    }
}
