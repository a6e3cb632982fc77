//! The content of a master batch record: the ISA-88 procedural model, procedure →
//! unit procedures → operations → phases (steps). The same structure is the MBR file
//! format (JSON or YAML, `docs/mbr-format.md`) and the payload of its events.

use serde::{Deserialize, Serialize};

use super::step::{Signatures, StepKind};
use crate::units::Quantity;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The MBR's code, shared by all its versions, e.g. `MBR-PCM500`.
    pub code: String,
    pub title: String,
    /// The product it makes (a product code).
    pub product: String,
    /// The batch size the quantities are written for; a batch of another size scales
    /// every dispensed quantity.
    pub batch_size: Quantity,
    pub unit_procedures: Vec<UnitProcedure>,
    /// The numeric step whose entry is the quantity of the product lot the batch
    /// yields (e.g. `packs_produced`); without it the lot carries no quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yield_step: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitProcedure {
    pub id: String,
    pub name: String,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub id: String,
    pub name: String,
    pub phases: Vec<Phase>,
}

/// One step. Steps run in the order written; consecutive steps of one operation that
/// name the same `parallel` group may run in any order among themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Unique in the recipe: lower-case letters, digits and `_`, starting with a
    /// letter (calculations name earlier steps by it).
    pub id: String,
    pub name: String,
    /// What the operator is told to do.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instruction: String,
    pub entry: StepKind,
    #[serde(default)]
    pub signatures: Signatures,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<String>,
}

/// A step with where it sits in the procedure.
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    pub unit_procedure: &'a UnitProcedure,
    pub operation: &'a Operation,
    pub phase: &'a Phase,
    /// Position in the whole procedure (0-based).
    pub index: usize,
    /// Steps with the same slot may run together; slots run in order.
    pub slot: usize,
}

impl Recipe {
    /// Every step in procedure order, with its slot.
    pub fn steps(&self) -> Vec<Located<'_>> {
        let mut out = Vec::new();
        let mut slot = 0;
        for up in &self.unit_procedures {
            for op in &up.operations {
                let mut previous_group: Option<&str> = None;
                for phase in &op.phases {
                    let group = phase.parallel.as_deref();
                    let joins = !out.is_empty() && group.is_some() && group == previous_group;
                    if !out.is_empty() && !joins {
                        slot += 1;
                    }
                    previous_group = group;
                    out.push(Located {
                        unit_procedure: up,
                        operation: op,
                        phase,
                        index: out.len(),
                        slot,
                    });
                }
            }
        }
        out
    }

    pub fn step(&self, id: &str) -> Option<Located<'_>> {
        self.steps().into_iter().find(|s| s.phase.id == id)
    }

    /// How many times the reference batch size a batch of `size` is, or `None` when
    /// the two cannot be compared (tablets vs kg).
    pub fn scale(&self, size: &Quantity) -> Option<f64> {
        let size = size.convert(&self.batch_size.unit)?;
        (self.batch_size.amount > 0.0).then(|| size / self.batch_size.amount)
    }
}
