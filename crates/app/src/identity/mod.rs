//! Identity use cases: sign-in and sessions (`signin`), account administration
//! (`users`), API tokens (`tokens`) and password hashing (`passwords`). Every change
//! they make is a ledger event through [`App::execute`](crate::App::execute).

pub mod passwords;
mod signin;
pub use signin::SYSTEM;
mod tokens;
mod users;

use std::sync::Arc;
use std::time::Duration;

use vplant_domain::identity::session::SessionEnd;
use vplant_domain::identity::{Principal, Role};
use vplant_store::queries::identity::User;

use passwords::{HashCost, Passwords};
pub use signin::NewSession;
pub use tokens::IssuedToken;
pub use users::{AccountChange, NewUserInput, OneTimePassword};

use crate::AppError;

/// The sign-in rules an installation runs with.
#[derive(Clone, Copy, Debug)]
pub struct SecurityPolicy {
    /// A session ends after this long without a request (default 15 minutes).
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in whatever the activity (default 12 h).
    pub absolute_timeout: Duration,
    /// Consecutive failed sign-ins that lock an account (default 5).
    pub lock_after: u32,
    pub hash_cost: HashCost,
}

impl Default for SecurityPolicy {
    fn default() -> SecurityPolicy {
        SecurityPolicy {
            idle_timeout: Duration::from_secs(15 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            lock_after: 5,
            hash_cost: HashCost::default(),
        }
    }
}

impl SecurityPolicy {
    /// How stale a session's recorded activity may get before a request records it
    /// again. Recording every request would put one ledger event per click; this
    /// bounds the events to one a minute per session while keeping the idle deadline
    /// accurate to a fifth of the timeout.
    pub fn touch_every(&self) -> Duration {
        (self.idle_timeout / 5).min(Duration::from_secs(60))
    }
}

/// Sign-in policy and the password hasher, shared by every request.
pub struct Security {
    pub policy: SecurityPolicy,
    pub passwords: Arc<Passwords>,
}

impl Security {
    pub fn new(policy: SecurityPolicy) -> Result<Security, AppError> {
        Ok(Security {
            policy,
            passwords: Arc::new(Passwords::new(policy.hash_cost)?),
        })
    }
}

/// Why a person is not let in. Messages say what to do; none says whether a
/// username exists.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the username or password is not correct")]
    BadCredentials,
    #[error("this account is locked; ask an administrator to unlock it")]
    Locked,
    #[error("this account is deactivated; ask an administrator if you need it again")]
    Deactivated,
    #[error("you are not signed in; sign in to continue")]
    NotSignedIn,
    #[error("your session ended ({}); sign in again", .0.as_str())]
    SessionEnded(SessionEnd),
    #[error("the API token is unknown, revoked or expired")]
    BadToken,
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::BadCredentials => "VP-BAD-CREDENTIALS",
            AuthError::Locked => "VP-ACCOUNT-LOCKED",
            AuthError::Deactivated => "VP-ACCOUNT-DEACTIVATED",
            AuthError::NotSignedIn => "VP-NOT-SIGNED-IN",
            AuthError::SessionEnded(_) => "VP-SESSION-ENDED",
            AuthError::BadToken => "VP-BAD-TOKEN",
        }
    }
}

/// How the person on a request proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A browser session, by its id.
    Session(String),
    /// An API token, by its id.
    Token(String),
}

/// The person a request acts for.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub principal: Principal,
    pub via: Via,
    /// Set after an administrator's reset: every page sends them to change it.
    pub must_change_password: bool,
}

/// The principal of an account as the read table holds it.
pub fn principal_of(user: &User) -> Principal {
    Principal::new(
        &user.username,
        &user.full_name,
        user.roles
            .iter()
            .filter_map(|r| Role::parse("roles", r).ok())
            .collect(),
        user.sites.iter().cloned().collect(),
    )
}
