//! Registering through the form: the redirect, field errors, a taken code.

use axum::http::StatusCode;

use super::TestApp;

#[tokio::test]
async fn registering_a_site_redirects_to_the_list_that_shows_it() {
    let app = TestApp::new().await;
    let page = app
        .post(
            "/sites",
            &[
                ("code", "bsl"),
                ("name", "Basel Solids"),
                ("kind", "internal"),
                ("country", "ch"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let location = page.location.unwrap();
    assert_eq!(location, "/sites?done=registered");

    let list = app.get(&location).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Site registered."));
    assert!(
        list.body.contains("href=\"/sites/BSL\""),
        "codes are stored upper-case"
    );
    assert!(list.body.contains("Basel Solids"));
    assert!(list.body.contains("Internal") && list.body.contains(">CH<"));
    assert!(list.body.contains("badge-active"));
}

#[tokio::test]
async fn a_bad_form_names_every_field_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let page = app
        .post(
            "/sites",
            &[
                ("code", "1X"),
                ("name", "Lyon Fill & Finish"),
                ("kind", "other"),
                ("country", "France"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Code must start with a letter."));
    assert!(
        page.body
            .contains("Kind must be &#39;internal&#39; or &#39;cmo&#39;.")
    );
    assert!(
        page.body
            .contains("Country must be a two-letter ISO 3166 country code, e.g. CH.")
    );
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(
        page.body.contains("value=\"Lyon Fill &#38; Finish\""),
        "typed values are kept (escaped)"
    );
    assert!(page.body.contains("Nothing was saved"));
    assert!(
        !app.get("/sites?include_inactive=true")
            .await
            .body
            .contains("Lyon")
    );
}

#[tokio::test]
async fn a_taken_code_is_reported_on_the_code_field() {
    let app = TestApp::new().await;
    app.register_site("MUC", "Munich").await;
    let page = app
        .post(
            "/sites",
            &[
                ("code", "MUC"),
                ("name", "Munich 2"),
                ("kind", "cmo"),
                ("country", "DE"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("Code is already used by another site"));
}

#[tokio::test]
async fn products_register_rename_and_show_their_history() {
    let app = TestApp::new().await;
    let fields = [
        ("code", "para-500"),
        ("name", "Paracetamol"),
        ("dosage_form", "film-coated tablet"),
        ("strength", "500 mg"),
    ];
    let page = app.post("/products", &fields).await;
    assert_eq!(page.location.as_deref(), Some("/products?done=registered"));
    let list = app.get("/products").await;
    assert!(
        list.body.contains("PARA-500")
            && list.body.contains("film-coated tablet")
            && list.body.contains("500 mg")
    );

    let rename = [
        ("name", "Paracetamol Forte"),
        ("reason", "brand alignment"),
        ("expected_version", "1"),
    ];
    assert_eq!(
        app.post("/products/PARA-500/rename", &rename).await.status,
        StatusCode::SEE_OTHER
    );
    let detail = app.get("/products/para-500").await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(
        detail.body.contains("Paracetamol</del>")
            && detail.body.contains("Paracetamol Forte</ins>")
    );
    assert!(detail.body.contains("Dosage form"));

    let bad = app.post("/products", &[("code", "X")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Strength is required.")
            && bad.body.contains("Code must be 2 to 24 characters long.")
    );
}
