//! The export archive: it verifies on its own, restores into an empty database of
//! either backend with identical hashes, and is refused when it is cut short or the
//! target already holds a ledger.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use vplant_store::{Store, StoreError, archive};
use vplant_testkit::fixtures::register_site;
use vplant_testkit::{TestDb, block_on, ledger, ledger_len, stored_checkpoints};

use crate::history;

vplant_testkit::backend_tests!(
    an_archive_verifies_on_its_own_and_restores_with_identical_hashes,
    an_archive_restores_across_sqlite_and_postgres_with_identical_hashes,
    import_into_a_database_that_holds_a_ledger_is_refused,
    an_archive_cut_short_is_rejected_and_nothing_is_imported,
);

fn export(db: &TestDb, store: &Store) -> Vec<u8> {
    let mut bytes = Vec::new();
    let footer = archive::export(store, Some(&db.public_key()), &mut bytes).unwrap();
    assert_eq!((footer.events, footer.checkpoints), (history::EVENTS, 2));
    bytes
}

/// Imports `bytes` into the empty `target` and checks that it now holds exactly what
/// `source` holds: the same ledger rows (hashes included), checkpoints and read tables.
fn assert_restores(db: &TestDb, source: &Store, bytes: &[u8], target: &TestDb) {
    let restored = target.unsigned_store();

    let summary = archive::import(&restored, bytes, &db.public_key())
        .unwrap()
        .unwrap();

    assert_eq!(summary.events, history::EVENTS);
    assert_eq!(ledger(&restored), ledger(source));
    assert_eq!(stored_checkpoints(&restored), stored_checkpoints(source));
    assert_eq!(
        block_on(restored.sites(true)).unwrap(),
        block_on(source.sites(true)).unwrap()
    );
    assert_eq!(
        block_on(restored.products(true)).unwrap(),
        block_on(source.products(true)).unwrap()
    );
    let report = restored.verify(&db.public_key(), db.witness()).unwrap();
    assert!(report.intact(), "{report:?}");
    // The restored database carries on where the original stopped.
    let next = restored
        .commit_blocking(register_site("ZRH", "Zurich"))
        .unwrap();
    assert_eq!(next.first_seq, history::EVENTS + 1);
}

fn an_archive_verifies_on_its_own_and_restores_with_identical_hashes(db: TestDb) {
    let store = history::recorded(&db);
    let bytes = export(&db, &store);

    let verdict = archive::verify(&bytes[..], &db.public_key(), db.witness()).unwrap();
    let summary = verdict.unwrap();
    assert_eq!((summary.events, summary.checkpoints), (history::EVENTS, 2));
    assert_eq!(summary.witnessed_checkpoints, 2);
    assert!(
        store
            .verify(&db.public_key(), db.witness())
            .unwrap()
            .intact()
    );

    assert_restores(&db, &store, &bytes, &db.another());
}

fn an_archive_restores_across_sqlite_and_postgres_with_identical_hashes(db: TestDb) {
    // SQLite's variant needs PostgreSQL as its target; without it there is nothing
    // to cross to, and the test above covers SQLite alone.
    let Some(target) = db.other_backend() else {
        return;
    };
    let store = history::recorded(&db);
    let bytes = export(&db, &store);

    assert_restores(&db, &store, &bytes, &target);
}

fn import_into_a_database_that_holds_a_ledger_is_refused(db: TestDb) {
    let store = history::recorded(&db);
    let bytes = export(&db, &store);
    let target = db.other_backend().unwrap_or_else(TestDb::sqlite);
    let occupied = target.unsigned_store();
    occupied
        .commit_blocking(register_site("ZRH", "Zurich"))
        .unwrap();

    let refused = archive::import(&occupied, &bytes[..], &db.public_key());

    assert!(
        matches!(refused, Err(StoreError::NotEmpty(1))),
        "{refused:?}"
    );
    assert_eq!(ledger_len(&occupied), 1);
    // Importing over the original itself is refused the same way.
    let again = archive::import(&store, &bytes[..], &db.public_key());
    assert!(matches!(again, Err(StoreError::NotEmpty(10))), "{again:?}");
}

fn an_archive_cut_short_is_rejected_and_nothing_is_imported(db: TestDb) {
    let store = history::recorded(&db);
    let bytes = export(&db, &store);
    // Cut in the middle of the compressed stream, as by a failed copy …
    let truncated = bytes[..bytes.len() / 2].to_vec();
    // … and cut after a complete line, so the rest still decompresses cleanly.
    let mut text = String::new();
    GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut clean_cut = GzEncoder::new(Vec::new(), Compression::fast());
    for line in &lines[..lines.len() - 3] {
        writeln!(clean_cut, "{line}").unwrap();
    }
    let clean_cut = clean_cut.finish().unwrap();

    for (how, damaged) in [("mid-stream", truncated), ("after a line", clean_cut)] {
        let verdict = archive::verify(&damaged[..], &db.public_key(), Vec::new());
        assert!(
            matches!(verdict, Err(StoreError::Io(_))),
            "{how}: {verdict:?}"
        );

        let target = db.another();
        let restored = target.unsigned_store();
        let imported = archive::import(&restored, &damaged[..], &db.public_key());
        assert!(
            matches!(imported, Err(StoreError::Io(_))),
            "{how}: {imported:?}"
        );
        assert_eq!(
            ledger_len(&restored),
            0,
            "{how}: nothing of a damaged archive is kept"
        );
        assert!(stored_checkpoints(&restored).is_empty());
    }
}
