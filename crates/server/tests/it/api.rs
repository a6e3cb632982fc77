//! The JSON API as a client sees it: status codes, error bodies that name the field,
//! optimistic concurrency, idempotent retries, and the OpenAPI document (snapshot).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::support::refused_fields;

struct Api {
    server: crate::support::Server,
    token: Option<String>,
    csrf: Option<String>,
}

impl Api {
    /// An API client signed in as an administrator (who may change master data).
    async fn new() -> Api {
        let server = crate::support::Server::new().await;
        let client = server.session("administrator").await;
        let (token, csrf) = (client.token.clone(), client.csrf.clone());
        Api {
            server,
            token,
            csrf,
        }
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            builder = builder.header("idempotency-key", key);
        }
        if let Some(token) = &self.token {
            builder = builder.header("cookie", format!("vplant_session={token}"));
        }
        if let Some(csrf) = &self.csrf {
            builder = builder.header("x-csrf-token", csrf.as_str());
        }
        let body = match body {
            Some(v) => {
                builder = builder.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let response = self.server.send(builder.body(body).unwrap()).await;
        (response.status, response.json())
    }

    async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Some(body), None).await
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, None, None).await
    }
}

fn basel() -> Value {
    json!({"code": "bsl", "name": "Basel Oral Solids", "kind": "internal", "country": "ch"})
}

#[tokio::test]
async fn a_site_is_registered_renamed_with_a_reason_and_keeps_its_history() {
    let api = Api::new().await;
    let (status, site) = api.post("/api/v1/sites", basel()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(site["code"], "BSL");
    assert_eq!(site["country"], "CH");
    assert_eq!(site["version"], 1);

    let (status, site) = api
        .post("/api/v1/sites/BSL/rename", json!({"name": "Basel Solids", "reason": "New site naming standard", "expected_version": 1}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(site["name"], "Basel Solids");

    let (status, history) = api.get("/api/v1/sites/BSL/history").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history[1]["reason"], "New site naming standard");
    assert_eq!(
        history[1]["changes"][0],
        json!({"field": "name", "old": "Basel Oral Solids", "new": "Basel Solids"})
    );
    assert!(history[1]["recorded_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn bad_input_is_refused_naming_every_field_and_nothing_is_stored() {
    let api = Api::new().await;
    let (status, body) = api
        .post(
            "/api/v1/sites",
            json!({"code": "1x", "name": "", "kind": "factory", "country": "Swiss"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "VP-VALIDATION");
    assert_eq!(refused_fields(&body), ["code", "name", "kind", "country"]);

    let (status, body) = api
        .post("/api/v1/sites", json!({"code": "X1", "name": 5}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&body), ["name"]);

    let (status, body) = api
        .post("/api/v1/sites", json!({"code": "X1", "colour": "red"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&body), ["colour"]);

    let (_, list) = api.get("/api/v1/sites?include_inactive=true").await;
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"X1"),
        "nothing of the refused input is stored"
    );
}

#[tokio::test]
async fn a_rename_without_a_reason_and_a_stale_version_are_refused() {
    let api = Api::new().await;
    api.post("/api/v1/sites", basel()).await;
    let (status, body) = api
        .post("/api/v1/sites/BSL/rename", json!({"name": "Other"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&body), ["reason"]);

    let (status, body) = api
        .post(
            "/api/v1/sites/BSL/deactivate",
            json!({"reason": "Site closed", "expected_version": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "VP-CONFLICT");

    let (status, body) = api.post("/api/v1/sites", basel()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "VP-ALREADY-EXISTS");

    let (status, _) = api.get("/api/v1/sites/NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_retried_command_with_the_same_idempotency_key_writes_nothing_new() {
    let api = Api::new().await;
    let first = api
        .call(
            "POST",
            "/api/v1/sites",
            Some(basel()),
            Some("tablet-7-0001"),
        )
        .await;
    let retry = api
        .call(
            "POST",
            "/api/v1/sites",
            Some(basel()),
            Some("tablet-7-0001"),
        )
        .await;
    assert_eq!(first.0, StatusCode::CREATED);
    assert_eq!(retry, first);
    let (_, history) = api.get("/api/v1/sites/BSL/history").await;
    assert_eq!(history.as_array().unwrap().len(), 1);

    let other = json!({"code": "CRK", "name": "Cork", "kind": "internal", "country": "IE"});
    let (status, body) = api
        .call("POST", "/api/v1/sites", Some(other), Some("tablet-7-0001"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&body), ["Idempotency-Key"]);
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let api = Api::new().await;
    assert_eq!(api.get("/healthz").await.0, StatusCode::OK);
    assert_eq!(
        api.get("/readyz").await,
        (StatusCode::OK, json!({"status": "ready"}))
    );
}

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let api = Api::new().await;
    let (status, doc) = api.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!("openapi", doc);
}
