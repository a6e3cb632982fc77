//! Materials, lots and batches as the read tables hold them.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::batch::milestone::{Milestone, Plan};
use vplant_domain::batch::projection::milestone_column;
use vplant_domain::projection::Value;

use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Material {
    pub code: String,
    pub name: String,
    /// raw_material, api, excipient, packaging, intermediate, finished_product.
    pub kind: String,
    pub unit: String,
    pub active: bool,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Lot {
    /// `<material>/<lot number>`.
    pub id: String,
    pub material: String,
    pub lot: String,
    pub site: String,
    /// quarantine, released or rejected (a lot past its expiry date is expired
    /// whatever this says).
    pub status: String,
    pub quantity: Option<String>,
    pub unit: Option<String>,
    pub expiry: Option<String>,
    pub retest: Option<String>,
    /// The batch that yielded it, `<site>/<number>`, for a produced lot.
    pub produced_by: Option<String>,
    /// The published data set it comes from (e.g. `zagar-mihelic-2022`), if any.
    pub provenance: Option<String>,
    pub version: u64,
}

/// One row of the batch tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Batch {
    /// `<site>/<number>`.
    pub id: String,
    pub site: String,
    pub number: String,
    pub product: String,
    pub size: Option<String>,
    pub size_unit: Option<String>,
    /// `ebr` (executed on our eBR) or `cmo` (reported by a contract manufacturer).
    pub source: String,
    /// released, rejected or on_hold; absent until QA has dispositioned the batch.
    pub disposition: Option<String>,
    /// The published data set it comes from (e.g. `zagar-mihelic-2022`), if any.
    pub provenance: Option<String>,
    /// The committed delivery and what was delivered (amount, unit, date).
    pub committed_quantity: Option<String>,
    pub committed_unit: Option<String>,
    pub committed_date: Option<String>,
    pub delivered_quantity: Option<String>,
    pub delivered_unit: Option<String>,
    pub delivered_date: Option<String>,
    /// Milestone → date (`YYYY-MM-DD`, or `YYYY-MM` when only the month is known).
    pub planned: BTreeMap<String, String>,
    pub actual: BTreeMap<String, String>,
    pub version: u64,
    #[schema(value_type = String, example = "2026-11-21T16:13:39.123456Z")]
    pub updated_at: Timestamp,
}

/// The latest value of one test attached to a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BatchResult {
    pub source: String,
    pub test: String,
    pub value: String,
    /// How many values this test has had (more than one: it was changed).
    pub revisions: u64,
}

/// Which batches a tracker view asks for.
#[derive(Clone, Debug, Default)]
pub struct BatchFilter {
    /// Only these sites (the viewer's scope); `None` for every site.
    pub scope: Option<Vec<String>>,
    pub site: Option<String>,
    pub product: Option<String>,
    /// One of [`STATUSES`].
    pub status: Option<String>,
    /// `YYYY-MM`: batches whose production start (actual, else planned) is in it.
    pub month: Option<String>,
    /// One of [`SORTS`]; the latest start first when `None`.
    pub sort: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

/// Where a batch stands, derived from its milestones and disposition:
/// (stored name, label).
pub const STATUSES: &[(&str, &str)] = &[
    ("planned", "Planned"),
    ("in_production", "In production"),
    ("awaiting_disposition", "Awaiting disposition"),
    ("released", "Released"),
    ("rejected", "Rejected"),
    ("on_hold", "On hold"),
    ("shipped", "Shipped"),
];

/// The SQL that derives a batch's status (see [`STATUSES`]).
const STATUS_SQL: &str = "CASE WHEN actual_shipped IS NOT NULL THEN 'shipped'
     WHEN disposition IS NOT NULL THEN disposition
     WHEN actual_production_complete IS NOT NULL THEN 'awaiting_disposition'
     WHEN actual_production_start IS NOT NULL THEN 'in_production'
     ELSE 'planned' END";

/// The month of a batch's production start (actual, else planned), `YYYY-MM`.
const MONTH_SQL: &str =
    "SUBSTR(COALESCE(actual_production_start, planned_production_start, ''), 1, 7)";

/// How the tracker can be ordered: (name, label, ORDER BY).
pub const SORTS: &[(&str, &str, &str)] = &[
    (
        "start",
        "Latest start first",
        "COALESCE(actual_production_start, planned_production_start, '') DESC, site, LENGTH(number) DESC, number DESC",
    ),
    (
        "start_asc",
        "Earliest start first",
        "COALESCE(actual_production_start, planned_production_start, '') ASC, site, LENGTH(number), number",
    ),
    ("site", "Site, then batch", "site, LENGTH(number), number"),
    (
        "product",
        "Product, then start",
        "product, COALESCE(actual_production_start, planned_production_start, '') DESC",
    ),
    (
        "disposition",
        "Latest disposition first",
        "COALESCE(actual_disposition, '') DESC, site, number",
    ),
];

/// How the tracker can be grouped: (name, label, SQL of the group's key).
pub const GROUPS: &[(&str, &str, &str)] = &[
    ("site", "Site", "site"),
    ("product", "Product", "product"),
    ("status", "Status", STATUS_SQL),
    ("month", "Month of production start", MONTH_SQL),
];

/// One group of the tracker: its key and how many batches it holds, by status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BatchGroup {
    pub key: String,
    pub batches: u64,
    pub released: u64,
    pub rejected: u64,
    pub on_hold: u64,
    /// Not yet dispositioned.
    pub open: u64,
}

