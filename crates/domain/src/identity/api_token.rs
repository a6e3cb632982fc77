//! API tokens for integrations, one `apitoken/{id}` stream each. A token acts for its
//! owner, limited to the roles and sites it was issued with, until it expires or is
//! revoked. Only the token's SHA-256 is stored.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::{Empty, Event};
use crate::fields::{Name, Reason};
use crate::identity::role::Role;
use crate::identity::user::Access;
use crate::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenIssued {
    pub owner: String,
    /// What the token is for, e.g. "LIMS interface".
    pub name: String,
    pub token_hash: String,
    pub roles: Vec<Role>,
    pub sites: Vec<String>,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug)]
pub enum ApiTokenCommand {
    Issue {
        owner: String,
        name: Name,
        token_hash: String,
        access: Access,
        expires_at: Timestamp,
    },
    Revoke {
        reason: Reason,
    },
}

#[derive(Clone, Debug, Default)]
pub struct ApiTokenState {
    pub issued: Option<ApiTokenIssued>,
    pub revoked: bool,
}

impl Aggregate for ApiTokenState {
    type Command = ApiTokenCommand;

    fn stream_id(id: &str) -> String {
        format!("apitoken/{id}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::ApiTokenIssued(e) => self.issued = Some(e.clone()),
            Event::ApiTokenRevoked(_) => self.revoked = true,
            _ => {}
        }
    }

    fn decide(&self, command: &ApiTokenCommand, ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        match (&self.issued, command) {
            (
                None,
                ApiTokenCommand::Issue {
                    owner,
                    name,
                    token_hash,
                    access,
                    expires_at,
                },
            ) => {
                if *expires_at <= ctx.now {
                    return Err(DomainError::field("expires_at", "must be in the future"));
                }
                Ok(vec![Event::ApiTokenIssued(ApiTokenIssued {
                    owner: owner.clone(),
                    name: name.as_str().to_owned(),
                    token_hash: token_hash.clone(),
                    roles: access.roles.clone(),
                    sites: access.sites.clone(),
                    expires_at: *expires_at,
                })])
            }
            (Some(_), ApiTokenCommand::Issue { .. }) => Err(DomainError::AlreadyExists {
                what: "API token",
                id: String::new(),
            }),
            (None, ApiTokenCommand::Revoke { .. }) => Err(DomainError::NotFound {
                what: "API token",
                id: String::new(),
            }),
            (Some(_), ApiTokenCommand::Revoke { .. }) if self.revoked => Err(
                DomainError::InvalidState("the API token is already revoked".to_owned()),
            ),
            (Some(_), ApiTokenCommand::Revoke { .. }) => Ok(vec![Event::ApiTokenRevoked(Empty {})]),
        }
    }

    fn reason(command: &ApiTokenCommand) -> Option<&str> {
        match command {
            ApiTokenCommand::Issue { .. } => None,
            ApiTokenCommand::Revoke { reason } => Some(reason.as_str()),
        }
    }
}
