//! A CMO partner reports a batch on the web form: the same rules as a tracker file
//! row, problems shown under their fields, never for another site's batch, and a
//! later report changes only what it says differently.

use axum::http::StatusCode;
use vplant_domain::identity::Role;

use crate::support::{OTHER_CMO, OWN_CMO, Server};

#[tokio::test]
async fn a_cmo_partner_reports_its_batch_on_the_web_and_updates_a_milestone() {
    let server = Server::new().await;
    let partner = server.as_role(Role::CmoPartner).await;

    let form = partner.get("/batches/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(&format!("value=\"{OWN_CMO}\"")),
        "its own site is offered"
    );
    assert!(
        !form.body.contains(&format!("value=\"{OTHER_CMO}\"")),
        "no other site"
    );

    let saved = partner
        .post(
            "/batches/new",
            &[
                ("site", OWN_CMO),
                ("batch", "W-1"),
                ("product", "PRD-1"),
                ("size", "120000"),
                ("unit", "tablets"),
                ("planned_production_start", "2026-05-04"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let at = saved.location().unwrap();
    assert_eq!(at, format!("/batches/{OWN_CMO}/W-1"));

    let update = partner
        .post(
            &format!("{at}/report"),
            &[
                ("product", "PRD-1"),
                ("actual_production_start", "2026-05-06"),
            ],
        )
        .await;
    assert_eq!(update.status, StatusCode::SEE_OTHER, "{}", update.body);
    let page = partner.get(&at).await;
    assert!(page.body.contains("2026-05-06"), "the actual start shows");
    assert!(
        page.body.contains("2026-05-04"),
        "the planned start is kept"
    );
}

#[tokio::test]
async fn a_bad_report_redraws_the_form_naming_the_fields_and_stores_nothing() {
    let server = Server::new().await;
    let partner = server.as_role(Role::CmoPartner).await;

    let refused = partner
        .post(
            "/batches/new",
            &[
                ("site", OTHER_CMO),
                ("batch", "W 2"),
                ("product", "PRD-1"),
                ("actual_production_start", "2026-02-30"),
            ],
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["site", "batch", "actual_production_start"] {
        assert!(
            refused
                .body
                .contains(&format!("id=\"batch-entry-{field}-error\"")),
            "{field} is named"
        );
    }
    let tracker = partner.get("/api/v1/batches").await;
    assert_eq!(tracker.json()["total"], 0);
    // Someone who may only read batches cannot report one.
    let operator = server.as_role(Role::Operator).await;
    assert_eq!(
        operator.get("/batches/new").await.status,
        StatusCode::FORBIDDEN
    );
}
