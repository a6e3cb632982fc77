//! The audit trail as the viewer and the CSV export show it: newest first, every
//! change as `field: old → new`, never a password hash, and never a partial export.

use vplant_app::audit::{AuditEntry, AuditFilter, EXPORT_MAX_ROWS};
use vplant_app::{App, AppError};
use vplant_domain::identity::user::UserRegistered;
use vplant_domain::{DomainError, Event, Timestamp};
use vplant_store::Store;
use vplant_testkit::fixtures::{
    ACTOR, because, register_product, register_site, request, site_registered, site_renamed,
};
use vplant_testkit::{TestDb, block_on};

const HEADER: [&str; 11] = [
    "seq",
    "recorded_at_utc",
    "actor",
    "record",
    "record_type",
    "version",
    "event",
    "summary",
    "reason",
    "changes",
    "hash",
];

fn app(store: &Store) -> App {
    App::new(store.clone()).unwrap()
}

/// The export's rows, header first.
fn rows(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn validation_fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Domain(DomainError::Validation(fields)) => {
            fields.into_iter().map(|f| f.field).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn the_csv_export_shows_a_rename_as_old_to_new_newest_first() {
    let db = TestDb::sqlite();
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    store
        .commit_blocking(because(
            request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
            "new campus name",
        ))
        .unwrap();
    let stored = vplant_testkit::ledger(&store);

    let csv = block_on(app(&store).audit_csv(AuditFilter::default())).unwrap();
    let rows = rows(&csv);

    assert_eq!(rows[0], HEADER);
    assert_eq!(rows.len(), 3, "a header and one row per event:\n{csv}");
    let renamed = &rows[1];
    assert_eq!(
        renamed,
        &[
            "2".to_owned(),
            Timestamp::from_micros(stored[1].recorded_at_us).to_rfc3339(),
            ACTOR.to_owned(),
            "site/BSL".to_owned(),
            "site".to_owned(),
            "2".to_owned(),
            "SiteRenamed".to_owned(),
            "Renamed".to_owned(),
            "new campus name".to_owned(),
            "name: Basel → Basel Campus".to_owned(),
            stored[1].hash.to_hex(),
        ]
    );
    assert!(renamed[1].ends_with('Z'), "times are UTC: {}", renamed[1]);
    let registered = &rows[2];
    assert_eq!(registered[0], "1");
    assert_eq!(registered[8], "", "no reason was given");
    assert!(
        registered[9].starts_with("code: ∅ → BSL; name: ∅ → Basel; "),
        "values that did not exist before show as ∅: {}",
        registered[9]
    );
}

#[test]
fn the_audit_log_and_export_never_show_a_password_hash() {
    let db = TestDb::sqlite();
    let store = db.store();
    let secret = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$SECRET-HASH-TEXT";
    store
        .commit_blocking(request(
            "user/jdoe",
            0,
            vec![Event::UserRegistered(UserRegistered {
                username: "jdoe".into(),
                full_name: "Jane Doe".into(),
                email: "jdoe@example.com".into(),
                roles: Vec::new(),
                sites: Vec::new(),
                password_hash: secret.into(),
                must_change_password: true,
            })],
        ))
        .unwrap();
    let app = app(&store);

    let csv = block_on(app.audit_csv(AuditFilter::default())).unwrap();
    assert!(!csv.contains("SECRET-HASH-TEXT"), "{csv}");
    assert!(csv.contains("user/jdoe"));

    let log = block_on(app.audit_log(AuditFilter::default())).unwrap();
    let json = serde_json::to_string(&log).unwrap();
    assert!(!json.contains("SECRET-HASH-TEXT"), "{json}");
}

#[test]
fn an_audit_entry_is_the_history_entry_with_its_record() {
    let db = TestDb::sqlite();
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    let app = app(&store);

    let log: Vec<AuditEntry> = block_on(app.audit_log(AuditFilter::default())).unwrap();
    let history = block_on(app.history("site/BSL")).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].stream_id, "site/BSL");
    assert_eq!(log[0].record_type, "site");
    assert_eq!(
        serde_json::to_value(&log[0].entry).unwrap(),
        serde_json::to_value(&history[0]).unwrap(),
        "the audit trail and the record's history describe an event alike"
    );

    // The history entry's fields sit next to the record's, not nested under it.
    let json = serde_json::to_value(&log[0]).unwrap();
    assert_eq!(json["stream_id"], "site/BSL");
    assert_eq!(json["record_type"], "site");
    assert_eq!(json["seq"], 1);
    assert_eq!(json["summary"], "Site BSL registered");
}

