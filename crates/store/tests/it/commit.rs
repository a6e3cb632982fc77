//! What one commit writes: events appended in global sequence, stream versions, the
//! read tables updated in the same transaction, and what it refuses — a stale
//! version, a reused idempotency key, a projection that does not fit — without
//! writing anything.

use vplant_ledger::Hash;
use vplant_store::{CommitOutcome, StoreError};
use vplant_testkit::fixtures::{
    ACTOR, because, product_registered, register_product, register_site, request, site_registered,
    site_renamed, with_key,
};
use vplant_testkit::{TestDb, block_on, ledger, ledger_len};

vplant_testkit::backend_tests!(
    commits_append_in_global_sequence_and_advance_stream_versions,
    every_event_links_to_the_previous_event_of_its_stream,
    a_commit_updates_the_read_tables,
    a_stale_expected_version_conflicts_and_writes_nothing,
    a_retried_command_returns_its_first_outcome_and_writes_nothing,
    an_idempotency_key_reused_for_another_command_is_refused,
    a_command_whose_projection_fails_writes_nothing,
    a_unit_of_commands_commits_whole,
    a_unit_with_one_refused_command_writes_nothing_at_all,
);

fn commits_append_in_global_sequence_and_advance_stream_versions(db: TestDb) {
    let store = db.store();

    let bsl = store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    let asp = store
        .commit_blocking(register_product("ASP-500", "Aspirin"))
        .unwrap();
    let renamed_twice = store
        .commit_blocking(request(
            "site/BSL",
            1,
            vec![
                site_renamed("Basel", "Basel I"),
                site_renamed("Basel I", "Basel II"),
            ],
        ))
        .unwrap();

    let outcome = |stream: &str, first_seq, last_seq, version| CommitOutcome {
        stream_id: stream.to_owned(),
        first_seq,
        last_seq,
        version,
        replayed: false,
    };
    assert_eq!(bsl, outcome("site/BSL", 1, 1, 1));
    assert_eq!(asp, outcome("product/ASP-500", 2, 2, 1));
    assert_eq!(renamed_twice, outcome("site/BSL", 3, 4, 3));

    let rows = ledger(&store);
    let seqs: Vec<u64> = rows.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let versions: Vec<(&str, u64)> = rows
        .iter()
        .map(|e| (e.stream_id.as_str(), e.stream_version))
        .collect();
    assert_eq!(
        versions,
        [
            ("site/BSL", 1),
            ("product/ASP-500", 1),
            ("site/BSL", 2),
            ("site/BSL", 3)
        ]
    );
    assert!(rows.iter().all(|e| e.actor == ACTOR));
    // One commit is one transaction: its events share the server time.
    assert_eq!(rows[2].recorded_at_us, rows[3].recorded_at_us);
}

fn every_event_links_to_the_previous_event_of_its_stream(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();
    store
        .commit_blocking(because(
            request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
            "new campus name",
        ))
        .unwrap();

    let history = block_on(store.stream("site/BSL")).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].prev_hash, Hash::ZERO);
    assert_eq!(history[1].prev_hash, history[0].hash);
    assert_eq!(history[1].reason.as_deref(), Some("new campus name"));
    let mut buf = Vec::new();
    for event in &history {
        assert_eq!(
            event.computed_hash(&mut buf),
            event.hash,
            "event {}",
            event.seq
        );
    }
    let cork = block_on(store.stream("site/CORK")).unwrap();
    assert_eq!(cork[0].prev_hash, Hash::ZERO, "streams chain independently");
}

fn a_commit_updates_the_read_tables(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    store
        .commit_blocking(request(
            "product/ASP-500",
            0,
            vec![product_registered("ASP-500", "Aspirin")],
        ))
        .unwrap();
    store
        .commit_blocking(because(
            request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
            "new campus name",
        ))
        .unwrap();

    let site = block_on(store.site("bsl"))
        .unwrap()
        .expect("site BSL is in the read table");
    assert_eq!(site.name, "Basel Campus");
    assert_eq!(site.kind, "internal");
    assert_eq!(site.country, "CH");
    assert!(site.active);
    assert_eq!(site.version, 2);
    assert!(site.updated_at > site.created_at);
    let products = block_on(store.products(true)).unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].code, "ASP-500");
    assert_eq!(products[0].version, 1);
    let counts = block_on(store.counts()).unwrap();
    assert_eq!((counts.sites, counts.products, counts.events), (1, 1, 3));
}

