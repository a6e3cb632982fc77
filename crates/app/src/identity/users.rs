//! Account administration: create users, change their profile, roles and sites,
//! reset passwords, lock, unlock, deactivate, reactivate. Accounts are never deleted.

use std::fmt;

use vplant_domain::DomainError;
use vplant_domain::fields::{Errors, Name, Reason};
use vplant_domain::identity::fields::{Email, NewPassword};
use vplant_domain::identity::session::SessionEnd;
use vplant_domain::identity::user::{Access, NewUser, UserCommand, UserState};
use vplant_store::queries::identity::User;

use crate::{App, AppError, Request};

/// What an administrator (or `vplant admin create-user`) enters for a new account.
#[derive(Clone, Debug, Default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub sites: Vec<String>,
    /// `None`: the system makes a one-time password.
    pub password: Option<String>,
    /// Whether the password must be changed at first sign-in. Always true for a
    /// one-time password.
    pub must_change_password: bool,
}

/// A password made by the system, shown once to the administrator who hands it over.
/// Its `Debug` hides it, so it cannot end up in a log by accident.
#[derive(Clone)]
pub struct OneTimePassword(pub String);

impl fmt::Debug for OneTimePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimePassword(…)")
    }
}

/// Letters and digits that cannot be mistaken for each other when read aloud or
/// copied from a screen (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn validation(e: vplant_domain::FieldError) -> AppError {
    AppError::Domain(DomainError::Validation(vec![e]))
}

impl App {
    /// A random one-time password: four groups of five characters (about 98 bits).
    pub fn one_time_password(&self) -> Result<OneTimePassword, AppError> {
        let bytes = self.security.passwords.random::<20>()?;
        let chars: Vec<char> = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        let groups: Vec<String> = chars.chunks(5).map(|c| c.iter().collect()).collect();
        Ok(OneTimePassword(groups.join("-")))
    }

    /// Creates an account. Returns the one-time password when the system made one.
    pub async fn create_user(
        &self,
        input: NewUserInput,
        request: &Request,
    ) -> Result<(User, Option<OneTimePassword>), AppError> {
        let parsed = NewUser::parse(
            &input.username,
            &input.full_name,
            &input.email,
            &input.roles,
            &input.sites,
        );
        let mut errors = Errors::default();
        let password = match &input.password {
            Some(raw) => errors
                .take(NewPassword::parse(
                    "password",
                    raw,
                    &[&input.username, &input.full_name],
                ))
                .map(|p| p.expose().to_owned()),
            None => None,
        };
        let user = match parsed {
            Ok(user) => Some(user),
            Err(DomainError::Validation(fields)) => {
                fields.into_iter().for_each(|f| errors.push(f));
                None
            }
            Err(other) => return Err(other.into()),
        };
        if let Some(user) = &user {
            self.check_sites(&user.access, &mut errors).await?;
        }
        errors.into_result()?;
        let Some(user) = user else {
            return Err(DomainError::field("username", "could not be read").into());
        };
        let (password, one_time) = match (password, input.password.is_some()) {
            (Some(p), true) => (p, None),
            _ => {
                let otp = self.one_time_password()?;
                (otp.0.clone(), Some(otp))
            }
        };
        let password_hash = self.security.passwords.hash(password).await?;
        let username = user.username.as_str().to_owned();
        self.execute::<UserState>(
            &username,
            UserCommand::Register {
                user,
                password_hash,
                must_change_password: input.must_change_password || one_time.is_some(),
            },
            request,
        )
        .await?;
        Ok((self.user(&username).await?, one_time))
    }

