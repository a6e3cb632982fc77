//! Test support for Virtual Plant: throw-away SQLite and PostgreSQL databases, a
//! signing key, fixtures, a raw connection that goes around the store, and
//! [`backend_tests!`], which runs one test function against both backends.
//!
//! Every conformance test is an ordinary function that takes a [`TestDb`]; the macro
//! turns it into `sqlite::name` and `postgres::name`. The PostgreSQL variants run only
//! when `VPLANT_TEST_POSTGRES` names a server (see [`postgres()`]); CI selects exactly
//! them with `cargo test --workspace postgres`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod fixtures;
mod raw;
mod temp_postgres;
mod temp_sqlite;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vplant_domain::projection::Value;
use vplant_ledger::{Checkpoint, Hash, LedgerEvent, PublicKey, SigningKey};
use vplant_store::{CheckpointPolicy, Location, Store, StoreConfig};

pub use raw::Raw;
pub use temp_postgres::{ADMIN_URL_VAR, TempPostgres, postgres};
pub use temp_sqlite::TempSqlite;

/// A fresh Ed25519 ledger key.
pub fn test_key() -> Arc<SigningKey> {
    Arc::new(SigningKey::generate(&ring::rand::SystemRandom::new()).expect("generate a test key"))
}

/// Opens a store the way the server does, with the system clock.
pub fn open_store(
    location: Location,
    key: Option<Arc<SigningKey>>,
    witness: Option<PathBuf>,
    policy: CheckpointPolicy,
) -> Store {
    let described = location.to_string();
    let mut config = StoreConfig::new(location);
    config.signing_key = key;
    config.witness = witness;
    config.checkpoints = policy;
    Store::open(config).unwrap_or_else(|e| panic!("cannot open the test store ({described}): {e}"))
}

/// Seal a checkpoint every `n` events and never because of time, so that where the
/// checkpoints fall depends only on what the test commits.
pub fn every_events(n: u64) -> CheckpointPolicy {
    CheckpointPolicy {
        every_events: n,
        every: Duration::from_secs(3600),
    }
}

/// Which database a [`TestDb`] lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Temp {
    Sqlite(TempSqlite),
    Postgres(TempPostgres),
}

/// One empty database of either backend, with its own signing key and witness file.
/// Everything is deleted when it is dropped.
pub struct TestDb {
    temp: Temp,
    /// The key the test's stores sign checkpoints with.
    pub key: Arc<SigningKey>,
    // The witness file lives outside the database, as in production; for PostgreSQL
    // it needs a directory of its own.
    witness_dir: tempfile::TempDir,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb::around(Temp::Sqlite(TempSqlite::new()))
    }

    /// A fresh PostgreSQL database, or `None` when PostgreSQL tests are not enabled.
    pub fn postgres() -> Option<TestDb> {
        postgres().map(|pg| TestDb::around(Temp::Postgres(pg)))
    }

    fn around(temp: Temp) -> TestDb {
        TestDb {
            temp,
            key: test_key(),
            witness_dir: tempfile::tempdir().expect("create a directory for the witness file"),
        }
    }

    /// Another empty database of the same backend.
    pub fn another(&self) -> TestDb {
        match self.backend() {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres => TestDb::postgres().expect("PostgreSQL was enabled a moment ago"),
        }
    }

    /// A database of the other backend: SQLite for PostgreSQL, and PostgreSQL for
    /// SQLite when it is enabled.
    pub fn other_backend(&self) -> Option<TestDb> {
        match self.backend() {
            Backend::Sqlite => TestDb::postgres(),
            Backend::Postgres => Some(TestDb::sqlite()),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.temp {
            Temp::Sqlite(_) => Backend::Sqlite,
            Temp::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn location(&self) -> Location {
        match &self.temp {
            Temp::Sqlite(db) => Location::Sqlite(db.path().to_owned()),
            Temp::Postgres(db) => Location::Postgres(db.url.clone()),
        }
    }

    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub fn witness_path(&self) -> PathBuf {
        self.witness_dir.path().join("witness.jsonl")
    }

    /// A store that signs with this database's key, writes the witness file and seals
    /// checkpoints as `policy` says.
    pub fn store_with(&self, policy: CheckpointPolicy) -> Store {
        open_store(
            self.location(),
            Some(self.key.clone()),
            Some(self.witness_path()),
            policy,
        )
    }

    /// A store with a key and witness that seals a checkpoint every 4 events.
    pub fn store(&self) -> Store {
        self.store_with(every_events(4))
    }

    /// A store like [`TestDb::store`] whose clock is `clock` (a test that needs
    /// time to pass — hold times, timers — moves it).
    pub fn store_with_clock(&self, clock: vplant_store::Clock) -> Store {
        let mut config = StoreConfig::new(self.location());
        config.signing_key = Some(self.key.clone());
        config.witness = Some(self.witness_path());
        config.checkpoints = every_events(4);
        config.clock = clock;
        Store::open(config).unwrap_or_else(|e| panic!("cannot open the test store: {e}"))
    }

    /// A store without a key: it writes events but never seals checkpoints.
    pub fn unsigned_store(&self) -> Store {
        open_store(self.location(), None, None, every_events(u64::MAX))
    }

    /// The checkpoints the witness file holds, oldest first.
    pub fn witness(&self) -> Vec<Checkpoint> {
        read_witness(&self.witness_path())
    }

    /// A connection of the backend's own driver, around the store: what someone with
    /// database access and no signing key can do.
    pub fn raw(&self) -> Raw {
        match &self.temp {
            Temp::Sqlite(db) => Raw::sqlite(db.path()),
            Temp::Postgres(db) => Raw::postgres(&db.url),
        }
    }
}

/// Parses a witness file: one JSON checkpoint per line. A missing file holds none,
/// and a last line still being written (no newline yet) is not read.
pub fn read_witness(path: &Path) -> Vec<Checkpoint> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n') && !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a witness line is a checkpoint"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("cannot read the witness file {}: {e}", path.display()),
    }
}

