//! The tamper-evident ledger: canonical encoding, per-stream hash chains, Merkle
//! checkpoints signed with Ed25519, and the verifier that checks all of it.
//!
//! This crate does no IO and knows no database: the store feeds it rows, the CLI feeds
//! it files. That keeps the rules an inspector relies on in one small, testable place.

mod canonical;
mod checkpoint;
mod event;
mod hash;
mod keys;
mod merkle;
mod verify;

pub use canonical::{EVENT_TAG, encode_event};
pub use checkpoint::{CHECKPOINT_TAG, Checkpoint, UnsignedCheckpoint};
pub use event::{EventFields, LedgerEvent};
pub use hash::{Hash, HashParseError, sha256};
pub use keys::{KeyError, PublicKey, SigningKey};
pub use merkle::merkle_root;
pub use verify::{CheckpointSource, Failure, FailureKind, Summary, Verifier};
