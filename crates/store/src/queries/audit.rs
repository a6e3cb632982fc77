//! The audit trail across every record: ledger events filtered by who acted, which kind
//! of record changed and when, newest first, a page at a time.

use std::fmt::Write;

use vplant_domain::Timestamp;
use vplant_domain::projection::Value;
use vplant_ledger::LedgerEvent;

use crate::Store;
use crate::conn::{LEDGER_COLUMNS, event_from_row};
use crate::error::StoreError;

/// Events per page when the filter does not say.
pub const DEFAULT_LIMIT: u32 = 100;
/// The largest page a filter may ask for; larger limits are cut to it so that one
/// request cannot hold a read connection for the whole ledger.
pub const MAX_LIMIT: u32 = 1000;

/// Which ledger events to list. Every field left empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only events recorded by this actor (exact match).
    pub actor: Option<String>,
    /// Only events of streams with this prefix, e.g. `site` for `site/BSL`; see
    /// `vplant_domain::history::RECORD_TYPES`.
    pub record_type: Option<String>,
    /// Only events recorded at or after this instant.
    pub from: Option<Timestamp>,
    /// Only events recorded before this instant.
    pub to: Option<Timestamp>,
    /// Only events older than this sequence number: the `seq` of the last event of the
    /// previous page, to fetch the next one.
    pub before_seq: Option<u64>,
    /// Events per page: 0 means [`DEFAULT_LIMIT`], anything above [`MAX_LIMIT`] is
    /// cut to it.
    pub limit: u32,
}

impl AuditFilter {
    /// The number of events a page holds at most.
    pub fn page_size(&self) -> u32 {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        }
    }

    /// The query and its parameters. The SQL is put together only from the fixed
    /// fragments below; every value the caller chose is a bound parameter.
    fn query(&self) -> (String, Vec<Value>) {
        let mut query = Query {
            sql: format!("SELECT {LEDGER_COLUMNS} FROM ledger"),
            params: Vec::new(),
        };
        if let Some(actor) = &self.actor {
            query.and("actor =", actor.as_str().into());
        }
        if let Some(prefix) = &self.record_type {
            // A range over the stream id instead of `LIKE 'site/%'` lets both databases
            // use the `(stream_id, stream_version)` index, and it cannot match a
            // neighbour such as `sitex/…`: every id of the type starts with `site/`,
            // and `0` is the character right after `/`. It relies on the column
            // comparing `/` before `0`, as SQLite's BINARY and PostgreSQL's C and ICU
            // collations do.
            query.and("stream_id >=", format!("{prefix}/").into());
            query.and("stream_id <", format!("{prefix}0").into());
        }
        if let Some(from) = self.from {
            query.and("recorded_at >=", from.as_micros().into());
        }
        if let Some(to) = self.to {
            query.and("recorded_at <", to.as_micros().into());
        }
        if let Some(before) = self.before_seq {
            query.and("seq <", before.into());
        }
        query.params.push(u64::from(self.page_size()).into());
        let _ = write!(
            query.sql,
            " ORDER BY seq DESC LIMIT ${}",
            query.params.len()
        );
        (query.sql, query.params)
    }
}

/// A query being built: conditions joined with AND, each comparing a column with the
/// next numbered parameter.
struct Query {
    sql: String,
    params: Vec<Value>,
}

impl Query {
    /// Adds `condition $n` with `value` bound as `$n`. The condition is a `'static`
    /// string so that only text written in this file can become SQL.
    fn and(&mut self, condition: &'static str, value: Value) {
        self.params.push(value);
        let joiner = if self.params.len() == 1 {
            "WHERE"
        } else {
            "AND"
        };
        // Writing to a String cannot fail.
        let _ = write!(self.sql, " {joiner} {condition} ${}", self.params.len());
    }
}

impl Store {
    /// Ledger events matching `filter`, newest first, at most one page
    /// ([`AuditFilter::page_size`]). For the next page, set `before_seq` to the `seq`
    /// of the last event returned; a page shorter than the page size is the last.
    pub async fn audit(&self, filter: AuditFilter) -> Result<Vec<LedgerEvent>, StoreError> {
        let (sql, params) = filter.query();
        self.read(move |conn| {
            conn.query(&sql, &params)?
                .iter()
                .map(event_from_row)
                .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_lists_the_newest_default_page() {
        let (sql, params) = AuditFilter::default().query();
        assert_eq!(
            sql,
            format!("SELECT {LEDGER_COLUMNS} FROM ledger ORDER BY seq DESC LIMIT $1")
        );
        assert_eq!(params, [Value::Int(100)]);
    }

    #[test]
    fn every_condition_is_a_bound_parameter() {
        let filter = AuditFilter {
            actor: Some("jdoe' OR 1=1 --".into()),
            record_type: Some("site".into()),
            from: Some(Timestamp::from_micros(10)),
            to: Some(Timestamp::from_micros(20)),
            before_seq: Some(7),
            limit: 5000,
        };
        let (sql, params) = filter.query();
        assert_eq!(
            sql,
            format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE actor = $1 AND stream_id >= $2 \
                 AND stream_id < $3 AND recorded_at >= $4 AND recorded_at < $5 AND seq < $6 \
                 ORDER BY seq DESC LIMIT $7"
            )
        );
        assert_eq!(
            params,
            [
                Value::Text("jdoe' OR 1=1 --".into()),
                Value::Text("site/".into()),
                Value::Text("site0".into()),
                Value::Int(10),
                Value::Int(20),
                Value::Int(7),
                Value::Int(1000),
            ]
        );
    }
}
