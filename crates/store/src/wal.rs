//! SQLite's WAL checkpoints, moved off the writer thread.
//!
//! By default the connection that commits also copies the WAL back into the database
//! file every ~1,000 pages, and the commit that triggers it waits for the copy: on a
//! busy ledger that was the longest acknowledgement (tens of milliseconds). The writer
//! turns automatic checkpoints off and this thread runs passive checkpoints, which
//! never block the writer, every quarter second.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::error::StoreError;

const INTERVAL: Duration = Duration::from_millis(250);

/// Starts the checkpointer; it stops when the returned sender is dropped (the store
/// is gone).
pub fn start(path: &Path) -> Result<Sender<()>, StoreError> {
    let conn = crate::sqlite::open(path)?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("vplant-wal".into())
        .spawn(move || {
            let mut conn = conn;
            loop {
                match stopped.recv_timeout(INTERVAL) {
                    Err(RecvTimeoutError::Timeout) => {
                        if let Err(e) = conn.wal_checkpoint() {
                            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                        }
                    }
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .map_err(|e| StoreError::Io(format!("cannot start the WAL checkpoint thread: {e}")))?;
    Ok(stop)
}
