//! The two cookies: the session token (`vplant_session`) and the sign-in form's
//! anti-forgery token (`vplant_signin`). Both are `HttpOnly` and `SameSite=Strict`,
//! and `Secure` when the server is reached over HTTPS.

use axum::http::HeaderMap;
use axum::http::header;

pub const SESSION: &str = "vplant_session";
pub const SIGNIN: &str = "vplant_signin";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value for a browser-session cookie (no expiry: it dies with the
/// browser, and the server ends the session on its own timeouts anyway).
pub fn set(name: &str, value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}
