//! Reading and writing the checkpoints table.

use vplant_domain::projection::Value;
use vplant_ledger::{Checkpoint, Hash, UnsignedCheckpoint};

use crate::conn::{Conn, Row};
use crate::error::StoreError;

const COLUMNS: &str = "seq, first_seq, range_root, prev, created_at, key_id, signature";

fn from_row(row: &Row) -> Result<Checkpoint, StoreError> {
    let hash = |i: usize| {
        Hash::from_slice(&row.bytes(i)?)
            .ok_or_else(|| StoreError::Corrupt(format!("checkpoint column {i} is not 32 bytes")))
    };
    Ok(Checkpoint {
        statement: UnsignedCheckpoint {
            seq: row.uint(0)?,
            first_seq: row.uint(1)?,
            range_root: hash(2)?,
            prev: hash(3)?,
            created_at_us: row.int(4)?,
            key_id: row.text(5)?,
        },
        signature: row.bytes(6)?,
    })
}

pub fn latest(conn: &mut dyn Conn) -> Result<Option<Checkpoint>, StoreError> {
    let rows = conn.query(
        &format!("SELECT {COLUMNS} FROM checkpoints ORDER BY seq DESC LIMIT 1"),
        &[],
    )?;
    rows.first().map(from_row).transpose()
}

pub fn all(conn: &mut dyn Conn) -> Result<Vec<Checkpoint>, StoreError> {
    conn.query(
        &format!("SELECT {COLUMNS} FROM checkpoints ORDER BY seq"),
        &[],
    )?
    .iter()
    .map(from_row)
    .collect()
}

pub fn insert(conn: &mut dyn Conn, c: &Checkpoint) -> Result<(), StoreError> {
    let s = &c.statement;
    conn.execute(
        &format!("INSERT INTO checkpoints ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
        &[
            Value::from(s.seq),
            Value::from(s.first_seq),
            Value::Bytes(s.range_root.0.to_vec()),
            Value::Bytes(s.prev.0.to_vec()),
            Value::Int(s.created_at_us),
            Value::Text(s.key_id.clone()),
            Value::Bytes(c.signature.clone()),
        ],
    )?;
    Ok(())
}

/// Event hashes of `first..=last`, the leaves of a checkpoint's Merkle tree.
pub fn leaf_hashes(conn: &mut dyn Conn, first: u64, last: u64) -> Result<Vec<Hash>, StoreError> {
    conn.query(
        "SELECT hash FROM ledger WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
        &[Value::from(first), Value::from(last)],
    )?
    .iter()
    .map(|r| {
        Hash::from_slice(&r.bytes(0)?)
            .ok_or_else(|| StoreError::Corrupt("an event hash is not 32 bytes".to_owned()))
    })
    .collect()
}
