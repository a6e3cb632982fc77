//! Signing in and out, and checking a session on every request.

use std::time::Duration;

use vplant_domain::DomainError;
use vplant_domain::Timestamp;
use vplant_domain::fields::Reason;
use vplant_domain::identity::Principal;
use vplant_domain::identity::fields::{NewPassword, Username};
use vplant_domain::identity::session::{SessionCommand, SessionEnd, SessionStarted, SessionState};
use vplant_domain::identity::unknown::{UnknownSignIns, UnknownUserSignIn};
use vplant_domain::identity::user::{UserCommand, UserState};

use super::passwords::{hex, token_hash};
use super::{AuthError, Authenticated, Via, principal_of};
use crate::{App, AppError, Request};

/// The actor of events the system records on its own (lockouts, expired sessions).
pub const SYSTEM: &str = "system";

/// A session just started. The token goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct NewSession {
    pub id: String,
    pub token: String,
    pub must_change_password: bool,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl App {
    /// Checks a username and password and starts a session. Every failure is
    /// recorded (a known account's failures count towards its lockout; an unknown
    /// username is recorded against the client), and each path costs one Argon2id
    /// check and one ledger write, so that timing does not tell them apart.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<NewSession, AppError> {
        let creds = match Username::parse("username", username) {
            Ok(name) => self.store.credentials(name.as_str()).await?,
            Err(_) => None,
        };
        let passwords = &self.security.passwords;
        let matches = passwords
            .verify(
                password.to_owned(),
                creds.as_ref().map(|c| c.password_hash.clone()),
            )
            .await?;
        let Some(creds) = creds else {
            let attempt = UnknownUserSignIn {
                client: client.to_owned(),
            };
            self.execute::<UnknownSignIns>(client, attempt, &Request::by(SYSTEM))
                .await?;
            return Err(AuthError::BadCredentials.into());
        };
        let user = &creds.user;
        if !matches {
            let failed = UserCommand::SignInFailed {
                client: client.to_owned(),
                lock_after: self.security.policy.lock_after,
            };
            self.execute::<UserState>(&user.username, failed, &Request::by(SYSTEM))
                .await?;
            if user.failed_sign_ins + 1 >= self.security.policy.lock_after && !user.locked {
                tracing::warn!(
                    username = %user.username,
                    client,
                    "account locked after repeated failed sign-ins; an administrator must unlock it"
                );
            }
            return Err(AuthError::BadCredentials.into());
        }
        if !user.active {
            return Err(AuthError::Deactivated.into());
        }
        if user.locked {
            return Err(AuthError::Locked.into());
        }
        if user.failed_sign_ins > 0 {
            self.execute::<UserState>(
                &user.username,
                UserCommand::ClearFailures,
                &Request::by(&user.username),
            )
            .await?;
        }
        self.start_session(&user.username, client, user.must_change_password)
            .await
    }

    async fn start_session(
        &self,
        username: &str,
        client: &str,
        must_change_password: bool,
    ) -> Result<NewSession, AppError> {
        let passwords = &self.security.passwords;
        let token = hex(&passwords.random::<32>()?);
        let id = hex(&passwords.random::<16>()?);
        let policy = self.security.policy;
        let now = self.store.now();
        let started = SessionStarted {
            username: username.to_owned(),
            token_hash: token_hash(&token),
            idle_timeout_secs: policy.idle_timeout.as_secs(),
            expires_at: Timestamp::from_micros(
                now.as_micros()
                    .saturating_add(micros(policy.absolute_timeout)),
            ),
            client: client.to_owned(),
        };
        self.execute::<SessionState>(&id, SessionCommand::Start(started), &Request::by(username))
            .await?;
        Ok(NewSession {
            id,
            token,
            must_change_password,
        })
    }

    /// The person behind a session token, or why there is none. A session past a
    /// timeout, or of an account that is locked, deactivated or signed out
    /// everywhere, is ended here (recorded once) and refused.
    pub async fn authenticate_session(&self, token: &str) -> Result<Authenticated, AppError> {
        let session = self
            .store
            .session_by_token(&token_hash(token))
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        if session.ended_at.is_some() {
            let why = match session.ended_why.as_deref() {
                Some("idle timeout") => SessionEnd::IdleTimeout,
                Some("absolute timeout") => SessionEnd::AbsoluteTimeout,
                Some("revoked") => SessionEnd::Revoked,
                _ => SessionEnd::SignedOut,
            };
            return Err(AuthError::SessionEnded(why).into());
        }
        let now = self.store.now().as_micros();
        let creds = self.store.credentials(&session.username).await?;
        let idle_deadline = session
            .last_seen
            .as_micros()
            .saturating_add(micros(Duration::from_secs(session.idle_timeout_secs)));
        let end = match &creds {
            None => Some(SessionEnd::Revoked),
            Some(c) if !c.user.active || c.user.locked => Some(SessionEnd::Revoked),
            Some(c) if session.started_at < c.sessions_valid_after => Some(SessionEnd::Revoked),
            Some(_) if now >= session.expires_at.as_micros() => Some(SessionEnd::AbsoluteTimeout),
            Some(_) if now >= idle_deadline => Some(SessionEnd::IdleTimeout),
            Some(_) => None,
        };
        if let Some(why) = end {
            self.end_session(&session.id, why, SYSTEM).await?;
            return Err(AuthError::SessionEnded(why).into());
        }
        let Some(creds) = creds else {
            return Err(AuthError::NotSignedIn.into());
        };
        let touch_every = micros(self.security.policy.touch_every());
        if now.saturating_sub(session.last_seen.as_micros()) >= touch_every {
            // A lost race to another request touching the same session is harmless.
            match self
                .execute::<SessionState>(
                    &session.id,
                    SessionCommand::Touch,
                    &Request::by(&session.username),
                )
                .await
            {
                Ok(_) | Err(AppError::Domain(DomainError::InvalidState(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Authenticated {
            principal: principal_of(&creds.user),
            via: Via::Session(session.id),
            must_change_password: creds.user.must_change_password,
        })
    }

    /// Ends one session; ending one that already ended is not an error.
    pub async fn end_session(
        &self,
        id: &str,
        why: SessionEnd,
        actor: &str,
    ) -> Result<(), AppError> {
        match self
            .execute::<SessionState>(id, SessionCommand::End(why), &Request::by(actor))
            .await
        {
            Ok(_) | Err(AppError::Domain(DomainError::InvalidState(_))) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Signs the person out of every session and voids their API sessions.
    pub async fn sign_out_everywhere(&self, who: &Principal, reason: &str) -> Result<(), AppError> {
        let reason =
            Reason::parse("reason", reason).map_err(|e| DomainError::Validation(vec![e]))?;
        self.execute::<UserState>(
            &who.username,
            UserCommand::RevokeSessions { reason },
            &Request::by(&who.username),
        )
        .await?;
        for session in self.store.open_sessions(&who.username).await? {
            self.end_session(&session.id, SessionEnd::Revoked, &who.username)
                .await?;
        }
        Ok(())
    }

    /// The person changes their own password. They prove the current one; the new
    /// one must pass the policy and differ from it. Every other session of theirs
    /// ends, and a fresh session (new token) replaces the current one.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<NewSession, AppError> {
        let creds = self
            .store
            .credentials(&who.username)
            .await?
            .ok_or(AuthError::NotSignedIn)?;
        let matches = self
            .security
            .passwords
            .verify(current.to_owned(), Some(creds.password_hash.clone()))
            .await?;
        if !matches {
            let failed = UserCommand::SignInFailed {
                client: client.to_owned(),
                lock_after: self.security.policy.lock_after,
            };
            self.execute::<UserState>(&who.username, failed, &Request::by(SYSTEM))
                .await?;
            return Err(DomainError::field("current_password", "is not correct").into());
        }
        let new = NewPassword::parse("new_password", new, &[&who.username, &who.full_name])
            .map_err(|e| DomainError::Validation(vec![e]))?;
        if new.expose() == current {
            return Err(DomainError::field(
                "new_password",
                "must differ from the current password",
            )
            .into());
        }
        let password_hash = self
            .security
            .passwords
            .hash(new.expose().to_owned())
            .await?;
        self.execute::<UserState>(
            &who.username,
            UserCommand::ChangePassword { password_hash },
            &Request::by(&who.username),
        )
        .await?;
        self.sign_out_everywhere(who, "password changed").await?;
        self.start_session(&who.username, client, false).await
    }
}
