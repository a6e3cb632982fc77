//! The audit trail across every record, as an auditor uses it: the page lists every
//! change with who, when, why and old → new, filters narrow it, pages lead to older
//! entries, the CSV holds the same, bad filters are named, and only people who may
//! read the audit trail get in. No password hash ever shows.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use vplant_app::audit::AuditFilter;

use crate::support::{INTERNAL, Resp, Server, refused_fields};

const NEW_NAME: &str = "Internal Plant Nord";
const REASON: &str = "Site naming standard QA-SOP-017";

/// A server whose internal site was renamed (with a reason) by the administrator.
async fn with_rename() -> Server {
    let server = Server::new().await;
    rename(&server, NEW_NAME, REASON).await;
    server
}

async fn rename(server: &Server, name: &str, reason: &str) {
    let admin = server.session("administrator").await;
    let resp = admin
        .post_json(
            &format!("/api/v1/sites/{INTERNAL}/rename"),
            &json!({"name": name, "reason": reason}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
}

/// The number of entries in the page's table.
fn entries(page: &Resp) -> usize {
    page.body.matches("<time datetime=").count()
}

/// The target of the "Older entries" link, as a browser would follow it.
fn older_link(page: &Resp) -> Option<String> {
    let start = page.body.find("rel=\"next\"").map(|end| {
        let before = &page.body[..end];
        before.rfind("href=\"").unwrap() + "href=\"".len()
    })?;
    let rest = &page.body[start..];
    Some(rest[..rest.find('"').unwrap()].replace("&#38;", "&"))
}

#[tokio::test]
async fn the_page_lists_the_seeded_registrations_and_a_rename_with_reason_and_old_and_new() {
    let server = with_rename().await;
    let auditor = server.session("auditor").await;
    let page = auditor.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("<h1>Audit trail</h1>"));
    assert!(body.contains("aria-current=\"page\">Audit trail</a>"));
    for code in ["CMO-A", "CMO-B", "INT"] {
        assert!(body.contains(&format!("Site {code} registered")), "{code}");
        assert!(body.contains(&format!("href=\"/sites/{code}\"")), "{code}");
    }
    assert!(body.contains("href=\"/products/PRD-1\""));
    assert!(body.contains("Renamed"));
    assert!(body.contains(REASON));
    assert!(body.contains("Site INT</del>"), "the old name");
    assert!(body.contains(&format!("{NEW_NAME}</ins>")), "the new name");
    assert!(body.contains("<td>administrator</td>"));
    assert!(body.contains("<time datetime=\"20"));
    assert!(body.contains("UTC</time>"));
    // Newest first: the rename comes before the registrations it follows.
    assert!(body.find("Renamed").unwrap() < body.find("Site INT registered").unwrap());
    assert!(body.contains("href=\"/audit.csv\""), "the download link");
}

#[tokio::test]
async fn filters_by_user_and_record_type_narrow_the_list() {
    let server = with_rename().await;
    let auditor = server.session("auditor").await;

    let page = auditor.get("/audit?user=administrator").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(REASON));
    assert!(!page.body.contains("Site INT registered"));
    assert!(
        page.body.contains("value=\"administrator\""),
        "the form keeps the filter"
    );

    let page = auditor.get("/audit?record_type=product").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Product PRD-1 registered"));
    assert!(!page.body.contains("site/INT"));
    assert_eq!(entries(&page), 1);
    assert!(page.body.contains("<option value=\"product\" selected>"));
    assert!(
        page.body
            .contains("href=\"/audit.csv?record_type=product\"")
    );

    let page = auditor.get("/audit?user=seed&record_type=site").await;
    assert_eq!(entries(&page), 3);
    assert!(!page.body.contains(REASON));
    assert!(!page.body.contains("product/PRD-1"));

    // Days are UTC, `from` starts at its midnight and `to` includes its whole day
    // but not the next one. Two days later the site is renamed once more.
    let day = |entry: &Value| entry["recorded_at"].as_str().unwrap()[..10].to_owned();
    let first = auditor.get("/api/v1/audit?record_type=site").await.json();
    let (oldest, newest) = (day(&first["entries"][3]), day(&first["entries"][0]));
    server.advance(Duration::from_secs(2 * 86_400));
    rename(&server, "Internal Plant Sued", "Second naming standard").await;
    // Two days are longer than a session may idle: sign in again.
    let auditor = server.session("auditor").await;
    let later = auditor
        .get("/api/v1/audit?record_type=site&limit=1")
        .await
        .json();
    let last = day(&later["entries"][0]);
    assert!(last > newest);

    let page = auditor
        .get(&format!(
            "/audit?record_type=site&from={oldest}&to={newest}"
        ))
        .await;
    assert_eq!(entries(&page), 4, "the first day, without the later rename");
    let page = auditor
        .get(&format!("/audit?record_type=site&from={last}&to={last}"))
        .await;
    assert_eq!(entries(&page), 1, "the later day alone");
    assert!(page.body.contains("Second naming standard"));
    let page = auditor
        .get(&format!("/audit?record_type=site&from={oldest}"))
        .await;
    assert_eq!(entries(&page), 5);
    let page = auditor
        .get("/audit?record_type=site&from=2001-01-01&to=2001-01-31")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(entries(&page), 0);
    assert!(page.body.contains("No entries match this filter."));
}

