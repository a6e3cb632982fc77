//! End-to-end tests of the `vplant` binary: the CLI round trip, the demo data,
//! crash safety under SIGKILL on both backends, and the pages in a real browser.

// Test code: a failed expectation is the test failing, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod browser_mes;
mod cli;
mod crash;
mod demo;
mod full_disk;
mod support;
