//! Pages for master data (sites, products, and later materials, equipment …): a list
//! with a register form (`list`), and a detail page with rename, deactivate and
//! reactivate forms and the record's history (`detail`). Generic over [`MasterUi`],
//! so a resource only says what its columns and fields are. Handlers stay thin:
//! parse the form, call `App::execute`, then redirect (Post/Redirect/Get) or redraw
//! the form with the reasons it was refused.

mod detail;
mod list;
mod sign;

pub use vplant_app::master::Master;
use vplant_domain::identity::Permission;
use vplant_domain::{Aggregate, DomainError, Timestamp};

use super::form::{FieldSpec, Input, Values};
use crate::auth::access::{Access, Routes};

/// One cell of a resource's own columns.
pub enum Cell {
    Text(String),
    /// A short label in a coloured pill, e.g. the site kind; `tone` is a CSS class.
    Badge {
        text: &'static str,
        tone: &'static str,
    },
}

/// What the list and detail pages show of any master record.
pub struct RecordView {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The resource's own columns, in the order of [`MasterUi::COLUMNS`].
    pub cells: Vec<Cell>,
}

impl RecordView {
    /// The pairs are (active, version) and (registered, last changed), grouped so
    /// that each resource's `view` stays a single call.
    pub fn new(
        code: String,
        name: String,
        (active, version): (bool, u64),
        (created_at, updated_at): (Timestamp, Timestamp),
        cells: Vec<Cell>,
    ) -> RecordView {
        RecordView {
            code,
            name,
            active,
            version,
            created_at,
            updated_at,
            cells,
        }
    }
}

/// A master-data resource as the pages see it: the shared [`Master`] shape plus what
/// the pages need to draw it.
pub trait MasterUi: Master {
    /// Capitalised singular, for headings: "Site".
    const ONE: &'static str;
    /// Capitalised plural, the list title: "Sites".
    const MANY: &'static str;
    /// Where the list lives: "/sites".
    const BASE: &'static str;
    /// Headings of the resource's own columns (code, name, status and times are
    /// common to all and drawn by the templates).
    const COLUMNS: &'static [&'static str];
    /// The register form, in display order; `name` matches the domain's field names.
    const NEW_FIELDS: &'static [FieldSpec];

    fn view(record: Self::Record) -> RecordView;
    /// Parses the register form into the record's code and the command.
    fn register(
        values: &Values,
    ) -> Result<(String, <Self::Agg as Aggregate>::Command), DomainError>;
}

pub fn routes<R: MasterUi>() -> Routes {
    let view = Access::Allow(Permission::ViewMasterData);
    let edit = Access::Allow(Permission::EditMasterData);
    let record = format!("{}/{{code}}", R::BASE);
    Routes::new()
        .get(R::BASE, view, list::list::<R>)
        .post(R::BASE, edit, list::register::<R>)
        .get(&record, view, detail::show::<R>)
        .get(
            &format!("{record}/sign"),
            Access::AnySignature,
            sign::form::<R>,
        )
        .post(
            &format!("{record}/sign"),
            Access::AnySignature,
            sign::submit::<R>,
        )
        .get(&format!("{record}/{{action}}"), view, detail::back::<R>)
        .post(&format!("{record}/{{action}}"), edit, detail::change::<R>)
}

/// The code field of every register form.
pub const CODE: FieldSpec = FieldSpec {
    name: "code",
    label: "Code",
    hint: "2 to 24 letters, digits or '-', starting with a letter. It can never be changed or reused.",
    input: Input::Text {
        max: 24,
        upper: true,
    },
};

/// The name field of every register form.
pub const NAME_FIELD: FieldSpec = FieldSpec {
    name: "name",
    label: "Name",
    hint: "",
    input: Input::Text {
        max: 120,
        upper: false,
    },
};

/// `?done=` after a successful change (Post/Redirect/Get) picks one of these fixed
/// messages; the page never echoes text from the address bar.
fn done_message(done: Option<&str>, one: &str) -> Option<String> {
    let verb = match done? {
        "registered" => "registered",
        "renamed" => "renamed",
        "deactivated" => "deactivated",
        "reactivated" => "reactivated",
        "signed" => "signed",
        _ => return None,
    };
    Some(format!(
        "{one} {verb}. The change is recorded in its history."
    ))
}
