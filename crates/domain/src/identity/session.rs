//! Sign-in sessions, one `session/{id}` stream each: started, seen active, ended.
//! The token itself never reaches the ledger, only its SHA-256.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionStarted {
    pub username: String,
    /// SHA-256 of the session token, hex.
    pub token_hash: String,
    /// The session ends after this long without a request.
    pub idle_timeout_secs: u64,
    /// The session ends at this time whatever the activity.
    pub expires_at: Timestamp,
    /// Client address, for the security review.
    pub client: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    SignedOut,
    IdleTimeout,
    AbsoluteTimeout,
    /// The account was locked, deactivated, or signed out everywhere.
    Revoked,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::SignedOut => "signed out",
            SessionEnd::IdleTimeout => "idle timeout",
            SessionEnd::AbsoluteTimeout => "absolute timeout",
            SessionEnd::Revoked => "revoked",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionEnded {
    pub why: SessionEnd,
}

#[derive(Clone, Debug)]
pub enum SessionCommand {
    Start(SessionStarted),
    /// Records that the session was used, which pushes its idle deadline out.
    Touch,
    End(SessionEnd),
}

#[derive(Clone, Debug, Default)]
pub struct SessionState {
    pub started: Option<SessionStarted>,
    pub ended: Option<SessionEnd>,
}

impl Aggregate for SessionState {
    type Command = SessionCommand;

    fn stream_id(id: &str) -> String {
        format!("session/{id}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::SessionStarted(e) => self.started = Some(e.clone()),
            Event::SessionEnded(e) => self.ended = Some(e.why),
            _ => {}
        }
    }

    fn decide(&self, command: &SessionCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.started, command) {
            (None, SessionCommand::Start(started)) => {
                Ok(vec![Event::SessionStarted(started.clone())])
            }
            (Some(_), SessionCommand::Start(_)) => Err(DomainError::AlreadyExists {
                what: "session",
                id: String::new(),
            }),
            (None, _) => Err(DomainError::NotFound {
                what: "session",
                id: String::new(),
            }),
            (Some(_), _) if self.ended.is_some() => Err(DomainError::InvalidState(
                "the session has ended; sign in again".to_owned(),
            )),
            (Some(_), SessionCommand::Touch) => Ok(vec![Event::SessionActive(Empty {})]),
            (Some(_), SessionCommand::End(why)) => {
                Ok(vec![Event::SessionEnded(SessionEnded { why: *why })])
            }
        }
    }

    fn reason(_: &SessionCommand) -> Option<&str> {
        None
    }
}
