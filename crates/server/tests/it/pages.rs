//! The server-rendered pages, as a person uses them: read the lists, register a
//! record through the form, get told what is wrong with bad input, rename with a
//! reason, and find every change in the record's history.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod browse;
mod change;
mod register;

/// The router over a store of its own; the directory lives as long as the app.
struct TestApp {
    router: Router,
    _dir: tempfile::TempDir,
}

/// A response as the tests look at it.
struct Page {
    status: StatusCode,
    location: Option<String>,
    content_type: String,
    body: String,
}

impl TestApp {
    fn new() -> TestApp {
        let (router, dir) = crate::support::fresh_router();
        TestApp { router, _dir: dir }
    }

    async fn send(&self, request: Request<Body>) -> Page {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let location = header(header::LOCATION);
        let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            location,
            content_type,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form as a browser does, `application/x-www-form-urlencoded`.
    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Registers site `code` through the form and checks the redirect.
    async fn register_site(&self, code: &str, name: &str) {
        let page = self
            .post(
                "/sites",
                &[
                    ("code", code),
                    ("name", name),
                    ("kind", "cmo"),
                    ("country", "DE"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
}

/// Percent-encodes a form value (enough for tests: everything but letters and digits).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
