//! The rows the KPI formulas read, in one pass per table, and the KPI results that
//! were recorded for a period.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::projection::Value;

use super::batches::in_list;
use crate::Store;
use crate::conn::{Conn, Row};
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

const BATCH_SQL: &str = "SELECT b.id, b.site, b.product, b.planned_production_start,
        b.actual_production_start, b.actual_production_complete,
        b.actual_record_review_complete, b.actual_disposition, b.disposition,
        b.committed_date, b.committed_quantity, b.delivered_date, b.delivered_quantity,
        (SELECT COUNT(*) FROM exception_batches eb JOIN exceptions e ON e.number = eb.number
          WHERE eb.batch = b.id AND e.status <> 'cancelled')
     FROM batches b";

/// Batches as the formulas read them: all, or those in `ids`.
fn batches(conn: &mut dyn Conn, ids: Option<&[String]>) -> Result<Vec<BatchFactRow>, StoreError> {
    select(conn, BATCH_SQL, "b.id", ids, |r| {
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
}

fn exceptions(
    conn: &mut dyn Conn,
    ids: Option<&[String]>,
) -> Result<Vec<ExceptionFactRow>, StoreError> {
    select(
        conn,
        "SELECT number, site, product, discovered, due, closed_on, status FROM exceptions",
        "number",
        ids,
        |r| {
            Ok(ExceptionFactRow {
                number: r.text(0)?,
                site: r.text(1)?,
                product: r.opt_text(2)?,
                discovered: r.text(3)?,
                due: r.text(4)?,
                closed_on: r.opt_text(5)?,
                status: r.text(6)?,
            })
        },
    )
}

fn actions(conn: &mut dyn Conn, ids: Option<&[String]>) -> Result<Vec<ActionFactRow>, StoreError> {
    select(
        conn,
        "SELECT number, kind, site, due, closed_on, status FROM actions",
        "number",
        ids,
        |r| {
            Ok(ActionFactRow {
                number: r.text(0)?,
                kind: r.text(1)?,
                site: r.opt_text(2)?,
                due: r.text(3)?,
                closed_on: r.opt_text(4)?,
                status: r.text(5)?,
            })
        },
    )
}

/// Runs `sql` for every row, or for the rows whose `key` is in `ids` (in chunks).
fn select<T>(
    conn: &mut dyn Conn,
    sql: &str,
    key: &str,
    ids: Option<&[String]>,
    row: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let Some(ids) = ids else {
        return conn.query(sql, &[])?.iter().map(&row).collect();
    };
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut params = Vec::new();
        let cond = in_list(key, chunk, &mut params);
        for r in conn.query(&format!("{sql} WHERE {cond}"), &params)? {
            out.push(row(&r)?);
        }
    }
    Ok(out)
}

fn max_seq(conn: &mut dyn Conn) -> Result<u64, StoreError> {
    conn.query("SELECT COALESCE(MAX(seq), 0) FROM ledger", &[])?
        .first()
        .map_or(Ok(0), |r| r.uint(0))
}

/// Runs `f` in one read snapshot.
fn snapshot<T>(
    conn: &mut dyn Conn,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.batch(match conn.dialect() {
        crate::conn::Dialect::Sqlite => "BEGIN",
        crate::conn::Dialect::Postgres => {
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    })?;
    let result = f(conn);
    let _ = conn.batch("COMMIT");
    result
}

/// The records the KPI formulas read that changed after a ledger position.
#[derive(Clone, Debug, Default)]
pub struct FactChanges {
    /// The newest sequence number the changes were read up to.
    pub seq: u64,
    /// Batch ids, exception numbers and action numbers appended to since.
    pub batches: Vec<String>,
    pub exceptions: Vec<String>,
    pub actions: Vec<String>,
}

impl Store {
    /// The newest ledger sequence number (0 for an empty ledger).
    pub async fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(max_seq).await
    }

    /// Every batch, exception and action as the KPI formulas read them, read in one
    /// snapshot so that they agree with each other and with `seq`.
    pub async fn kpi_facts(&self) -> Result<FactRows, StoreError> {
        self.read(|conn| {
            snapshot(conn, |conn| {
                Ok(FactRows {
                    seq: max_seq(conn)?,
                    batches: batches(conn, None)?,
                    exceptions: exceptions(conn, None)?,
                    actions: actions(conn, None)?,
                })
            })
        })
        .await
    }

    /// Which batches, exceptions and actions were appended to after `seq` (up to
    /// `limit` events; `None` when there were more, and reading everything again is
    /// cheaper).
    pub async fn kpi_changes_since(
        &self,
        seq: u64,
        limit: u64,
    ) -> Result<Option<FactChanges>, StoreError> {
        self.read(move |conn| {
            let rows = conn.query(
                "SELECT seq, stream_id FROM ledger WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[Value::from(seq), Value::from(limit + 1)],
            )?;
            if rows.len() as u64 > limit {
                return Ok(None);
            }
            let mut changes = FactChanges {
                seq,
                ..FactChanges::default()
            };
            for r in &rows {
                changes.seq = changes.seq.max(r.uint(0)?);
                let stream = r.text(1)?;
                let Some((kind, id)) = stream.split_once('/') else {
                    continue;
                };
                let list = match kind {
                    "batch" => &mut changes.batches,
                    "exception" => &mut changes.exceptions,
                    "action" => &mut changes.actions,
                    _ => continue,
                };
                if !list.iter().any(|x| x == id) {
                    list.push(id.to_owned());
                }
            }
            Ok(Some(changes))
        })
        .await
    }

    /// The rows of some records (and, for exceptions, of the batches they concern,
    /// whose exception counts they change), in one snapshot.
    pub async fn kpi_facts_of(&self, changes: FactChanges) -> Result<FactRows, StoreError> {
        self.read(move |conn| {
            snapshot(conn, |conn| {
                let mut batch_ids = changes.batches.clone();
                for chunk in changes.exceptions.chunks(500) {
                    let mut params = Vec::new();
                    let cond = in_list("number", chunk, &mut params);
                    for r in conn.query(
                        &format!("SELECT batch FROM exception_batches WHERE {cond}"),
                        &params,
                    )? {
                        let b = r.text(0)?;
                        if !batch_ids.contains(&b) {
                            batch_ids.push(b);
                        }
                    }
                }
                Ok(FactRows {
                    seq: changes.seq,
                    batches: batches(conn, Some(&batch_ids))?,
                    exceptions: exceptions(conn, Some(&changes.exceptions))?,
                    actions: actions(conn, Some(&changes.actions))?,
                })
            })
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
