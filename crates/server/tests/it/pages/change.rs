//! Changing a record: reasons, stale forms, deactivation, and the history.

use axum::http::StatusCode;

use super::TestApp;

#[tokio::test]
async fn renaming_without_a_reason_is_refused_with_the_reason_field_named() {
    let app = TestApp::new().await;
    app.register_site("MUC", "Munich").await;
    let page = app
        .post(
            "/sites/MUC/rename",
            &[
                ("name", "Munich Sterile"),
                ("reason", " "),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Reason is required."));
    assert!(
        page.body.contains("value=\"Munich Sterile\""),
        "the new name is kept"
    );
    assert_eq!(
        app.get("/sites/MUC")
            .await
            .body
            .matches("Munich Sterile")
            .count(),
        0
    );
}

#[tokio::test]
async fn the_history_shows_a_rename_with_old_and_new_name_who_and_why() {
    let app = TestApp::new().await;
    app.register_site("MUC", "Munich").await;
    let page = app
        .post(
            "/sites/MUC/rename",
            &[
                ("name", "Munich Sterile"),
                ("reason", "Site merged with the sterile unit"),
                ("expected_version", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/sites/MUC?done=renamed"));

    let detail = app.get("/sites/MUC?done=renamed").await;
    assert_eq!(detail.status, StatusCode::OK);
    let body = &detail.body;
    assert!(body.contains("Site renamed."));
    assert!(body.contains("Renamed") && body.contains("Site MUC registered"));
    assert!(
        body.contains("Munich</del>"),
        "the old name is struck through"
    );
    assert!(body.contains("Munich Sterile</ins>"));
    assert!(body.contains("Site merged with the sterile unit"));
    assert!(
        body.contains("administrator"),
        "the change is attributed to who made it"
    );
    assert!(body.contains(" UTC</time>"));
    assert!(body.contains("name=\"expected_version\" value=\"2\""));
    // The short hash is shown, the full one is in the title.
    let title = body
        .split("class=\"hash screen-only\" title=\"")
        .nth(1)
        .unwrap();
    let full: String = title.chars().take_while(|c| *c != '"').collect();
    assert_eq!(full.len(), 64);
    assert!(body.contains(&format!(">{}…<", &full[..12])));
}

#[tokio::test]
async fn a_stale_form_is_refused_with_a_changed_by_someone_else_message() {
    let app = TestApp::new().await;
    app.register_site("MUC", "Munich").await;
    let first = [
        ("name", "Munich A"),
        ("reason", "first change"),
        ("expected_version", "1"),
    ];
    assert_eq!(
        app.post("/sites/MUC/rename", &first).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = app
        .post(
            "/sites/MUC/deactivate",
            &[("reason", "closing the site"), ("expected_version", "1")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("changed by someone else"));
    assert!(
        stale
            .body
            .contains("you saw version 1; it is now at version 2")
    );
    assert!(
        stale.body.contains(">closing the site</textarea>"),
        "the typed reason is kept"
    );
    assert!(
        stale.body.contains("badge-active"),
        "nothing was deactivated"
    );
}

#[tokio::test]
async fn deactivated_sites_leave_the_list_until_asked_for_and_can_be_reactivated() {
    let app = TestApp::new().await;
    app.register_site("LYO", "Lyon").await;
    let page = app
        .post(
            "/sites/LYO/deactivate",
            &[("reason", "contract ended"), ("expected_version", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(!app.get("/sites").await.body.contains("/sites/LYO"));
    let all = app.get("/sites?include_inactive=true").await;
    assert!(all.body.contains("/sites/LYO") && all.body.contains("Inactive"));

    let detail = app.get("/sites/LYO").await;
    assert!(detail.body.contains("Reactivate site") && !detail.body.contains("Deactivate site"));
    let again = app
        .post(
            "/sites/LYO/deactivate",
            &[("reason", "again"), ("expected_version", "2")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already inactive"));
    let back = app
        .post(
            "/sites/LYO/reactivate",
            &[("reason", "new contract"), ("expected_version", "2")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert!(app.get("/sites").await.body.contains("/sites/LYO"));
}

#[tokio::test]
async fn a_damaged_version_field_is_a_bad_request_not_a_crash() {
    let app = TestApp::new().await;
    app.register_site("MUC", "Munich").await;
    let page = app
        .post(
            "/sites/MUC/rename",
            &[
                ("name", "M"),
                ("reason", "why not"),
                ("expected_version", "two"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Reload the page"));
}
