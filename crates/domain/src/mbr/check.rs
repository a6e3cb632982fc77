//! Whether a recipe is complete and consistent. Every problem is listed with the path
//! of the field that has it (`unit_procedures[1].operations[0].phases[2].entry.checks`),
//! so that an author — in the web form or in a file — can go straight to it.

use std::collections::BTreeSet;

use super::formula::Formula;
use super::recipe::Recipe;
use super::step::{Checks, Limits, StepKind};
use crate::error::{DomainError, FieldError};
use crate::fields::{Code, Name};

fn is_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && text.len() <= 40
}

struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, path: &str, reason: impl Into<String>) {
        self.0.push(FieldError::new(path, reason));
    }

    fn id(&mut self, path: &str, id: &str, seen: &mut BTreeSet<String>) {
        if !is_id(id) {
            self.add(
                path,
                format!(
                    "'{id}' must be lower-case letters, digits and '_', starting with a letter (at most 40)"
                ),
            );
        } else if !seen.insert(id.to_owned()) {
            self.add(path, format!("'{id}' is used twice; ids must be unique"));
        }
    }

    fn name(&mut self, path: &str, name: &str) {
        if let Err(e) = Name::parse(path, name) {
            self.0.push(e);
        }
    }

    fn limits(&mut self, path: &str, limits: &Limits) {
        let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
        if !finite(limits.low) || !finite(limits.high) {
            self.add(path, "limits must be numbers");
        } else if let (Some(l), Some(h)) = (limits.low, limits.high)
            && l > h
        {
            self.add(path, format!("low {l} is above high {h}"));
        } else if limits.low.is_none() && limits.high.is_none() {
            self.add(path, "give a low limit, a high limit or both");
        }
    }

    fn checks(&mut self, path: &str, checks: &Checks, target: Option<f64>) {
        let ranges = [
            ("alert", &checks.alert),
            ("action", &checks.action),
            ("spec", &checks.spec),
        ];
        for (name, limits) in ranges {
            if let Some(l) = limits {
                self.limits(&format!("{path}.{name}"), l);
            }
        }
        let nested = [
            ("alert", &checks.alert, "action", &checks.action),
            ("action", &checks.action, "spec", &checks.spec),
            ("alert", &checks.alert, "spec", &checks.spec),
        ];
        for (inner_name, inner, outer_name, outer) in nested {
            if let (Some(i), Some(o)) = (inner, outer)
                && !o.encloses(i)
            {
                self.add(
                    &format!("{path}.{inner_name}"),
                    format!("must lie within the {outer_name} limits"),
                );
            }
        }
        if let (Some(t), Some(spec)) = (target, &checks.spec)
            && !spec.contains(t)
        {
            self.add(
                &format!("{path}.spec"),
                format!("the target {t} is outside the specification"),
            );
        }
    }
}

