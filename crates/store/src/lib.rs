//! Storage behind one interface with two backends, SQLite (embedded default) and
//! PostgreSQL (scale-out). The store is the only code that writes to the database:
//! [`Store::commit`] appends a command's events to the ledger and updates the read
//! tables in one transaction.

pub mod archive;
pub mod checkpoints;
mod commit;
mod conn;
mod ledger;
mod migrations;
mod pool;
mod postgres;
pub mod queries;
mod sqlite;
mod wal;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;
use vplant_domain::Timestamp;
use vplant_ledger::SigningKey;

pub use commit::{CommitOutcome, CommitRequest, Idempotency};
pub use conn::{APPEND_ONLY_TRIGGERS, Conn, Dialect, Row};
pub use error::StoreError;
pub use ledger::VerifyReport;
pub use postgres::redact;
pub use writer::CheckpointPolicy;

mod error;

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is an SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(
                text.strip_prefix("sqlite://").unwrap_or(text),
            ))
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "SQLite file {}", path.display()),
            Location::Postgres(url) => write!(f, "PostgreSQL {}", redact(url)),
        }
    }
}

/// The source of "now" for the ledger's server time; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| Timestamp::from_datetime(time::OffsetDateTime::now_utc()))
}

/// How to open a store.
pub struct StoreConfig {
    pub location: Location,
    /// Signs checkpoints. Without it the store writes but never seals checkpoints.
    pub signing_key: Option<Arc<SigningKey>>,
    /// File outside the database that receives a copy of every checkpoint.
    pub witness: Option<PathBuf>,
    pub checkpoints: CheckpointPolicy,
    pub clock: Clock,
    /// Open for reading only: no migrations, no writer, and a missing SQLite file is
    /// an error instead of being created.
    pub read_only: bool,
}

impl StoreConfig {
    pub fn new(location: Location) -> StoreConfig {
        StoreConfig {
            location,
            signing_key: None,
            witness: None,
            checkpoints: CheckpointPolicy::default(),
            clock: system_clock(),
            read_only: false,
        }
    }
}

/// The store: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    location: Location,
    dialect: Dialect,
    pool: pool::Pool,
    writer: Option<std::sync::Mutex<mpsc::Sender<writer::Job>>>,
    /// Dropping it stops the SQLite WAL checkpoint thread.
    _wal_stop: Option<mpsc::Sender<()>>,
    clock: Clock,
}

impl Store {
    /// Opens the database, applies pending migrations and starts the writer thread.
    pub fn open(config: StoreConfig) -> Result<Store, StoreError> {
        let (factory, dialect): (Arc<pool::Factory>, Dialect) = match &config.location {
            Location::Sqlite(path) => {
                if config.read_only && !path.exists() {
                    return Err(StoreError::Unavailable(format!(
                        "there is no database at {}",
                        path.display()
                    )));
                }
                let path = path.clone();
                (
                    Arc::new(move || Ok(Box::new(sqlite::open(&path)?) as Box<dyn Conn>)),
                    Dialect::Sqlite,
                )
            }
            Location::Postgres(url) => {
                let url = url.clone();
                (
                    Arc::new(move || Ok(Box::new(postgres::open(&url)?) as Box<dyn Conn>)),
                    Dialect::Postgres,
                )
            }
        };
        let pool = pool::Pool::new(factory);
        let mut writer = None;
        let mut wal_stop = None;
        if !config.read_only {
            let mut conn = pool.connect()?;
            migrations::migrate(conn.as_mut(), (config.clock)().as_micros())?;
            conn.become_writer()?;
            if let Location::Sqlite(path) = &config.location {
                wal_stop = Some(wal::start(path)?);
            }
            let (tx, rx) = mpsc::channel();
            let worker = writer::Writer {
                conn,
                pool: pool.clone(),
                clock: config.clock.clone(),
                key: config.signing_key.clone(),
                witness: config.witness.clone(),
                policy: config.checkpoints,
                state: None,
            };
            std::thread::Builder::new()
                .name("vplant-writer".into())
                .spawn(move || worker.run(rx))
                .map_err(|e| StoreError::Io(format!("cannot start the writer thread: {e}")))?;
            writer = Some(std::sync::Mutex::new(tx));
        }
        Ok(Store {
            inner: Arc::new(Inner {
                location: config.location,
                dialect,
                pool,
                writer,
                _wal_stop: wal_stop,
                clock: config.clock,
            }),
        })
    }

    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }

    /// Appends a command's events and updates the read tables, atomically. Returns
    /// once the events are durable. See `writer.rs` for group commit.
    pub async fn commit(&self, request: CommitRequest) -> Result<CommitOutcome, StoreError> {
        let mut outcomes = self.commit_all(vec![request]).await?;
        outcomes
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a commit returned no outcome".into()))
    }

    /// Appends several commands (to any streams) in one unit: every one of them is
    /// committed, or, when one is refused or fails, none is. Imports use it so that a
    /// file is taken whole or not at all.
    pub async fn commit_all(
        &self,
        requests: Vec<CommitRequest>,
    ) -> Result<Vec<CommitOutcome>, StoreError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, done) = oneshot::channel();
        self.send(writer::Job { requests, reply })?;
        done.await.map_err(|_| StoreError::ShuttingDown)?
    }

    /// Like [`Store::commit`], for code that is not async (CLI seeding, benches).
    pub fn commit_blocking(&self, request: CommitRequest) -> Result<CommitOutcome, StoreError> {
        let (reply, done) = oneshot::channel();
        self.send(writer::Job {
            requests: vec![request],
            reply,
        })?;
        let mut outcomes = done
            .blocking_recv()
            .map_err(|_| StoreError::ShuttingDown)??;
        outcomes
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a commit returned no outcome".into()))
    }

    fn send(&self, job: writer::Job) -> Result<(), StoreError> {
        let writer = self.inner.writer.as_ref().ok_or_else(|| {
            StoreError::Database("this store was opened read-only; it cannot write".into())
        })?;
        let sender = writer.lock().map_err(|_| StoreError::ShuttingDown)?.clone();
        sender.send(job).map_err(|_| StoreError::ShuttingDown)
    }

    /// Runs a read on a pooled connection, on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.inner.pool.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::Database(format!("read task failed: {e}")))?
    }

    /// Runs a read on a pooled connection, on the calling thread.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.inner.pool.with(f)
    }

    /// A fresh connection outside the pool, for long jobs (verify, rebuild, import).
    pub(crate) fn connect(&self) -> Result<Box<dyn Conn>, StoreError> {
        self.inner.pool.connect()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.query("SELECT 1", &[]).map(|_| ()))
            .await
    }
}