/// Every ledger row, in sequence order, read through the store.
pub fn ledger(store: &Store) -> Vec<LedgerEvent> {
    store
        .read_blocking(|conn| {
            conn.query(
                "SELECT seq, stream_id, stream_version, event_type, payload, actor, reason,
                        recorded_at, prev_hash, hash FROM ledger ORDER BY seq",
                &[],
            )
        })
        .expect("read the ledger")
        .iter()
        .map(|row| {
            let hash = |i| Hash::from_slice(&row.bytes(i).unwrap()).expect("a 32-byte hash");
            LedgerEvent {
                seq: row.uint(0).unwrap(),
                stream_id: row.text(1).unwrap(),
                stream_version: row.uint(2).unwrap(),
                event_type: row.text(3).unwrap(),
                payload: row.text(4).unwrap(),
                actor: row.text(5).unwrap(),
                reason: row.opt_text(6).unwrap(),
                recorded_at_us: row.int(7).unwrap(),
                prev_hash: hash(8),
                hash: hash(9),
            }
        })
        .collect()
}

/// How many events the ledger holds.
pub fn ledger_len(store: &Store) -> u64 {
    store
        .read_blocking(|conn| conn.query("SELECT COUNT(*) FROM ledger", &[]))
        .expect("count the ledger")[0]
        .uint(0)
        .unwrap()
}

/// The checkpoints the database holds, oldest first.
pub fn stored_checkpoints(store: &Store) -> Vec<Checkpoint> {
    store
        .read_blocking(vplant_store::checkpoints::all)
        .expect("read the checkpoints")
}

/// Every row of a table, through the store, as the database returns them.
pub fn dump(store: &Store, sql: &str) -> Vec<Vec<Value>> {
    store
        .read_blocking(|conn| conn.query(sql, &[]))
        .expect("dump a table")
        .into_iter()
        .map(|row| row.0)
        .collect()
}

/// Waits until `condition` holds, checking every few milliseconds, and panics with
/// `what` when it still does not hold after `timeout`.
pub fn eventually(timeout: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting until {what}"
        );
        // The one sanctioned pause: between two checks of a condition, bounded by a
        // deadline, so that polling does not hammer the database.
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs a future to completion on a small runtime (the store's async reads need one
/// for their blocking threads).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime")
        .block_on(future)
}

/// Runs each named test function (`fn name(db: TestDb)`) once on SQLite, as
/// `sqlite::name`, and once on PostgreSQL, as `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        /// The conformance tests of this module on an SQLite file.
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::TestDb::sqlite());
                }
            )+
        }

        /// The conformance tests of this module on a PostgreSQL database; they pass
        /// without running when `VPLANT_TEST_POSTGRES` is unset.
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::TestDb::postgres() {
                        super::$name(db);
                    }
                }
            )+
        }
    };
}
