//! Raw Argon2id, the floor of every signature: a password hashed with the salt and
//! parameters of its stored PHC string at the production cost, and compared with the
//! stored output, with the Argon2 memory allocated once and reused, as the server's
//! hashing threads do (`identity/passwords.rs`). That is the hash alone, with nothing
//! of the application around it.

use argon2::{Argon2, Block, PasswordHash};
use vplant_app::identity::passwords::HashCost;

use super::measure::BenchResult;

/// One thread's hasher for one stored password.
pub struct RawHash {
    argon: Argon2<'static>,
    salt: Vec<u8>,
    expected: Vec<u8>,
    out: Vec<u8>,
    memory: Vec<Block>,
}

impl RawHash {
    pub fn new(phc: &str) -> BenchResult<RawHash> {
        let argon = HashCost::default().hasher()?;
        let parsed = PasswordHash::new(phc)?;
        let salt: &[u8] = parsed.salt.as_ref().ok_or("the hash has no salt")?.as_ref();
        let expected = parsed.hash.ok_or("the hash has no output")?;
        let memory = vec![Block::default(); argon.params().block_count()];
        Ok(RawHash {
            argon,
            salt: salt.to_vec(),
            out: vec![0; expected.len()],
            expected: expected.as_bytes().to_vec(),
            memory,
        })
    }

    /// Hashes `password`; whether it matches the stored hash.
    pub fn matches(&mut self, password: &str) -> bool {
        self.argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                &self.salt,
                &mut self.out,
                &mut self.memory,
            )
            .is_ok()
            && self.out == self.expected
    }
}
