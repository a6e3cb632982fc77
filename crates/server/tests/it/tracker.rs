//! The batch tracker as a file (SPEC §2.4): a CMO's tracker file imported on its
//! page and through the API, all or nothing with every problem reported row by row,
//! importing the same file again changing nothing; the templates as real CSV and
//! XLSX files; the export held to the viewer's sites; and the upload's own guards
//! (its anti-forgery token, its size limit).

use axum::http::{StatusCode, header};
use vplant_app::import::grid::{self, Format};
use vplant_app::import::tracker::COLUMNS;
use vplant_domain::identity::Role;

use crate::support::{Client, OTHER_CMO, OWN_CMO, Server, refused_fields};

const HEADER: &str =
    "site,batch,product,planned_production_start,actual_production_start,disposition";

/// A tracker file with a header and `rows`.
fn file(rows: &[String]) -> Vec<u8> {
    format!("{HEADER}\n{}\n", rows.join("\n")).into_bytes()
}

/// The batch ids the tracker holds, as `client` sees them.
async fn tracked(client: &Client<'_>) -> Vec<String> {
    let list = client.get("/api/v1/batches?limit=1000").await.json();
    let mut ids: Vec<String> = list["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_import_page_lists_every_problem_of_a_bad_file_stores_nothing_and_then_imports_a_good_one_once()
 {
    let server = Server::new().await;
    let cmo = server.as_role(Role::CmoPartner).await;

    let page = cmo.get("/tracker/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("href=\"/api/v1/tracker/template.xlsx\""));
    for column in COLUMNS.iter() {
        assert!(
            page.body
                .contains(&format!("<td><code>{}</code></td>", column.name)),
            "the page documents column {}",
            column.name
        );
    }

    let bad = file(&[
        format!("{OWN_CMO},L-1,PRD-1,2026-03-02,2026-03-04,released"),
        format!("{OWN_CMO},L-2,PRD-1,2026-02-30,,shipped"),
        format!("{OTHER_CMO},M-1,PRD-1,2026-03-02,,"),
    ]);
    let refused = cmo.upload("/tracker/import", "march.csv", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("march.csv was refused: nothing was stored")
    );
    for (row, column) in [
        (3, "planned_production_start"),
        (3, "disposition"),
        (4, "site"),
    ] {
        assert!(
            refused.body.contains(&format!(
                "<td class=\"num\">{row}</td>\n        <td><code>{column}</code></td>"
            )),
            "row {row}, column {column} is reported"
        );
    }
    assert!(refused.body.contains("is not a site you may report for"));
    let vpt = server.as_role(Role::VptManager).await;
    assert!(
        tracked(&vpt).await.is_empty(),
        "a refused file stores nothing"
    );

    let good = file(&[
        format!("{OWN_CMO},L-1,PRD-1,2026-03-02,2026-03-04,released"),
        format!("{OWN_CMO},L-2,PRD-1,2026-03,,"),
    ]);
    let imported = cmo.upload("/tracker/import", "march.csv", &good).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert!(imported.body.contains("march.csv was imported"));
    assert!(
        imported
            .body
            .contains("2 new or changed batches of 2 in the file")
    );
    assert_eq!(
        tracked(&vpt).await,
        [format!("{OWN_CMO}/L-1"), format!("{OWN_CMO}/L-2")]
    );

    let before = server.app.store.last_seq().await.unwrap();
    let again = cmo.upload("/tracker/import", "march.csv", &good).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("nothing changed"));
    assert_eq!(
        server.app.store.last_seq().await.unwrap(),
        before,
        "importing the same file again records nothing"
    );

    // The tracker offers the import to those who report batches, and not to others.
    assert!(
        cmo.get("/batches")
            .await
            .body
            .contains("href=\"/tracker/import\"")
    );
    let qa = server.as_role(Role::QaReviewer).await;
    assert!(
        !qa.get("/batches")
            .await
            .body
            .contains("href=\"/tracker/import\"")
    );
    assert_eq!(
        qa.get("/tracker/import").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_imports_a_file_sent_as_the_body_and_answers_a_refused_one_row_by_row() {
    let server = Server::new().await;
    let cmo = server.as_role(Role::CmoPartner).await;

    let bad = file(&[format!("{OTHER_CMO},M-1,PRD-1,,2026-13-01,")]);
    let refused = cmo
        .post_bytes("/api/v1/tracker/import?name=april.csv", bad)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let body = refused.json();
    assert_eq!(body["error"]["code"], "VP-IMPORT-REJECTED");
    assert_eq!(refused_fields(&body), ["site", "actual_production_start"]);
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["file"], "april.csv");
    assert_eq!(rows[0]["row"], 2);
    assert_eq!(rows[1]["value"], "2026-13-01");

    for (uri, reason) in [
        ("/api/v1/tracker/import", "is required"),
        (
            "/api/v1/tracker/import?name=april.txt",
            "must end in .csv or .xlsx",
        ),
    ] {
        let resp = cmo.post_bytes(uri, file(&[])).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        let body = resp.json();
        assert_eq!(refused_fields(&body), ["name"], "{uri}");
        assert!(
            body["error"]["fields"][0]["reason"]
                .as_str()
                .unwrap()
                .contains(reason)
        );
    }

    let good = file(&[format!("{OWN_CMO},L-9,PRD-1,2026-04-01,2026-04-02,")]);
    let imported = cmo
        .post_bytes("/api/v1/tracker/import?name=april.csv", good.clone())
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let summary = imported.json();
    assert_eq!(summary["records"], 1);
    assert_eq!(summary["changed_records"], 1);
    assert!(summary["events"].as_u64().unwrap() >= 1);
    let again = cmo
        .post_bytes("/api/v1/tracker/import?name=april.csv", good)
        .await
        .json();
    assert_eq!(
        (again["changed_records"].clone(), again["events"].clone()),
        (0.into(), 0.into())
    );

    // People who do not report batches cannot import.
    let qa = server.as_role(Role::QaReviewer).await;
    let resp = qa
        .post_bytes("/api/v1/tracker/import?name=april.csv", file(&[]))
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_templates_are_real_csv_and_xlsx_files_with_the_documented_columns() {
    let server = Server::new().await;
    let qa = server.as_role(Role::QaReviewer).await;
    let names: Vec<String> = COLUMNS.iter().map(|c| c.name.to_owned()).collect();
    for (uri, format, content_type) in [
        (
            "/api/v1/tracker/template.csv",
            Format::Csv,
            "text/csv; charset=utf-8",
        ),
        (
            "/api/v1/tracker/template.xlsx",
            Format::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let (status, headers, bytes) = qa.get_bytes(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers[header::CONTENT_TYPE], content_type, "{uri}");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"tracker-template."),
            "{uri}"
        );
        let rows = grid::read(&bytes, format).unwrap();
        assert_eq!(rows.len(), 1, "{uri} holds the header row alone");
        assert_eq!(rows[0], names, "{uri}");
    }
}

#[tokio::test]
async fn an_export_holds_only_the_batches_the_viewer_may_see_and_imports_back_unchanged() {
    let server = Server::new().await;
    let vpt = server.as_role(Role::VptManager).await;
    let both = file(&[
        format!("{OWN_CMO},L-1,PRD-1,2026-03-02,2026-03-04,released"),
        format!("{OTHER_CMO},M-1,PRD-1,2026-03,,"),
    ]);
    let imported = vpt
        .post_bytes("/api/v1/tracker/import?name=network.csv", both)
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);

    let cmo = server.as_role(Role::CmoPartner).await;
    for uri in [
        "/api/v1/batches/export.csv".to_owned(),
        format!("/api/v1/batches/export.csv?site={OTHER_CMO}"),
    ] {
        let (status, _, bytes) = cmo.get_bytes(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.contains(OTHER_CMO),
            "GET {uri} shows another site: {text}"
        );
    }
    let (_, _, own) = cmo.get_bytes("/api/v1/batches/export.xlsx").await;
    let rows = grid::read(&own, Format::Xlsx).unwrap();
    assert_eq!(rows.len(), 2, "the header and the partner's one batch");
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), (OWN_CMO, "L-1"));

    // An export is a tracker file: imported back, it changes nothing.
    let (_, _, everything) = vpt.get_bytes("/api/v1/batches/export.csv").await;
    let text = String::from_utf8(everything.clone()).unwrap();
    assert!(text.contains(OWN_CMO) && text.contains(OTHER_CMO));
    let back = vpt
        .post_bytes("/api/v1/tracker/import?name=export.csv", everything)
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.json()["changed_records"], 0);

    let bad = cmo.get("/api/v1/batches/export.csv?site=a%20b").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&bad.json()), ["site"]);

    // The tracker page links the export of its own filter.
    let page = cmo.get(&format!("/batches?site={OWN_CMO}")).await;
    assert!(page.body.contains(&format!(
        "href=\"/api/v1/batches/export.csv?site={OWN_CMO}\""
    )));
}

#[tokio::test]
async fn an_upload_needs_its_token_first_and_is_refused_past_twenty_mebibytes() {
    let server = Server::new().await;
    let cmo = server.as_role(Role::CmoPartner).await;
    let good = file(&[format!("{OWN_CMO},L-1,PRD-1,2026-03,,")]);

    let forged = Client {
        csrf: None,
        ..server.as_role(Role::CmoPartner).await
    };
    let resp = forged.upload("/tracker/import", "march.csv", &good).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    let wrong = Client {
        csrf: Some("0".repeat(64)),
        ..server.as_role(Role::CmoPartner).await
    };
    let resp = wrong.upload("/tracker/import", "march.csv", &good).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    let vpt = server.as_role(Role::VptManager).await;
    assert!(
        tracked(&vpt).await.is_empty(),
        "a forged upload stores nothing"
    );

    let huge = vec![b'x'; 20 * 1024 * 1024 + 1];
    let resp = cmo.upload("/tracker/import", "huge.csv", &huge).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.body.contains("larger than 20 MiB"));
    let resp = cmo
        .post_bytes("/api/v1/tracker/import?name=huge.csv", huge)
        .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);

    let none = cmo.upload("/tracker/import", "", b"").await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("No file was chosen"));
}
