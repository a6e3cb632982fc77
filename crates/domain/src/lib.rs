//! The pure core of Virtual Plant: commands, events, the rules that turn one into the
//! other, and how events project into read tables.
//!
//! Nothing here does IO, reads a clock or knows about HTTP or SQL. Time and the acting
//! person arrive in [`Ctx`]; that is what makes every rule testable with plain values.

pub mod action;
pub mod aggregate;
pub mod batch;
pub mod choice;
pub mod context;
pub mod dates;
pub mod ebr;
pub mod equipment;
pub mod error;
pub mod event;
pub mod exception;
pub mod fields;
pub mod genealogy;
pub mod history;
pub mod identity;
pub mod kpi;
pub mod lot;
pub mod master;
pub mod material;
pub mod mbr;
pub mod notice;
pub mod numbering;
pub mod product;
pub mod projection;
pub mod signature;
pub mod site;
pub mod time;
pub mod units;

pub use aggregate::Aggregate;
pub use context::{Actor, Ctx};
pub use error::{DomainError, FieldError};
pub use event::Event;
pub use time::Timestamp;
