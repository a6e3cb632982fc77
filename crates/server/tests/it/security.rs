//! Signing in and staying signed in, as an attacker would probe it (SPEC §3: lockout
//! after repeated failed sign-ins, session timeout, Argon2id): guessing passwords,
//! telling accounts apart by timing, fixing a session, forging requests from another
//! site, using a session after it should have ended, and hammering the sign-in form.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;
use vplant_app::identity::{AuthError, SecurityPolicy};
use vplant_app::{AppError, Request as AppRequest};
use vplant_domain::identity::Role;
use vplant_server::auth::access::Access;
use vplant_server::auth::{WebConfig, cookies, csrf};

use crate::support::{Client, Options, PASSWORD, Resp, Server};

/// A password that passes the policy, for password changes.
const NEW_PASSWORD: &str = "Copper-Harbour-Violin-42";

/// The full `Set-Cookie` header that sets cookie `name`.
fn set_cookie(resp: &Resp, name: &str) -> String {
    resp.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
        .to_owned()
}

/// The hidden `_csrf` field of a form page.
fn hidden_csrf(body: &str) -> String {
    let after = body
        .split_once("name=\"_csrf\" value=\"")
        .expect("the page has a hidden _csrf field")
        .1;
    after.split_once('"').unwrap().0.to_owned()
}

/// A browser at the sign-in page: it holds the page's `vplant_signin` cookie and
/// posts the page's hidden `_csrf` field back. `planted` is a session cookie the
/// browser already had.
struct SignInPage<'a> {
    server: &'a Server,
    signin: String,
    field: String,
    planted: Option<String>,
}

impl<'a> SignInPage<'a> {
    async fn open(server: &'a Server, planted: Option<&str>) -> SignInPage<'a> {
        let mut client = server.anonymous();
        client.token = planted.map(str::to_owned);
        let page = client.get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        SignInPage {
            server,
            signin: page.cookie(cookies::SIGNIN).expect("the sign-in cookie"),
            field: hidden_csrf(&page.body),
            planted: planted.map(str::to_owned),
        }
    }

    fn client(&self) -> Client<'a> {
        let mut cookie = format!("{}={}", cookies::SIGNIN, self.signin);
        if let Some(planted) = &self.planted {
            cookie = format!("{}={planted}; {cookie}", cookies::SESSION);
        }
        Client {
            server: self.server,
            token: None,
            csrf: Some(self.field.clone()),
            extra: vec![("cookie".to_owned(), cookie)],
        }
    }

    async fn submit(&self, username: &str, password: &str) -> Resp {
        self.client()
            .post("/login", &[("username", username), ("password", password)])
            .await
    }
}

/// A client holding the session `token`, as the browser does after sign-in.
fn with_session<'a>(server: &'a Server, token: &str) -> Client<'a> {
    Client {
        server,
        token: Some(token.to_owned()),
        csrf: Some(csrf::token_for(token)),
        extra: Vec::new(),
    }
}

/// Where a page request of `client` is sent, or `None` when it is served.
async fn sent_to(client: &Client<'_>, uri: &str) -> Option<String> {
    let resp = client.get(uri).await;
    if resp.status == StatusCode::OK {
        return None;
    }
    assert!(resp.status.is_redirection(), "GET {uri}: {}", resp.status);
    resp.location()
}

/// Asserts the API refuses `client`'s session as ended.
async fn api_says_session_ended(client: &Client<'_>) {
    let resp = client.get("/api/v1/sites").await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.body);
    assert_eq!(resp.json()["error"]["code"], "VP-SESSION-ENDED");
}

mod fixation;
mod forgery;
mod guessing;
mod sessions;
