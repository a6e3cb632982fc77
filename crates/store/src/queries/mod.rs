//! Reads of the read tables, written once in SQL both backends accept.

pub mod audit;
pub mod identity;
pub mod master;
