//! The KPI definitions of SPEC §2.6, each versioned. A definition says exactly what
//! is counted (numerator, denominator, inclusion rules), which date puts a record into
//! a period, what a zero denominator gives, the target and the red/amber/green
//! thresholds. A change to a definition is a new version: stored results keep the
//! version that produced them (see `KpiResultsRecorded`).

use serde::{Deserialize, Serialize};

use crate::choice;

choice!(
    /// The KPIs of SPEC §2.6.
    KpiCode, "a KPI" {
        RightFirstTime = "right_first_time" / "Right first time",
        LotAcceptance = "lot_acceptance" / "Lot acceptance rate",
        ExceptionRate = "exception_rate" / "Exception rate",
        ExceptionClosureOnTime = "exception_closure_on_time" / "Exception closure on time",
        ExceptionCycleTime = "exception_cycle_time" / "Mean exception cycle time",
        CapaOnTime = "capa_on_time" / "CAPA on time",
        OverdueActions = "overdue_actions" / "Overdue actions",
        ReviewCycleTime = "review_cycle_time" / "Batch record review cycle time",
        DispositionLeadTime = "disposition_lead_time" / "Lot disposition lead time",
        Otif = "otif" / "On time in full (OTIF)",
        ScheduleAdherence = "schedule_adherence" / "Schedule adherence",
    }
);

/// What a figure is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// numerator ÷ denominator × 100.
    Percent,
    /// numerator ÷ denominator × 100 (events per 100 records).
    Per100,
    /// numerator (a sum of days) ÷ denominator (a count): a mean in days.
    MeanDays,
    /// numerator alone.
    Count,
}

impl Measure {
    pub fn unit(self) -> &'static str {
        match self {
            Measure::Percent => "%",
            Measure::Per100 => "per 100 batches",
            Measure::MeanDays => "days",
            Measure::Count => "",
        }
    }
}

/// Which way is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

/// The statistical process-control chart a KPI is watched with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// Proportion of records (a rate).
    P,
    /// Events per record (exceptions per batch).
    U,
    None,
}

/// Red, amber, green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
        }
    }
}

/// One version of a KPI's definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Definition {
    pub code: KpiCode,
    pub version: u32,
    pub numerator: &'static str,
    pub denominator: &'static str,
    /// What is included and excluded.
    pub inclusion: &'static str,
    /// Which date puts a record into a period.
    pub attribution: &'static str,
    /// What a period without any record in the denominator shows.
    pub zero_denominator: &'static str,
    pub measure: Measure,
    pub better: Better,
    /// Green from here (inclusive) in the good direction.
    pub target: f64,
    /// Amber from here (inclusive) up to the target; red beyond.
    pub amber: f64,
    /// Schedule adherence only: how many days from the planned start still count as
    /// on schedule.
    pub window_days: i64,
    pub chart: Chart,
    /// What changed in this version.
    pub changes: &'static str,
}

const NO_VALUE: &str =
    "no value (shown as —); the period is left out of trends and of the control limits";

impl Definition {
    /// Red, amber or green for a value.
    pub fn rag(&self, value: f64) -> Rag {
        let (good, ok) = match self.better {
            Better::Higher => (value >= self.target, value >= self.amber),
            Better::Lower => (value <= self.target, value <= self.amber),
        };
        if good {
            Rag::Green
        } else if ok {
            Rag::Amber
        } else {
            Rag::Red
        }
    }

    /// The current definition of every KPI.
    pub fn all() -> Vec<Definition> {
        KpiCode::ALL
            .iter()
            .map(|c| Definition::current(*c))
            .collect()
    }

