//! User accounts: never deleted, never renamed, their username never reused. Every
//! change, including each failed sign-in, is an event of the `user/{username}` stream.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::{DomainError, FieldError};
use crate::event::{Empty, Event};
use crate::fields::{Code, Errors, Name, Reason};
use crate::identity::fields::{Email, Username};
use crate::identity::role::{Principal, Role};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRegistered {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub sites: Vec<String>,
    /// Argon2id PHC string. Never shown: history views redact it.
    pub password_hash: String,
    /// A one-time password set by an administrator must be changed at first sign-in.
    pub must_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserProfileChanged {
    pub full_name: String,
    pub email: String,
    pub previous_full_name: String,
    pub previous_email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAccessChanged {
    pub roles: Vec<Role>,
    pub sites: Vec<String>,
    pub previous_roles: Vec<Role>,
    pub previous_sites: Vec<String>,
}

/// A new password hash; `must_change` is set when an administrator reset it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSet {
    pub password_hash: String,
    pub must_change: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInFailed {
    /// Consecutive failures, this one included.
    pub failures: u32,
    /// Where the attempt came from (client address), for the security review.
    pub client: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserLocked {
    /// Locked by the system after this many failures; `None` when an administrator
    /// locked the account (the ledger reason says why).
    pub after_failures: Option<u32>,
}

/// Roles and sites, checked together: a CMO partner holds no other role and is
/// bound to at least one site; internal roles are not bound to sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub roles: Vec<Role>,
    pub sites: Vec<String>,
}

impl Access {
    pub fn parse(roles: &[String], sites: &[String]) -> Result<Access, Vec<FieldError>> {
        let mut errors = Errors::default();
        let mut parsed_roles = BTreeSet::new();
        for raw in roles.iter().filter(|r| !r.trim().is_empty()) {
            if let Some(role) = errors.take(Role::parse("roles", raw)) {
                parsed_roles.insert(role);
            }
        }
        let mut parsed_sites = BTreeSet::new();
        for raw in sites.iter().filter(|s| !s.trim().is_empty()) {
            if let Some(code) = errors.take(Code::parse("sites", raw)) {
                parsed_sites.insert(code.as_str().to_owned());
            }
        }
        if parsed_roles.is_empty() && roles.iter().all(|r| r.trim().is_empty()) {
            errors.push(FieldError::new("roles", "choose at least one role"));
        }
        let scoped = parsed_roles.iter().any(|r| r.is_site_scoped());
        if scoped && parsed_roles.len() > 1 {
            errors.push(FieldError::new(
                "roles",
                "a CMO partner cannot hold internal roles; create a separate account",
            ));
        }
        if scoped && parsed_sites.is_empty() && sites.iter().all(|s| s.trim().is_empty()) {
            errors.push(FieldError::new(
                "sites",
                "a CMO partner must be bound to their site",
            ));
        }
        match errors.into_result() {
            Ok(()) => Ok(Access {
                roles: parsed_roles.into_iter().collect(),
                sites: parsed_sites.into_iter().collect(),
            }),
            Err(DomainError::Validation(fields)) => Err(fields),
            Err(_) => Err(vec![FieldError::new("roles", "could not be read")]),
        }
    }
}

/// A validated new account. The password hash is made by the caller (hashing needs
/// randomness and time, which the domain does not have).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: Username,
    pub full_name: Name,
    pub email: Email,
    pub access: Access,
}

impl NewUser {
    pub fn parse(
        username: &str,
        full_name: &str,
        email: &str,
        roles: &[String],
        sites: &[String],
    ) -> Result<NewUser, DomainError> {
        let mut errors = Errors::default();
        let username = errors.take(Username::parse("username", username));
        let full_name = errors.take(Name::parse("full_name", full_name));
        let email = errors.take(Email::parse("email", email));
        let access = match Access::parse(roles, sites) {
            Ok(access) => Some(access),
            Err(fields) => {
                fields.into_iter().for_each(|f| errors.push(f));
                None
            }
        };
        errors.into_result()?;
        match (username, full_name, email, access) {
            (Some(username), Some(full_name), Some(email), Some(access)) => Ok(NewUser {
                username,
                full_name,
                email,
                access,
            }),
            _ => Err(DomainError::field("username", "could not be read")),
        }
    }
}

#[derive(Clone, Debug)]
pub enum UserCommand {
    Register {
        user: NewUser,
        password_hash: String,
        must_change_password: bool,
    },
    ChangeProfile {
        full_name: Name,
        email: Email,
        reason: Reason,
    },
    ChangeAccess {
        access: Access,
        reason: Reason,
    },
    /// The person changes their own password (they proved the current one).
    ChangePassword {
        password_hash: String,
    },
    /// An administrator sets a one-time password.
    ResetPassword {
        password_hash: String,
        reason: Reason,
    },
    SignInFailed {
        client: String,
        lock_after: u32,
    },
    /// A successful sign-in after failures clears the count.
    ClearFailures,
    Lock {
        reason: Reason,
    },
    Unlock {
        reason: Reason,
    },
    Deactivate {
        reason: Reason,
    },
    Reactivate {
        reason: Reason,
    },
    /// Ends every open session and API session of the person ("sign out everywhere").
    RevokeSessions {
        reason: Reason,
    },
}

/// An account as its events describe it.
#[derive(Clone, Debug, Default)]
pub struct UserState {
    pub registered: Option<UserRegistered>,
    pub full_name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub sites: Vec<String>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub failures: u32,
    pub locked: bool,
    pub active: bool,
}

impl UserState {
    pub fn principal(&self) -> Option<Principal> {
        let registered = self.registered.as_ref()?;
        Some(Principal::new(
            &registered.username,
            &self.full_name,
            self.roles.iter().copied().collect(),
            self.sites.iter().cloned().collect(),
        ))
    }

    fn require(&self) -> Result<&UserRegistered, DomainError> {
        self.registered.as_ref().ok_or(DomainError::NotFound {
            what: "user",
            id: String::new(),
        })
    }

    fn require_active(&self) -> Result<&UserRegistered, DomainError> {
        let user = self.require()?;
        if !self.active {
            return Err(DomainError::InvalidState(format!(
                "user '{}' is deactivated; reactivate the account first",
                user.username
            )));
        }
        Ok(user)
    }
}

impl Aggregate for UserState {
    type Command = UserCommand;

    fn stream_id(username: &str) -> String {
        format!("user/{username}")
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::UserRegistered(e) => {
                self.registered = Some(e.clone());
                self.full_name = e.full_name.clone();
                self.email = e.email.clone();
                self.roles = e.roles.clone();
                self.sites = e.sites.clone();
                self.password_hash = e.password_hash.clone();
                self.must_change_password = e.must_change_password;
                self.active = true;
            }
            Event::UserProfileChanged(e) => {
                self.full_name = e.full_name.clone();
                self.email = e.email.clone();
            }
            Event::UserAccessChanged(e) => {
                self.roles = e.roles.clone();
                self.sites = e.sites.clone();
            }
            Event::UserPasswordChanged(e) | Event::UserPasswordReset(e) => {
                self.password_hash = e.password_hash.clone();
                self.must_change_password = e.must_change;
            }
            Event::UserSignInFailed(e) => self.failures = e.failures,
            Event::UserSignInFailuresCleared(_) => self.failures = 0,
            Event::UserLocked(_) => self.locked = true,
            Event::UserUnlocked(_) => {
                self.locked = false;
                self.failures = 0;
            }
            Event::UserDeactivated(_) => self.active = false,
            Event::UserReactivated(_) => self.active = true,
            _ => {}
        }
    }

    fn decide(&self, command: &UserCommand, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        let user = match (&self.registered, command) {
            (
                None,
                UserCommand::Register {
                    user,
                    password_hash,
                    must_change_password,
                },
            ) => {
                return Ok(vec![Event::UserRegistered(UserRegistered {
                    username: user.username.as_str().to_owned(),
                    full_name: user.full_name.as_str().to_owned(),
                    email: user.email.as_str().to_owned(),
                    roles: user.access.roles.clone(),
                    sites: user.access.sites.clone(),
                    password_hash: password_hash.clone(),
                    must_change_password: *must_change_password,
                })]);
            }
            _ => self.require()?,
        };
        let name = &user.username;
        let event = match command {
            UserCommand::Register { .. } => {
                return Err(DomainError::AlreadyExists {
                    what: "user",
                    id: name.clone(),
                });
            }
            UserCommand::ChangeProfile {
                full_name, email, ..
            } => {
                self.require_active()?;
                if full_name.as_str() == self.full_name && email.as_str() == self.email {
                    return Err(DomainError::field(
                        "full_name",
                        "nothing changed; edit the name or the e-mail address",
                    ));
                }
                Event::UserProfileChanged(UserProfileChanged {
                    full_name: full_name.as_str().to_owned(),
                    email: email.as_str().to_owned(),
                    previous_full_name: self.full_name.clone(),
                    previous_email: self.email.clone(),
                })
            }
            UserCommand::ChangeAccess { access, .. } => {
                self.require_active()?;
                if access.roles == self.roles && access.sites == self.sites {
                    return Err(DomainError::field(
                        "roles",
                        "nothing changed; choose different roles or sites",
                    ));
                }
                Event::UserAccessChanged(UserAccessChanged {
                    roles: access.roles.clone(),
                    sites: access.sites.clone(),
                    previous_roles: self.roles.clone(),
                    previous_sites: self.sites.clone(),
                })
            }
            UserCommand::ChangePassword { password_hash } => {
                self.require_active()?;
                Event::UserPasswordChanged(PasswordSet {
                    password_hash: password_hash.clone(),
                    must_change: false,
                })
            }
            UserCommand::ResetPassword { password_hash, .. } => {
                self.require_active()?;
                Event::UserPasswordReset(PasswordSet {
                    password_hash: password_hash.clone(),
                    must_change: true,
                })
            }
            UserCommand::SignInFailed { client, lock_after } => {
                let failures = self.failures.saturating_add(1);
                let failed = Event::UserSignInFailed(SignInFailed {
                    failures,
                    client: client.clone(),
                });
                if failures >= *lock_after && !self.locked && self.active {
                    return Ok(vec![
                        failed,
                        Event::UserLocked(UserLocked {
                            after_failures: Some(failures),
                        }),
                    ]);
                }
                failed
            }
            UserCommand::ClearFailures => {
                if self.failures == 0 {
                    return Err(DomainError::InvalidState(format!(
                        "user '{name}' has no failed sign-ins to clear"
                    )));
                }
                Event::UserSignInFailuresCleared(Empty {})
            }
            UserCommand::Lock { .. } => {
                self.require_active()?;
                if self.locked {
                    return Err(DomainError::InvalidState(format!(
                        "user '{name}' is already locked"
                    )));
                }
                Event::UserLocked(UserLocked {
                    after_failures: None,
                })
            }
            UserCommand::Unlock { .. } => {
                if !self.locked {
                    return Err(DomainError::InvalidState(format!(
                        "user '{name}' is not locked"
                    )));
                }
                Event::UserUnlocked(Empty {})
            }
            UserCommand::Deactivate { .. } => {
                if !self.active {
                    return Err(DomainError::InvalidState(format!(
                        "user '{name}' is already deactivated"
                    )));
                }
                Event::UserDeactivated(Empty {})
            }
            UserCommand::Reactivate { .. } => {
                if self.active {
                    return Err(DomainError::InvalidState(format!(
                        "user '{name}' is already active"
                    )));
                }
                Event::UserReactivated(Empty {})
            }
            UserCommand::RevokeSessions { .. } => Event::UserSessionsRevoked(Empty {}),
        };
        Ok(vec![event])
    }

    fn reason(command: &UserCommand) -> Option<&str> {
        match command {
            UserCommand::ChangeProfile { reason, .. }
            | UserCommand::ChangeAccess { reason, .. }
            | UserCommand::ResetPassword { reason, .. }
            | UserCommand::Lock { reason }
            | UserCommand::Unlock { reason }
            | UserCommand::Deactivate { reason }
            | UserCommand::Reactivate { reason }
            | UserCommand::RevokeSessions { reason } => Some(reason.as_str()),
            UserCommand::Register { .. }
            | UserCommand::ChangePassword { .. }
            | UserCommand::SignInFailed { .. }
            | UserCommand::ClearFailures => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Actor;
    use crate::time::Timestamp;

    fn ctx() -> Ctx {
        Ctx {
            actor: Actor("admin".into()),
            now: Timestamp::from_micros(0),
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn registered() -> UserState {
        let user = NewUser::parse(
            "jdoe",
            "Jane Doe",
            "jane@example.com",
            &strings(&["operator"]),
            &[],
        )
        .unwrap();
        let mut state = UserState::default();
        let events = state
            .decide(
                &UserCommand::Register {
                    user,
                    password_hash: "$argon2id$x".into(),
                    must_change_password: false,
                },
                &ctx(),
            )
            .unwrap();
        events.iter().for_each(|e| state.apply(e));
        state
    }

    #[test]
    fn a_cmo_partner_holds_no_internal_role_and_needs_a_site() {
        let err = Access::parse(&strings(&["cmo_partner", "qa_reviewer"]), &[]).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["roles", "sites"]);
        assert!(Access::parse(&strings(&["cmo_partner"]), &strings(&["cmo-lyo"])).is_ok());
    }

    #[test]
    fn the_fifth_failure_locks_the_account() {
        let mut state = registered();
        for n in 1..=5 {
            let events = state
                .decide(
                    &UserCommand::SignInFailed {
                        client: "10.0.0.1".into(),
                        lock_after: 5,
                    },
                    &ctx(),
                )
                .unwrap();
            assert_eq!(events.len(), if n == 5 { 2 } else { 1 });
            events.iter().for_each(|e| state.apply(e));
        }
        assert!(state.locked);
        let unlocked = state
            .decide(
                &UserCommand::Unlock {
                    reason: Reason::parse("reason", "identity confirmed by phone").unwrap(),
                },
                &ctx(),
            )
            .unwrap();
        unlocked.iter().for_each(|e| state.apply(e));
        assert!(!state.locked);
        assert_eq!(state.failures, 0);
    }

    #[test]
    fn a_username_is_never_reused() {
        let state = registered();
        let again = NewUser::parse(
            "jdoe",
            "John Doe",
            "john@example.com",
            &strings(&["operator"]),
            &[],
        )
        .unwrap();
        let refused = state.decide(
            &UserCommand::Register {
                user: again,
                password_hash: "h".into(),
                must_change_password: true,
            },
            &ctx(),
        );
        assert!(matches!(refused, Err(DomainError::AlreadyExists { .. })));
    }
}
