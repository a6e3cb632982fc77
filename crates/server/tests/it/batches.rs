//! Batches, lots and genealogy as people and integrations read them: the tracker
//! with its milestones, a CMO partner held to its own site, forward and backward
//! traces with their drawing, the credit the public data set's licence requires, and
//! bad query strings refused naming the field.

use axum::http::StatusCode;
use serde_json::Value;
use vplant_app::import::tablet_batches::CREDIT;
use vplant_domain::batch::events::Disposition;
use vplant_domain::batch::milestone::Milestone;
use vplant_domain::dates::PartialDate;
use vplant_domain::fields::Code;
use vplant_domain::identity::Role;
use vplant_domain::lot::{LotCommand, LotOrigin, LotState, LotStatus, NewLot};

use crate::support::{
    INTERNAL, MATERIAL, OTHER_CMO, OWN_CMO, Server, batch_report, lot_ref, on_postgres,
    record_batch, refused_fields, register_lot, register_material,
};

fn date(text: &str) -> PartialDate {
    PartialDate::parse("date", text).unwrap()
}

/// The ids of the records of a JSON list.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A batch at each fixture site: the partner's own one started three days late and
/// is released; the other CMO's only has a planned month. The partner's input lot
/// also went into the internal site's batch.
async fn three_sites(server: &Server) {
    let app = &server.app;
    register_material(app).await;
    let own_lot = format!("{MATERIAL}/A-1");
    register_lot(app, &own_lot, OWN_CMO, None, false).await;
    register_lot(app, &format!("{MATERIAL}/B-1"), OTHER_CMO, None, false).await;

    let mut own = batch_report(OWN_CMO, "B-100");
    own.planned
        .insert(Milestone::ProductionStart, date("2026-03-02"));
    own.actual
        .insert(Milestone::ProductionStart, date("2026-03-05"));
    own.actual
        .insert(Milestone::ProductionComplete, date("2026-03-09"));
    own.disposition = Some(Disposition::Released);
    own.consume(lot_ref(&own_lot), None);
    record_batch(app, own).await;

    let mut other = batch_report(OTHER_CMO, "B-200");
    other
        .planned
        .insert(Milestone::ProductionStart, date("2026-04"));
    other.consume(lot_ref(&format!("{MATERIAL}/B-1")), None);
    record_batch(app, other).await;

    let mut internal = batch_report(INTERNAL, "B-300");
    internal
        .actual
        .insert(Milestone::ProductionStart, date("2026-02-01"));
    internal.consume(lot_ref(&own_lot), None);
    record_batch(app, internal).await;
}

#[tokio::test]
async fn the_tracker_lists_batches_with_their_milestones_and_a_cmo_partner_sees_only_its_own_site()
{
    tracker_and_scope(&Server::new().await).await;
}

#[test]
fn the_tracker_and_site_scoping_work_the_same_on_postgres() {
    on_postgres(async |server| tracker_and_scope(server).await);
}

