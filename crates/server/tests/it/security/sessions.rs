//! Sessions that end: idle and absolute timeouts, signing out, signing out
//! everywhere, password changes and the forced change after a reset.

use super::*;

// Sessions that end

#[tokio::test]
async fn a_session_unused_for_fifteen_minutes_ends_and_the_person_is_told_why() {
    let server = Server::new().await;
    let client = server.as_role(Role::Operator).await;
    assert_eq!(sent_to(&client, "/sites").await, None);
    server.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(
        sent_to(&client, "/sites").await.as_deref(),
        Some("/session-expired?why=idle")
    );
    api_says_session_ended(&client).await;
    let told = server.anonymous().get("/session-expired?why=idle").await;
    assert_eq!(told.status, StatusCode::OK);
    assert!(
        told.body.contains("not used for 15 minutes"),
        "{}",
        told.body
    );
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy_it_is() {
    let server = Server::new().await;
    let client = server.as_role(Role::Operator).await;
    let step = Duration::from_secs(14 * 60);
    let mut elapsed = Duration::ZERO;
    while elapsed + step < Duration::from_secs(12 * 3600) {
        server.advance(step);
        elapsed += step;
        let resp = client.get("/api/v1/sites").await;
        assert_eq!(resp.status, StatusCode::OK, "after {elapsed:?}");
    }
    server.advance(Duration::from_secs(12 * 3600) - elapsed + Duration::from_secs(1));
    assert_eq!(
        sent_to(&client, "/sites").await.as_deref(),
        Some("/session-expired?why=absolute")
    );
    api_says_session_ended(&client).await;
}

#[tokio::test]
async fn using_a_session_keeps_it_alive() {
    let server = Server::new().await;
    let client = server.as_role(Role::Operator).await;
    for _ in 0..2 {
        server.advance(Duration::from_secs(10 * 60));
        assert_eq!(sent_to(&client, "/sites").await, None);
    }
    assert_eq!(client.get("/api/v1/sites").await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let server = Server::new().await;
    let client = server.as_role(Role::Operator).await;
    let resp = client.post("/logout", &[]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location().as_deref(), Some("/login?signed_out=1"));
    assert!(set_cookie(&resp, cookies::SESSION).contains("Max-Age=0"));
    assert_eq!(
        sent_to(&client, "/").await.as_deref(),
        Some("/session-expired?why=signed-out")
    );
    api_says_session_ended(&client).await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_that_person_only() {
    let server = Server::new().await;
    let desk = server.as_role(Role::Operator).await;
    let tablet = server.as_role(Role::Operator).await;
    let colleague = server.as_role(Role::Supervisor).await;
    let resp = desk.post("/account/sign-out-everywhere", &[]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    for ended in [&desk, &tablet] {
        assert_eq!(
            sent_to(ended, "/").await.as_deref(),
            Some("/session-expired?why=revoked")
        );
        api_says_session_ended(ended).await;
    }
    assert_eq!(sent_to(&colleague, "/").await, None);
}

#[tokio::test]
async fn changing_the_password_replaces_the_session_and_ends_the_others() {
    let server = Server::new().await;
    let client = server.as_role(Role::Operator).await;
    let elsewhere = server.as_role(Role::Operator).await;
    let resp = client
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.location().as_deref(), Some("/account?done=password"));
    let rotated = resp.cookie(cookies::SESSION).unwrap();
    assert_ne!(Some(&rotated), client.token.as_ref());

    for old in [&client, &elsewhere] {
        assert_eq!(
            sent_to(old, "/").await.as_deref(),
            Some("/session-expired?why=revoked")
        );
    }
    let renewed = with_session(&server, &rotated);
    let account = renewed.get("/account?done=password").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("Password changed"));
    assert_eq!(sent_to(&renewed, "/sites").await, None);

    assert!(
        server
            .app
            .sign_in("operator", PASSWORD, "test")
            .await
            .is_err()
    );
    assert!(
        server
            .app
            .sign_in("operator", NEW_PASSWORD, "test")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn after_an_administrators_reset_every_page_leads_to_the_password_change_until_it_is_done() {
    let server = Server::new().await;
    let one_time = server
        .app
        .reset_password(
            "operator",
            "forgot the password",
            &AppRequest::by("administrator"),
        )
        .await
        .unwrap();
    let session = server
        .app
        .sign_in("operator", &one_time.0, "test")
        .await
        .unwrap();
    assert!(session.must_change_password);
    let client = with_session(&server, &session.token);

    let (_, decls) = vplant_server::routes().into_parts();
    let pages: Vec<&str> = decls
        .iter()
        .filter(|d| d.method == "GET" && !d.path.starts_with("/api/") && !d.path.contains('{'))
        .filter(|d| matches!(d.access, Access::Allow(_) | Access::AnySignature))
        .map(|d| d.path.as_str())
        .chain(["/sites/INT", "/products/PRD-1", "/sites/INT/sign"])
        .collect();
    assert!(pages.contains(&"/sites"));
    for page in pages {
        let resp = client.get(page).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "GET {page}");
        assert_eq!(
            resp.location().as_deref(),
            Some("/account/password"),
            "GET {page}"
        );
    }
    let resp = client
        .post(
            "/sites",
            &[
                ("code", "X1"),
                ("name", "X"),
                ("kind", "cmo"),
                ("country", "DE"),
            ],
        )
        .await;
    assert_eq!(resp.location().as_deref(), Some("/account/password"));
    let api = client.get("/api/v1/sites").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["error"]["code"], "VP-PASSWORD-CHANGE-REQUIRED");

    let form = client.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose your own password to continue"));
    let resp = client
        .post(
            "/account/password",
            &[
                ("current_password", one_time.0.as_str()),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let changed = with_session(&server, &resp.cookie(cookies::SESSION).unwrap());
    assert_eq!(sent_to(&changed, "/").await, None);
    assert_eq!(sent_to(&changed, "/sites").await, None);
}
