//! KPIs as people and integrations read them (SPEC §2.6): the dashboard with a
//! chart and a definition for every KPI, each figure drilled down to exactly the
//! records it counts, a CMO partner held to its own site's figures, recorded
//! figures with their definition versions, and bad query strings refused naming
//! the field.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_app::Request as AppRequest;
use vplant_app::import::tablet_batches::{CREDIT, DATA_SET};
use vplant_domain::exception::RaiseInput;
use vplant_domain::exception::fields::Origin;
use vplant_domain::identity::{Role, Scope};
use vplant_domain::kpi::definition::KpiCode;
use vplant_domain::kpi::period::{Granularity, Period, month_index};

use crate::support::{
    INTERNAL, OTHER_CMO, OWN_CMO, Server, batch_report, on_postgres, record_batch, refused_fields,
};

const HEADER: &str = "site,batch,product,actual_production_start,actual_production_complete,actual_disposition,disposition";

/// Last month, the latest period that has ended.
fn last_month(server: &Server) -> String {
    Period::of(
        month_index(server.app.store.now().date()),
        Granularity::Month,
    )
    .previous()
    .to_string()
}

/// Last month at the partner's site: A1 released, A2 rejected with an exception
/// against it; at the other CMO: B1 released. Returns last month and the
/// exception's number.
async fn seed(server: &Server) -> (String, String) {
    let m = last_month(server);
    let file = format!(
        "{HEADER}\n\
         {OWN_CMO},A1,PRD-1,{m}-02,{m}-05,{m}-20,released\n\
         {OWN_CMO},A2,PRD-1,{m}-03,{m}-06,{m}-21,rejected\n\
         {OTHER_CMO},B1,PRD-1,{m}-04,{m}-07,{m}-22,released\n"
    );
    let by = AppRequest::by("vpt_manager");
    server
        .app
        .import_tracker(&Scope::All, "kpi.csv", file.as_bytes(), &by)
        .await
        .unwrap();
    let raise = RaiseInput {
        site: OWN_CMO.to_owned(),
        batches: vec![format!("{OWN_CMO}/A2")],
        occurred: format!("{m}-04"),
        discovered: format!("{m}-04"),
        title: "Granule moisture high".to_owned(),
        description: "LOD 3.1 % against a limit of 2.5 %.".to_owned(),
        classification: "major".to_owned(),
        category: "process".to_owned(),
        ..RaiseInput::default()
    };
    let exception = server
        .app
        .raise_exception(&Scope::All, &raise, Origin::CmoReport, &by)
        .await
        .unwrap()
        .number;
    (m, exception)
}

