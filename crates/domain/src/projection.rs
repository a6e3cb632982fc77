//! How events become rows of the read tables.
//!
//! A projection is a pure function from one recorded event to a list of row
//! operations. The store executes them in the same transaction that appends the event,
//! and `vplant rebuild` replays the whole ledger through the same function, which is
//! why the read tables can always be thrown away and rebuilt exactly.

use crate::event::Event;
pub(crate) use crate::identity::projection::update;
use crate::time::Timestamp;

/// A column value, in the few types both SQLite and PostgreSQL agree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

/// Sequence numbers and versions are `u64` in Rust and `BIGINT` in the database;
/// values past `i64::MAX` cannot occur (they would take millennia to reach) and
/// saturate rather than wrap.
impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

/// One change to a read table. Table and column names are compile-time constants,
/// never input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOp {
    Insert {
        table: &'static str,
        values: Vec<(&'static str, Value)>,
    },
    /// Updates exactly one row; the store treats zero matching rows as corruption.
    Update {
        table: &'static str,
        key: (&'static str, Value),
        set: Vec<(&'static str, Value)>,
    },
}

/// Where and when an event was recorded, as the projection needs it.
#[derive(Clone, Copy, Debug)]
pub struct Recorded<'a> {
    /// The event's position in the ledger.
    pub seq: u64,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub at: Timestamp,
}

impl Recorded<'_> {
    /// The record's id: the part of the stream id after the first `/`.
    pub(crate) fn id(&self) -> &str {
        self.stream_id
            .split_once('/')
            .map_or(self.stream_id, |(_, id)| id)
    }

    fn version(&self) -> Value {
        self.stream_version.into()
    }
}

/// The read tables that projections own, in the order `rebuild` clears them.
pub const READ_TABLES: &[&str] = &[
    "sites",
    "products",
    "users",
    "sessions",
    "api_tokens",
    "signatures",
    "materials",
    "lots",
    "batches",
    "batch_results",
    "batch_series",
    "genealogy",
    "exceptions",
    "exception_batches",
    "actions",
    "kpi_results",
    "mbrs",
    "ebrs",
    "equipment",
];

/// The read table (and its key column) that holds a signable record type, whose
/// version a signature advances.
fn signed_table(stream_id: &str) -> Option<(&'static str, &'static str)> {
    match stream_id.split_once('/')?.0 {
        "site" => Some(("sites", "code")),
        "product" => Some(("products", "code")),
        "user" => Some(("users", "username")),
        "material" => Some(("materials", "code")),
        "lot" => Some(("lots", "id")),
        "batch" => Some(("batches", "id")),
        "exception" => Some(("exceptions", "number")),
        "action" => Some(("actions", "number")),
        "mbr" => Some(("mbrs", "id")),
        "ebr" => Some(("ebrs", "id")),
        _ => None,
    }
}

/// The row operations for one event.
pub fn project(recorded: Recorded<'_>, event: &Event) -> Vec<RowOp> {
    let at = Value::Int(recorded.at.as_micros());
    match event {
        Event::SiteRegistered(e) => vec![RowOp::Insert {
            table: "sites",
            values: vec![
                ("code", e.code.as_str().into()),
                ("name", e.name.as_str().into()),
                ("kind", e.kind.as_str().into()),
                ("country", e.country.as_str().into()),
                ("active", true.into()),
                ("version", recorded.version()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::ProductRegistered(e) => vec![RowOp::Insert {
            table: "products",
            values: vec![
                ("code", e.code.as_str().into()),
                ("name", e.name.as_str().into()),
                ("dosage_form", e.dosage_form.as_str().into()),
                ("strength", e.strength.as_str().into()),
                ("active", true.into()),
                ("version", recorded.version()),
                ("created_at", at.clone()),
                ("updated_at", at),
            ],
        }],
        Event::SiteRenamed(r) => touch("sites", recorded, ("name", r.to.as_str().into())),
        Event::SiteDeactivated(_) => touch("sites", recorded, ("active", false.into())),
        Event::SiteReactivated(_) => touch("sites", recorded, ("active", true.into())),
        Event::ProductRenamed(r) => touch("products", recorded, ("name", r.to.as_str().into())),
        Event::ProductDeactivated(_) => touch("products", recorded, ("active", false.into())),
        Event::ProductReactivated(_) => touch("products", recorded, ("active", true.into())),
        Event::RecordSigned(e) => {
            let mut ops = vec![RowOp::Insert {
                table: "signatures",
                values: vec![
                    ("stream_id", recorded.stream_id.into()),
                    ("stream_version", recorded.version()),
                    ("signer", e.signer.as_str().into()),
                    ("printed_name", e.printed_name.as_str().into()),
                    ("meaning", e.meaning.as_str().into()),
                    ("signed_at", at),
                    ("record_version", e.record_version.into()),
                    ("record_hash", e.record_hash.as_str().into()),
                    (
                        "subject",
                        e.subject.as_deref().map_or(Value::Null, Value::from),
                    ),
                ],
            }];
            if let Some((table, key)) = signed_table(recorded.stream_id) {
                ops.extend(update(table, key, recorded, Vec::new()));
            }
            ops
        }
        other => crate::material::rows(recorded, other)
            .or_else(|| crate::lot::rows(recorded, other))
            .or_else(|| crate::batch::projection::rows(recorded, other))
            .or_else(|| crate::exception::projection::rows(recorded, other))
            .or_else(|| crate::action::projection::rows(recorded, other))
            .or_else(|| crate::kpi::recorded::rows(recorded, other))
            .or_else(|| crate::mbr::projection::rows(recorded, other))
            .or_else(|| crate::ebr::projection::rows(recorded, other))
            .or_else(|| crate::equipment::rows(recorded, other))
            .unwrap_or_else(|| crate::identity::projection::rows(recorded, other)),
    }
}

/// Sets one column of a master-data row and advances its version and update time.
fn touch(table: &'static str, recorded: Recorded<'_>, change: (&'static str, Value)) -> Vec<RowOp> {
    update(table, "code", recorded, vec![change])
}
