//! The MES read tables: MBR versions, executed batch records, equipment units.

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::Timestamp;
use vplant_domain::projection::Value;

use super::batches::in_list;
use crate::Store;
use crate::conn::Row;
use crate::error::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MbrRow {
    /// `<code>/<version>`.
    pub id: String,
    pub code: String,
    pub mbr_version: u32,
    pub based_on: Option<u32>,
    pub title: String,
    pub product: String,
    /// draft, in_review, approved, effective, superseded or retired.
    pub status: String,
    #[schema(value_type = Option<String>)]
    pub approved_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub effective_at: Option<Timestamp>,
    /// The record version (for signing and conflict checks).
    pub version: u64,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

const MBR_COLUMNS: &str = "id, code, mbr_version, based_on, title, product, status, approved_at, \
     effective_at, version, updated_at";

fn small(r: &Row, i: usize) -> Result<u32, StoreError> {
    u32::try_from(r.int(i)?).map_err(|_| StoreError::Corrupt(format!("column {i} is out of range")))
}

fn mbr_row(r: &Row) -> Result<MbrRow, StoreError> {
    let at = |i: usize| -> Result<Option<Timestamp>, StoreError> {
        Ok(r.opt_int(i)?.map(Timestamp::from_micros))
    };
    Ok(MbrRow {
        id: r.text(0)?,
        code: r.text(1)?,
        mbr_version: small(r, 2)?,
        based_on: r.opt_int(3)?.and_then(|v| u32::try_from(v).ok()),
        title: r.text(4)?,
        product: r.text(5)?,
        status: r.text(6)?,
        approved_at: at(7)?,
        effective_at: at(8)?,
        version: r.uint(9)?,
        updated_at: Timestamp::from_micros(r.int(10)?),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EbrRow {
    /// `<site>/<number>`.
    pub id: String,
    pub site: String,
    pub number: String,
    pub production_order: String,
    pub product: String,
    pub mbr: String,
    pub mbr_version: u32,
    /// in_progress, awaiting_review, released or rejected.
    pub status: String,
    pub version: u64,
    #[schema(value_type = String)]
    pub started_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
}

const EBR_COLUMNS: &str = "id, site, number, production_order, product, mbr, mbr_version, status, \
     version, created_at, updated_at";

fn ebr_row(r: &Row) -> Result<EbrRow, StoreError> {
    Ok(EbrRow {
        id: r.text(0)?,
        site: r.text(1)?,
        number: r.text(2)?,
        production_order: r.text(3)?,
        product: r.text(4)?,
        mbr: r.text(5)?,
        mbr_version: small(r, 6)?,
        status: r.text(7)?,
        version: r.uint(8)?,
        started_at: Timestamp::from_micros(r.int(9)?),
        updated_at: Timestamp::from_micros(r.int(10)?),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquipmentRow {
    pub id: String,
    pub name: String,
    pub class: String,
    pub site: String,
    pub area: String,
    pub work_centre: String,
    pub version: u64,
}

const EQUIPMENT_COLUMNS: &str = "id, name, class, site, area, work_centre, version";

fn equipment_row(r: &Row) -> Result<EquipmentRow, StoreError> {
    Ok(EquipmentRow {
        id: r.text(0)?,
        name: r.text(1)?,
        class: r.text(2)?,
        site: r.text(3)?,
        area: r.text(4)?,
        work_centre: r.text(5)?,
        version: r.uint(6)?,
    })
}

impl Store {
    /// Every MBR version, by code and version.
    pub async fn mbrs(&self) -> Result<Vec<MbrRow>, StoreError> {
        self.read(|conn| {
            conn.query(
                &format!("SELECT {MBR_COLUMNS} FROM mbrs ORDER BY code, mbr_version"),
                &[],
            )?
            .iter()
            .map(mbr_row)
            .collect()
        })
        .await
    }

    /// The versions of one MBR, oldest first.
    pub async fn mbr_versions(&self, code: &str) -> Result<Vec<MbrRow>, StoreError> {
        let code = code.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {MBR_COLUMNS} FROM mbrs WHERE code = $1 ORDER BY mbr_version"),
                &[Value::Text(code)],
            )?
            .iter()
            .map(mbr_row)
            .collect()
        })
        .await
    }

    /// Executed batch records, newest first; `status` filters, `scope` limits to
    /// sites.
    pub async fn ebrs(
        &self,
        scope: Option<Vec<String>>,
        status: Option<String>,
    ) -> Result<Vec<EbrRow>, StoreError> {
        self.read(move |conn| {
            let mut clauses = Vec::new();
            let mut params = Vec::new();
            if let Some(sites) = &scope {
                clauses.push(in_list("site", sites, &mut params));
            }
            if let Some(s) = status {
                params.push(Value::Text(s));
                clauses.push(format!("status = ${}", params.len()));
            }
            let filter = if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            };
            conn.query(
                &format!("SELECT {EBR_COLUMNS} FROM ebrs {filter} ORDER BY created_at DESC, id"),
                &params,
            )?
            .iter()
            .map(ebr_row)
            .collect()
        })
        .await
    }

    pub async fn ebr(&self, id: &str) -> Result<Option<EbrRow>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {EBR_COLUMNS} FROM ebrs WHERE id = $1"),
                &[Value::Text(id)],
            )?
            .first()
            .map(ebr_row)
            .transpose()
        })
        .await
    }

    /// Equipment units, by site, area, work centre and id; `scope` limits to sites.
    pub async fn equipment_units(
        &self,
        scope: Option<Vec<String>>,
    ) -> Result<Vec<EquipmentRow>, StoreError> {
        self.read(move |conn| {
            let mut params = Vec::new();
            let filter = match &scope {
                Some(sites) => format!("WHERE {}", in_list("site", sites, &mut params)),
                None => String::new(),
            };
            conn.query(
                &format!(
                    "SELECT {EQUIPMENT_COLUMNS} FROM equipment {filter} ORDER BY site, area, work_centre, id"
                ),
                &params,
            )?
            .iter()
            .map(equipment_row)
            .collect()
        })
        .await
    }

    pub async fn equipment_unit(&self, id: &str) -> Result<Option<EquipmentRow>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.query(
                &format!("SELECT {EQUIPMENT_COLUMNS} FROM equipment WHERE id = $1"),
                &[Value::Text(id)],
            )?
            .first()
            .map(equipment_row)
            .transpose()
        })
        .await
    }

    /// Exceptions linked to batch `id` that are neither closed nor cancelled, with
    /// their classification.
    pub async fn open_exceptions_of_batch(
        &self,
        id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.query(
                "SELECT e.number, e.classification FROM exceptions e
                 WHERE e.status NOT IN ('closed', 'cancelled')
                   AND (e.origin_batch = $1
                        OR e.number IN (SELECT number FROM exception_batches WHERE batch = $1))
                 ORDER BY e.number",
                &[Value::Text(id)],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect()
        })
        .await
    }
}
