//! A throw-away SQLite database: a temporary directory holding `vplant.db`.

use std::path::{Path, PathBuf};

/// A temporary directory with room for `vplant.db` (and its `-wal` and `-shm`
/// companions); all of it is deleted on drop.
pub struct TempSqlite {
    // Held for its Drop, which deletes the directory.
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempSqlite {
    pub fn new() -> TempSqlite {
        let dir = tempfile::Builder::new()
            .prefix("vplant-test-")
            .tempdir()
            .expect("create a temporary directory for SQLite");
        let path = dir.path().join("vplant.db");
        TempSqlite { _dir: dir, path }
    }

    /// The database file (created by the first store that opens it).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        TempSqlite::new()
    }
}
