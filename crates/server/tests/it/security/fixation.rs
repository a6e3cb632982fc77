//! Session fixation and the session cookie's flags.

use super::*;

// Session fixation and cookies

#[tokio::test]
async fn a_session_cookie_planted_before_sign_in_never_becomes_the_session() {
    let server = Server::new().await;

    // A value the attacker made up.
    let planted = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let page = SignInPage::open(&server, Some(planted)).await;
    let resp = page.submit("qa_reviewer", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let issued = resp.cookie(cookies::SESSION).unwrap();
    assert_ne!(issued, planted);
    assert_eq!(
        sent_to(&with_session(&server, planted), "/")
            .await
            .as_deref(),
        Some("/login?next=%2F"),
        "the planted value is no session"
    );
    assert_eq!(sent_to(&with_session(&server, &issued), "/").await, None);

    // A real session of the attacker's own, planted in the victim's browser while
    // the sign-in page is open: the sign-in gets a new token of its own, and the
    // session the browser presented is ended, so the victim's credentials never
    // attach to the attacker's session.
    let attacker = server
        .app
        .sign_in("operator", PASSWORD, "evil")
        .await
        .unwrap();
    let mut page = SignInPage::open(&server, None).await;
    page.planted = Some(attacker.token.clone());
    let resp = page.submit("qa_reviewer", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let issued = resp.cookie(cookies::SESSION).unwrap();
    assert_ne!(issued, attacker.token);
    assert!(
        server
            .app
            .authenticate_session(&attacker.token)
            .await
            .is_err(),
        "the session the browser held before sign-in is ended"
    );
    let victim = server.app.authenticate_session(&issued).await.unwrap();
    assert_eq!(victim.principal.username, "qa_reviewer");
}

#[tokio::test]
async fn sign_in_sets_an_http_only_same_site_strict_cookie_secure_over_https() {
    let plain = Server::new().await;
    let resp = SignInPage::open(&plain, None)
        .await
        .submit("operator", PASSWORD)
        .await;
    let cookie = set_cookie(&resp, cookies::SESSION);
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot set Secure: {cookie}"
    );

    let https = Server::with(Options {
        web: WebConfig {
            public_origin: Some("https://vplant.example.com".to_owned()),
            ..Options::default().web
        },
        ..Options::default()
    })
    .await;
    let page = SignInPage::open(&https, None).await;
    let resp = page.submit("operator", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    for name in [cookies::SESSION, cookies::SIGNIN] {
        let cookie = set_cookie(&resp, name);
        assert!(
            cookie.contains("; HttpOnly")
                && cookie.contains("; SameSite=Strict")
                && cookie.contains("; Secure"),
            "{cookie}"
        );
    }
}
