//! Per-client limits on the requests that check a password (sign-in, password
//! change, signatures), so that guessing is slow even across many accounts, where
//! the per-account lockout does not help. Token-bucket limiting is `governor`'s.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::Client;
use super::refusal::{Refusal, refuse};
use crate::AppState;

/// Limits keyed by client address.
pub struct Limits {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Limits {
    pub fn new(per_minute: u32) -> Arc<Limits> {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Arc::new(Limits {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        })
    }

    /// `Ok` or the seconds until the next attempt is allowed.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        // Addresses are normalised so that "::ffff:1.2.3.4" and "1.2.3.4" share a bucket.
        let key = client
            .parse::<IpAddr>()
            .map_or_else(|_| client.to_owned(), |ip| ip.to_canonical().to_string());
        self.limiter.check_key(&key).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// Whether a request checks a password.
fn checks_password(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == "/login"
            || path == "/account/password"
            || path.ends_with("/sign")
            || path.ends_with("/signatures"))
}

pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if checks_password(req.method(), req.uri().path()) {
        let client = req
            .extensions()
            .get::<Client>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.clone());
        if let Err(secs) = state.limits.check(&client) {
            tracing::warn!(client, "rate limit reached for password checks");
            return refuse(&req, Refusal::RateLimited(secs), None);
        }
    }
    next.run(req).await
}
