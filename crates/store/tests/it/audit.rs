//! The audit trail query: every event of the ledger, newest first, paged by sequence
//! number and filtered by actor, record type and time, the same on both backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use vplant_domain::Timestamp;
use vplant_ledger::LedgerEvent;
use vplant_store::queries::audit::AuditFilter;
use vplant_store::{CommitRequest, Store, StoreConfig};
use vplant_testkit::fixtures::{
    register_product, register_site, request, site_registered, site_renamed,
};
use vplant_testkit::{TestDb, block_on, every_events};

use crate::history;

vplant_testkit::backend_tests!(
    events_come_newest_first_a_page_at_a_time,
    the_actor_filter_keeps_only_that_actors_events,
    the_record_type_filter_keeps_only_streams_of_that_type,
    the_time_filter_includes_from_and_excludes_to,
    filters_combine_and_page_together,
);

fn audit(store: &Store, filter: AuditFilter) -> Vec<LedgerEvent> {
    block_on(store.audit(filter)).unwrap()
}

fn seqs(events: &[LedgerEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

fn by(actor: &str, mut command: CommitRequest) -> CommitRequest {
    command.actor = actor.to_owned();
    command
}

fn events_come_newest_first_a_page_at_a_time(db: TestDb) {
    let store = history::recorded(&db);

    let all = audit(&store, AuditFilter::default());
    assert_eq!(seqs(&all), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(all[0].stream_id, "product/IBU-200");
    assert_eq!(all[0].reason.as_deref(), Some("new salt"));

    let mut pages = Vec::new();
    let mut filter = AuditFilter {
        limit: 4,
        ..AuditFilter::default()
    };
    loop {
        let page = audit(&store, filter.clone());
        let Some(last) = page.last() else { break };
        filter.before_seq = Some(last.seq);
        pages.push(seqs(&page));
    }
    assert_eq!(
        pages,
        [vec![10, 9, 8, 7], vec![6, 5, 4, 3], vec![2, 1]],
        "pages follow each other without gaps or repeats"
    );

    // Events appended while someone pages do not move the pages behind the cursor.
    store
        .commit_blocking(register_site("DUB", "Dublin"))
        .unwrap();
    let next = AuditFilter {
        before_seq: Some(7),
        limit: 4,
        ..AuditFilter::default()
    };
    assert_eq!(seqs(&audit(&store, next)), [6, 5, 4, 3]);
}

fn the_actor_filter_keeps_only_that_actors_events(db: TestDb) {
    let store = db.store();
    for command in [
        by("jdoe", register_site("BSL", "Basel")),
        by("asmith", register_site("CORK", "Cork")),
        by(
            "jdoe",
            request("site/BSL", 1, vec![site_renamed("Basel", "Basel Campus")]),
        ),
    ] {
        store.commit_blocking(command).unwrap();
    }

    let jdoe = audit(
        &store,
        AuditFilter {
            actor: Some("jdoe".into()),
            ..AuditFilter::default()
        },
    );
    assert_eq!(seqs(&jdoe), [3, 1]);
    assert!(jdoe.iter().all(|e| e.actor == "jdoe"));

    // The actor is a bound value, never SQL: text that would widen the condition if
    // it were pasted into the query matches no one.
    let injected = audit(
        &store,
        AuditFilter {
            actor: Some("jdoe' OR '1'='1".into()),
            ..AuditFilter::default()
        },
    );
    assert!(injected.is_empty());
}

fn the_record_type_filter_keeps_only_streams_of_that_type(db: TestDb) {
    let store = db.store();
    for command in [
        register_site("A", "Alpha"),
        // A stream whose type starts with `site` but is another type.
        request("sitex/B", 0, vec![site_registered("B", "Beta")]),
        register_product("P1", "Paracetamol"),
        request("site/A", 1, vec![site_renamed("Alpha", "Alpha Two")]),
    ] {
        store.commit_blocking(command).unwrap();
    }

    let streams = |record_type: &str| -> Vec<(String, u64)> {
        audit(
            &store,
            AuditFilter {
                record_type: Some(record_type.into()),
                ..AuditFilter::default()
            },
        )
        .into_iter()
        .map(|e| (e.stream_id, e.seq))
        .collect()
    };
    assert_eq!(
        streams("site"),
        [("site/A".to_owned(), 4), ("site/A".to_owned(), 1)]
    );
    assert_eq!(streams("sitex"), [("sitex/B".to_owned(), 2)]);
    assert_eq!(streams("product"), [("product/P1".to_owned(), 3)]);
    assert_eq!(streams("user"), Vec::<(String, u64)>::new());
}

/// A clock the test sets by hand, so that events land at known instants.
struct HandClock(Arc<AtomicI64>);

impl HandClock {
    fn set(&self, micros: i64) {
        self.0.store(micros, Ordering::SeqCst);
    }
}

/// A store on `db` whose server time is whatever the returned clock was last set to.
fn store_with_hand_clock(db: &TestDb) -> (Store, HandClock) {
    let now = Arc::new(AtomicI64::new(T1));
    let reading = now.clone();
    let mut config = StoreConfig::new(db.location());
    config.signing_key = Some(db.key.clone());
    config.witness = Some(db.witness_path());
    config.checkpoints = every_events(4);
    config.clock = Arc::new(move || Timestamp::from_micros(reading.load(Ordering::SeqCst)));
    (Store::open(config).unwrap(), HandClock(now))
}

/// 2026-01-01T00:00:00Z and the following days, in microseconds.
const T1: i64 = 1_767_225_600_000_000;
const DAY: i64 = 86_400_000_000;
const T2: i64 = T1 + DAY;
const T3: i64 = T1 + 2 * DAY;

fn the_time_filter_includes_from_and_excludes_to(db: TestDb) {
    let (store, clock) = store_with_hand_clock(&db);
    clock.set(T1);
    store
        .commit_blocking(register_site("BSL", "Basel"))
        .unwrap();
    clock.set(T2);
    store
        .commit_blocking(register_site("CORK", "Cork"))
        .unwrap();
    store
        .commit_blocking(register_product("P1", "Paracetamol"))
        .unwrap();
    clock.set(T3);
    store
        .commit_blocking(register_site("DUB", "Dublin"))
        .unwrap();

    let between = |from: Option<i64>, to: Option<i64>| {
        seqs(&audit(
            &store,
            AuditFilter {
                from: from.map(Timestamp::from_micros),
                to: to.map(Timestamp::from_micros),
                ..AuditFilter::default()
            },
        ))
    };
    assert_eq!(
        between(Some(T2), Some(T3)),
        [3, 2],
        "from is inclusive, to exclusive"
    );
    assert_eq!(between(Some(T2 + 1), Some(T3)), Vec::<u64>::new());
    assert_eq!(between(Some(T2), None), [4, 3, 2]);
    assert_eq!(between(None, Some(T2)), [1]);
    assert_eq!(between(None, Some(T3 + 1)), [4, 3, 2, 1]);

    let recorded: Vec<i64> = audit(&store, AuditFilter::default())
        .iter()
        .map(|e| e.recorded_at_us)
        .collect();
    assert_eq!(recorded, [T3, T2, T2, T1]);
}

fn filters_combine_and_page_together(db: TestDb) {
    let (store, clock) = store_with_hand_clock(&db);
    clock.set(T1);
    store
        .commit_blocking(by("jdoe", register_site("OLD", "Old")))
        .unwrap();
    clock.set(T2);
    for i in 0..5 {
        store
            .commit_blocking(by("jdoe", register_site(&format!("S{i}"), "Site")))
            .unwrap();
        store
            .commit_blocking(by("asmith", register_site(&format!("T{i}"), "Site")))
            .unwrap();
        store
            .commit_blocking(by("jdoe", register_product(&format!("P{i}"), "Product")))
            .unwrap();
    }

    // jdoe's site registrations from day two: seq 2, 5, 8, 11, 14.
    let mut filter = AuditFilter {
        actor: Some("jdoe".into()),
        record_type: Some("site".into()),
        from: Some(Timestamp::from_micros(T2)),
        to: Some(Timestamp::from_micros(T3)),
        before_seq: None,
        limit: 2,
    };
    let mut pages = Vec::new();
    loop {
        let page = audit(&store, filter.clone());
        let Some(last) = page.last() else { break };
        assert!(
            page.iter()
                .all(|e| e.actor == "jdoe" && e.stream_id.starts_with("site/"))
        );
        filter.before_seq = Some(last.seq);
        pages.push(seqs(&page));
    }
    assert_eq!(pages, [vec![14, 11], vec![8, 5], vec![2]]);
}
