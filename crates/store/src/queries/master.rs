//! Sites and products as the read tables hold them.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;

use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

/// A site as shown in lists and on its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Site {
    /// Unique, never reused, e.g. `BSL`.
    pub code: String,
    pub name: String,
    /// `internal` or `cmo`.
    pub kind: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub active: bool,
    /// Stream version; send it back as `expected_version` to change the site.
    pub version: u64,
    #[schema(value_type = String, example = "2026-11-21T16:13:39.123456Z")]
    pub created_at: Timestamp,
    #[schema(value_type = String, example = "2026-11-21T16:13:39.123456Z")]
    pub updated_at: Timestamp,
}

/// A product as shown in lists and on its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Product {
    pub code: String,
    pub name: String,
    pub dosage_form: String,
    pub strength: String,
    pub active: bool,
    pub version: u64,
    #[schema(value_type = String, example = "2026-11-21T16:13:39.123456Z")]
    pub created_at: Timestamp,
    #[schema(value_type = String, example = "2026-11-21T16:13:39.123456Z")]
    pub updated_at: Timestamp,
}

fn site(r: &Row) -> Result<Site, StoreError> {
    Ok(Site {
        code: r.text(0)?,
        name: r.text(1)?,
        kind: r.text(2)?,
        country: r.text(3)?,
        active: r.bool(4)?,
        version: r.uint(5)?,
        created_at: Timestamp::from_micros(r.int(6)?),
        updated_at: Timestamp::from_micros(r.int(7)?),
    })
}

fn product(r: &Row) -> Result<Product, StoreError> {
    Ok(Product {
        code: r.text(0)?,
        name: r.text(1)?,
        dosage_form: r.text(2)?,
        strength: r.text(3)?,
        active: r.bool(4)?,
        version: r.uint(5)?,
        created_at: Timestamp::from_micros(r.int(6)?),
        updated_at: Timestamp::from_micros(r.int(7)?),
    })
}

const SITE_COLUMNS: &str = "code, name, kind, country, active, version, created_at, updated_at";
const PRODUCT_COLUMNS: &str =
    "code, name, dosage_form, strength, active, version, created_at, updated_at";

impl Store {
    /// Sites ordered by code; inactive ones only when asked for.
    pub async fn sites(&self, include_inactive: bool) -> Result<Vec<Site>, StoreError> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SITE_COLUMNS} FROM sites WHERE active = $1 OR $2 = 1 ORDER BY code"
            );
            conn.query(
                &sql,
                &[Value::Bool(true), Value::Int(i64::from(include_inactive))],
            )?
            .iter()
            .map(site)
            .collect()
        })
        .await
    }

    pub async fn site(&self, code: &str) -> Result<Option<Site>, StoreError> {
        let code = code.to_uppercase();
        self.read(move |conn| {
            let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE code = $1");
            conn.query(&sql, &[Value::Text(code)])?
                .first()
                .map(site)
                .transpose()
        })
        .await
    }

    pub async fn products(&self, include_inactive: bool) -> Result<Vec<Product>, StoreError> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {PRODUCT_COLUMNS} FROM products WHERE active = $1 OR $2 = 1 ORDER BY code"
            );
            conn.query(
                &sql,
                &[Value::Bool(true), Value::Int(i64::from(include_inactive))],
            )?
            .iter()
            .map(product)
            .collect()
        })
        .await
    }

    pub async fn product(&self, code: &str) -> Result<Option<Product>, StoreError> {
        let code = code.to_uppercase();
        self.read(move |conn| {
            let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE code = $1");
            conn.query(&sql, &[Value::Text(code)])?
                .first()
                .map(product)
                .transpose()
        })
        .await
    }

    /// Counts of what the read tables hold, for the home page.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        self.read(|conn| {
            let rows = conn.query(
                "SELECT (SELECT COUNT(*) FROM sites), (SELECT COUNT(*) FROM products),
                        (SELECT COALESCE(MAX(seq), 0) FROM ledger),
                        (SELECT COALESCE(MAX(seq), 0) FROM checkpoints)",
                &[],
            )?;
            let r = rows
                .first()
                .ok_or_else(|| StoreError::Corrupt("count query returned nothing".into()))?;
            Ok(Counts {
                sites: r.uint(0)?,
                products: r.uint(1)?,
                events: r.uint(2)?,
                sealed_to: r.uint(3)?,
            })
        })
        .await
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Counts {
    pub sites: u64,
    pub products: u64,
    /// Events in the ledger.
    pub events: u64,
    /// Sequence number up to which a signed checkpoint seals the ledger.
    pub sealed_to: u64,
}
