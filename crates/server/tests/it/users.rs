//! User and role administration as administrators, auditors and the people whose
//! accounts they run see it: accounts created with a one-time password shown once,
//! usernames never reused, CMO partners bound to CMO sites, lock and unlock with the
//! session ending at once, password resets, API tokens with a reduced scope, and who
//! may see or change any of it.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_app::AppError;
use vplant_app::identity::AuthError;

use crate::support::{Client, OWN_CMO, PASSWORD, Resp, Server, refused_fields};

/// The secret a page shows once (a one-time password or a token secret).
fn shown_secret(page: &Resp) -> String {
    let start = page
        .body
        .find("class=\"secret\"")
        .expect("the page shows a secret");
    let rest = &page.body[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</code>").unwrap();
    rest[open..close].trim().to_owned()
}

/// A client with the session of a sign-in made with `password`.
async fn signed_in<'a>(server: &'a Server, username: &str, password: &str) -> Client<'a> {
    let session = server
        .app
        .sign_in(username, password, "test")
        .await
        .unwrap();
    Client {
        server,
        csrf: Some(vplant_server::auth::csrf::token_for(&session.token)),
        token: Some(session.token),
        extra: Vec::new(),
    }
}

/// A client that sends an API token and no cookie, as an integration does.
fn bearer<'a>(server: &'a Server, secret: &str) -> Client<'a> {
    Client {
        server,
        token: None,
        csrf: None,
        extra: vec![("authorization".to_owned(), format!("Bearer {secret}"))],
    }
}