async fn tracker_and_scope(server: &Server) {
    three_sites(server).await;

    let qa = server.as_role(Role::QaReviewer).await;
    let page = qa.get("/batches").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("aria-current=\"page\">Batches</a>"));
    for id in ["CMO-A/B-100", "CMO-B/B-200", "INT/B-300"] {
        assert!(
            page.body.contains(&format!("href=\"/batches/{id}\"")),
            "the tracker links {id}"
        );
    }
    assert!(page.body.contains("2026-03-05"), "the actual start");
    assert!(page.body.contains("2026-03-09"), "production complete");
    assert!(
        page.body
            .contains("2026-04 <span class=\"muted\">(planned)</span>"),
        "a batch without an actual start shows its planned one, marked"
    );
    assert!(page.body.contains("Released"));
    assert!(page.body.contains("1–3 of 3"));

    let listed = qa.get("/api/v1/batches").await.json();
    assert_eq!(listed["total"], 3);
    assert_eq!(
        ids(&listed["batches"]),
        ["CMO-B/B-200", "CMO-A/B-100", "INT/B-300"],
        "latest production start first, planned when not yet started"
    );
    assert_eq!(
        listed["batches"][1]["actual"]["production_start"],
        "2026-03-05"
    );
    assert!(
        listed.get("credit").is_none(),
        "no record of a data set, no credit"
    );
    let one = qa.get("/api/v1/batches?site=cmo-b&limit=1").await.json();
    assert_eq!(ids(&one["batches"]), ["CMO-B/B-200"]);

    let detail = qa.get("/batches/CMO-A/B-100").await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(
        detail.body.contains("3 days late"),
        "planned against actual"
    );
    assert!(
        detail
            .body
            .contains(&format!("href=\"/lots/{MATERIAL}/A-1\""))
    );
    assert!(
        detail
            .body
            .contains("href=\"/trace?batch=CMO-A/B-100&#38;direction=backward\"")
    );

    // The CMO partner: its own site's batch, lot and trace nodes, nothing else.
    let cmo = server.as_role(Role::CmoPartner).await;
    let page = cmo.get("/batches").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/batches/CMO-A/B-100\""));
    assert!(!page.body.contains("B-200") && !page.body.contains("B-300"));
    let listed = cmo.get("/api/v1/batches").await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(ids(&listed["batches"]), ["CMO-A/B-100"]);
    let lots = cmo.get("/api/v1/lots").await.json();
    assert_eq!(ids(&lots["lots"]), [format!("{MATERIAL}/A-1")]);
    for uri in [
        "/batches/CMO-B/B-200".to_owned(),
        "/api/v1/batches/CMO-B/B-200".to_owned(),
        "/batches/INT/B-300".to_owned(),
        format!("/lots/{MATERIAL}/B-1"),
        format!("/api/v1/lots/{MATERIAL}/B-1"),
        format!("/trace?lot={MATERIAL}/B-1"),
        format!("/api/v1/trace?lot={MATERIAL}/B-1"),
    ] {
        assert_eq!(
            cmo.get(&uri).await.status,
            StatusCode::NOT_FOUND,
            "GET {uri}"
        );
    }

    // Its own lot also went into the internal batch, which is counted, not shown.
    let trace = cmo
        .get(&format!("/api/v1/trace?lot={MATERIAL}/A-1"))
        .await
        .json();
    assert_eq!(ids(&trace["batches"]), ["CMO-A/B-100"]);
    assert_eq!(trace["hidden"], 1);
    let page = cmo.get(&format!("/trace?lot={MATERIAL}/A-1")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("1 record at a site outside your scope is not shown.")
    );
    assert!(!page.body.contains("INT/B-300"));
    let lot = cmo
        .get(&format!("/api/v1/lots/{MATERIAL}/A-1"))
        .await
        .json();
    assert_eq!(ids(&lot["consumers"]), ["CMO-A/B-100"]);

    // Administrators run the system, not the plant: no batch pages for them.
    let admin = server.as_role(Role::Administrator).await;
    assert!(!admin.get("/").await.body.contains(">Batches</a>"));
}

#[tokio::test]
async fn a_forward_trace_from_an_input_lot_lists_exactly_the_batches_that_consumed_it_and_their_product_lots()
 {
    forward_trace(&Server::new().await).await;
}

#[test]
fn forward_and_backward_traces_work_the_same_on_postgres() {
    on_postgres(async |server| forward_trace(server).await);
}