#[tokio::test]
async fn older_entries_are_a_page_further_with_the_filters_kept() {
    let server = with_rename().await;
    for n in 1..=3 {
        rename(
            &server,
            &format!("Internal {n}"),
            "Trial of the naming standard",
        )
        .await;
    }
    // Seven site events: three registrations and four renames.
    let auditor = server.session("auditor").await;
    let first = auditor.get("/audit?record_type=site&limit=3").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(entries(&first), 3);
    assert!(first.body.contains("Internal 2</del>"), "newest first");
    let second_link = older_link(&first).expect("an Older entries link");
    assert!(
        second_link.starts_with("/audit?record_type=site&limit=3&before="),
        "{second_link}"
    );

    let second = auditor.get(&second_link).await;
    assert_eq!(entries(&second), 3);
    assert!(second.body.contains(REASON));
    assert!(second.body.contains("Newest entries"));
    let third = auditor.get(&older_link(&second).unwrap()).await;
    assert_eq!(entries(&third), 1);
    assert!(third.body.contains("Site CMO-A registered"));
    assert_eq!(older_link(&third), None, "the last page has no Older link");

    // A page size beyond the cap is cut to it, not refused.
    let page = auditor.get("/audit?limit=100000").await;
    assert_eq!(page.status, StatusCode::OK);

    // The API pages the same way, with an exact cursor.
    let api = auditor
        .get("/api/v1/audit?record_type=site&limit=4")
        .await
        .json();
    let seqs: Vec<u64> = api["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 4);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert_eq!(api["next_before"], json!(seqs[3]));
    assert_eq!(api["entries"][0]["record_type"], "site");
    assert_eq!(api["entries"][0]["stream_id"], "site/INT");
    let rest = auditor
        .get(&format!(
            "/api/v1/audit?record_type=site&limit=4&before={}",
            seqs[3]
        ))
        .await
        .json();
    assert_eq!(rest["entries"].as_array().unwrap().len(), 3);
    assert_eq!(rest["next_before"], Value::Null);
}

#[tokio::test]
async fn the_csv_download_holds_the_header_and_the_rename_and_writes_nothing() {
    let server = with_rename().await;
    let auditor = server.session("auditor").await;
    let events_before = server.app.store.counts().await.unwrap().events;

    let csv = auditor.get("/audit.csv?record_type=site").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = csv.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"vplant-audit-")
            && disposition.ends_with("Z.csv\""),
        "{disposition}"
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "seq,recorded_at_utc,actor,record,record_type,version,event,summary,reason,changes,hash"
        )
    );
    assert!(csv.body.contains(REASON));
    assert!(csv.body.contains(&format!("name: Site INT → {NEW_NAME}")));
    assert!(!csv.body.contains("product/PRD-1"), "the filter applies");
    assert_eq!(csv.body.lines().count(), 1 + 4);

    let api = auditor
        .get("/api/v1/audit.csv?actor=administrator&record_type=site")
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.body.lines().count(), 1 + 1);
    assert!(api.body.contains(REASON));

    // Reading the audit trail is not a change: the ledger did not grow.
    let events_after = server.app.store.counts().await.unwrap().events;
    assert_eq!(events_after, events_before);
}

