//! Password hashing with Argon2id, off the async runtime and bounded in how many run
//! at once.
//!
//! Each hash takes about 19 MiB and tens of milliseconds of one core. Unbounded, a
//! burst of sign-ins would start hundreds of blocking threads and gigabytes of
//! memory; so hashing takes a permit of a semaphore sized to the cores. A username
//! that does not exist is checked against a dummy hash made with the same parameters,
//! so that it takes as long as a wrong password and timing reveals nothing.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;

use crate::AppError;

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

/// Hashes and checks passwords.
pub struct Passwords {
    argon: Argon2<'static>,
    permits: Semaphore,
    dummy: String,
    random: SystemRandom,
}

impl Passwords {
    pub fn new(cost: HashCost) -> Result<Passwords, AppError> {
        let argon = cost.hasher()?;
        let random = SystemRandom::new();
        let dummy = hash_with(&argon, &random, "a password no account has")?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Passwords {
            argon,
            permits: Semaphore::new(cores),
            dummy,
            random,
        })
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `password`.
    pub async fn hash(self: &Arc<Self>, password: String) -> Result<String, AppError> {
        let _permit = self.permit().await?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || hash_with(&this.argon, &this.random, &password))
            .await
            .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
    }

    /// Whether `password` matches `phc`; with `None` (no such account) it checks the
    /// dummy hash and answers `false`, taking the same time as a real check.
    pub async fn verify(
        self: &Arc<Self>,
        password: String,
        phc: Option<String>,
    ) -> Result<bool, AppError> {
        let _permit = self.permit().await?;
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let known = phc.is_some();
            let target = phc.unwrap_or_else(|| this.dummy.clone());
            let matches = this
                .argon
                .verify_password(password.as_bytes(), target.as_str())
                .is_ok();
            matches && known
        })
        .await
        .map_err(|e| AppError::Internal(format!("password check task failed: {e}")))
    }

    /// Random bytes from the operating system, for tokens and one-time passwords.
    pub fn random<const N: usize>(&self) -> Result<[u8; N], AppError> {
        let mut bytes = [0u8; N];
        self.random
            .fill(&mut bytes)
            .map_err(|_| AppError::Internal("the system random source failed".into()))?;
        Ok(bytes)
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal("the password hasher is shut down".into()))
    }
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