fn a_stale_expected_version_conflicts_and_writes_nothing(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    store
        .commit_blocking(request(
            "site/BSL",
            1,
            vec![site_renamed("Basel", "Basel Campus")],
        ))
        .unwrap();

    // Someone decided a rename against version 1, but the site is at version 2 now.
    let stale = store.commit_blocking(request("site/BSL", 1, vec![site_renamed("Basel", "Bâle")]));

    match stale {
        Err(StoreError::Conflict {
            stream_id,
            expected,
            actual,
        }) => assert_eq!((stream_id.as_str(), expected, actual), ("site/BSL", 1, 2)),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(ledger_len(&store), 2);
    let site = block_on(store.site("BSL")).unwrap().unwrap();
    assert_eq!((site.name.as_str(), site.version), ("Basel Campus", 2));

    // A new stream must be created at version 0; a command that thinks it exists
    // conflicts too.
    let ghost = store.commit_blocking(request(
        "site/CORK",
        3,
        vec![site_registered("CORK", "Cork")],
    ));
    assert!(
        matches!(ghost, Err(StoreError::Conflict { actual: 0, .. })),
        "{ghost:?}"
    );
    assert_eq!(ledger_len(&store), 2);
}

fn a_retried_command_returns_its_first_outcome_and_writes_nothing(db: TestDb) {
    let store = db.store();
    let command = with_key(
        register_site("BSL", "Basel"),
        "req-7f3a",
        "register BSL Basel",
    );
    let first = store.commit_blocking(command.clone()).unwrap();
    store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();

    // The client did not hear the answer and sends the same command again; the stream
    // has moved on, and the retry must neither conflict nor append.
    let retry = store.commit_blocking(command).unwrap();

    assert!(!first.replayed);
    assert_eq!(
        retry,
        CommitOutcome {
            replayed: true,
            ..first
        }
    );
    assert_eq!(ledger_len(&store), 2);
}

fn an_idempotency_key_reused_for_another_command_is_refused(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(with_key(
            register_site("BSL", "Basel"),
            "req-7f3a",
            "register BSL Basel",
        ))
        .unwrap();

    let reused = store.commit_blocking(with_key(
        register_site("CORK", "Cork"),
        "req-7f3a",
        "register CORK Cork",
    ));

    match reused {
        Err(StoreError::IdempotencyKeyReused(key)) => assert_eq!(key, "req-7f3a"),
        other => panic!("expected IdempotencyKeyReused, got {other:?}"),
    }
    assert_eq!(ledger_len(&store), 1);
    assert_eq!(block_on(store.site("CORK")).unwrap(), None);
}

fn a_command_whose_projection_fails_writes_nothing(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();

    // The stream is new (version 0 matches), but a rename has no read-table row to
    // update: the read tables would disagree with the ledger, so nothing is written.
    let orphan = store.commit_blocking(request("site/GHOST", 0, vec![site_renamed("A", "B")]));

    assert!(matches!(orphan, Err(StoreError::Corrupt(_))), "{orphan:?}");
    assert_eq!(ledger_len(&store), 1);
    let next = store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();
    assert_eq!(
        next.first_seq, 2,
        "the failed command left no gap in the sequence"
    );
}

fn a_unit_of_commands_commits_whole(db: TestDb) {
    let store = db.store();
    let outcomes = block_on(store.commit_all(vec![
        register_site("BSL", "Basel"),
        register_product("PARA-500", "Paracetamol 500 mg"),
        request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
    ]))
    .unwrap();

    let seqs: Vec<(u64, u64)> = outcomes.iter().map(|o| (o.first_seq, o.version)).collect();
    assert_eq!(seqs, vec![(1, 1), (2, 1), (3, 2)]);
    let site = block_on(store.site("BSL")).unwrap().unwrap();
    assert_eq!((site.name.as_str(), site.version), ("Basel Campus", 2));
    assert_eq!(ledger_len(&store), 3);
}

fn a_unit_with_one_refused_command_writes_nothing_at_all(db: TestDb) {
    let store = db.store();
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();

    // The third command is stale: the whole unit, the two good commands with it, is
    // refused, and so is a unit whose projection fails half-way.
    let stale = block_on(store.commit_all(vec![
        register_site("CORK", "Cork"),
        register_product("PARA-500", "Paracetamol 500 mg"),
        request("site/BSL", 0, vec![site_registered("BSL", "Basel")]),
    ]));
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    let broken = block_on(store.commit_all(vec![
        register_site("CORK", "Cork"),
        request("site/GHOST", 0, vec![site_renamed("A", "B")]),
    ]));
    assert!(matches!(broken, Err(StoreError::Corrupt(_))), "{broken:?}");

    assert_eq!(ledger_len(&store), 1);
    assert_eq!(block_on(store.site("CORK")).unwrap(), None);
    assert_eq!(block_on(store.product("PARA-500")).unwrap(), None);
    // The writer forgot what it had cached for the rolled-back streams.
    let next = store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();
    assert_eq!((next.first_seq, next.version), (2, 1));
}