async fn forward_trace(server: &Server) {
    let app = &server.app;
    register_material(app).await;
    let input = format!("{MATERIAL}/L1");
    register_lot(app, &input, OWN_CMO, None, false).await;
    register_lot(app, &format!("{MATERIAL}/L2"), OWN_CMO, None, false).await;
    for (number, used) in [("B1", "L1"), ("B2", "L1"), ("B3", "L2")] {
        let batch = format!("{OWN_CMO}/{number}");
        let product = format!("PRD-1/{number}");
        register_lot(app, &product, OWN_CMO, Some(&batch), false).await;
        let mut report = batch_report(OWN_CMO, number);
        report.consume(lot_ref(&format!("{MATERIAL}/{used}")), None);
        report.yield_lot(lot_ref(&product), None);
        record_batch(app, report).await;
    }
    let operator = server.as_role(Role::Operator).await;

    let trace = operator
        .get(&format!("/api/v1/trace?lot={input}&direction=forward"))
        .await;
    assert_eq!(trace.status, StatusCode::OK, "{}", trace.body);
    let trace = trace.json();
    assert_eq!(trace["start"], format!("lot:{input}"));
    assert_eq!(ids(&trace["batches"]), ["CMO-A/B1", "CMO-A/B2"]);
    assert_eq!(ids(&trace["lots"]), ["PRD-1/B1", "PRD-1/B2"]);
    assert_eq!(trace["edges"].as_array().unwrap().len(), 4);
    assert_eq!(trace["hidden"], 0);

    let page = operator
        .get(&format!("/trace?lot={input}&direction=forward"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2 batches and 2 lots reached."));
    assert!(page.body.contains("<svg class=\"graph-svg\""));
    assert_eq!(
        page.body.matches("class=\"graph-node ").count(),
        5,
        "one node per record: the start, two batches, two lots"
    );
    assert_eq!(
        page.body.matches("class=\"graph-node graph-batch").count(),
        2
    );
    assert_eq!(page.body.matches("class=\"graph-edge\"").count(), 4);
    for href in ["/batches/CMO-A/B1", "/batches/CMO-A/B2", "/lots/PRD-1/B2"] {
        assert!(page.body.contains(&format!("href=\"{href}\"")), "{href}");
    }
    assert!(
        !page.body.contains("B3"),
        "a batch of another lot is not reached"
    );

    // Backward from a product lot: the batch that made it and what went in.
    let back = operator
        .get("/api/v1/trace?lot=PRD-1/B2&direction=backward")
        .await
        .json();
    assert_eq!(ids(&back["batches"]), ["CMO-A/B2"]);
    assert_eq!(ids(&back["lots"]), [input.as_str()]);

    // The lot page names the same consumers and leads into the trace.
    let lot = operator.get(&format!("/lots/{input}")).await;
    assert_eq!(lot.status, StatusCode::OK);
    assert!(lot.body.contains("href=\"/batches/CMO-A/B1\""));
    assert!(lot.body.contains("href=\"/batches/CMO-A/B2\""));
    assert!(!lot.body.contains("B3"));
    assert!(lot.body.contains(&format!(
        "href=\"/trace?lot={input}&#38;direction=forward\""
    )));
    let product = operator.get("/api/v1/lots/PRD-1/B1").await.json();
    assert_eq!(product["producer"]["id"], "CMO-A/B1");
    assert_eq!(product["consumers"], serde_json::json!([]));
    assert_eq!(product["expired"], false);
}

#[tokio::test]
async fn records_from_the_data_set_show_the_credit_on_the_page_and_in_the_api_answer() {
    let server = Server::new().await;
    let app = &server.app;
    register_material(app).await;
    let input = format!("{MATERIAL}/D-1");
    register_lot(app, &input, OWN_CMO, None, true).await;
    let mut report = batch_report(OWN_CMO, "D-7");
    report.provenance = Some(vplant_app::import::tablet_batches::DATA_SET.to_owned());
    report.consume(lot_ref(&input), None);
    report.result("Laboratory", "assay", "99.1");
    record_batch(app, report).await;
    // A batch of our own next to it brings no credit of its own.
    record_batch(app, batch_report(INTERNAL, "OWN-1")).await;
    let qa = server.as_role(Role::QaReviewer).await;

    // The credit text as a page shows it (the ampersand escaped).
    let shown = CREDIT.replace('&', "&#38;");
    for uri in [
        "/batches".to_owned(),
        "/batches/CMO-A/D-7".to_owned(),
        "/lots".to_owned(),
        format!("/lots/{input}"),
        format!("/trace?lot={input}"),
    ] {
        let page = qa.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "GET {uri}");
        assert!(page.body.contains(&shown), "GET {uri} shows the credit");
    }
    for uri in [
        "/api/v1/batches".to_owned(),
        "/api/v1/batches/CMO-A/D-7".to_owned(),
        "/api/v1/lots".to_owned(),
        format!("/api/v1/lots/{input}"),
        format!("/api/v1/trace?lot={input}"),
    ] {
        let body = qa.get(&uri).await.json();
        assert_eq!(body["credit"], CREDIT, "GET {uri}");
    }

    // Records of our own bring no credit.
    let own = qa.get("/batches/INT/OWN-1").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("Big data collection"));
    let own = qa.get("/api/v1/batches/INT/OWN-1").await.json();
    assert!(own.get("credit").is_none());
    let filtered = qa.get("/api/v1/batches?site=INT").await.json();
    assert!(filtered.get("credit").is_none());
}

