//! E-mail notices of overdue work: once a day, each active person with an e-mail
//! address is told which of their actions are overdue and — if they handle
//! exceptions — which exceptions at their sites are past due. A notice is recorded in
//! the ledger after the mail server took it, so nobody is told twice on one day and the
//! audit trail shows who was told what.

use std::sync::Arc;

use vplant_domain::identity::Permission;
use vplant_domain::notice::{NoticeState, OverdueNoticeSent, RecordNotice};
use vplant_domain::{Aggregate, DomainError};

use crate::identity::principal_of;
use crate::{App, AppError, Request};

/// Hands a message to a mail server. `Err` says why it was not accepted.
pub trait Mailer: Send + Sync {
    fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// What one round of notices did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeRound {
    pub sent: usize,
    /// People whose notice the mail server refused (tried again next round).
    pub failed: Vec<(String, String)>,
}

impl App {
    /// Sends today's overdue notices not sent yet; `base_url` makes the links.
    pub async fn send_overdue_notices(
        &self,
        mailer: Arc<dyn Mailer>,
        base_url: &str,
    ) -> Result<NoticeRound, AppError> {
        let today = self.store.now().date();
        let mut round = NoticeRound::default();
        for user in self.store.users().await? {
            if !user.active || user.email.is_empty() {
                continue;
            }
            let id = format!("{}/{today}", user.username);
            let (state, _) = self
                .load::<NoticeState>(&NoticeState::stream_id(&id))
                .await?;
            if state.sent {
                continue;
            }
            let principal = principal_of(&user);
            let scope = principal.scope();
            let mut overdue = self.overdue_for(&scope, &user.username).await?;
            if !principal.can(Permission::HandleExceptions) {
                overdue.exceptions.clear();
            }
            if overdue.actions.is_empty() && overdue.exceptions.is_empty() {
                continue;
            }
            let mut body = format!(
                "Dear {},\n\nThese items are past their due date as of {today}:\n\n",
                user.full_name
            );
            for a in &overdue.actions {
                body.push_str(&format!(
                    "- Action {} \"{}\", due {}: {base_url}/actions/{}\n",
                    a.number, a.title, a.due, a.number
                ));
            }
            for e in &overdue.exceptions {
                body.push_str(&format!(
                    "- Exception {} \"{}\" at {}, due {}: {base_url}/exceptions/{}\n",
                    e.number, e.title, e.site, e.due, e.number
                ));
            }
            body.push_str(
                "\nVirtual Plant sends this notice once a day while items are overdue.\n",
            );
            let count = overdue.actions.len() + overdue.exceptions.len();
            let subject = format!("Virtual Plant: {count} overdue item(s)");
            let (to, m) = (user.email.clone(), mailer.clone());
            let sent = tokio::task::spawn_blocking(move || m.send(&to, &subject, &body))
                .await
                .map_err(|e| AppError::Internal(format!("the mail task failed: {e}")))?;
            if let Err(reason) = sent {
                tracing::warn!(user = %user.username, %reason, "an overdue notice was not accepted by the mail server");
                round.failed.push((user.username.clone(), reason));
                continue;
            }
            let notice = OverdueNoticeSent {
                to: user.username.clone(),
                email: user.email.clone(),
                day: today,
                actions: overdue.actions.iter().map(|a| a.number.clone()).collect(),
                exceptions: overdue
                    .exceptions
                    .iter()
                    .map(|e| e.number.clone())
                    .collect(),
            };
            match self
                .execute::<NoticeState>(
                    &id,
                    RecordNotice(notice),
                    &Request::by(crate::identity::SYSTEM),
                )
                .await
            {
                // Another server sent it at the same moment; both mails went out.
                Ok(_) | Err(AppError::Domain(DomainError::AlreadyExists { .. })) => round.sent += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(round)
    }
}
