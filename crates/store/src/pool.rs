//! A small pool of read connections. Reads run on blocking threads (both drivers are
//! synchronous), so the pool is a mutex-guarded stack, not an async pool.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::conn::Conn;
use crate::error::StoreError;

pub type Factory = dyn Fn() -> Result<Box<dyn Conn>, StoreError> + Send + Sync;

/// Connections above this many are closed when returned instead of kept idle.
const MAX_IDLE: usize = 8;

/// A connection idle longer than this is checked with `SELECT 1` before it is handed
/// out: after a database restart every idle connection is dead, and a request should
/// not fail only because it drew one of them.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(5);

type Idle = Vec<(Box<dyn Conn>, Instant)>;

#[derive(Clone)]
pub struct Pool {
    factory: Arc<Factory>,
    idle: Arc<Mutex<Idle>>,
}

impl Pool {
    pub fn new(factory: Arc<Factory>) -> Pool {
        Pool {
            factory,
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn connect(&self) -> Result<Box<dyn Conn>, StoreError> {
        (self.factory)()
    }

    /// Runs `f` on a pooled connection. A connection whose use failed is dropped, not
    /// returned, so a broken connection (server restart) is not handed out again.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.take()?;
        let result = f(conn.as_mut());
        if result.is_ok()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push((conn, Instant::now()));
        }
        result
    }

    /// The most recently returned idle connection that still answers, or a new one.
    fn take(&self) -> Result<Box<dyn Conn>, StoreError> {
        loop {
            let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some((mut conn, since)) = taken else {
                return self.connect();
            };
            if since.elapsed() < CHECK_AFTER_IDLE || conn.query("SELECT 1", &[]).is_ok() {
                return Ok(conn);
            }
        }
    }
}
