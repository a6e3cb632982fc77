//! Comparing two versions of a master batch record: what a reviewer must look at when
//! a change is approved. Steps are matched by id, so a renamed or moved step shows as
//! changed or moved, not as removed and added.

use serde::Serialize;

use super::recipe::{Located, Recipe};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
}

/// One difference: `what` is a recipe field or a step (`step weigh_api: tolerance`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub kind: ChangeKind,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("({e})"),
    }
}

fn field<T: Serialize + PartialEq>(out: &mut Vec<Difference>, what: String, a: &T, b: &T) {
    if a != b {
        out.push(Difference {
            kind: ChangeKind::Changed,
            what,
            before: Some(text(a)),
            after: Some(text(b)),
        });
    }
}

fn place(s: &Located<'_>) -> String {
    format!("{} / {}", s.unit_procedure.name, s.operation.name)
}

/// What changed from `old` to `new`, recipe fields first, then steps in the new
/// order, then the steps removed.
pub fn diff(old: &Recipe, new: &Recipe) -> Vec<Difference> {
    let mut out = Vec::new();
    field(&mut out, "title".into(), &old.title, &new.title);
    field(&mut out, "product".into(), &old.product, &new.product);
    field(
        &mut out,
        "batch_size".into(),
        &old.batch_size,
        &new.batch_size,
    );
    let old_steps = old.steps();
    let new_steps = new.steps();
    let old_order: Vec<&str> = old_steps.iter().map(|s| s.phase.id.as_str()).collect();
    let kept: Vec<&str> = new_steps
        .iter()
        .map(|s| s.phase.id.as_str())
        .filter(|id| old_order.contains(id))
        .collect();
    let old_kept: Vec<&str> = old_order
        .iter()
        .copied()
        .filter(|id| kept.contains(id))
        .collect();
    for s in &new_steps {
        let id = &s.phase.id;
        let Some(o) = old_steps.iter().find(|o| &o.phase.id == id) else {
            out.push(Difference {
                kind: ChangeKind::Added,
                what: format!("step {id}"),
                before: None,
                after: Some(format!(
                    "{} ({}, in {})",
                    s.phase.name,
                    s.phase.entry.name(),
                    place(s)
                )),
            });
            continue;
        };
        let moved_place = place(o) != place(s);
        let moved_order =
            kept.iter().position(|k| k == id) != old_kept.iter().position(|k| k == id);
        if moved_place || moved_order {
            out.push(Difference {
                kind: ChangeKind::Moved,
                what: format!("step {id}"),
                before: Some(format!("{} (step {})", place(o), o.index + 1)),
                after: Some(format!("{} (step {})", place(s), s.index + 1)),
            });
        }
        let (a, b) = (o.phase, s.phase);
        field(&mut out, format!("step {id}: name"), &a.name, &b.name);
        field(
            &mut out,
            format!("step {id}: instruction"),
            &a.instruction,
            &b.instruction,
        );
        field(&mut out, format!("step {id}: entry"), &a.entry, &b.entry);
        field(
            &mut out,
            format!("step {id}: signatures"),
            &a.signatures,
            &b.signatures,
        );
        field(
            &mut out,
            format!("step {id}: parallel"),
            &a.parallel,
            &b.parallel,
        );
    }
    for o in &old_steps {
        if !new_steps.iter().any(|s| s.phase.id == o.phase.id) {
            out.push(Difference {
                kind: ChangeKind::Removed,
                what: format!("step {}", o.phase.id),
                before: Some(format!(
                    "{} ({}, in {})",
                    o.phase.name,
                    o.phase.entry.name(),
                    place(o)
                )),
                after: None,
            });
        }
    }
    out
}
