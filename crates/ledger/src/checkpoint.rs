//! Signed checkpoints: every so often the store seals the events since the previous
//! checkpoint under a Merkle root and signs that statement with the ledger key.
//!
//! Checkpoints form their own chain (each names the hash of the one before), so a
//! checkpoint cannot be dropped from the middle unnoticed, and the newest checkpoint
//! (also kept in the witness file outside the database) tells how long the ledger was
//! at least — which is how a cut-off tail is caught.
//!
//! The signed statement is, big-endian:
//! `vplant/checkpoint/v1\n` (21 bytes) · first seq u64 · last seq u64 · range root (32) ·
//! previous checkpoint hash (32, zero for the first) · created at i64 µs UTC ·
//! key id (u32 length + UTF-8).

use serde::{Deserialize, Serialize};

use crate::hash::{Hash, sha256};
use crate::keys::{PublicKey, SigningKey};

pub const CHECKPOINT_TAG: &[u8; 21] = b"vplant/checkpoint/v1\n";

/// What a checkpoint states, before it is signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsignedCheckpoint {
    /// First global sequence number covered (previous checkpoint's `seq` + 1).
    pub first_seq: u64,
    /// Last global sequence number covered.
    pub seq: u64,
    /// Merkle root over the hashes of events `first_seq..=seq`.
    pub range_root: Hash,
    /// Hash of the previous checkpoint's statement (zero for the first checkpoint).
    pub prev: Hash,
    pub created_at_us: i64,
    pub key_id: String,
}

/// A signed checkpoint, as stored in the database and appended to the witness file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    #[serde(flatten)]
    pub statement: UnsignedCheckpoint,
    /// Ed25519 signature over the statement bytes, hex.
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
}

impl UnsignedCheckpoint {
    pub fn statement_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        out.extend_from_slice(CHECKPOINT_TAG);
        out.extend_from_slice(&self.first_seq.to_be_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.range_root.0);
        out.extend_from_slice(&self.prev.0);
        out.extend_from_slice(&self.created_at_us.to_be_bytes());
        let len = u32::try_from(self.key_id.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.key_id.as_bytes());
        out
    }

    /// The hash the next checkpoint links to.
    pub fn hash(&self) -> Hash {
        sha256(&self.statement_bytes())
    }

    pub fn sign(self, key: &SigningKey) -> Checkpoint {
        let signature = key.sign(&self.statement_bytes());
        Checkpoint {
            statement: self,
            signature,
        }
    }
}

impl Checkpoint {
    pub fn seq(&self) -> u64 {
        self.statement.seq
    }

    pub fn signature_valid(&self, key: &PublicKey) -> bool {
        key.verify(&self.statement.statement_bytes(), &self.signature)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}
