//! Errors of the store, each with a stable code.

/// What went wrong while reading or writing the database.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Optimistic concurrency: someone else wrote to the stream first. Nothing was written.
    #[error(
        "'{stream_id}' was changed by someone else (it is at version {actual}, you saw version {expected}); reload it and try again"
    )]
    Conflict {
        stream_id: String,
        expected: u64,
        actual: u64,
    },
    /// An idempotency key came back with a different command.
    #[error(
        "idempotency key '{0}' was already used for a different command; use a new key for a new command"
    )]
    IdempotencyKeyReused(String),
    /// The database cannot be reached or refused the connection.
    #[error("the database is unavailable: {0}. Check that it is running and reachable, then retry")]
    Unavailable(String),
    /// The database ran out of space. Nothing was written.
    #[error("the database is full: {0}. Free disk space, then retry; nothing was written")]
    Full(String),
    /// Any other database error. Nothing was written.
    #[error("database error: {0}")]
    Database(String),
    /// The stored data is not what the code expects (a read table disagrees with the
    /// ledger, or a row could not be decoded). Run `vplant verify`, then `vplant rebuild`.
    #[error("stored data is inconsistent: {0}. Run `vplant verify`, then `vplant rebuild`")]
    Corrupt(String),
    /// An import went to a database that already holds a ledger.
    #[error(
        "the target database already holds {0} ledger events; import only into an empty database"
    )]
    NotEmpty(u64),
    /// The writer thread stopped (the process is shutting down).
    #[error("the store is shutting down; retry on another server or after restart")]
    ShuttingDown,
    /// Reading or writing a file (witness, archive) failed.
    #[error("{0}")]
    Io(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict { .. } => "VP-CONFLICT",
            StoreError::IdempotencyKeyReused(_) => "VP-IDEMPOTENCY-REUSED",
            StoreError::Unavailable(_) => "VP-DB-UNAVAILABLE",
            StoreError::Full(_) => "VP-DB-FULL",
            StoreError::Database(_) => "VP-DB-ERROR",
            StoreError::Corrupt(_) => "VP-DB-CORRUPT",
            StoreError::NotEmpty(_) => "VP-DB-NOT-EMPTY",
            StoreError::ShuttingDown => "VP-SHUTTING-DOWN",
            StoreError::Io(_) => "VP-IO",
        }
    }
}
