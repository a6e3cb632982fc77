//! The use cases end to end on a real store: what people see of the ledger through
//! the application layer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actions;
mod audit;
mod ebr_record;
mod exceptions;
mod genealogy;
mod import;
mod kpi;
mod mes;
mod notices;
mod tracker;