#[test]
fn the_export_walks_every_page_of_the_filter() {
    let db = TestDb::sqlite();
    let store = db.store();
    // 1 registration and 1500 renames of one site, committed at once: more than one
    // page of the export.
    let mut events = vec![site_registered("BSL", "Name 0")];
    events
        .extend((1..=1500).map(|i| site_renamed(&format!("Name {}", i - 1), &format!("Name {i}"))));
    store
        .commit_blocking(request("site/BSL", 0, events))
        .unwrap();
    store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();
    let app = app(&store);

    let csv = block_on(app.audit_csv(AuditFilter {
        record_type: Some("site".into()),
        // Paging is the export's own business: a cursor or page size the viewer had
        // set does not cut the export short.
        before_seq: Some(3),
        limit: 10,
        ..AuditFilter::default()
    }))
    .unwrap();
    let rows = rows(&csv);

    assert_eq!(rows.len(), 1 + 1502);
    let seqs: Vec<u64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    let newest_first: Vec<u64> = (1..=1502).rev().collect();
    assert_eq!(seqs, newest_first);
    assert_eq!(rows[1][3], "site/CORK");
    assert_eq!(rows[1502][9].split("; ").next(), Some("code: ∅ → BSL"));
}

#[test]
fn an_export_larger_than_the_cap_is_refused_whole() {
    let db = TestDb::sqlite();
    let store = db.store();
    // Exactly the cap of events by the fixtures' actor (a registration and renames
    // back and forth, in one command to keep the test quick), and one more by someone
    // else.
    let mut events = vec![site_registered("BSL", "A")];
    events.extend((1..EXPORT_MAX_ROWS).map(|i| {
        if i % 2 == 1 {
            site_renamed("A", "B")
        } else {
            site_renamed("B", "A")
        }
    }));
    store
        .commit_blocking(request("site/BSL", 0, events))
        .unwrap();
    let mut by_someone_else = register_product("ASP-500", "Aspirin");
    by_someone_else.actor = "jdoe".into();
    store.commit_blocking(by_someone_else).unwrap();
    let app = app(&store);

    let refused = block_on(app.audit_csv(AuditFilter::default())).unwrap_err();
    assert_eq!(validation_fields(refused), ["to"]);

    let at_the_cap = block_on(app.audit_csv(AuditFilter {
        actor: Some(ACTOR.into()),
        ..AuditFilter::default()
    }))
    .unwrap();
    assert_eq!(rows(&at_the_cap).len(), 1 + EXPORT_MAX_ROWS);
}

#[test]
fn a_filter_that_cannot_match_as_meant_is_refused() {
    let db = TestDb::sqlite();
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    let app = app(&store);

    let unknown = block_on(app.audit_log(AuditFilter {
        record_type: Some("sites".into()),
        ..AuditFilter::default()
    }))
    .unwrap_err();
    assert_eq!(validation_fields(unknown), ["record_type"]);

    let backwards = block_on(app.audit_csv(AuditFilter {
        from: Some(Timestamp::from_micros(20)),
        to: Some(Timestamp::from_micros(10)),
        ..AuditFilter::default()
    }))
    .unwrap_err();
    assert_eq!(validation_fields(backwards), ["to"]);

    // What a form sends for "all": empty text is no condition.
    let all = block_on(app.audit_log(AuditFilter {
        actor: Some(String::new()),
        record_type: Some(String::new()),
        ..AuditFilter::default()
    }))
    .unwrap();
    assert_eq!(all.len(), 1);
}
