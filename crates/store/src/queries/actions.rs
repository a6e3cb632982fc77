//! Actions as the read tables hold them.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;

use super::batches::{in_list, where_clause};
use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActionRow {
    pub number: String,
    /// capa, correction, meeting_action, risk_mitigation, crisis_task, project_task, other.
    pub kind: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    /// open, in_progress, done, effective or cancelled.
    pub status: String,
    pub site: Option<String>,
    pub source_kind: Option<String>,
    pub source_id: Option<String>,
    pub closed_on: Option<String>,
    pub effectiveness_due: Option<String>,
    /// effective or ineffective, once checked.
    pub effectiveness_result: Option<String>,
    pub version: u64,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, Default)]
pub struct ActionFilter {
    /// Only actions at these sites (the viewer's scope); `None` for all actions.
    pub scope: Option<Vec<String>>,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Only actions still open on this day whose due date has passed.
    pub overdue_on: Option<String>,
    /// Only actions following up this record, e.g. (`exception`, `EX-2026-0042`).
    pub source: Option<(String, String)>,
    pub limit: u64,
}

const COLUMNS: &str = "number, kind, title, owner, due, status, site, source_kind, source_id, \
     closed_on, effectiveness_due, effectiveness_result, version, updated_at";

fn row(r: &Row) -> Result<ActionRow, StoreError> {
    Ok(ActionRow {
        number: r.text(0)?,
        kind: r.text(1)?,
        title: r.text(2)?,
        owner: r.text(3)?,
        due: r.text(4)?,
        status: r.text(5)?,
        site: r.opt_text(6)?,
        source_kind: r.opt_text(7)?,
        source_id: r.opt_text(8)?,
        closed_on: r.opt_text(9)?,
        effectiveness_due: r.opt_text(10)?,
        effectiveness_result: r.opt_text(11)?,
        version: r.uint(12)?,
        updated_at: Timestamp::from_micros(r.int(13)?),
    })
}

impl Store {
    pub async fn action(&self, number: &str) -> Result<Option<ActionRow>, StoreError> {
        let number = number.to_uppercase();
        self.read(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM actions WHERE number = $1");
            conn.query(&sql, &[Value::Text(number)])?
                .first()
                .map(row)
                .transpose()
        })
        .await
    }

    /// Actions in the filter, soonest due first.
    pub async fn actions(&self, filter: ActionFilter) -> Result<Vec<ActionRow>, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let mut conds = Vec::new();
            if let Some(sites) = &filter.scope {
                conds.push(in_list("site", sites, &mut params));
            }
            for (column, value) in [
                ("owner", filter.owner.clone()),
                ("status", filter.status.clone()),
                ("kind", filter.kind.clone()),
            ] {
                if let Some(v) = value {
                    params.push(Value::Text(v));
                    conds.push(format!("{column} = ${}", params.len()));
                }
            }
            if let Some(day) = &filter.overdue_on {
                params.push(Value::Text(day.clone()));
                conds.push(format!(
                    "status IN ('open', 'in_progress') AND due < ${}",
                    params.len()
                ));
            }
            if let Some((kind, id)) = &filter.source {
                params.push(Value::Text(kind.clone()));
                params.push(Value::Text(id.clone()));
                conds.push(format!(
                    "source_kind = ${} AND source_id = ${}",
                    params.len() - 1,
                    params.len()
                ));
            }
            let filter_sql = where_clause(&conds);
            params.push(Value::from(filter.limit.max(1)));
            let sql = format!(
                "SELECT {COLUMNS} FROM actions {filter_sql} ORDER BY due, number LIMIT ${}",
                params.len()
            );
            conn.query(&sql, &params)?.iter().map(row).collect()
        })
        .await
    }
}
