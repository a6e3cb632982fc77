//! The server-rendered pages, as a person uses them: read the lists, register a
//! record through the form, get told what is wrong with bad input, rename with a
//! reason, and find every change in the record's history.

use axum::http::StatusCode;

use crate::support::{Client, Server};

mod browse;
mod change;
mod register;

/// The router over a store of its own, used by a signed-in administrator (who may
/// change master data).
struct TestApp {
    server: Server,
    token: Option<String>,
    csrf: Option<String>,
}

/// A response as the tests look at it.
struct Page {
    status: StatusCode,
    location: Option<String>,
    content_type: String,
    body: String,
}

impl TestApp {
    async fn new() -> TestApp {
        let server = Server::new().await;
        let client = server.session("administrator").await;
        let (token, csrf) = (client.token.clone(), client.csrf.clone());
        TestApp {
            server,
            token,
            csrf,
        }
    }

    fn client(&self) -> Client<'_> {
        Client {
            server: &self.server,
            token: self.token.clone(),
            csrf: self.csrf.clone(),
            extra: Vec::new(),
        }
    }

    fn page(resp: crate::support::Resp) -> Page {
        Page {
            status: resp.status,
            location: resp.location(),
            content_type: resp.header("content-type").unwrap_or_default(),
            body: resp.body,
        }
    }

    async fn get(&self, uri: &str) -> Page {
        TestApp::page(self.client().get(uri).await)
    }

    /// Posts a form as a browser does, `application/x-www-form-urlencoded`.
    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Page {
        TestApp::page(self.client().post(uri, fields).await)
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