fn codes(sites: &Value) -> Vec<&str> {
    sites
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_user_created_on_the_page_gets_a_one_time_password_shown_once() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let created = admin
        .post(
            "/users",
            &[
                ("username", "JDoe"),
                ("full_name", "Jane Doe"),
                ("email", "jane@example.com"),
                ("roles", "operator"),
                ("roles", "supervisor"),
                ("sites", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.header("cache-control").as_deref(), Some("no-store"));
    assert!(created.body.contains("One-time password for jdoe"));
    let otp = shown_secret(&created);
    assert_eq!(otp.len(), 23, "four groups of five: {otp}");

    let page = admin.get("/users/jdoe").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Operator, Supervisor"));
    assert!(!page.body.contains(&otp), "the password is shown only once");
    let user = server.app.user("jdoe").await.unwrap();
    assert!(user.must_change_password);

    let jane = signed_in(&server, "jdoe", &otp).await;
    for path in ["/", "/sites", "/users"] {
        let page = jane.get(path).await;
        assert_eq!(
            page.location().as_deref(),
            Some("/account/password"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_user_created_through_the_api_must_change_the_one_time_password() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let body = json!({"username": "lims.bot", "full_name": "LIMS Service", "email": "lims@example.com",
        "roles": ["qa_reviewer"]});
    let created = admin.post_json("/api/v1/users", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    assert_eq!(created["user"]["must_change_password"], true);
    assert_eq!(created["user"]["roles"], json!(["qa_reviewer"]));
    let otp = created["one_time_password"].as_str().unwrap();

    let person = signed_in(&server, "lims.bot", otp).await;
    let me = person.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["must_change_password"], true);
    let refused = person.get("/api/v1/sites").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.json()["error"]["code"],
        "VP-PASSWORD-CHANGE-REQUIRED"
    );

    let listed = admin.get("/api/v1/users/lims.bot").await;
    assert_eq!(listed.json()["email"], "lims@example.com");
    let history = admin.get("/api/v1/users/lims.bot/history").await.json();
    assert_eq!(history[0]["event_type"], "UserRegistered");
    assert!(
        !history.to_string().contains("argon2"),
        "hashes stay hidden"
    );
}

#[tokio::test]
async fn a_cmo_partner_needs_a_cmo_site_and_the_error_names_the_field() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let partner = |sites: Value| {
        json!({"username": "cmo.jane", "full_name": "Jane at CMO", "email": "jane@cmo.example",
            "roles": ["cmo_partner"], "sites": sites})
    };
    for sites in [json!([]), json!(["INT"]), json!(["NOPE"])] {
        let refused = admin
            .post_json("/api/v1/users", &partner(sites.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{sites}");
        assert_eq!(refused_fields(&refused.json()), ["sites"], "{sites}");
    }
    let page = admin
        .post(
            "/users",
            &[
                ("username", "cmo.jane"),
                ("full_name", "Jane at CMO"),
                ("email", "jane@cmo.example"),
                ("roles", "cmo_partner"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("must be bound to their site"));
    let created = admin
        .post_json("/api/v1/users", &partner(json!([OWN_CMO])))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json()["user"]["sites"], json!([OWN_CMO]));
}

#[tokio::test]
async fn a_username_is_never_reused() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let body = json!({"username": "operator", "full_name": "Another Operator",
        "email": "other@example.com", "roles": ["operator"]});
    let refused = admin.post_json("/api/v1/users", &body).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused_fields(&refused.json()), ["username"]);
    let page = admin
        .post(
            "/users",
            &[
                ("username", "operator"),
                ("full_name", "Another Operator"),
                ("email", "other@example.com"),
                ("roles", "operator"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("usernames are never reused"));
}

#[tokio::test]
async fn locking_ends_the_session_at_once_and_unlocking_lets_the_person_back() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let operator = server.session("operator").await;
    assert_eq!(operator.get("/").await.status, StatusCode::OK);

    let locked = admin
        .post("/users/operator/lock", &[("reason", "badge reported lost")])
        .await;
    assert_eq!(
        locked.location().as_deref(),
        Some("/users/operator?done=lock")
    );
    let ended = operator.get("/").await;
    assert_eq!(
        ended.location().as_deref(),
        Some("/session-expired?why=revoked")
    );
    let again = server.app.sign_in("operator", PASSWORD, "test").await;
    assert!(matches!(again, Err(AppError::Auth(AuthError::Locked))));
    let page = admin.get("/users/operator?done=lock").await;
    assert!(page.body.contains("Account locked"));
    assert!(
        page.body.contains("badge reported lost"),
        "the reason is in the history"
    );

    let unlocked = admin
        .post_json(
            "/api/v1/users/operator/unlock",
            &json!({"reason": "new badge handed over"}),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK);
    assert_eq!(unlocked.json()["locked"], false);
    server
        .app
        .sign_in("operator", PASSWORD, "test")
        .await
        .unwrap();
}

#[tokio::test]
async fn administrators_are_alerted_to_accounts_locked_after_failed_sign_ins() {
    let server = Server::new().await;
    let lock_after = server.app.security.policy.lock_after;
    for _ in 0..lock_after {
        let _ = server
            .app
            .sign_in("supervisor", "wrong-password", "test")
            .await;
    }
    let admin = server.session("administrator").await;
    let list = admin.get("/users").await;
    assert!(
        list.body
            .contains("1 account is locked after failed sign-ins")
    );
    let first_row = list.body.find("/users/supervisor\"").unwrap();
    assert!(
        first_row < list.body.find("/users/administrator\"").unwrap(),
        "locked accounts are listed first"
    );
    let home = admin.get("/").await;
    assert!(
        home.body
            .contains("1 account is locked after failed sign-ins")
    );
    let auditor = server.session("auditor").await;
    assert!(!auditor.get("/").await.body.contains("is locked after"));
}

#[tokio::test]
async fn nobody_locks_or_deactivates_their_own_account() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let page = admin
        .post("/users/administrator/lock", &[("reason", "testing")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("you cannot lock your own account"));
    let api = admin
        .post_json(
            "/api/v1/users/administrator/deactivate",
            &json!({"reason": "testing"}),
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["error"]["code"], "VP-NOT-ALLOWED");
    assert!(server.app.user("administrator").await.unwrap().active);
}

#[tokio::test]
async fn a_password_reset_shows_a_new_one_time_password() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let reset = admin
        .post(
            "/users/operator/reset-password",
            &[("reason", "forgot the password")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.header("cache-control").as_deref(), Some("no-store"));
    let otp = shown_secret(&reset);
    assert!(
        server
            .app
            .sign_in("operator", PASSWORD, "test")
            .await
            .is_err()
    );
    let session = server.app.sign_in("operator", &otp, "test").await.unwrap();
    assert!(session.must_change_password);

    let api = admin
        .post_json(
            "/api/v1/users/operator/reset-password",
            &json!({"reason": "handed to the wrong person"}),
        )
        .await;
    let second = api.json()["one_time_password"].as_str().unwrap().to_owned();
    assert_ne!(second, otp);
}

#[tokio::test]
async fn an_api_token_acts_with_its_reduced_scope_until_it_is_revoked() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let too_much = json!({"name": "MES bridge", "roles": ["administrator"], "valid_days": 30});
    let refused = admin
        .post_json("/api/v1/users/vpt_manager/tokens", &too_much)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&refused.json()), ["roles"]);

    let body = json!({"name": "CMO-A portal", "roles": ["vpt_manager"], "sites": [OWN_CMO], "valid_days": 30});
    let issued = admin
        .post_json("/api/v1/users/vpt_manager/tokens", &body)
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let issued = issued.json();
    let secret = issued["secret"].as_str().unwrap();
    let id = issued["token"]["id"].as_str().unwrap();

    let integration = bearer(&server, secret);
    let sites = integration.get("/api/v1/sites").await;
    assert_eq!(sites.status, StatusCode::OK);
    assert_eq!(codes(&sites.json()), [OWN_CMO], "only the token's site");
    assert_eq!(
        integration.get("/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
    let listed = admin.get("/api/v1/users/vpt_manager/tokens").await.json();
    assert_eq!(listed[0]["id"], id);
    assert!(!listed.to_string().contains(secret));

    let revoked = admin
        .post_json(
            &format!("/api/v1/tokens/{id}/revoke"),
            &json!({"reason": "portal retired"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = integration.get("/api/v1/sites").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.json()["error"]["code"], "VP-BAD-TOKEN");
}

#[tokio::test]
async fn an_api_token_is_issued_and_revoked_on_the_account_page() {
    let server = Server::new().await;
    let admin = server.session("administrator").await;
    let issued = admin
        .post(
            "/users/auditor/tokens",
            &[
                ("name", "Inspection export"),
                ("roles", "auditor"),
                ("valid_days", "7"),
            ],
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let secret = shown_secret(&issued);
    let integration = bearer(&server, &secret);
    assert_eq!(
        integration.get("/api/v1/users").await.status,
        StatusCode::OK
    );
    let token = server.app.store.api_tokens_of("auditor").await.unwrap();
    let revoke = format!("/users/auditor/tokens/{}/revoke", token[0].id);
    let no_reason = admin.post(&revoke, &[("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let revoked = admin
        .post(&revoke, &[("reason", "inspection closed")])
        .await;
    assert_eq!(
        revoked.location().as_deref(),
        Some("/users/auditor?done=revoked")
    );
    assert_eq!(
        integration.get("/api/v1/users").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_auditor_reads_users_and_roles_but_changes_nothing() {
    let server = Server::new().await;
    let auditor = server.session("auditor").await;
    let list = auditor.get("/users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("cmo_partner@example.com"));
    assert!(
        !list.body.contains("Create a user"),
        "no form without the permission"
    );
    let detail = auditor.get("/users/operator").await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(!detail.body.contains("Lock account"));
    let roles = auditor.get("/roles").await;
    assert_eq!(roles.status, StatusCode::OK);
    assert!(roles.body.contains("Manage users") && roles.body.contains("validated configuration"));
    assert_eq!(auditor.get("/api/v1/users").await.status, StatusCode::OK);

    let form = [
        ("username", "x.y"),
        ("full_name", "X Y"),
        ("email", "x@example.com"),
        ("roles", "operator"),
    ];
    assert_eq!(
        auditor.post("/users", &form).await.status,
        StatusCode::FORBIDDEN
    );
    let lock = auditor
        .post("/users/operator/lock", &[("reason", "r")])
        .await;
    assert_eq!(lock.status, StatusCode::FORBIDDEN);
    let api = auditor
        .post_json("/api/v1/users/operator/lock", &json!({"reason": "r"}))
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(!server.app.user("operator").await.unwrap().locked);
}

#[tokio::test]
async fn an_operator_does_not_see_user_administration() {
    let server = Server::new().await;
    let operator = server.session("operator").await;
    assert_eq!(operator.get("/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(operator.get("/roles").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        operator.get("/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!operator.get("/").await.body.contains("href=\"/users\""));
    let me = operator.get("/api/v1/me").await.json();
    assert_eq!(me["username"], "operator");
    assert_eq!(me["roles"], json!(["operator"]));
}
