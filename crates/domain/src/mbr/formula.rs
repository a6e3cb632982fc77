//! Calculation steps: arithmetic over the values of earlier steps, named by their ids
//! (e.g. `weigh_api / theoretical_api * 100`). Parsed and evaluated by `exmex`; every
//! number is a float, and only a finite number is accepted as the result.

use std::collections::BTreeMap;

use exmex::{Express, FlatEx};

/// A formula that parsed; it names the steps it reads.
#[derive(Debug)]
pub struct Formula(FlatEx<f64>);

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, String> {
        if text.trim().is_empty() {
            return Err("is required".to_owned());
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.+-*/^()".contains(c))
        {
            return Err("may hold only numbers, step ids, + - * / ^ and parentheses".to_owned());
        }
        FlatEx::<f64>::parse(text)
            .map(Formula)
            .map_err(|e| format!("cannot be read: {e}"))
    }

    /// The step ids the formula reads, each once, in alphabetical order.
    pub fn inputs(&self) -> Vec<String> {
        self.0.var_names().to_vec()
    }

    /// The result for these step values; every input must be present.
    pub fn evaluate(&self, values: &BTreeMap<String, f64>) -> Result<f64, String> {
        let args = self
            .inputs()
            .iter()
            .map(|id| {
                values
                    .get(id)
                    .copied()
                    .ok_or_else(|| format!("needs a value for step '{id}', which has none yet"))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        let result = self
            .0
            .eval(&args)
            .map_err(|e| format!("cannot be computed: {e}"))?;
        if result.is_finite() {
            Ok(result)
        } else {
            Err("gives no finite number (a division by zero?)".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_reads_named_steps_and_refuses_anything_else() {
        let f = Formula::parse("tablets_out / theoretical * 100").unwrap();
        assert_eq!(f.inputs(), ["tablets_out", "theoretical"]);
        let values = BTreeMap::from([
            ("tablets_out".to_owned(), 295_000.0),
            ("theoretical".to_owned(), 300_000.0),
        ]);
        let y = f.evaluate(&values).unwrap();
        assert!((y - 98.333_333).abs() < 1e-3, "{y}");
        assert!(
            (Formula::parse("1 / 3")
                .unwrap()
                .evaluate(&BTreeMap::new())
                .unwrap()
                - 0.333_333)
                .abs()
                < 1e-5
        );
        assert!(Formula::parse("a = 3").is_err());
        assert!(Formula::parse("(a + ").is_err());
        let zero = BTreeMap::from([("a".to_owned(), 1.0), ("b".to_owned(), 0.0)]);
        assert!(Formula::parse("a / b").unwrap().evaluate(&zero).is_err());
        assert!(
            f.evaluate(&BTreeMap::new())
                .unwrap_err()
                .contains("tablets_out")
        );
    }
}
