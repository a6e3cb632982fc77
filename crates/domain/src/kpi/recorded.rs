//! Recording a period's figures: the results are stored as they were computed, with
//! the definition version that produced each, so that a later definition (or a late
//! correction of the data) never rewrites what was reported. Recording the period
//! again adds a new recording beside the old one. Stream `kpi/<period>`.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::context::Ctx;
use crate::error::DomainError;
use crate::event::Event;
use crate::projection::{Recorded, RowOp, Value};

/// One figure as recorded. Numbers are kept as the text they were computed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiResult {
    pub code: String,
    pub version: u32,
    /// `network`, `site:<code>` or `product:<code>`.
    pub scope: String,
    pub numerator: String,
    pub denominator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiResultsRecorded {
    pub period: String,
    pub results: Vec<KpiResult>,
}

#[derive(Clone, Debug)]
pub struct RecordResults(pub KpiResultsRecorded);

#[derive(Clone, Debug, Default)]
pub struct KpiPeriodState {
    pub recordings: u64,
}

impl Aggregate for KpiPeriodState {
    type Command = RecordResults;

    fn stream_id(period: &str) -> String {
        format!("kpi/{period}")
    }

    fn apply(&mut self, event: &Event) {
        if let Event::KpiResultsRecorded(_) = event {
            self.recordings += 1;
        }
    }

    fn decide(&self, command: &RecordResults, _ctx: &Ctx) -> Result<Vec<Event>, DomainError> {
        if command.0.results.is_empty() {
            return Err(DomainError::InvalidState(format!(
                "there are no figures for {} to record",
                command.0.period
            )));
        }
        Ok(vec![Event::KpiResultsRecorded(command.0.clone())])
    }

    fn reason(_command: &RecordResults) -> Option<&str> {
        None
    }
}

pub(crate) fn rows(recorded: Recorded<'_>, event: &Event) -> Option<Vec<RowOp>> {
    let Event::KpiResultsRecorded(e) = event else {
        return None;
    };
    Some(
        e.results
            .iter()
            .map(|r| RowOp::Insert {
                table: "kpi_results",
                values: vec![
                    ("period", e.period.as_str().into()),
                    ("code", r.code.as_str().into()),
                    ("version", Value::Int(i64::from(r.version))),
                    ("scope", r.scope.as_str().into()),
                    ("numerator", r.numerator.as_str().into()),
                    ("denominator", r.denominator.as_str().into()),
                    ("value", r.value.as_deref().map_or(Value::Null, Value::from)),
                    ("recording", recorded.stream_version.into()),
                ],
            })
            .collect(),
    )
}