#[tokio::test]
async fn bad_filters_redraw_the_form_with_the_field_named_and_no_table() {
    let server = Server::new().await;
    let auditor = server.session("auditor").await;

    let page = auditor.get("/audit?from=2026-13-45&user=seed").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"audit-from-error\""));
    assert!(
        page.body
            .contains("From: &#39;2026-13-45&#39; is not a date")
    );
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(
        page.body.contains("value=\"seed\""),
        "the rest of the filter is kept"
    );
    assert!(!page.body.contains("<table"));
    assert!(!page.body.contains("Download CSV"));

    let page = auditor.get("/audit?from=2026-11-21&to=2026-11-20").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"audit-to-error\""));

    let page = auditor.get("/audit?record_type=nonsense").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"audit-record_type-error\""));
    assert!(!page.body.contains("<table"));

    // Refusals of parameters the form does not show go to the form's message.
    let page = auditor.get("/audit?before=latest").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("before: &#39;latest&#39; is not a sequence number")
    );

    let page = auditor.get("/audit.csv?to=yesterday").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"audit-to-error\""));

    let api = auditor
        .get("/api/v1/audit?from=2026-11-21&record_type=nonsense&limit=0")
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&api.json()), ["from", "limit"]);
    let api = auditor.get("/api/v1/audit?record_type=nonsense").await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&api.json()), ["record_type"]);
    let api = auditor
        .get("/api/v1/audit.csv?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z")
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_fields(&api.json()), ["to"]);
}

#[tokio::test]
async fn only_roles_that_may_read_the_audit_trail_get_in() {
    let server = Server::new().await;
    for role in ["operator", "cmo_partner"] {
        let client = server.session(role).await;
        for path in ["/audit", "/audit.csv", "/api/v1/audit", "/api/v1/audit.csv"] {
            assert_eq!(
                client.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        let sites = client.get("/sites").await;
        assert!(
            !sites.body.contains("href=\"/audit\""),
            "{role} sees no link"
        );
    }
    let qa = server.session("qa_reviewer").await;
    assert_eq!(qa.get("/audit").await.status, StatusCode::OK);
    assert_eq!(qa.get("/api/v1/audit").await.status, StatusCode::OK);
    assert_eq!(
        server.anonymous().get("/api/v1/audit").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn no_password_hash_appears_although_user_creation_is_in_the_ledger() {
    let server = with_rename().await;
    let auditor = server.session("auditor").await;
    // The ledger itself holds the hashes (the user events carry them), so their
    // absence below is the describing at work, not an empty ledger.
    let stored = server
        .app
        .store
        .audit(AuditFilter {
            record_type: Some("user".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(stored.iter().any(|e| e.payload.contains("$argon2")));

    let users = auditor.get("/audit?record_type=user&limit=200").await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(
        users.body.contains("user/operator"),
        "user creation is listed"
    );
    assert!(users.body.contains("href=\"/users/operator\""));
    let everything = [
        users.body,
        auditor.get("/audit?limit=200").await.body,
        auditor.get("/audit.csv").await.body,
        auditor.get("/api/v1/audit?limit=500").await.body,
        auditor.get("/api/v1/audit.csv").await.body,
    ];
    for body in everything {
        assert!(!body.contains("$argon2"), "a password hash leaked");
    }
}