/// The ids of a drill-down answer's records.
fn record_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The tile of `code` in a dashboard answer.
fn tile<'a>(board: &'a Value, code: &str) -> &'a Value {
    board["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn the_dashboard_shows_every_kpi_with_a_chart_and_a_definition_and_drills_down_to_the_records_counted()
 {
    let server = Server::new().await;
    let (m, exception) = seed(&server).await;
    let vpt = server.as_role(Role::VptManager).await;

    let page = vpt.get(&format!("/dashboard?end={m}&periods=3")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body.matches("<svg class=\"kpi-chart\"").count(),
        KpiCode::ALL.len(),
        "one chart per KPI"
    );
    for code in KpiCode::ALL {
        let code = code.as_str();
        assert!(
            page.body.contains(&format!("id=\"kpi-{code}\"")),
            "{code} tile"
        );
        assert!(
            page.body.contains(&format!("href=\"/kpi/{code}\"")),
            "{code} links its definition"
        );
        assert!(
            page.body
                .contains(&format!("/kpi/{code}/records?period={m}")),
            "{code} links its latest figure's records"
        );
    }
    // The charts say in words what they show.
    assert!(
        page.body
            .contains("<title id=\"chart-right_first_time-title\">Right first time, 3 periods")
    );
    assert!(page.body.contains("66.7 %"), "right first time is 2 of 3");
    // The comparison opens each site's dashboard, and products have theirs.
    for narrowed in [format!("site={OWN_CMO}"), "product=PRD-1".to_owned()] {
        let href = format!("href=\"/dashboard?periods=3&#38;end={m}&#38;{narrowed}\"");
        assert!(page.body.contains(&href), "{href}");
    }

    // The figure and its records agree, and the records are exactly those counted.
    let board = vpt
        .get(&format!("/api/v1/kpi/dashboard?end={m}&periods=3"))
        .await
        .json();
    let rft = tile(&board, "right_first_time");
    assert_eq!(
        (rft["numerators"][2].clone(), rft["denominators"][2].clone()),
        (json!(2.0), json!(3.0))
    );
    let drill = vpt
        .get(&format!("/api/v1/kpi/right_first_time/records?period={m}"))
        .await;
    assert_eq!(drill.status, StatusCode::OK, "{}", drill.body);
    let drill = drill.json();
    assert_eq!(
        record_ids(&drill),
        [
            format!("{OWN_CMO}/A1"),
            format!("{OWN_CMO}/A2"),
            format!("{OTHER_CMO}/B1")
        ]
    );
    assert_eq!(
        (drill["numerator"].clone(), drill["denominator"].clone()),
        (json!(2.0), json!(3.0))
    );
    assert_eq!(drill["kpi"]["version"], 1);

    let records = vpt
        .get(&format!("/kpi/right_first_time/records?period={m}"))
        .await;
    assert_eq!(records.status, StatusCode::OK);
    for id in ["A1", "A2"] {
        assert!(
            records
                .body
                .contains(&format!("href=\"/batches/{OWN_CMO}/{id}\""))
        );
    }
    assert!(
        records
            .body
            .contains(&format!("href=\"/batches/{OTHER_CMO}/B1\""))
    );

    // An exception counted links to its own page.
    let rate = vpt
        .get(&format!("/kpi/exception_rate/records?period={m}"))
        .await;
    assert!(
        rate.body
            .contains(&format!("href=\"/exceptions/{exception}\""))
    );

    // The definition card holds every field, the version and what changed.
    let card = vpt.get("/kpi/right_first_time").await;
    assert_eq!(card.status, StatusCode::OK);
    for text in [
        "batches dispositioned (released or rejected) that no exception concerns",
        "the batch&#39;s actual QA disposition date",
        "Version 1",
        "First version.",
    ] {
        assert!(card.body.contains(text), "the card shows {text}");
    }
    assert_eq!(
        vpt.get("/kpi/no_such_kpi").await.status,
        StatusCode::NOT_FOUND
    );
    let definitions = vpt.get("/api/v1/kpi/definitions").await.json();
    assert_eq!(definitions.as_array().unwrap().len(), KpiCode::ALL.len());
}

/// What the CMO partner sees of KPIs, on whichever backend `server` runs.
async fn a_cmo_partner_sees_only_its_own_sites_figures(server: &Server) {
    let (m, _) = seed(server).await;
    let cmo = server.as_role(Role::CmoPartner).await;

    let board = cmo
        .get(&format!("/api/v1/kpi/dashboard?end={m}&periods=2"))
        .await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let board = board.json();
    assert_eq!(board["comparison"]["sites"], json!([OWN_CMO]));
    // A1 without exceptions, A2 with one: 1 of 2 at the partner's site.
    assert_eq!(tile(&board, "right_first_time")["current"], json!(50.0));

    let drill = cmo
        .get(&format!("/api/v1/kpi/right_first_time/records?period={m}"))
        .await
        .json();
    assert_eq!(
        record_ids(&drill),
        [format!("{OWN_CMO}/A1"), format!("{OWN_CMO}/A2")]
    );

    for uri in [
        format!("/api/v1/kpi/dashboard?site={OTHER_CMO}"),
        format!("/api/v1/kpi/right_first_time/records?period={m}&site={OTHER_CMO}"),
    ] {
        let refused = cmo.get(&uri).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "GET {uri}"
        );
        assert_eq!(refused_fields(&refused.json()), ["site"], "GET {uri}");
    }
    let page = cmo.get(&format!("/dashboard?site={OTHER_CMO}")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is not a site you may see"));
    let own = cmo.get(&format!("/dashboard?end={m}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        !own.body.contains(OTHER_CMO),
        "another site shows on the partner's dashboard"
    );
    let records = cmo
        .get(&format!("/kpi/right_first_time/records?period={m}"))
        .await;
    assert!(!records.body.contains(OTHER_CMO));
    assert_eq!(
        cmo.get(&format!("/batches/{OTHER_CMO}/B1")).await.status,
        StatusCode::NOT_FOUND,
        "a record behind another site's figure stays hidden"
    );

    // Recorded figures: the partner sees its own site's, never the network's.
    let vpt = server.as_role(Role::VptManager).await;
    let recorded = vpt
        .post_json(&format!("/api/v1/kpi/results/{m}"), &json!({}))
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    let everything = recorded.json()["results"].as_array().unwrap().len();
    let seen = cmo.get(&format!("/api/v1/kpi/results/{m}")).await.json();
    let scopes: Vec<&str> = seen["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["scope"].as_str().unwrap())
        .collect();
    assert!(!scopes.is_empty() && scopes.len() < everything);
    assert!(
        scopes.iter().all(|s| *s == format!("site:{OWN_CMO}")),
        "{scopes:?}"
    );
}

#[tokio::test]
async fn a_cmo_partner_sees_only_its_own_sites_kpi_figures() {
    a_cmo_partner_sees_only_its_own_sites_figures(&Server::new().await).await;
}

#[test]
fn a_cmo_partner_sees_only_its_own_sites_kpi_figures_on_postgres_too() {
    on_postgres(async |server| a_cmo_partner_sees_only_its_own_sites_figures(server).await);
}

#[tokio::test]
async fn a_period_is_recorded_from_its_page_and_listed_with_its_definition_versions() {
    let server = Server::new().await;
    let (m, _) = seed(&server).await;
    let director = server.as_role(Role::Director).await;

    let page = director.get("/kpi/results").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Record figures for a period"));
    assert!(
        page.body.contains(&format!("value=\"{m}\"")),
        "last month is offered"
    );

    let done = director.post("/kpi/results", &[("period", &m)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let to = done.location().unwrap();
    assert_eq!(to, format!("/kpi/results?period={m}&done=recorded"));
    let listed = director.get(&to).await;
    assert!(
        listed
            .body
            .contains(&format!("The figures of {m} were recorded."))
    );
    assert!(listed.body.contains("Recording 1"));
    assert!(listed.body.contains("Right first time"));
    assert!(listed.body.contains("Site CMO-A"));

    // A period that has not ended is refused, naming it.
    let now = Period::of(
        month_index(server.app.store.now().date()),
        Granularity::Month,
    );
    let open = director
        .post("/kpi/results", &[("period", &now.to_string())])
        .await;
    assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(open.body.contains("has not ended"));

    // QA reads recorded figures but records none.
    let qa = server.as_role(Role::QaReviewer).await;
    let read = qa.get(&format!("/kpi/results?period={m}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("Recording 1"));
    assert!(!read.body.contains("Record figures for a period"));
    assert_eq!(
        qa.post("/kpi/results", &[("period", &m)]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_kpi_queries_are_refused_naming_the_field() {
    let server = Server::new().await;
    let vpt = server.as_role(Role::VptManager).await;
    for (uri, fields) in [
        (
            "/api/v1/kpi/dashboard?granularity=week&periods=0",
            vec!["granularity", "periods"],
        ),
        (
            "/api/v1/kpi/dashboard?end=March&periods=200",
            vec!["periods", "end"],
        ),
        ("/api/v1/kpi/dashboard?site=a%20b", vec!["site"]),
        ("/api/v1/kpi/otif/records?period=March", vec!["period"]),
        ("/api/v1/kpi/results/2026-13", vec!["period"]),
    ] {
        let resp = vpt.get(uri).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "GET {uri}");
        assert_eq!(refused_fields(&resp.json()), fields, "GET {uri}");
    }
    assert_eq!(
        vpt.get("/api/v1/kpi/nothing/records").await.status,
        StatusCode::NOT_FOUND
    );
    let page = vpt.get("/dashboard?granularity=week").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("must be month, quarter or year"));
    let page = vpt.get("/kpi/otif/records?period=March").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is not a period"));
}

#[tokio::test]
async fn the_dashboard_credits_the_data_set_when_a_site_it_shows_holds_its_batches() {
    let server = Server::new().await;
    record_batch(&server.app, batch_report(INTERNAL, "OWN-1")).await;
    let director = server.as_role(Role::Director).await;
    let shown = CREDIT.replace('&', "&#38;");
    assert!(
        !director
            .get("/dashboard")
            .await
            .body
            .contains("Data source:")
    );
    assert!(director.get("/api/v1/kpi/dashboard").await.json()["credit"].is_null());

    let mut report = batch_report(OWN_CMO, "D-7");
    report.provenance = Some(DATA_SET.to_owned());
    record_batch(&server.app, report).await;
    assert!(director.get("/dashboard").await.body.contains(&shown));
    assert_eq!(
        director.get("/api/v1/kpi/dashboard").await.json()["credit"],
        CREDIT
    );
    // The internal site's own dashboard shows none of the data set's records.
    let own = director.get(&format!("/dashboard?site={INTERNAL}")).await;
    assert!(!own.body.contains("Data source:"));
}
