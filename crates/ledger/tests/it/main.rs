//! The ledger on its own, with no database: chains built in memory with
//! `LedgerEvent::seal`, checkpoints signed with a test key, and the verifier asked
//! what it makes of them — intact, and after every kind of damage it names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain;
mod checkpoints;
mod encoding;
mod events;
mod properties;
