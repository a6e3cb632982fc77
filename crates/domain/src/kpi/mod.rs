//! The KPI engine (SPEC §2.6): versioned definitions, the formulas over the records
//! they count, periods, and statistical process-control signals.

pub mod compute;
pub mod definition;
pub mod facts;
pub mod period;
pub mod recorded;
pub mod spc;
#[cfg(test)]
mod tests;
