//! The MES through the API: a tablet's entry sent twice with one idempotency key is
//! recorded once; step signature, QA review and release; the executed record as a
//! print view and a PDF; the MBR file in and out; the equipment logbook; CMO
//! partners do not reach the MES of our sites.

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_domain::identity::Role;

use crate::support::{Client, EQUIPMENT, INTERNAL, MBR, OWN_CMO, PASSWORD, Server, seed_mes};

async fn sign(
    client: &Client<'_>,
    user: &str,
    subject: &str,
    meaning: &str,
) -> (StatusCode, Value) {
    let head = client
        .get(&format!("/api/v1/ebrs/{INTERNAL}/E1/signatures"))
        .await
        .json();
    let resp = client
        .post_json(
            &format!("/api/v1/ebrs/{INTERNAL}/E1/signatures"),
            &json!({
                "subject": subject, "meaning": meaning,
                "record_version": head["head"]["version"], "record_hash": head["head"]["hash"],
                "username": user, "password": PASSWORD,
            }),
        )
        .await;
    (resp.status, resp.json())
}

#[tokio::test]
async fn a_batch_is_executed_signed_reviewed_and_released_through_the_api() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let operator = server.as_role(Role::Operator).await;
    let entry = json!({"step": "start_up", "device": "TAB-1"});
    let uri = format!("/api/v1/ebrs/{INTERNAL}/E1/entries");
    let first = operator
        .post_json_with(&uri, &entry, &[("Idempotency-Key", "tab-1-0001")])
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["entry"], 1);
    let retry = operator
        .post_json_with(&uri, &entry, &[("Idempotency-Key", "tab-1-0001")])
        .await;
    assert_eq!(retry.json()["replayed"], true, "{}", retry.body);
    let sheet = retry.json()["sheet"].clone();
    assert_eq!(
        sheet["steps"][0]["entries"].as_array().unwrap().len(),
        1,
        "recorded once"
    );
    assert_eq!(sheet["steps"][0]["status"], "awaiting_performed");

    let (status, body) = sign(&operator, "operator", "start_up", "performed").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["complete"], true);
    assert_eq!(body["status"], "awaiting_review");

    let qa = server.as_role(Role::QaReviewer).await;
    let (status, body) = sign(&qa, "qa_reviewer", "", "released").await;
    assert_eq!(status, StatusCode::CONFLICT, "review first: {body}");
    assert_eq!(
        sign(&qa, "qa_reviewer", "", "reviewed").await.0,
        StatusCode::OK
    );
    let (status, body) = sign(&qa, "qa_reviewer", "", "released").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "released");
    let tracker = qa
        .get(&format!("/api/v1/batches/{INTERNAL}/E1"))
        .await
        .json();
    assert_eq!(tracker["batch"]["disposition"], "released", "{tracker}");

    let cmo = server.as_role(Role::CmoPartner).await;
    assert_eq!(cmo.get("/api/v1/ebrs").await.status, StatusCode::FORBIDDEN);

    the_released_record_is_printed(&server).await;
}

