//! Lots and batches as rows of the tables several pages share (the lot page, the
//! trace), drawn by the macros of `templates/batches/tables.html`.

use vplant_store::queries::batches::{Batch, Lot};

use super::{amount, batch_href, disposition, lot_href, lot_status, production_start};

/// One lot as a row of a table.
pub struct LotRow {
    pub id: String,
    pub href: String,
    pub material: String,
    pub site: String,
    pub status: (&'static str, &'static str),
    pub quantity: String,
    pub expiry: String,
    /// The producing batch and its page.
    pub produced_by: Option<(String, String)>,
}

impl LotRow {
    pub fn new(lot: &Lot) -> LotRow {
        LotRow {
            id: lot.id.clone(),
            href: lot_href(&lot.id),
            material: lot.material.clone(),
            site: lot.site.clone(),
            status: lot_status(&lot.status),
            quantity: amount(lot.quantity.as_deref(), lot.unit.as_deref()),
            expiry: lot.expiry.clone().unwrap_or_default(),
            produced_by: lot.produced_by.as_ref().map(|b| (b.clone(), batch_href(b))),
        }
    }
}

/// One batch as a row of a table.
pub struct BatchRow {
    pub id: String,
    pub href: String,
    pub site: String,
    pub product: String,
    pub start: String,
    pub start_planned: bool,
    pub disposition: Option<(&'static str, &'static str)>,
}

impl BatchRow {
    pub fn new(batch: &Batch) -> BatchRow {
        let (start, start_planned) = production_start(batch);
        BatchRow {
            id: batch.id.clone(),
            href: batch_href(&batch.id),
            site: batch.site.clone(),
            product: batch.product.clone(),
            start,
            start_planned,
            disposition: disposition(batch.disposition.as_deref()),
        }
    }
}