#[tokio::test]
async fn bad_query_parameters_answer_422_naming_the_field() {
    let server = Server::new().await;
    let operator = server.as_role(Role::Operator).await;
    for (uri, field) in [
        ("/api/v1/batches?limit=ten", "limit"),
        ("/api/v1/batches?limit=0", "limit"),
        ("/api/v1/batches?offset=-1", "offset"),
        ("/api/v1/batches?site=CMO%20SI", "site"),
        ("/api/v1/batches?product=1X", "product"),
        ("/api/v1/lots?material=%21", "material"),
        ("/api/v1/lots?limit=many", "limit"),
        ("/api/v1/trace", "lot"),
        ("/api/v1/trace?lot=SMCC", "lot"),
        ("/api/v1/trace?lot=SMCC/3&batch=CMO-A/1", "batch"),
        ("/api/v1/trace?lot=SMCC/3&direction=sideways", "direction"),
        ("/api/v1/trace?lot=SMCC/3&lot=SMCC/4", "lot"),
    ] {
        let resp = operator.get(uri).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "GET {uri}");
        assert_eq!(refused_fields(&resp.json()), [field], "GET {uri}");
    }
    for (uri, error_id) in [
        (
            "/trace?lot=SMCC/3&direction=sideways",
            "trace-start-direction-error",
        ),
        ("/trace?lot=SMCC", "trace-start-lot-error"),
        ("/batches?site=CMO%20SI", "batch-filter-site-error"),
        ("/lots?material=%21", "lot-filter-material-error"),
    ] {
        let page = operator.get(uri).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "GET {uri}");
        assert!(
            page.body.contains(&format!("id=\"{error_id}\"")),
            "GET {uri}"
        );
        assert!(page.body.contains("aria-invalid=\"true\""), "GET {uri}");
    }
    // A parameter that is not on the form is named in the form's message.
    let page = operator.get("/batches?page=0").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("page: &#39;0&#39; is not a page number"),
        "{}",
        page.body
    );
    // Numbers past any page are answered, not wrapped round.
    let far = operator
        .get("/api/v1/batches?offset=18446744073709551615")
        .await;
    assert_eq!(far.status, StatusCode::OK);
    assert_eq!(far.json()["batches"], serde_json::json!([]));
    let far = operator.get("/batches?page=18446744073709551615").await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without a start, the trace page asks for one.
    let empty = operator.get("/trace").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("id=\"trace-start-lot\""));
}

