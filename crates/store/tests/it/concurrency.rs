//! Group commit under load: many writers at once all commit, the global sequence has
//! no gap, and a bad command in a batch fails alone while its neighbours commit.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use vplant_store::{CommitOutcome, CommitRequest, Store, StoreError};
use vplant_testkit::fixtures::{register_site, request, site_renamed, with_key};
use vplant_testkit::{TestDb, block_on, every_events, ledger, ledger_len, stored_checkpoints};

vplant_testkit::backend_tests!(
    concurrent_writers_all_commit_with_a_gap_free_sequence,
    a_stale_command_in_a_batch_fails_alone_while_its_neighbours_commit,
    a_retry_in_the_same_batch_as_its_original_is_replayed,
    two_writers_on_one_database_see_each_others_appends,
);

/// Two app servers (two stores) on one database: each writer caches stream heads
/// between batches, and must notice when the other one appended.
fn two_writers_on_one_database_see_each_others_appends(db: TestDb) {
    let a = db.store();
    let b = db.store();
    a.commit_blocking(register_site("BSL", "Basel")).unwrap();
    let renamed = request("site/BSL", 1, vec![site_renamed("Basel", "Basel Solids")]);
    b.commit_blocking(renamed).unwrap();
    // A last saw version 1; its cached head must not let a stale command through.
    let stale = request("site/BSL", 1, vec![site_renamed("Basel", "Basel Oral")]);
    match a.commit_blocking(stale) {
        Err(StoreError::Conflict {
            expected: 1,
            actual: 2,
            ..
        }) => {}
        other => panic!("expected a conflict at version 2, got {other:?}"),
    }
    let current = request(
        "site/BSL",
        2,
        vec![site_renamed("Basel Solids", "Basel Oral")],
    );
    let outcome = a.commit_blocking(current).unwrap();
    assert_eq!((outcome.first_seq, outcome.version), (3, 3));
    let report = a.verify(&db.public_key(), Vec::new()).unwrap();
    assert!(report.intact(), "{report:?}");
}

const THREADS: u64 = 16;
const COMMITS_PER_THREAD: u64 = 50;

