//! A small pool of read connections. Reads run on blocking threads (both drivers are
//! synchronous), so the pool is a mutex-guarded stack, not an async pool.

use std::sync::{Arc, Mutex};

use crate::conn::Conn;
use crate::error::StoreError;

pub type Factory = dyn Fn() -> Result<Box<dyn Conn>, StoreError> + Send + Sync;

/// Connections above this many are closed when returned instead of kept idle.
const MAX_IDLE: usize = 8;

#[derive(Clone)]
pub struct Pool {
    factory: Arc<Factory>,
    idle: Arc<Mutex<Vec<Box<dyn Conn>>>>,
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
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match taken {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = f(conn.as_mut());
        if result.is_ok()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        result
    }
}