#[tokio::test]
async fn a_lot_past_its_expiry_date_is_shown_expired() {
    let server = Server::new().await;
    let app = &server.app;
    let site = Code::parse("site", OWN_CMO).unwrap();
    let expiry = Some(date("2020-01"));
    let new = NewLot::new(
        lot_ref("API-9/OLD-1"),
        &site,
        LotStatus::Released,
        LotOrigin::Received,
        None,
        expiry,
        None,
    )
    .unwrap();
    let seed = vplant_app::Request::by("seed");
    app.execute::<LotState>("API-9/OLD-1", LotCommand::Register(new), &seed)
        .await
        .unwrap();
    let qa = server.as_role(Role::QaReviewer).await;
    let page = qa.get("/lots/API-9/OLD-1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("This lot is expired"));
    assert!(
        page.body
            .contains("<span class=\"badge badge-rejected\">Expired</span>")
    );
    let body = qa.get("/api/v1/lots/API-9/OLD-1").await.json();
    assert_eq!(body["expired"], true);
    assert_eq!(body["lot"]["status"], "released");
}

#[tokio::test]
async fn the_tracker_filters_by_status_and_month_groups_and_derives_lead_time_and_adherence() {
    let server = Server::new().await;
    let app = &server.app;
    let mut late = batch_report(OWN_CMO, "T-1");
    late.planned
        .insert(Milestone::ProductionStart, date("2026-03-02"));
    late.actual
        .insert(Milestone::ProductionStart, date("2026-03-12"));
    late.actual
        .insert(Milestone::ProductionComplete, date("2026-03-16"));
    late.actual
        .insert(Milestone::Disposition, date("2026-04-01"));
    late.disposition = Some(Disposition::Released);
    record_batch(app, late).await;
    let mut on_time = batch_report(OWN_CMO, "T-2");
    on_time
        .planned
        .insert(Milestone::ProductionStart, date("2026-03-20"));
    on_time
        .actual
        .insert(Milestone::ProductionStart, date("2026-03-22"));
    record_batch(app, on_time).await;
    let mut planned = batch_report(OTHER_CMO, "T-3");
    planned
        .planned
        .insert(Milestone::ProductionStart, date("2026-05-04"));
    record_batch(app, planned).await;
    let vpt = server.as_role(Role::VptManager).await;

    let all = vpt.get("/batches").await;
    assert!(
        all.body.contains("20 d"),
        "T-1: 20 days from start to disposition"
    );
    assert!(
        all.body
            .contains("+10 d <span class=\"badge badge-hold\">off schedule</span>")
    );
    assert!(
        all.body
            .contains("+2 d <span class=\"badge badge-active\">on schedule</span>")
    );

    let released = vpt.get("/batches?status=released").await;
    assert!(released.body.contains("href=\"/batches/CMO-A/T-1\""));
    assert!(!released.body.contains("href=\"/batches/CMO-A/T-2\""));
    let in_production = vpt.get("/api/v1/batches?status=in_production").await;
    assert_eq!(ids(&in_production.json()["batches"]), ["CMO-A/T-2"]);
    let may = vpt.get("/api/v1/batches?month=2026-05").await;
    assert_eq!(ids(&may.json()["batches"]), ["CMO-B/T-3"]);
    let oldest = vpt.get("/api/v1/batches?sort=start_asc").await;
    assert_eq!(ids(&oldest.json()["batches"])[0], "CMO-A/T-1");

    let grouped = vpt.get("/batches?group=status").await;
    assert!(grouped.body.contains("Batches by status"));
    assert!(
        grouped.body.contains("href=\"/batches?status=planned\""),
        "each group links to its batches"
    );

    let refused = vpt.get("/api/v1/batches?status=lost&month=May").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&refused.json()), ["status", "month"]);
    let page = vpt.get("/batches?group=colour").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_cmo_partner_s_home_is_its_site_s_portal() {
    let server = Server::new().await;
    three_sites(&server).await;
    let partner = server.as_role(Role::CmoPartner).await;

    let home = partner.get("/").await;

    assert!(
        home.body
            .contains(&format!("Operations of your site {OWN_CMO}"))
    );
    // Its one released batch; the other CMO's planned batch is not counted.
    assert!(
        home.body
            .contains("<a href=\"/batches?status=released\">1</a>")
    );
    assert!(
        home.body
            .contains("<a href=\"/batches?status=planned\">0</a>")
    );
    let qa = server.as_role(Role::QaReviewer).await;
    let network = qa.get("/").await;
    assert!(network.body.contains("Operations of the network"));
    assert!(
        network
            .body
            .contains("<a href=\"/batches?status=planned\">1</a>")
    );
}

#[tokio::test]
async fn a_batch_s_press_readings_are_drawn_on_its_page_and_given_whole_by_the_api() {
    let server = Server::new().await;
    let mut report = batch_report(OWN_CMO, "P-1");
    let rows = (0..1500)
        .map(|i| {
            (
                format!("2026-03-05 08:{:02}:{:02}", i / 60 % 60, i % 60),
                vec![format!("{}", 90 + i % 7), "4.3".to_owned()],
            )
        })
        .collect();
    report.series.insert(
        "tablet press (line 2)".to_owned(),
        vplant_domain::batch::events::Series {
            columns: vec!["tbl_speed".to_owned(), "main_comp".to_owned()],
            rows,
        },
    );
    record_batch(&server.app, report).await;
    let partner = server.as_role(Role::CmoPartner).await;

    let page = partner.get(&format!("/batches/{OWN_CMO}/P-1")).await;
    assert!(page.body.contains("Readings: tablet press (line 2)"));
    assert!(page.body.contains("1500 readings"));
    assert_eq!(
        page.body.matches("<polyline").count(),
        2,
        "one chart per drawn column"
    );
    let api = partner
        .get(&format!("/api/v1/batches/{OWN_CMO}/P-1/series"))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(
        api.json()["series"][0]["rows"].as_array().unwrap().len(),
        1500
    );

    let stranger = partner
        .get(&format!("/api/v1/batches/{OTHER_CMO}/P-1/series"))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
}
