//! Forgery: state-changing requests from another site or without their token.

use super::*;

// Forgery

const NEW_SITE: [(&str, &str); 4] = [
    ("code", "EVIL"),
    ("name", "Forged site"),
    ("kind", "cmo"),
    ("country", "DE"),
];

#[tokio::test]
async fn a_form_post_without_its_anti_forgery_token_or_from_another_site_is_refused() {
    let server = Server::new().await;
    let admin = server.as_role(Role::Administrator).await;
    let session = admin.token.clone();
    let variant = |csrf: Option<&str>, extra: &[(&str, &str)]| Client {
        server: &server,
        token: session.clone(),
        csrf: csrf.map(str::to_owned),
        extra: extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    let right = admin.csrf.clone().unwrap();
    let forged = [
        ("without _csrf", variant(None, &[])),
        ("with a wrong token", variant(Some(&"0".repeat(64)), &[])),
        (
            "sent cross-site",
            variant(Some(&right), &[("sec-fetch-site", "cross-site")]),
        ),
        (
            "from a foreign origin",
            variant(Some(&right), &[("origin", "https://evil.example")]),
        ),
    ];
    for (how, client) in &forged {
        let resp = client.post("/sites", &NEW_SITE).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "a form {how}");
        assert!(
            resp.body
                .contains("did not come from this Virtual Plant page"),
            "a form {how}: {}",
            resp.body
        );
        let resp = client
            .post_json(
                "/api/v1/sites/INT/rename",
                &json!({"name": "Forged", "reason": "forged"}),
            )
            .await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "JSON {how}");
        assert_eq!(resp.json()["error"]["code"], "VP-CSRF", "JSON {how}");
    }
    let nothing = admin.get("/api/v1/sites/EVIL").await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND);
    let int = admin.get("/api/v1/sites/INT").await.json();
    assert_eq!(int["name"], "Site INT");

    // The same form from the page itself goes through.
    let resp = variant(Some(&right), &[("origin", "http://localhost")])
        .post("/sites", &NEW_SITE)
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
}

#[tokio::test]
async fn signing_in_without_the_sign_in_forms_cookie_is_refused() {
    let server = Server::new().await;
    let page = SignInPage::open(&server, None).await;
    let mut client = page.client();
    client.extra.clear();
    let resp = client
        .post(
            "/login",
            &[("username", "operator"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(resp.cookie(cookies::SESSION), None);

    // A cookie that is not the one the form carries is no better.
    let mut client = page.client();
    client.extra = vec![(
        "cookie".to_owned(),
        format!("{}={}", cookies::SIGNIN, "f".repeat(32)),
    )];
    let resp = client
        .post(
            "/login",
            &[("username", "operator"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(resp.cookie(cookies::SESSION), None);
}

#[tokio::test]
async fn a_json_post_with_an_api_token_needs_no_anti_forgery_token() {
    let server = Server::new().await;
    let issued = server
        .app
        .issue_api_token(
            "administrator",
            "ERP interface",
            &[Role::Administrator.as_str().to_owned()],
            &[],
            30,
            &AppRequest::by("administrator"),
        )
        .await
        .unwrap();
    let integration = Client {
        server: &server,
        token: None,
        csrf: None,
        extra: vec![(
            "authorization".to_owned(),
            format!("Bearer {}", issued.secret),
        )],
    };
    let resp = integration
        .post_json(
            "/api/v1/sites",
            &json!({"code": "ERP-1", "name": "From the ERP", "kind": "cmo", "country": "FR"}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
}
