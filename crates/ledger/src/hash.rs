//! The 32-byte SHA-256 digest used for event hashes, chain links and Merkle nodes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SHA-256 digest. Shown and serialised as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

/// SHA-256 of `bytes`. We use `ring` (BoringSSL's assembly) because it hashes about
/// twice as fast as the portable implementation on CPUs without SHA extensions, and
/// verification speed is a stated target.
pub fn sha256(bytes: &[u8]) -> Hash {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    Hash(out)
}

impl Hash {
    /// The all-zero hash: the "previous hash" of the first event of every stream.
    pub const ZERO: Hash = Hash([0u8; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Hash, HashParseError> {
        let bytes = hex::decode(text.trim()).map_err(|_| HashParseError(text.to_owned()))?;
        Hash::from_slice(&bytes).ok_or_else(|| HashParseError(text.to_owned()))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Hash(array))
    }
}

/// A hash that was not 64 hex characters.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a SHA-256 hash (expected 64 hex characters)")]
pub struct HashParseError(String);

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Hash, D::Error> {
        let text = String::deserialize(deserializer)?;
        Hash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}
