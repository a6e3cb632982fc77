//! A database that is down: opening it fails with a message that names it and says
//! what to do, and a writer whose connection the server dropped reconnects instead of
//! failing every later commit.

use vplant_store::{Location, Store, StoreConfig, StoreError};
use vplant_testkit::fixtures::register_site;
use vplant_testkit::{Backend, TestDb, backend_tests};

fn unreachable(location: Location) -> String {
    match Store::open(StoreConfig::new(location)) {
        Err(e @ StoreError::Unavailable(_)) => e.to_string(),
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("a store on an unreachable database opened"),
    }
}

#[test]
fn an_sqlite_file_in_a_missing_folder_is_unavailable_and_named() {
    let message = unreachable(Location::Sqlite("/nonexistent-folder/vplant.db".into()));
    assert!(
        message.contains("/nonexistent-folder/vplant.db"),
        "{message}"
    );
    assert!(
        message.contains("Check that it is running and reachable"),
        "{message}"
    );
}

#[test]
fn a_postgres_server_that_does_not_answer_is_unavailable_and_named_without_its_password() {
    let message = unreachable(Location::Postgres(
        "postgres://vplant:s3cret@127.0.0.1:1/vplant".into(),
    ));
    assert!(
        message.contains("postgres://vplant:***@127.0.0.1:1/vplant"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");
}

fn the_writer_reconnects_after_the_server_dropped_its_connection(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    if db.backend() == Backend::Postgres {
        let mut raw = db.raw();
        let dropped = raw
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .unwrap();
        assert!(
            dropped >= 1,
            "the store's connections should have been dropped"
        );
    }
    let outcome = store.commit_blocking(register_site("CRK", "Cork")).unwrap();
    assert_eq!(outcome.first_seq, 2);
    let report = store.verify(&db.public_key(), db.witness()).unwrap();
    assert!(report.intact(), "{report:?}");
}

backend_tests!(the_writer_reconnects_after_the_server_dropped_its_connection);
