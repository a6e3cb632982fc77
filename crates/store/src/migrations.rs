//! Schema migrations, one ordered list per backend (`migrations/sqlite`,
//! `migrations/postgres`). Migrations are additive; see `migrations/README.md`.

use vplant_domain::projection::Value;

use crate::conn::{Conn, Dialect};
use crate::error::StoreError;

/// Applies every migration this build knows and the database lacks, in one
/// transaction under the appenders' lock, so two servers starting at once do not race.
pub fn migrate(conn: &mut dyn Conn, now_us: i64) -> Result<Vec<String>, StoreError> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )?;
    let list = match conn.dialect() {
        Dialect::Sqlite => crate::sqlite::MIGRATIONS,
        Dialect::Postgres => crate::postgres::MIGRATIONS,
    };
    conn.begin_write()?;
    let result = apply_missing(conn, list, now_us);
    match result {
        Ok(applied) => {
            conn.batch("COMMIT")?;
            Ok(applied)
        }
        Err(e) => {
            // The rollback error, if any, matters less than the migration's own error.
            let _ = conn.batch("ROLLBACK");
            Err(e)
        }
    }
}

fn apply_missing(
    conn: &mut dyn Conn,
    list: &[(i64, &str, &str)],
    now_us: i64,
) -> Result<Vec<String>, StoreError> {
    let done: Vec<i64> = conn
        .query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let newest_known = list.iter().map(|m| m.0).max().unwrap_or(0);
    if let Some(newer) = done.iter().find(|v| **v > newest_known) {
        return Err(StoreError::Database(format!(
            "the database has schema version {newer}, newer than this vplant knows ({newest_known}); upgrade vplant"
        )));
    }
    let mut applied = Vec::new();
    for (version, name, sql) in list {
        if done.contains(version) {
            continue;
        }
        conn.batch(sql).map_err(|e| {
            StoreError::Database(format!("migration {version} ({name}) failed: {e}"))
        })?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                Value::Int(*version),
                Value::Text((*name).to_owned()),
                Value::Int(now_us),
            ],
        )?;
        applied.push(format!("{version} {name}"));
    }
    Ok(applied)
}
