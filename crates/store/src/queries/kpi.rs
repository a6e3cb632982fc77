//! The rows the KPI formulas read, in one pass per table, and the KPI results that
//! were recorded for a period.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::projection::Value;

use crate::Store;
use crate::error::StoreError;

/// A batch as the formulas read it (dates as stored text).
#[derive(Clone, Debug, Default)]
pub struct BatchFactRow {
    pub id: String,
    pub site: String,
    pub product: String,
    pub planned_start: Option<String>,
    pub started: Option<String>,
    pub completed: Option<String>,
    pub reviewed: Option<String>,
    pub dispositioned: Option<String>,
    pub disposition: Option<String>,
    pub committed_on: Option<String>,
    pub committed_quantity: Option<String>,
    pub delivered_on: Option<String>,
    pub delivered_quantity: Option<String>,
    pub exceptions: u64,
}

#[derive(Clone, Debug, Default)]
pub struct ExceptionFactRow {
    pub number: String,
    pub site: String,
    pub product: Option<String>,
    pub discovered: String,
    pub due: String,
    pub closed_on: Option<String>,
    pub status: String,
}

#[derive(Clone, Debug, Default)]
pub struct ActionFactRow {
    pub number: String,
    pub kind: String,
    pub site: Option<String>,
    pub due: String,
    pub closed_on: Option<String>,
    pub status: String,
}

/// Everything the formulas read, and the ledger position it was read at.
#[derive(Clone, Debug, Default)]
pub struct FactRows {
    pub seq: u64,
    pub batches: Vec<BatchFactRow>,
    pub exceptions: Vec<ExceptionFactRow>,
    pub actions: Vec<ActionFactRow>,
}

/// One recorded KPI figure.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct KpiResultRow {
    pub period: String,
    pub code: String,
    /// The definition version that produced it.
    pub version: u64,
    /// `network`, `site:<code>` or `product:<code>`.
    pub scope: String,
    pub numerator: String,
    pub denominator: String,
    /// Empty when the denominator was zero.
    pub value: Option<String>,
    /// Which recording of the period it belongs to (1 = first).
    pub recording: u64,
}

impl Store {
    /// The newest ledger sequence number (0 for an empty ledger).
    pub async fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query("SELECT COALESCE(MAX(seq), 0) FROM ledger", &[])?
                .first()
                .map_or(Ok(0), |r| r.uint(0))
        })
        .await
    }

    /// Every batch, exception and action as the KPI formulas read them, read in one
    /// transaction so that they agree with each other and with `seq`.
    pub async fn kpi_facts(&self) -> Result<FactRows, StoreError> {
        self.read(|conn| {
            // One snapshot for the three reads.
            conn.batch(match conn.dialect() {
                crate::conn::Dialect::Sqlite => "BEGIN",
                crate::conn::Dialect::Postgres => {
                    "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                }
            })?;
            let result = (|| {
                let seq = conn
                    .query("SELECT COALESCE(MAX(seq), 0) FROM ledger", &[])?
                    .first()
                    .map_or(Ok(0), |r| r.uint(0))?;
                let batches = conn
                    .query(
                        "SELECT b.id, b.site, b.product, b.planned_production_start,
                                b.actual_production_start, b.actual_production_complete,
                                b.actual_record_review_complete, b.actual_disposition,
                                b.disposition, b.committed_date, b.committed_quantity,
                                b.delivered_date, b.delivered_quantity,
                                COALESCE(x.n, 0)
                         FROM batches b LEFT JOIN (
                             SELECT eb.batch, COUNT(*) AS n FROM exception_batches eb
                             JOIN exceptions e ON e.number = eb.number
                             WHERE e.status <> 'cancelled' GROUP BY eb.batch) x
                           ON x.batch = b.id",
                        &[],
                    )?
                    .iter()
                    .map(|r| {
                        Ok(BatchFactRow {
                            id: r.text(0)?,
                            site: r.text(1)?,
                            product: r.text(2)?,
                            planned_start: r.opt_text(3)?,
                            started: r.opt_text(4)?,
                            completed: r.opt_text(5)?,
                            reviewed: r.opt_text(6)?,
                            dispositioned: r.opt_text(7)?,
                            disposition: r.opt_text(8)?,
                            committed_on: r.opt_text(9)?,
                            committed_quantity: r.opt_text(10)?,
                            delivered_on: r.opt_text(11)?,
                            delivered_quantity: r.opt_text(12)?,
                            exceptions: r.uint(13)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                let exceptions = conn
                    .query(
                        "SELECT number, site, product, discovered, due, closed_on, status FROM exceptions",
                        &[],
                    )?
                    .iter()
                    .map(|r| {
                        Ok(ExceptionFactRow {
                            number: r.text(0)?,
                            site: r.text(1)?,
                            product: r.opt_text(2)?,
                            discovered: r.text(3)?,
                            due: r.text(4)?,
                            closed_on: r.opt_text(5)?,
                            status: r.text(6)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                let actions = conn
                    .query("SELECT number, kind, site, due, closed_on, status FROM actions", &[])?
                    .iter()
                    .map(|r| {
                        Ok(ActionFactRow {
                            number: r.text(0)?,
                            kind: r.text(1)?,
                            site: r.opt_text(2)?,
                            due: r.text(3)?,
                            closed_on: r.opt_text(4)?,
                            status: r.text(5)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                Ok(FactRows {
                    seq,
                    batches,
                    exceptions,
                    actions,
                })
            })();
            let _ = conn.batch("COMMIT");
            result
        })
        .await
    }

    /// The recorded figures of a period, every recording, oldest first.
    pub async fn kpi_results(&self, period: &str) -> Result<Vec<KpiResultRow>, StoreError> {
        let period = period.to_owned();
        self.read(move |conn| {
            conn.query(
                "SELECT period, code, version, scope, numerator, denominator, value, recording
                 FROM kpi_results WHERE period = $1 ORDER BY recording, code, scope",
                &[Value::Text(period)],
            )?
            .iter()
            .map(|r| {
                Ok(KpiResultRow {
                    period: r.text(0)?,
                    code: r.text(1)?,
                    version: r.uint(2)?,
                    scope: r.text(3)?,
                    numerator: r.text(4)?,
                    denominator: r.text(5)?,
                    value: r.opt_text(6)?,
                    recording: r.uint(7)?,
                })
            })
            .collect()
        })
        .await
    }
}
