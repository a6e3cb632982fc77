//! Reading: the home page, the lists, escaping, and the friendly 404s.

use axum::http::StatusCode;

use super::TestApp;

#[tokio::test]
async fn the_home_page_shows_what_the_plant_holds() {
    let app = TestApp::new().await;
    app.register_site("BSL", "Basel").await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    for text in [
        "Virtual Plant",
        "Sites",
        "Products",
        "Ledger events",
        "Sealed to sequence",
        "href=\"/sites\"",
    ] {
        assert!(page.body.contains(text), "missing {text:?}");
    }
    assert!(page.body.contains("/assets/style.css") && page.body.contains("/assets/htmx.min.js"));
}

#[tokio::test]
async fn the_lists_render_with_their_register_forms() {
    let app = TestApp::new().await;
    let sites = app.get("/sites").await;
    assert_eq!(sites.status, StatusCode::OK);
    for text in [
        "Register a site",
        "name=\"code\"",
        "name=\"kind\"",
        "name=\"country\"",
        "hx-post=\"/sites\"",
        "Site CMO-A",
    ] {
        assert!(sites.body.contains(text), "missing {text:?}");
    }
    let products = app.get("/products").await;
    assert_eq!(products.status, StatusCode::OK);
    for text in [
        "Register a product",
        "name=\"dosage_form\"",
        "name=\"strength\"",
        "hx-post=\"/products\"",
    ] {
        assert!(products.body.contains(text), "missing {text:?}");
    }
}

#[tokio::test]
async fn input_is_escaped_everywhere_it_is_shown() {
    let app = TestApp::new().await;
    app.register_site("XSS", "<script>alert(1)</script>").await;
    for uri in ["/sites", "/sites/XSS"] {
        let page = app.get(uri).await;
        assert!(
            !page.body.contains("<script>alert"),
            "{uri} shows raw markup"
        );
        assert!(page.body.contains("&#60;script&#62;alert(1)"), "{uri}");
    }
}

#[tokio::test]
async fn unknown_records_and_routes_get_a_friendly_404() {
    let app = TestApp::new().await;
    let site = app.get("/sites/NOPE").await;
    assert_eq!(site.status, StatusCode::NOT_FOUND);
    assert!(
        site.body
            .contains("There is no site with the code &#39;NOPE&#39;.")
    );
    assert!(site.body.contains("Back to Sites") && site.body.contains("href=\"/\""));

    let rename = app
        .post(
            "/sites/NOPE/rename",
            &[("name", "X"), ("reason", "because")],
        )
        .await;
    assert_eq!(rename.status, StatusCode::NOT_FOUND);

    let typed = app.get("/sites/muc/rename").await;
    assert_eq!(
        typed.status,
        StatusCode::SEE_OTHER,
        "a change address opened directly"
    );
    assert_eq!(typed.location.as_deref(), Some("/sites/MUC"));

    let route = app.get("/no/such/page").await;
    assert_eq!(route.status, StatusCode::NOT_FOUND);
    assert!(
        route.body.contains("There is no page at /no/such/page.")
            && route.body.contains("Go to the home page")
    );

    let api = app.get("/api/v1/nothing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(
        api.content_type.starts_with("application/json"),
        "API clients get JSON"
    );
}
