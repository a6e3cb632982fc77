//! Notices of overdue work sent to people by e-mail: at most one per person and day,
//! recorded after it was handed to the mail server, so the audit trail shows who was
//! told what, and when. Stream `notice/<username>/<day>`.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::dates::PartialDate;
use crate::error::DomainError;
use crate::event::Event;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueNoticeSent {
    pub to: String,
    pub email: String,
    pub day: PartialDate,
    /// Overdue action numbers the notice listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Overdue exception numbers the notice listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct RecordNotice(pub OverdueNoticeSent);

#[derive(Clone, Debug, Default)]
pub struct NoticeState {
    pub sent: bool,
}

impl Aggregate for NoticeState {
    type Command = RecordNotice;

    /// `id` is `<username>/<YYYY-MM-DD>`.
    fn stream_id(id: &str) -> String {
        format!("notice/{id}")
    }

    fn apply(&mut self, event: &Event) {
        if let Event::OverdueNoticeSent(_) = event {
            self.sent = true;
        }
    }

    fn decide(&self, command: &RecordNotice, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        if self.sent {
            return Err(DomainError::AlreadyExists {
                what: "notice",
                id: format!("{}/{}", command.0.to, command.0.day),
            });
        }
        Ok(vec![Event::OverdueNoticeSent(command.0.clone())])
    }

    fn reason(_command: &RecordNotice) -> Option<&str> {
        None
    }
}
