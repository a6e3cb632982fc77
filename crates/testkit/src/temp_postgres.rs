//! A throw-away PostgreSQL database, created through the admin URL in
//! `VPLANT_TEST_POSTGRES` and dropped with everything in it when the test ends.

use std::error::Error as _;
use std::io::Write as _;
use std::sync::Once;

use ring::rand::SecureRandom;

/// The variable that enables the PostgreSQL tests, e.g.
/// `VPLANT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test`.
pub const ADMIN_URL_VAR: &str = "VPLANT_TEST_POSTGRES";

static SKIP_NOTICE: Once = Once::new();

/// A fresh, empty database `vplant_t_<random hex>` on the test server.
pub struct TempPostgres {
    /// URL of the new database, for [`vplant_store::Location::Postgres`].
    pub url: String,
    /// The database's name.
    pub name: String,
    admin_url: String,
}

/// A fresh database when `VPLANT_TEST_POSTGRES` is set; `None` (with a notice on
/// stderr, once) when it is not.
///
/// # Panics
///
/// When the variable is set but the server cannot be reached or refuses to create a
/// database: CI sets it to run these tests, so they must fail there, never skip.
pub fn postgres() -> Option<TempPostgres> {
    let Some(admin_url) = std::env::var(ADMIN_URL_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        SKIP_NOTICE.call_once(|| {
            // Straight to the process's stderr: the test harness captures `eprintln!`
            // of passing tests, and this notice is for whoever runs the suite.
            let _ = writeln!(
                std::io::stderr(),
                "PostgreSQL tests skipped: set {ADMIN_URL_VAR}=postgres://… to run them"
            );
        });
        return None;
    };
    Some(TempPostgres::create(&admin_url))
}

impl TempPostgres {
    /// Creates the database through `admin_url` (a role allowed to `CREATE DATABASE`).
    pub fn create(admin_url: &str) -> TempPostgres {
        let mut random = [0u8; 8];
        ring::rand::SystemRandom::new()
            .fill(&mut random)
            .expect("system random number generator");
        let name = format!("vplant_t_{}", hex::encode(random));
        let mut admin = connect(admin_url);
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| {
                panic!(
                    "{ADMIN_URL_VAR} is set, but creating a test database on {} failed: {}. \
                     The role needs the CREATEDB privilege.",
                    vplant_store::redact(admin_url),
                    describe(&e)
                )
            });
        TempPostgres {
            url: with_database(admin_url, &name),
            name,
            admin_url: admin_url.to_owned(),
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        // FORCE ends the store's pooled connections and its writer's, which may still
        // be closing when the test returns. A failure here must not hide the test's
        // own result, so it is only reported.
        let dropped =
            postgres::Client::connect(&self.admin_url, postgres::NoTls).and_then(|mut admin| {
                admin.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
            });
        if let Err(e) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

fn connect(admin_url: &str) -> postgres::Client {
    postgres::Client::connect(admin_url, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "{ADMIN_URL_VAR} is set to {}, but PostgreSQL cannot be reached: {}. \
             Start PostgreSQL, fix the URL, or unset {ADMIN_URL_VAR} to skip the PostgreSQL tests.",
            vplant_store::redact(admin_url),
            describe(&e)
        )
    })
}

/// The driver's error with its cause ("error connecting to server" alone says little).
fn describe(e: &postgres::Error) -> String {
    match e.source() {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// `admin_url` with its database name replaced by `database`, keeping any query string.
fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.find('?') {
        Some(i) => admin_url.split_at(i),
        None => (admin_url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "vplant_t_1"),
            "postgres://postgres@127.0.0.1:5432/vplant_t_1"
        );
        assert_eq!(
            with_database("postgresql://u:p@db/admin?sslmode=disable", "x"),
            "postgresql://u:p@db/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://db:5432", "x"),
            "postgres://db:5432/x"
        );
    }
}
