//! The store conformance suite: every test here runs unchanged on SQLite and on
//! PostgreSQL (`sqlite::…` and `postgres::…` in each module), and proves one promise
//! of the store — what a commit writes, what it refuses, what `verify` catches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod archive;
mod audit;
mod availability;
mod checkpoints;
mod commit;
mod concurrency;
mod genealogy;
mod history;
mod rebuild;
mod tamper;
mod triggers;