    /// Sites named for a CMO partner must be registered CMO sites.
    async fn check_sites(&self, access: &Access, errors: &mut Errors) -> Result<(), AppError> {
        for code in &access.sites {
            match self.store.site(code).await? {
                None => errors.push(vplant_domain::FieldError::new(
                    "sites",
                    format!("'{code}' is not a registered site"),
                )),
                Some(site) if site.kind != "cmo" => errors.push(vplant_domain::FieldError::new(
                    "sites",
                    format!("'{code}' is an internal site; CMO partners are bound to CMO sites"),
                )),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The account, or `NotFound` naming it.
    pub async fn user(&self, username: &str) -> Result<User, AppError> {
        self.store.user(username).await?.ok_or_else(|| {
            DomainError::NotFound {
                what: "user",
                id: username.to_lowercase(),
            }
            .into()
        })
    }

    pub async fn change_profile(
        &self,
        username: &str,
        full_name: &str,
        email: &str,
        reason: &str,
        request: &Request,
    ) -> Result<User, AppError> {
        let mut errors = Errors::default();
        let full_name = errors.take(Name::parse("full_name", full_name));
        let email = errors.take(Email::parse("email", email));
        let reason = errors.take(Reason::parse("reason", reason));
        errors.into_result()?;
        let (Some(full_name), Some(email), Some(reason)) = (full_name, email, reason) else {
            return Err(DomainError::field("full_name", "could not be read").into());
        };
        self.user_command(
            username,
            UserCommand::ChangeProfile {
                full_name,
                email,
                reason,
            },
            request,
        )
        .await
    }

    pub async fn change_access(
        &self,
        username: &str,
        roles: &[String],
        sites: &[String],
        reason: &str,
        request: &Request,
    ) -> Result<User, AppError> {
        let mut errors = Errors::default();
        let access = match Access::parse(roles, sites) {
            Ok(access) => Some(access),
            Err(fields) => {
                fields.into_iter().for_each(|f| errors.push(f));
                None
            }
        };
        let reason = errors.take(Reason::parse("reason", reason));
        if let Some(access) = &access {
            self.check_sites(access, &mut errors).await?;
        }
        errors.into_result()?;
        let (Some(access), Some(reason)) = (access, reason) else {
            return Err(DomainError::field("roles", "could not be read").into());
        };
        self.user_command(
            username,
            UserCommand::ChangeAccess { access, reason },
            request,
        )
        .await
    }

    /// Sets a one-time password the person must change at next sign-in, and ends
    /// their sessions.
    pub async fn reset_password(
        &self,
        username: &str,
        reason: &str,
        request: &Request,
    ) -> Result<OneTimePassword, AppError> {
        let reason = Reason::parse("reason", reason).map_err(validation)?;
        let otp = self.one_time_password()?;
        let password_hash = self.security.passwords.hash(otp.0.clone()).await?;
        self.user_command(
            username,
            UserCommand::ResetPassword {
                password_hash,
                reason,
            },
            request,
        )
        .await?;
        self.end_sessions_of(username, &request.actor.0).await?;
        Ok(otp)
    }

    /// Lock, unlock, deactivate or reactivate, with a reason. Locking and
    /// deactivating end the person's sessions at once.
    pub async fn set_account_state(
        &self,
        username: &str,
        change: AccountChange,
        reason: &str,
        request: &Request,
    ) -> Result<User, AppError> {
        // Locking or deactivating oneself would leave the person outside with no way
        // back in, and could remove the last administrator; another one must do it.
        if matches!(change, AccountChange::Lock | AccountChange::Deactivate)
            && request.actor.0.trim().eq_ignore_ascii_case(username.trim())
        {
            let verb = if change == AccountChange::Lock {
                "lock"
            } else {
                "deactivate"
            };
            return Err(DomainError::NotAllowed(format!(
                "you cannot {verb} your own account; ask another administrator to do it"
            ))
            .into());
        }
        let reason = Reason::parse("reason", reason).map_err(validation)?;
        let command = match change {
            AccountChange::Lock => UserCommand::Lock { reason },
            AccountChange::Unlock => UserCommand::Unlock { reason },
            AccountChange::Deactivate => UserCommand::Deactivate { reason },
            AccountChange::Reactivate => UserCommand::Reactivate { reason },
        };
        let user = self.user_command(username, command, request).await?;
        if matches!(change, AccountChange::Lock | AccountChange::Deactivate) {
            self.end_sessions_of(username, &request.actor.0).await?;
        }
        Ok(user)
    }

    async fn end_sessions_of(&self, username: &str, actor: &str) -> Result<(), AppError> {
        for session in self.store.open_sessions(&username.to_lowercase()).await? {
            self.end_session(&session.id, SessionEnd::Revoked, actor)
                .await?;
        }
        Ok(())
    }

    async fn user_command(
        &self,
        username: &str,
        command: UserCommand,
        request: &Request,
    ) -> Result<User, AppError> {
        let username = username.trim().to_lowercase();
        self.execute::<UserState>(&username, command, request)
            .await?;
        self.user(&username).await
    }
}

/// The account changes an administrator makes with only a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountChange {
    Lock,
    Unlock,
    Deactivate,
    Reactivate,
}