    /// The current definition of a KPI.
    pub fn current(code: KpiCode) -> Definition {
        use KpiCode as K;
        let base = Definition {
            code,
            version: 1,
            numerator: "",
            denominator: "",
            inclusion: "",
            attribution: "",
            zero_denominator: NO_VALUE,
            measure: Measure::Percent,
            better: Better::Higher,
            target: 0.0,
            amber: 0.0,
            window_days: 0,
            chart: Chart::P,
            changes: "First version.",
        };
        match code {
            K::RightFirstTime => Definition {
                numerator: "batches dispositioned (released or rejected) that no exception concerns",
                denominator: "batches dispositioned (released or rejected)",
                inclusion: "Batches on hold are not dispositioned. An exception concerns a batch when it lists the batch; cancelled exceptions do not count.",
                attribution: "the batch's actual QA disposition date",
                target: 95.0,
                amber: 90.0,
                ..base
            },
            K::LotAcceptance => Definition {
                numerator: "batches released",
                denominator: "batches released or rejected",
                inclusion: "Batches on hold are not dispositioned.",
                attribution: "the batch's actual QA disposition date",
                target: 98.0,
                amber: 95.0,
                ..base
            },
            K::ExceptionRate => Definition {
                numerator: "exceptions opened (not cancelled), × 100",
                denominator: "batches started",
                inclusion: "Cancelled exceptions are left out. Exceptions count where they were discovered, batches where they started.",
                attribution: "exceptions by discovery date, batches by actual production start",
                measure: Measure::Per100,
                better: Better::Lower,
                target: 5.0,
                amber: 10.0,
                chart: Chart::U,
                ..base
            },
            K::ExceptionClosureOnTime => Definition {
                numerator: "exceptions closed on or before their due date (as extended by approved extensions)",
                denominator: "exceptions closed",
                inclusion: "Cancelled exceptions are not closed.",
                attribution: "the closure date (the day the closure was approved)",
                target: 90.0,
                amber: 80.0,
                ..base
            },
            K::ExceptionCycleTime => Definition {
                numerator: "sum over closed exceptions of (closure date − discovery date) in days",
                denominator: "exceptions closed",
                inclusion: "Cancelled exceptions are left out.",
                attribution: "the closure date",
                measure: Measure::MeanDays,
                better: Better::Lower,
                target: 30.0,
                amber: 45.0,
                chart: Chart::None,
                ..base
            },
            K::CapaOnTime => Definition {
                numerator: "CAPAs completed on or before their due date",
                denominator: "CAPAs completed",
                inclusion: "Only actions of kind CAPA; a CAPA reopened by an ineffective check counts again when completed again.",
                attribution: "the completion date",
                target: 90.0,
                amber: 80.0,
                ..base
            },
            K::OverdueActions => Definition {
                numerator: "actions still open today whose due date has passed",
                denominator: "—",
                inclusion: "Open and in-progress actions of every kind; done, effective and cancelled ones are not overdue.",
                attribution: "the action's due date",
                zero_denominator: "not applicable (a count)",
                measure: Measure::Count,
                better: Better::Lower,
                target: 0.0,
                amber: 5.0,
                chart: Chart::None,
                ..base
            },
            K::ReviewCycleTime => Definition {
                numerator: "sum over reviewed batches of (record review complete − production complete) in days",
                denominator: "batches whose record review completed",
                inclusion: "Only batches where both dates are known to the day (month-only dates are left out).",
                attribution: "the review completion date",
                measure: Measure::MeanDays,
                better: Better::Lower,
                target: 10.0,
                amber: 15.0,
                chart: Chart::None,
                ..base
            },
            K::DispositionLeadTime => Definition {
                numerator: "sum over dispositioned batches of (QA disposition − production complete) in days",
                denominator: "batches dispositioned (released or rejected)",
                inclusion: "Only batches where both dates are known to the day.",
                attribution: "the QA disposition date",
                measure: Measure::MeanDays,
                better: Better::Lower,
                target: 21.0,
                amber: 30.0,
                chart: Chart::None,
                ..base
            },
            K::Otif => Definition {
                numerator: "deliveries made on or before the committed date with at least the committed quantity",
                denominator: "deliveries due: batches with a committed delivery date on or before today",
                inclusion: "Batches without a committed date are not deliveries.",
                attribution: "the committed delivery date",
                target: 95.0,
                amber: 90.0,
                ..base
            },
            K::ScheduleAdherence => Definition {
                numerator: "planned batches that started within the planned window (± window days of the planned start; the same month when either date is known only to the month)",
                denominator: "batches with a planned production start",
                inclusion: "Batches not yet started count as not within the window once the window has passed; before that they are left out.",
                attribution: "the planned production start",
                window_days: 7,
                target: 90.0,
                amber: 80.0,
                ..base
            },
        }
    }
}