/// The released batch E1 printed by an auditor: the print view in the browser, the
/// PDF from the page and from the API.
async fn the_released_record_is_printed(server: &Server) {
    let auditor = server.as_role(Role::Auditor).await;
    let page = auditor.get(&format!("/ebrs/{INTERNAL}/E1/record")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        page.header("content-type")
    );
    for expected in [
        "<h1>Executed batch record</h1>",
        "INT/E1",
        "size: A4;",
        "Released",
        "Reviewed",
        "Performed",
        // Printed name and username of every signer, and the printer.
        "Test Operator",
        "Test QA reviewer",
        "qa_reviewer",
        "Printed by",
        "Test Auditor (auditor)",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected:?} missing:\n{}",
            page.body
        );
    }
    assert!(
        !page.body.contains("<nav"),
        "the print view is the record alone, without the site's navigation"
    );

    for uri in [
        format!("/ebrs/{INTERNAL}/E1/record.pdf"),
        format!("/api/v1/ebrs/{INTERNAL}/E1/record.pdf"),
    ] {
        let (status, headers, pdf) = auditor.get_bytes(&uri).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: {}",
            String::from_utf8_lossy(&pdf)
        );
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"batch-record-INT-E1.pdf\""
        );
        assert!(pdf.starts_with(b"%PDF-"), "{uri}");
        assert!(
            String::from_utf8_lossy(&pdf).contains("<pdfaid:part>2</pdfaid:part>"),
            "{uri} is PDF/A-2"
        );
    }

    // A batch that does not exist: the page's 404 and the API's.
    let missing = auditor.get(&format!("/ebrs/{INTERNAL}/E404/record")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("There is no batch record"),
        "{}",
        missing.body
    );
    let missing = auditor
        .get(&format!("/api/v1/ebrs/{INTERNAL}/E404/record.pdf"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json()["error"]["code"],
        "VP-NOT-FOUND",
        "{}",
        missing.body
    );

    // An API token held to another site gets the same answer for this site's record.
    let issued = server
        .app
        .issue_api_token(
            "auditor",
            "archive at CMO-A",
            &["auditor".to_owned()],
            &[OWN_CMO.to_owned()],
            30,
            &vplant_app::Request::by("administrator"),
        )
        .await
        .unwrap();
    let elsewhere = Client {
        server,
        token: None,
        csrf: None,
        extra: vec![(
            "authorization".to_owned(),
            format!("Bearer {}", issued.secret),
        )],
    };
    let hidden = elsewhere
        .get(&format!("/api/v1/ebrs/{INTERNAL}/E1/record.pdf"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    assert_eq!(
        hidden.json()["error"]["message"],
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("E404", "E1")
    );
}

#[tokio::test]
async fn an_mbr_file_goes_in_and_out_and_equipment_keeps_its_logbook() {
    let server = Server::new().await;
    seed_mes(&server.app).await;
    let author = server.as_role(Role::RecipeAuthor).await;
    let yaml = author.get(&format!("/api/v1/mbrs/{MBR}/1/file.yaml")).await;
    assert_eq!(yaml.status, StatusCode::OK);
    assert!(yaml.body.contains(&format!("code: {MBR}")), "{}", yaml.body);
    let changed = yaml.body.replace("Start up", "Start up the line");
    let imported = author
        .post_bytes("/api/v1/mbrs/import?name=walk.yaml", changed.into_bytes())
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!(
        imported.json()["mbr_version"],
        2,
        "an effective version is never edited"
    );
    let diff = author
        .get(&format!("/api/v1/mbrs/{MBR}/diff/1/2"))
        .await
        .json();
    assert_eq!(diff[0]["what"], "step start_up: name", "{diff}");
    let operator = server.as_role(Role::Operator).await;
    let refused = operator
        .post_bytes("/api/v1/mbrs/import?name=walk.yaml", b"code: X".to_vec())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let unit = operator
        .get(&format!("/api/v1/equipment/{EQUIPMENT}"))
        .await
        .json();
    assert_eq!(unit["status"], "dirty", "{unit}");
    let cleaned = operator
        .post_json(
            &format!("/api/v1/equipment/{EQUIPMENT}/logbook"),
            &json!({"kind": "clean", "note": "Full clean per SOP-CL-004"}),
        )
        .await;
    assert_eq!(cleaned.json()["status"], "clean", "{}", cleaned.body);
    let log = operator
        .get(&format!("/api/v1/equipment/{EQUIPMENT}/history"))
        .await
        .json();
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
}

/// Entries at several batches at the same moment, each raising an exception (a late
/// entry raises a minor one): every entry is recorded, and every exception gets a
/// number of its own. Losing the race for a number means taking the next one, also
/// when the other writer's exception is already committed by the time this one is
/// read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_entries_that_raise_exceptions_each_get_their_own_number() {
    use vplant_app::Request as AppRequest;
    use vplant_app::ebrs::{EntryInput, StartInput};
    use vplant_domain::identity::Scope;

    let server = Server::new().await;
    seed_mes(&server.app).await;
    let batches: Vec<String> = (2..=9).map(|n| format!("E{n}")).collect();
    for number in &batches {
        let start = StartInput {
            site: INTERNAL.to_owned(),
            number: number.clone(),
            order: format!("PO-{number}"),
            mbr: MBR.to_owned(),
            size: "100".to_owned(),
            size_unit: "kg".to_owned(),
        };
        server
            .app
            .start_batch(&Scope::All, &start, &AppRequest::by("supervisor"))
            .await
            .unwrap();
    }
    let two_hours = 2 * 3600 * 1_000_000;
    let performed_at =
        vplant_domain::Timestamp::from_micros(server.app.store.now().as_micros() - two_hours)
            .to_rfc3339();
    let entries = batches.iter().map(|number| {
        let app = server.app.clone();
        let input = EntryInput {
            step: "start_up".to_owned(),
            device: "TAB-7".to_owned(),
            performed_at: performed_at.clone(),
            ..EntryInput::default()
        };
        let id = format!("{INTERNAL}/{number}");
        tokio::spawn(async move {
            app.record_entry(&Scope::All, &id, &input, &AppRequest::by("operator"))
                .await
        })
    });
    let mut numbers = Vec::new();
    for handle in entries.collect::<Vec<_>>() {
        let outcome = handle.await.unwrap().expect("every entry is recorded");
        assert!(outcome.entry.is_some());
        numbers.extend(outcome.exceptions.into_iter().map(|(n, _)| n));
    }
    let distinct: std::collections::BTreeSet<_> = numbers.iter().collect();
    assert_eq!(
        numbers.len(),
        batches.len(),
        "one late-entry exception each"
    );
    assert_eq!(
        distinct.len(),
        numbers.len(),
        "no number twice: {numbers:?}"
    );
}