impl BatchFilter {
    /// The WHERE clause (with its parameters) of the filter.
    fn conditions(&self) -> (String, Vec<Value>) {
        let mut params = Vec::new();
        let mut conds = Vec::new();
        if let Some(sites) = &self.scope {
            conds.push(in_list("site", sites, &mut params));
        }
        if let Some(site) = &self.site {
            params.push(Value::Text(site.to_uppercase()));
            conds.push(format!("site = ${}", params.len()));
        }
        if let Some(product) = &self.product {
            params.push(Value::Text(product.to_uppercase()));
            conds.push(format!("product = ${}", params.len()));
        }
        if let Some(status) = &self.status {
            params.push(Value::Text(status.clone()));
            conds.push(format!("({STATUS_SQL}) = ${}", params.len()));
        }
        if let Some(month) = &self.month {
            params.push(Value::Text(month.clone()));
            conds.push(format!("{MONTH_SQL} = ${}", params.len()));
        }
        let sql = where_clause(&conds);
        (sql, params)
    }
}

const MATERIAL_COLUMNS: &str = "code, name, kind, unit, active, version";
const LOT_COLUMNS: &str = "id, material, lot, site, status, quantity, unit, expiry, retest, produced_by, version, provenance";

fn batch_columns() -> String {
    let mut columns = vec![
        "id",
        "site",
        "number",
        "product",
        "size",
        "size_unit",
        "source",
        "disposition",
        "version",
        "updated_at",
        "provenance",
        "committed_quantity",
        "committed_unit",
        "committed_date",
        "delivered_quantity",
        "delivered_unit",
        "delivered_date",
    ];
    for plan in [Plan::Planned, Plan::Actual] {
        for m in Milestone::ALL {
            columns.push(milestone_column(plan, m));
        }
    }
    columns.join(", ")
}

fn material(r: &Row) -> Result<Material, StoreError> {
    Ok(Material {
        code: r.text(0)?,
        name: r.text(1)?,
        kind: r.text(2)?,
        unit: r.text(3)?,
        active: r.bool(4)?,
        version: r.uint(5)?,
    })
}

fn lot(r: &Row) -> Result<Lot, StoreError> {
    Ok(Lot {
        id: r.text(0)?,
        material: r.text(1)?,
        lot: r.text(2)?,
        site: r.text(3)?,
        status: r.text(4)?,
        quantity: r.opt_text(5)?,
        unit: r.opt_text(6)?,
        expiry: r.opt_text(7)?,
        retest: r.opt_text(8)?,
        produced_by: r.opt_text(9)?,
        version: r.uint(10)?,
        provenance: r.opt_text(11)?,
    })
}

fn batch(r: &Row) -> Result<Batch, StoreError> {
    let mut planned = BTreeMap::new();
    let mut actual = BTreeMap::new();
    let mut i = 17;
    for dates in [&mut planned, &mut actual] {
        for m in Milestone::ALL {
            if let Some(date) = r.opt_text(i)? {
                dates.insert(m.as_str().to_owned(), date);
            }
            i += 1;
        }
    }
    Ok(Batch {
        id: r.text(0)?,
        site: r.text(1)?,
        number: r.text(2)?,
        product: r.text(3)?,
        size: r.opt_text(4)?,
        size_unit: r.opt_text(5)?,
        source: r.text(6)?,
        disposition: r.opt_text(7)?,
        version: r.uint(8)?,
        updated_at: Timestamp::from_micros(r.int(9)?),
        provenance: r.opt_text(10)?,
        committed_quantity: r.opt_text(11)?,
        committed_unit: r.opt_text(12)?,
        committed_date: r.opt_text(13)?,
        delivered_quantity: r.opt_text(14)?,
        delivered_unit: r.opt_text(15)?,
        delivered_date: r.opt_text(16)?,
        planned,
        actual,
    })
}

