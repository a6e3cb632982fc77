//! What the exception and action lists share: reading the filter with the API's
//! reader (`api::list_query`), so a page refuses what the API refuses naming the
//! same field, and the page itself (`list_page.html`): the filter, then the records
//! it matches, or only the filter marked where it was refused.

use askama::Template;
use axum::response::Response;
use vplant_domain::FieldError;

use super::actions::ActionLine;
use super::batches::Query;
use super::exceptions::ExceptionLine;
use super::form::{FieldSpec, FormView};
use super::page::{Chrome, render};
use crate::api::list_query::ListQuery;
use crate::auth::Viewer;

/// The most records one list page shows; the filter narrows it down.
pub const ROWS: u64 = 500;

/// The records a list shows.
pub enum Rows {
    Exceptions(Vec<ExceptionLine>),
    Actions(Vec<ActionLine>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Exceptions(rows) => rows.len(),
            Rows::Actions(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a list page says about its records.
pub struct Listing {
    pub title: &'static str,
    /// The list's address, also its navigation entry.
    pub base: &'static str,
    /// The filter form's id on the page.
    pub filter_id: &'static str,
    /// The form that adds a record, and its button label, for people who may.
    pub create: Option<(&'static str, &'static str)>,
    pub caption: &'static str,
    /// Said when the list is cut at [`ROWS`]: which ones it shows.
    pub cut_note: &'static str,
}

#[derive(Template)]
#[template(path = "list_page.html")]
struct ListPage<'a> {
    page: Chrome,
    listing: &'a Listing,
    filter: FormView,
    /// `None` when the filter was refused: no table is shown then.
    rows: Option<Rows>,
    cut: bool,
}

/// A list page's query string as read: the filter, unless it was refused.
pub struct Request<F> {
    query: Query,
    filter: Option<F>,
}

/// Reads the filter of a list whose form has `fields` from the query string `raw`,
/// as of `today` (`YYYY-MM-DD`).
pub fn read<Q: ListQuery>(
    raw: Option<&str>,
    fields: &'static [FieldSpec],
    today: &str,
) -> Request<Q::Filter> {
    let mut query = Query::read(raw, fields);
    let mut errors: Vec<FieldError> = Vec::new();
    let filter = Q::read(|name| query.value(name).map(str::to_owned)).filter(today, &mut errors);
    errors.into_iter().for_each(|e| query.refuse(e));
    let filter = (!query.refused()).then_some(filter);
    Request { query, filter }
}

impl<F> Request<F> {
    /// The filter to fetch with, unless it was refused.
    pub fn filter(&mut self) -> Option<F> {
        self.filter.take()
    }

    /// The page: the filter as sent, and `rows` when they could be fetched.
    pub fn render(
        &self,
        viewer: &Viewer,
        listing: &Listing,
        fields: &'static [FieldSpec],
        rows: Option<Rows>,
    ) -> Response {
        let filter = self.query.form(
            listing.filter_id,
            listing.base,
            fields,
            "Filter",
            "Apply filter",
        );
        let body = ListPage {
            page: Chrome::new(listing.title, listing.base).viewer(viewer),
            listing,
            filter,
            cut: rows.as_ref().is_some_and(|r| r.len() as u64 >= ROWS),
            rows,
        };
        render(self.query.status(), &body)
    }
}