/// Checks `recipe`; `Ok` means it can be submitted for review.
pub fn check(recipe: &Recipe) -> Result<(), DomainError> {
    let mut p = Problems(Vec::new());
    if let Err(e) = Code::parse("code", &recipe.code) {
        p.0.push(e);
    }
    p.name("title", &recipe.title);
    if let Err(e) = Code::parse("product", &recipe.product) {
        p.0.push(e);
    }
    if recipe.batch_size.amount <= 0.0 || recipe.batch_size.amount.is_nan() {
        p.add("batch_size", "must be more than zero");
    }
    if recipe.unit_procedures.is_empty() {
        p.add(
            "unit_procedures",
            "a recipe needs at least one unit procedure",
        );
    }
    let mut ids = BTreeSet::new();
    let mut numeric_before: BTreeSet<String> = BTreeSet::new();
    for (u, up) in recipe.unit_procedures.iter().enumerate() {
        let up_path = format!("unit_procedures[{u}]");
        p.id(&format!("{up_path}.id"), &up.id, &mut ids);
        p.name(&format!("{up_path}.name"), &up.name);
        if up.operations.is_empty() {
            p.add(
                &format!("{up_path}.operations"),
                "needs at least one operation",
            );
        }
        for (o, op) in up.operations.iter().enumerate() {
            let op_path = format!("{up_path}.operations[{o}]");
            p.id(&format!("{op_path}.id"), &op.id, &mut ids);
            p.name(&format!("{op_path}.name"), &op.name);
            if op.phases.is_empty() {
                p.add(&format!("{op_path}.phases"), "needs at least one phase");
            }
            for (f, phase) in op.phases.iter().enumerate() {
                let path = format!("{op_path}.phases[{f}]");
                p.id(&format!("{path}.id"), &phase.id, &mut ids);
                p.name(&format!("{path}.name"), &phase.name);
                if let Some(group) = &phase.parallel
                    && !is_id(group)
                {
                    p.add(
                        &format!("{path}.parallel"),
                        "a group name is lower-case letters, digits and '_'",
                    );
                }
                let entry = format!("{path}.entry");
                match &phase.entry {
                    StepKind::Instruction | StepKind::Text | StepKind::PassFail => {}
                    StepKind::Numeric {
                        unit,
                        target,
                        checks,
                    } => {
                        if unit.trim().is_empty() || unit.chars().count() > 12 {
                            p.add(
                                &format!("{entry}.unit"),
                                "is required (at most 12 characters)",
                            );
                        }
                        p.checks(&format!("{entry}.checks"), checks, *target);
                        numeric_before.insert(phase.id.clone());
                    }
                    StepKind::Choice { options, accepted } => {
                        let unique: BTreeSet<&String> = options.iter().collect();
                        if options.len() < 2 || unique.len() != options.len() {
                            p.add(
                                &format!("{entry}.options"),
                                "needs at least two options, each once",
                            );
                        }
                        if options.iter().any(|o| o.trim().is_empty()) {
                            p.add(&format!("{entry}.options"), "an option may not be blank");
                        }
                        if accepted.is_empty() || accepted.iter().any(|a| !options.contains(a)) {
                            p.add(
                                &format!("{entry}.accepted"),
                                "must name one or more of the options",
                            );
                        }
                    }
                    StepKind::Dispense {
                        material,
                        quantity,
                        unit,
                        tolerance_percent,
                    } => {
                        if let Err(e) = Code::parse(&format!("{entry}.material"), material) {
                            p.0.push(e);
                        }
                        if !(quantity.is_finite() && *quantity > 0.0) {
                            p.add(&format!("{entry}.quantity"), "must be more than zero");
                        }
                        if unit.dimension() == crate::units::Dimension::Count {
                            p.add(&format!("{entry}.unit"), "must be a mass or a volume");
                        }
                        if !(tolerance_percent.is_finite()
                            && *tolerance_percent > 0.0
                            && *tolerance_percent <= 50.0)
                        {
                            p.add(
                                &format!("{entry}.tolerance_percent"),
                                "must be more than 0 and at most 50",
                            );
                        }
                        numeric_before.insert(phase.id.clone());
                    }
                    StepKind::Equipment { class } => {
                        if class.trim().is_empty() {
                            p.add(&format!("{entry}.class"), "is required");
                        }
                    }
                    StepKind::Sample { test } => {
                        if test.trim().is_empty() {
                            p.add(&format!("{entry}.test"), "is required");
                        }
                    }
                    StepKind::Calculation {
                        formula,
                        unit,
                        checks,
                    } => {
                        match Formula::parse(formula) {
                            Err(reason) => p.add(&format!("{entry}.formula"), reason),
                            Ok(f) => {
                                for input in f.inputs() {
                                    if !numeric_before.contains(&input) {
                                        p.add(
                                            &format!("{entry}.formula"),
                                            format!(
                                                "'{input}' is not an earlier numeric, dispense or calculation step"
                                            ),
                                        );
                                    }
                                }
                            }
                        }
                        if unit.trim().is_empty() || unit.chars().count() > 12 {
                            p.add(
                                &format!("{entry}.unit"),
                                "is required (at most 12 characters)",
                            );
                        }
                        p.checks(&format!("{entry}.checks"), checks, None);
                        numeric_before.insert(phase.id.clone());
                    }
                    StepKind::Timer {
                        min_minutes,
                        max_minutes,
                    } => {
                        if !(min_minutes.is_finite() && *min_minutes >= 0.0) {
                            p.add(&format!("{entry}.min_minutes"), "must be zero or more");
                        }
                        if let Some(max) = max_minutes
                            && !(max.is_finite() && max > min_minutes)
                        {
                            p.add(
                                &format!("{entry}.max_minutes"),
                                "must be more than min_minutes",
                            );
                        }
                    }
                }
            }
        }
    }
    if let Some(step) = &recipe.yield_step {
        let counted = recipe.step(step).and_then(|l| match &l.phase.entry {
            StepKind::Numeric { unit, .. } => crate::units::Unit::parse("unit", unit).ok(),
            _ => None,
        });
        if counted.is_none() {
            p.add(
                "yield_step",
                "must name a numeric step whose unit is a quantity (tablets, packs, kg …)",
            );
        }
    }
    if p.0.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(p.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ebr::tests::recipe;

    /// The problems `recipe` has, as `path: reason`.
    fn problems(recipe: &Recipe) -> Vec<String> {
        match check(recipe) {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(fields)) => fields
                .into_iter()
                .map(|f| format!("{}: {}", f.field, f.reason))
                .collect(),
            Err(other) => vec![other.to_string()],
        }
    }

    #[test]
    fn a_complete_recipe_has_no_problem() {
        assert_eq!(problems(&recipe()), Vec::<String>::new());
    }

    #[test]
    fn each_problem_is_named_with_its_path() {
        let mut r = recipe();
        let gran = &mut r.unit_procedures[1].operations[0].phases;
        if let StepKind::Numeric { checks, .. } = &mut gran[2].entry {
            checks.action = Some(crate::mbr::step::Limits {
                low: Some(0.2),
                high: Some(3.0),
            });
        }
        gran[4].id = "w_api".to_owned();
        let found = problems(&r);
        assert!(
            found.iter().any(|p| p.starts_with(
                "unit_procedures[1].operations[0].phases[2].entry.checks.action: must lie within"
            )),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("unit_procedures[1].operations[0].phases[4].id:")),
            "{found:?}"
        );
    }

    #[test]
    fn a_yield_step_must_be_a_numeric_step_counted_in_a_quantity() {
        let mut r = recipe();
        r.yield_step = Some("appearance".to_owned());
        assert_eq!(
            problems(&r),
            vec![
                "yield_step: must name a numeric step whose unit is a quantity (tablets, packs, kg …)"
            ]
        );
        // `lod` is numeric but in %, which is no quantity of product.
        r.yield_step = Some("lod".to_owned());
        assert_eq!(problems(&r).len(), 1);
        r.yield_step = Some("nowhere".to_owned());
        assert_eq!(problems(&r).len(), 1);
    }
}
