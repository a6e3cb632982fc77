//! Exceptions as the read tables hold them.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;

use super::batches::{in_list, where_clause};
use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

/// One exception as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExceptionRow {
    pub number: String,
    pub site: String,
    pub product: Option<String>,
    pub title: String,
    /// minor, major or critical.
    pub classification: String,
    pub category: String,
    /// open, under_investigation, pending_approval, closed or cancelled.
    pub status: String,
    pub occurred: String,
    pub discovered: String,
    pub due: String,
    pub closed_on: Option<String>,
    pub root_cause_category: Option<String>,
    /// vpt, cmo_report or execution.
    pub origin: String,
    pub origin_batch: Option<String>,
    pub extension_pending: bool,
    pub version: u64,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

/// Which exceptions a list asks for.
#[derive(Clone, Debug, Default)]
pub struct ExceptionFilter {
    /// Only these sites (the viewer's scope); `None` for every site.
    pub scope: Option<Vec<String>>,
    pub site: Option<String>,
    pub status: Option<String>,
    pub classification: Option<String>,
    /// Only exceptions still open on this day whose due date has passed.
    pub overdue_on: Option<String>,
    /// Only exceptions that concern this batch.
    pub batch: Option<String>,
    pub limit: u64,
}

const COLUMNS: &str = "number, site, product, title, classification, category, status, occurred, \
     discovered, due, closed_on, root_cause_category, origin, origin_batch, extension_pending, \
     version, updated_at";

fn row(r: &Row) -> Result<ExceptionRow, StoreError> {
    Ok(ExceptionRow {
        number: r.text(0)?,
        site: r.text(1)?,
        product: r.opt_text(2)?,
        title: r.text(3)?,
        classification: r.text(4)?,
        category: r.text(5)?,
        status: r.text(6)?,
        occurred: r.text(7)?,
        discovered: r.text(8)?,
        due: r.text(9)?,
        closed_on: r.opt_text(10)?,
        root_cause_category: r.opt_text(11)?,
        origin: r.text(12)?,
        origin_batch: r.opt_text(13)?,
        extension_pending: r.bool(14)?,
        version: r.uint(15)?,
        updated_at: Timestamp::from_micros(r.int(16)?),
    })
}

impl Store {
    pub async fn exception(&self, number: &str) -> Result<Option<ExceptionRow>, StoreError> {
        let number = number.to_uppercase();
        self.read(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM exceptions WHERE number = $1");
            conn.query(&sql, &[Value::Text(number)])?
                .first()
                .map(row)
                .transpose()
        })
        .await
    }

    /// Exceptions in the filter, most recently discovered first.
    pub async fn exceptions(
        &self,
        filter: ExceptionFilter,
    ) -> Result<Vec<ExceptionRow>, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let mut conds = Vec::new();
            if let Some(sites) = &filter.scope {
                conds.push(in_list("site", sites, &mut params));
            }
            for (column, value) in [
                ("site", filter.site.as_ref().map(|s| s.to_uppercase())),
                ("status", filter.status.clone()),
                ("classification", filter.classification.clone()),
            ] {
                if let Some(v) = value {
                    params.push(Value::Text(v));
                    conds.push(format!("{column} = ${}", params.len()));
                }
            }
            if let Some(day) = &filter.overdue_on {
                params.push(Value::Text(day.clone()));
                conds.push(format!(
                    "status NOT IN ('closed', 'cancelled') AND due < ${}",
                    params.len()
                ));
            }
            if let Some(batch) = &filter.batch {
                params.push(Value::Text(batch.clone()));
                conds.push(format!(
                    "number IN (SELECT number FROM exception_batches WHERE batch = ${})",
                    params.len()
                ));
            }
            let filter_sql = where_clause(&conds);
            params.push(Value::from(filter.limit.max(1)));
            let sql = format!(
                "SELECT {COLUMNS} FROM exceptions {filter_sql}
                 ORDER BY discovered DESC, number DESC LIMIT ${}",
                params.len()
            );
            conn.query(&sql, &params)?.iter().map(row).collect()
        })
        .await
    }

    /// How many exceptions at `scope`'s sites (all when `None`) are neither closed nor
    /// cancelled.
    pub async fn open_exception_count(
        &self,
        scope: Option<Vec<String>>,
    ) -> Result<u64, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let mut conds = vec!["status NOT IN ('closed', 'cancelled')".to_owned()];
            if let Some(sites) = &scope {
                conds.push(in_list("site", sites, &mut params));
            }
            let sql = format!("SELECT COUNT(*) FROM exceptions {}", where_clause(&conds));
            conn.query(&sql, &params)?
                .first()
                .map_or(Ok(0), |r| r.uint(0))
        })
        .await
    }

    /// The batches an exception concerns.
    pub async fn exception_batches(&self, number: &str) -> Result<Vec<String>, StoreError> {
        let number = number.to_uppercase();
        self.read(move |conn| {
            conn.query(
                "SELECT batch FROM exception_batches WHERE number = $1 ORDER BY batch",
                &[Value::Text(number)],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
        })
        .await
    }

    /// Other exceptions at `site` with the same root-cause category discovered from
    /// `since` to `until` (inclusive): what makes an exception a recurrence.
    pub async fn recurrences(
        &self,
        number: &str,
        site: &str,
        root_cause_category: &str,
        since: &str,
        until: &str,
    ) -> Result<Vec<String>, StoreError> {
        let params = vec![
            Value::Text(number.to_owned()),
            Value::Text(site.to_owned()),
            Value::Text(root_cause_category.to_owned()),
            Value::Text(since.to_owned()),
            Value::Text(until.to_owned()),
        ];
        self.read(move |conn| {
            conn.query(
                "SELECT number FROM exceptions
                 WHERE number <> $1 AND site = $2 AND root_cause_category = $3
                   AND discovered >= $4 AND discovered <= $5 AND status <> 'cancelled'
                 ORDER BY discovered, number",
                &params,
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
        })
        .await
    }
}
