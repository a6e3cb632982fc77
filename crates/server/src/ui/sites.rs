//! Sites in the pages: the plants that make product, internal or at a contract
//! manufacturer (CMO). Everything but the columns and fields is in `master`.

use vplant_domain::DomainError;
use vplant_domain::site::{NewSite, SiteCommand};
use vplant_store::queries::master::Site;

use super::form::{FieldSpec, Input, Values, value};
use super::master::{CODE, Cell, MasterUi, NAME_FIELD, RecordView};

pub const BASE: &str = "/sites";

pub use vplant_app::master::Sites;

/// The kinds a site can be; the empty first choice makes the person decide.
const KINDS: &[(&str, &str)] = &[
    ("", "Choose…"),
    ("internal", "Internal"),
    ("cmo", "CMO (contract manufacturer)"),
];

/// How a kind reads in a table: a badge, so internal and CMO sites tell apart at a
/// glance.
fn kind(kind: &str) -> Cell {
    match kind {
        "internal" => Cell::Badge {
            text: "Internal",
            tone: "badge-internal",
        },
        "cmo" => Cell::Badge {
            text: "CMO",
            tone: "badge-cmo",
        },
        other => Cell::Text(other.to_owned()),
    }
}

impl MasterUi for Sites {
    const ONE: &'static str = "Site";
    const MANY: &'static str = "Sites";
    const BASE: &'static str = BASE;
    const COLUMNS: &'static [&'static str] = &["Kind", "Country"];
    const NEW_FIELDS: &'static [FieldSpec] = &[
        CODE,
        NAME_FIELD,
        FieldSpec {
            name: "kind",
            label: "Kind",
            hint: "Internal sites run their batches on this system; CMO sites are overseen by the Virtual Plant Team.",
            input: Input::Select(KINDS),
        },
        FieldSpec {
            name: "country",
            label: "Country",
            hint: "Two-letter ISO 3166 code, e.g. CH.",
            input: Input::Text {
                max: 2,
                upper: true,
            },
        },
    ];

    fn view(s: Site) -> RecordView {
        let cells = vec![kind(&s.kind), Cell::Text(s.country)];
        RecordView::new(
            s.code,
            s.name,
            (s.active, s.version),
            (s.created_at, s.updated_at),
            cells,
        )
    }

    fn register(v: &Values) -> Result<(String, SiteCommand), DomainError> {
        let new = NewSite::parse(
            value(v, "code"),
            value(v, "name"),
            value(v, "kind"),
            value(v, "country"),
        )?;
        Ok((new.code().to_owned(), SiteCommand::Register(new)))
    }
}
