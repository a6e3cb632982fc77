//! Products in the pages: what the network makes (code, name, dosage form,
//! strength). Everything but the columns and fields is in `master`.

use vplant_domain::DomainError;
use vplant_domain::product::{NewProduct, ProductCommand};
use vplant_store::queries::master::Product;

use super::form::{FieldSpec, Input, Values, value};
use super::master::{CODE, Cell, MasterUi, NAME_FIELD, RecordView};

pub const BASE: &str = "/products";

pub use vplant_app::master::Products;

impl MasterUi for Products {
    const ONE: &'static str = "Product";
    const MANY: &'static str = "Products";
    const BASE: &'static str = BASE;
    const COLUMNS: &'static [&'static str] = &["Dosage form", "Strength"];
    const NEW_FIELDS: &'static [FieldSpec] = &[
        CODE,
        NAME_FIELD,
        FieldSpec {
            name: "dosage_form",
            label: "Dosage form",
            hint: "e.g. film-coated tablet.",
            input: Input::Text {
                max: 120,
                upper: false,
            },
        },
        FieldSpec {
            name: "strength",
            label: "Strength",
            hint: "e.g. 500 mg.",
            input: Input::Text {
                max: 120,
                upper: false,
            },
        },
    ];

    fn view(p: Product) -> RecordView {
        let cells = vec![Cell::Text(p.dosage_form), Cell::Text(p.strength)];
        RecordView::new(
            p.code,
            p.name,
            (p.active, p.version),
            (p.created_at, p.updated_at),
            cells,
        )
    }

    fn register(v: &Values) -> Result<(String, ProductCommand), DomainError> {
        let new = NewProduct::parse(
            value(v, "code"),
            value(v, "name"),
            value(v, "dosage_form"),
            value(v, "strength"),
        )?;
        Ok((new.code().to_owned(), ProductCommand::Register(new)))
    }
}
