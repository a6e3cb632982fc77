//! The server's one integration test binary: each module drives the whole router
//! in process, against a fresh SQLite store in a temporary directory.

// Test helpers outside `#[test]` functions may unwrap: a broken fixture should stop
// the test loudly, and `allow-unwrap-in-tests` only covers the test functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod api;
mod audit;
mod batches;
mod entry;
mod exceptions;
mod kpi;
mod mes;
mod mes_pages;
mod pages;
mod rebuild;
mod security;
mod signatures;
mod support;
mod tracker;
mod users;