/// `WHERE a AND b …` for conditions, or nothing when there are none.
pub(crate) fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

/// `column IN ($n, …)` for a list of values, numbering placeholders after `params`.
pub(crate) fn in_list(column: &str, values: &[String], params: &mut Vec<Value>) -> String {
    if values.is_empty() {
        return "1 = 0".to_owned();
    }
    let marks: Vec<String> = values
        .iter()
        .map(|v| {
            params.push(Value::Text(v.clone()));
            format!("${}", params.len())
        })
        .collect();
    format!("{column} IN ({})", marks.join(", "))
}

impl Store {
    pub async fn materials(&self) -> Result<Vec<Material>, StoreError> {
        self.read(|conn| {
            let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials ORDER BY code");
            conn.query(&sql, &[])?.iter().map(material).collect()
        })
        .await
    }

    pub async fn material(&self, code: &str) -> Result<Option<Material>, StoreError> {
        let code = code.to_uppercase();
        self.read(move |conn| {
            let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials WHERE code = $1");
            conn.query(&sql, &[Value::Text(code)])?
                .first()
                .map(material)
                .transpose()
        })
        .await
    }

    pub async fn lot(&self, id: &str) -> Result<Option<Lot>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {LOT_COLUMNS} FROM lots WHERE id = $1");
            conn.query(&sql, &[Value::Text(id)])?
                .first()
                .map(lot)
                .transpose()
        })
        .await
    }

    /// Lots by id, for the nodes of a trace (unknown ids are left out).
    pub async fn lots_by_id(&self, ids: Vec<String>) -> Result<Vec<Lot>, StoreError> {
        self.read(move |conn| {
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                let mut params = Vec::new();
                let cond = in_list("id", chunk, &mut params);
                let sql = format!("SELECT {LOT_COLUMNS} FROM lots WHERE {cond}");
                for r in conn.query(&sql, &params)? {
                    out.push(lot(&r)?);
                }
            }
            out.sort_by(|a, b| {
                (&a.material, a.lot.len(), &a.lot).cmp(&(&b.material, b.lot.len(), &b.lot))
            });
            Ok(out)
        })
        .await
    }

    /// Lots of a material or at some sites, ordered by material and lot number.
    pub async fn lots(
        &self,
        scope: Option<Vec<String>>,
        material: Option<String>,
        limit: u64,
    ) -> Result<Vec<Lot>, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let mut conds = Vec::new();
            if let Some(sites) = &scope {
                conds.push(in_list("site", sites, &mut params));
            }
            if let Some(m) = material {
                params.push(Value::Text(m.to_uppercase()));
                conds.push(format!("material = ${}", params.len()));
            }
            let filter = where_clause(&conds);
            params.push(Value::from(limit));
            let sql = format!(
                "SELECT {LOT_COLUMNS} FROM lots {filter} ORDER BY material, lot LIMIT ${}",
                params.len()
            );
            conn.query(&sql, &params)?.iter().map(lot).collect()
        })
        .await
    }

    pub async fn batch(&self, id: &str) -> Result<Option<Batch>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {} FROM batches WHERE id = $1", batch_columns());
            conn.query(&sql, &[Value::Text(id)])?
                .first()
                .map(batch)
                .transpose()
        })
        .await
    }

    /// Batches by id, for the nodes of a trace (unknown ids are left out).
    pub async fn batches_by_id(&self, ids: Vec<String>) -> Result<Vec<Batch>, StoreError> {
        self.read(move |conn| {
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                let mut params = Vec::new();
                let cond = in_list("id", chunk, &mut params);
                let sql = format!("SELECT {} FROM batches WHERE {cond}", batch_columns());
                for r in conn.query(&sql, &params)? {
                    out.push(batch(&r)?);
                }
            }
            out.sort_by(|a, b| {
                (&a.site, a.number.len(), &a.number).cmp(&(&b.site, b.number.len(), &b.number))
            });
            Ok(out)
        })
        .await
    }

    /// The tracker: batches in the filter, in its order, and how many match.
    pub async fn batches(&self, filter: BatchFilter) -> Result<(Vec<Batch>, u64), StoreError> {
        self.read(move |conn| {
            let (filter_sql, mut params) = filter.conditions();
            let total = conn
                .query(
                    &format!("SELECT COUNT(*) FROM batches {filter_sql}"),
                    &params,
                )?
                .first()
                .map(|r| r.uint(0))
                .transpose()?
                .unwrap_or(0);
            let order = SORTS
                .iter()
                .find(|s| Some(s.0) == filter.sort.as_deref())
                .unwrap_or(&SORTS[0])
                .2;
            params.push(Value::from(filter.limit));
            params.push(Value::from(filter.offset));
            let sql = format!(
                "SELECT {} FROM batches {filter_sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
                batch_columns(),
                params.len() - 1,
                params.len()
            );
            let rows = conn
                .query(&sql, &params)?
                .iter()
                .map(batch)
                .collect::<Result<_, _>>()?;
            Ok((rows, total))
        })
        .await
    }

    /// The batches in the filter counted by `group` (one of [`GROUPS`]).
    pub async fn batch_groups(
        &self,
        filter: BatchFilter,
        group: &str,
    ) -> Result<Vec<BatchGroup>, StoreError> {
        let key = GROUPS
            .iter()
            .find(|g| g.0 == group)
            .map_or("site", |g| g.2)
            .to_owned();
        self.read(move |conn| {
            let (filter_sql, params) = filter.conditions();
            let sql = format!(
                "SELECT {key} AS k, COUNT(*),
                        SUM(CASE WHEN disposition = 'released' THEN 1 ELSE 0 END),
                        SUM(CASE WHEN disposition = 'rejected' THEN 1 ELSE 0 END),
                        SUM(CASE WHEN disposition = 'on_hold' THEN 1 ELSE 0 END),
                        SUM(CASE WHEN disposition IS NULL THEN 1 ELSE 0 END)
                 FROM batches {filter_sql} GROUP BY {key} ORDER BY {key}"
            );
            conn.query(&sql, &params)?
                .iter()
                .map(|r| {
                    Ok(BatchGroup {
                        key: r.text(0)?,
                        batches: r.uint(1)?,
                        released: r.uint(2)?,
                        rejected: r.uint(3)?,
                        on_hold: r.uint(4)?,
                        open: r.uint(5)?,
                    })
                })
                .collect()
        })
        .await
    }

    /// The published data sets (provenance keys) that batches at `sites` (of
    /// `product`, when given) come from.
    pub async fn provenance_of(
        &self,
        sites: Vec<String>,
        product: Option<String>,
    ) -> Result<Vec<String>, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let mut cond = in_list("site", &sites, &mut params);
            if let Some(p) = product {
                params.push(Value::Text(p.to_uppercase()));
                cond = format!("{cond} AND product = ${}", params.len());
            }
            conn.query(
                &format!(
                    "SELECT DISTINCT provenance FROM batches WHERE provenance IS NOT NULL AND {cond}"
                ),
                &params,
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
        })
        .await
    }

    /// The latest time series of each source attached to a batch, as stored (JSON
    /// of `domain::batch::events::Series`): (source, samples, JSON).
    pub async fn batch_series(&self, id: &str) -> Result<Vec<(String, u64, String)>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.query(
                "SELECT s.source, s.samples, s.data FROM batch_series s
                 WHERE s.batch = $1 AND s.stream_version = (
                     SELECT MAX(t.stream_version) FROM batch_series t
                     WHERE t.batch = s.batch AND t.source = s.source)
                 ORDER BY s.source",
                &[Value::Text(id)],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.uint(1)?, r.text(2)?)))
            .collect()
        })
        .await
    }

    /// The latest value of every test attached to a batch, by source and test.
    pub async fn batch_results(&self, id: &str) -> Result<Vec<BatchResult>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            let rows = conn.query(
                "SELECT r.source, r.test, r.value, c.n
                 FROM batch_results r
                 JOIN (SELECT source, test, MAX(stream_version) AS v, COUNT(*) AS n
                       FROM batch_results WHERE batch = $1 GROUP BY source, test) c
                   ON c.source = r.source AND c.test = r.test AND c.v = r.stream_version
                 WHERE r.batch = $1
                 ORDER BY r.source, r.test",
                &[Value::Text(id)],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(BatchResult {
                        source: r.text(0)?,
                        test: r.text(1)?,
                        value: r.text(2)?,
                        revisions: r.uint(3)?,
                    })
                })
                .collect()
        })
        .await
    }
}