fn concurrent_writers_all_commit_with_a_gap_free_sequence(db: TestDb) {
    let store = db.store_with(every_events(64));

    // Each thread registers its own site and renames it 49 times, each rename decided
    // against the version its previous commit returned.
    let outcomes: Vec<Vec<CommitOutcome>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = store.clone();
                scope.spawn(move || {
                    let code = format!("T{t:02}");
                    let mut done = vec![store.commit_blocking(register_site(&code, "v0")).unwrap()];
                    for i in 1..COMMITS_PER_THREAD {
                        let rename = site_renamed(&format!("v{}", i - 1), &format!("v{i}"));
                        let outcome = store
                            .commit_blocking(request(&format!("site/{code}"), i, vec![rename]))
                            .unwrap_or_else(|e| panic!("thread {t}, commit {i}: {e}"));
                        done.push(outcome);
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let total = THREADS * COMMITS_PER_THREAD;
    let mut seqs: Vec<u64> = outcomes.iter().flatten().map(|o| o.first_seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=total).collect::<Vec<_>>(),
        "every commit got its own sequence number, without gaps"
    );
    for thread in &outcomes {
        let versions: Vec<u64> = thread.iter().map(|o| o.version).collect();
        assert_eq!(versions, (1..=COMMITS_PER_THREAD).collect::<Vec<_>>());
        assert!(thread.windows(2).all(|w| w[0].last_seq < w[1].first_seq));
    }
    let batches: HashSet<i64> = ledger(&store).iter().map(|e| e.recorded_at_us).collect();
    assert!(
        (batches.len() as u64) < total,
        "writers waiting at the same time share a transaction (got {} batches for {total} commits)",
        batches.len()
    );
    let sites = block_on(store.sites(true)).unwrap();
    assert_eq!(sites.len() as u64, THREADS);
    assert!(
        sites
            .iter()
            .all(|s| s.version == COMMITS_PER_THREAD && s.name == "v49")
    );

    let report = store.verify(&db.public_key(), db.witness()).unwrap();
    let summary = report.result.unwrap();
    assert!(report.missing_triggers.is_empty());
    assert_eq!(summary.events, total);
    assert_eq!(summary.streams, THREADS);
    assert_eq!(summary.checkpoints, stored_checkpoints(&store).len() as u64);
    // A checkpoint is due once 64 events are unsealed; the batch that crosses the
    // line holds at most one command per thread.
    assert!(summary.checkpoints >= total / (64 + THREADS));
    assert_eq!(summary.witnessed_checkpoints, summary.checkpoints);
}

fn a_stale_command_in_a_batch_fails_alone_while_its_neighbours_commit(db: TestDb) {
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

    // Twenty new sites, and in the middle a rename decided against version 1 of BSL,
    // which is at version 2.
    let mut commands: Vec<CommitRequest> = (0..20)
        .map(|i| register_site(&format!("N{i:02}"), "New"))
        .collect();
    commands.insert(
        10,
        request("site/BSL", 1, vec![site_renamed("Basel", "Bâle")]),
    );
    let results = commit_together(&db, &store, commands);

    for (i, result) in results.iter().enumerate() {
        if i == 10 {
            assert!(
                matches!(
                    result,
                    Err(StoreError::Conflict {
                        expected: 1,
                        actual: 2,
                        ..
                    })
                ),
                "{result:?}"
            );
        } else {
            assert!(result.is_ok(), "command {i}: {result:?}");
        }
    }
    let mut seqs: Vec<u64> = results.iter().flatten().map(|o| o.first_seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (3..=22).collect::<Vec<_>>(),
        "the failed command took no sequence number"
    );
    assert_eq!(ledger_len(&store), 22);
    let site = block_on(store.site("BSL")).unwrap().unwrap();
    assert_eq!(site.name, "Basel Campus");
    let report = store.verify(&db.public_key(), db.witness()).unwrap();
    assert!(report.intact(), "{report:?}");
}

fn a_retry_in_the_same_batch_as_its_original_is_replayed(db: TestDb) {
    let store = db.store();
    let command = with_key(register_site("BSL", "Basel"), "req-1", "register BSL");
    let commands = vec![
        register_site("CORK", "Cork"),
        command.clone(),
        register_site("DUB", "Dublin"),
        command,
    ];

    let results = commit_together(&db, &store, commands);

    let outcomes: Vec<CommitOutcome> = results.into_iter().map(Result::unwrap).collect();
    assert!(!outcomes[1].replayed);
    assert_eq!(
        outcomes[3],
        CommitOutcome {
            replayed: true,
            ..outcomes[1].clone()
        }
    );
    assert_eq!(ledger_len(&store), 3);
}

type Pending<'a> = Pin<Box<dyn Future<Output = Result<CommitOutcome, StoreError>> + 'a>>;

/// Queues every command while another connection holds the append lock, then lets
/// the writer go: the writer's first batch is stuck waiting for the lock while the
/// rest queue behind it, so the commands commit in at most two batches, in order.
fn commit_together(
    db: &TestDb,
    store: &Store,
    commands: Vec<CommitRequest>,
) -> Vec<Result<CommitOutcome, StoreError>> {
    let before = ledger_len(store);
    let mut lock = db.raw();
    lock.hold_write_lock();
    let mut pending: Vec<Pending<'_>> = commands
        .into_iter()
        .map(|command| Box::pin(store.commit(command)) as Pending<'_>)
        .collect();
    // The first poll hands the command to the writer; its answer cannot come before
    // the lock is released.
    let mut cx = Context::from_waker(Waker::noop());
    for future in &mut pending {
        assert!(
            future.as_mut().poll(&mut cx).is_pending(),
            "a commit finished while the append lock was held"
        );
    }
    lock.release_write_lock();
    let results: Vec<_> = pending.into_iter().map(block_on).collect();
    let batches: HashSet<i64> = ledger(store)
        .iter()
        .filter(|e| e.seq > before)
        .map(|e| e.recorded_at_us)
        .collect();
    assert!(
        batches.len() <= 2,
        "the queued commands were committed together"
    );
    results
}
