//! The tamper-evident ledger: canonical encoding, per-stream hash chains, Merkle
//! checkpoints signed with Ed25519, and the verifier that checks all of it.
//!
//! This crate does no IO and knows no database: the store feeds it rows, the CLI feeds
//! it files. That keeps the rules an inspector relies on in one small, testable place.

mod canonical;
mod checkpoint;
mod chunk;
mod event;
mod failure;
mod hash;
mod keys;
mod merkle;
mod plan;
mod verify;

pub use canonical::{EVENT_TAG, encode_event};
pub use checkpoint::{CHECKPOINT_TAG, Checkpoint, UnsignedCheckpoint};
pub use chunk::{ChunkResult, ChunkVerifier, Entry};
pub use event::{EventFields, LedgerEvent};
pub use failure::{CheckpointSource, Failure, FailureKind, Summary};
pub use hash::{Hash, HashParseError, sha256};
pub use keys::{KeyError, PublicKey, SigningKey};
pub use merkle::merkle_root;
pub use plan::{Expected, Plan};
pub use verify::{Verifier, join};
