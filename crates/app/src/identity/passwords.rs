//! Password hashing with Argon2id, off the async runtime and bounded in how many run
//! at once.
//!
//! Each hash takes about 19 MiB and tens of milliseconds of one core. Unbounded, a
//! burst of sign-ins would start hundreds of blocking threads and gigabytes of
//! memory; so hashing runs on a fixed set of threads of its own, one per core, fed by
//! a queue. A username that does not exist is checked against a dummy hash made with
//! the same parameters, so that it takes as long as a wrong password and timing
//! reveals nothing.
//!
//! Two choices keep signing as fast as raw Argon2id and the rest of the server
//! responsive while it runs (measured in `crates/app/benches/signing.rs`, figures in
//! BENCHMARKS.md, "Identity: signing"):
//!
//! - Each hashing thread keeps its Argon2 memory and reuses it for every check, and
//!   lets it go after [`KEEP_MEMORY`] without work. Allocating 19 MiB per check had
//!   the allocator zero it every time, and often hand it back to the kernel and fault
//!   it in again: 5–15 % of every hash, more on a thread of tokio's blocking pool,
//!   whose allocator arena it shares with the database reads.
//! - The hashing threads run at a lower scheduling priority (nice
//!   [`HASHING_NICE`]). They still take every core nobody else wants, but a request
//!   that wakes up is scheduled ahead of them instead of waiting for a hash's time
//!   slice to end, at every hop of its way through the server.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use ring::rand::{SecureRandom, SystemRandom};

use crate::AppError;

/// How much lower than the rest of the server the hashing threads run (Linux nice
/// value, 0–19). At 10 a hashing thread gets about a tenth of a core that another
/// busy thread of normal priority wants too, and all of a core that nobody wants.
pub const HASHING_NICE: i32 = 10;

/// How long a hashing thread keeps its Argon2 memory (19 MiB at the default cost)
/// without work, so that an idle server does not hold it for every core.
pub const KEEP_MEMORY: Duration = Duration::from_secs(10);

/// Argon2id cost parameters. The defaults are OWASP's minimum for Argon2id
/// (m = 19 MiB, t = 2, p = 1), which the identity issue sets as the floor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for HashCost {
    fn default() -> HashCost {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
            lanes: 1,
        }
    }
}

