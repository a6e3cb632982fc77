//! Reads of the read tables, written once in SQL both backends accept.

pub mod actions;
pub mod audit;
pub mod batches;
pub mod exceptions;
pub mod genealogy;
pub mod identity;
pub mod kpi;
pub mod master;
pub mod mes;