impl HashCost {
    pub fn hasher(self) -> Result<Argon2<'static>, AppError> {
        let params = Params::new(self.memory_kib, self.iterations, self.lanes, None)
            .map_err(|e| AppError::Internal(format!("argon2 parameters refused: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Work for a hashing thread; it lends the job its Argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The jobs waiting for a hashing thread, first come first served.
#[derive(Default)]
struct Queue {
    state: Mutex<Waiting>,
    arrived: Condvar,
}

#[derive(Default)]
struct Waiting {
    jobs: VecDeque<Job>,
    /// Set when the `Passwords` is dropped: the threads finish what is queued and end.
    closed: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // Jobs run outside the lock, so a panic cannot leave the queue half changed.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Hashes and checks passwords.
pub struct Passwords {
    argon: Argon2<'static>,
    queue: Arc<Queue>,
    dummy: String,
    random: SystemRandom,
}

impl Drop for Passwords {
    fn drop(&mut self) {
        self.queue.lock().closed = true;
        self.queue.arrived.notify_all();
    }
}

impl Passwords {
    pub fn new(cost: HashCost) -> Result<Passwords, AppError> {
        let argon = cost.hasher()?;
        let random = SystemRandom::new();
        let dummy = hash_with(&argon, &random, "a password no account has")?;
        let passwords = Passwords {
            argon,
            queue: Arc::new(Queue::default()),
            dummy,
            random,
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        for n in 0..cores {
            let queue = Arc::clone(&passwords.queue);
            // On failure `passwords` is dropped, which ends the threads already started.
            std::thread::Builder::new()
                .name(format!("vplant-hash-{n}"))
                .spawn(move || hashing_thread(&queue))
                .map_err(|e| AppError::Internal(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(passwords)
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `password`.
    pub async fn hash(self: &Arc<Self>, password: String) -> Result<String, AppError> {
        let this = Arc::clone(self);
        self.run(move |_| hash_with(&this.argon, &this.random, &password))
            .await?
    }

    /// Whether `password` matches `phc`; with `None` (no such account) it checks the
    /// dummy hash and answers `false`, taking the same time as a real check.
    pub async fn verify(
        self: &Arc<Self>,
        password: String,
        phc: Option<String>,
    ) -> Result<bool, AppError> {
        let this = Arc::clone(self);
        self.run(move |memory| {
            let known = phc.is_some();
            let target = phc.as_deref().unwrap_or(&this.dummy);
            let matches = verify_with(memory, password.as_bytes(), target);
            matches && known
        })
        .await
    }

    /// Random bytes from the operating system, for tokens and one-time passwords.
    pub fn random<const N: usize>(&self) -> Result<[u8; N], AppError> {
        let mut bytes = [0u8; N];
        self.random
            .fill(&mut bytes)
            .map_err(|_| AppError::Internal("the system random source failed".into()))?;
        Ok(bytes)
    }

    /// Runs `work` on a hashing thread when one is free (first come, first served).
    /// A caller that gives up waiting (a dropped request) costs no hash.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            if !reply.is_closed() {
                let _ = reply.send(work(memory));
            }
        });
        self.queue.lock().jobs.push_back(job);
        self.queue.arrived.notify_one();
        answer
            .await
            .map_err(|_| AppError::Internal("a password hashing job failed".into()))
    }
}

/// One hashing thread: takes jobs until the queue is closed and empty. A job that
/// panics drops its reply (the caller gets an internal error); the thread goes on.
fn hashing_thread(queue: &Queue) {
    lower_priority();
    let mut memory = Vec::new();
    loop {
        let job = {
            let mut waiting = queue.lock();
            loop {
                if let Some(job) = waiting.jobs.pop_front() {
                    break job;
                }
                if waiting.closed {
                    return;
                }
                let (guard, wait) = queue
                    .arrived
                    .wait_timeout(waiting, KEEP_MEMORY)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                waiting = guard;
                if wait.timed_out() {
                    memory = Vec::new();
                }
            }
        };
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
            memory = Vec::new();
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux the nice value belongs to the thread, so this leaves the rest of the
    // process as it is. Lowering one's own priority needs no privilege.
    let thread = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(thread), HASHING_NICE) {
        tracing::warn!(
            error = %e,
            "cannot lower the priority of a password hashing thread; requests may wait behind hashes"
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Checks `password` against the PHC string `phc` with the parameters it names,
/// computing in `memory` (grown as needed and kept for the next check). The same
/// steps as `argon2`'s `verify_password`, which allocates the memory every time.
fn verify_with(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut computed = [0u8; Output::MAX_LENGTH];
    let Some(computed) = computed.get_mut(..expected.len()) else {
        return false;
    };
    let salt: &[u8] = salt.as_ref();
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password, salt, computed, &mut memory[..blocks])
        .is_err()
    {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(computed).is_ok_and(|computed| &computed == expected)
}

fn hash_with(
    argon: &Argon2<'_>,
    random: &SystemRandom,
    password: &str,
) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    random
        .fill(&mut salt)
        .map_err(|_| AppError::Internal("the system random source failed".into()))?;
    argon
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret token, hex: what the read tables and the ledger keep.
pub fn token_hash(token: &str) -> String {
    vplant_ledger::sha256(token.as_bytes()).to_hex()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    fn cheap() -> HashCost {
        HashCost {
            memory_kib: 64,
            iterations: 1,
            lanes: 1,
        }
    }

    #[test]
    fn reusing_memory_checks_exactly_as_argon2_does() {
        let random = SystemRandom::new();
        let mut memory = Vec::new();
        let other = HashCost {
            memory_kib: 256,
            iterations: 3,
            lanes: 2,
        };
        for cost in [cheap(), other, cheap()] {
            let argon = cost.hasher().unwrap();
            let phc = hash_with(&argon, &random, "correct horse battery staple").unwrap();
            for (password, right) in [
                ("correct horse battery staple", true),
                ("correct horse battery stapler", false),
                ("", false),
            ] {
                let ours = verify_with(&mut memory, password.as_bytes(), &phc);
                let theirs = argon.verify_password(password.as_bytes(), phc.as_str());
                assert_eq!(ours, right, "{password:?} against {phc}");
                assert_eq!(ours, theirs.is_ok(), "{password:?} against {phc}");
            }
        }
        for broken in ["", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ", "not a hash"] {
            assert!(!verify_with(&mut memory, b"x", broken), "{broken:?}");
        }
    }

    #[test]
    fn hashes_and_checks_on_the_hashing_threads() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let passwords = Arc::new(Passwords::new(cheap()).unwrap());
        runtime.block_on(async {
            let phc = passwords
                .hash("Tablet-Granule-Sunrise-42".into())
                .await
                .unwrap();
            assert!(
                passwords
                    .verify("Tablet-Granule-Sunrise-42".into(), Some(phc.clone()))
                    .await
                    .unwrap()
            );
            assert!(!passwords.verify("wrong".into(), Some(phc)).await.unwrap());
            assert!(
                !passwords
                    .verify("a password no account has".into(), None)
                    .await
                    .unwrap()
            );
        });
    }
}
