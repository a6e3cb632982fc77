//! What the exception and action lists share, in the API and on the pages: a list's
//! query parameters read by name ([`ListQuery`]), the pieces every such filter has
//! (a status by name, an `overdue` flag, a page size), and the API's reading of a
//! whole query string into a store filter.

use vplant_domain::FieldError;

use super::audit::{QueryParams, page_size};
use crate::error::ApiError;

/// Rows per API answer when the request does not say.
pub const DEFAULT_ROWS: u32 = 100;
/// The most rows one API answer holds; a larger `limit` is cut to it.
pub const MAX_ROWS: u32 = 1000;

/// A list's query parameters. `read` takes each by name (absent or blank is
/// `None`); `filter` judges them, naming every bad one.
pub trait ListQuery: Sized {
    type Filter;
    fn read(value: impl FnMut(&str) -> Option<String>) -> Self;
    /// The store filter as of `today` (`YYYY-MM-DD`, which decides what is overdue).
    fn filter(self, today: &str, errors: &mut Vec<FieldError>) -> Self::Filter;
}

/// Reads the query string `raw` of an API list: a 422 names every bad parameter.
pub fn read_list<Q: ListQuery>(raw: Option<&str>, today: &str) -> Result<Q::Filter, ApiError> {
    let params = QueryParams::parse(raw).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let query = Q::read(|name| params.text(name, &mut errors));
    let filter = query.filter(today, &mut errors);
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// `limit`: how many rows, 1 to [`MAX_ROWS`] (default [`DEFAULT_ROWS`]).
pub fn limit(text: Option<&str>, errors: &mut Vec<FieldError>) -> u64 {
    page_size(text, DEFAULT_ROWS, MAX_ROWS)
        .map_err(|e| errors.push(e))
        .unwrap_or(DEFAULT_ROWS)
        .into()
}

/// A status parameter: one of `names` (as stored, `under_investigation`); spaces
/// and dashes read as underscores.
pub fn status(
    text: Option<String>,
    names: impl Iterator<Item = &'static str> + Clone,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text?;
    let wanted = text.to_lowercase().replace([' ', '-'], "_");
    let found = names.clone().find(|n| *n == wanted).map(str::to_owned);
    if found.is_none() {
        let names: Vec<&str> = names.collect();
        errors.push(FieldError::new(
            "status",
            format!("'{text}' is not a status; use one of {}", names.join(", ")),
        ));
    }
    found
}

/// `overdue`: `true` (also a ticked box, `on`) or `false`; absent means every one.
pub fn overdue(text: Option<&str>, errors: &mut Vec<FieldError>) -> bool {
    match text.map(str::to_lowercase).as_deref() {
        None | Some("false" | "0" | "no") => false,
        Some("true" | "on" | "1" | "yes") => true,
        Some(other) => {
            errors.push(FieldError::new(
                "overdue",
                format!("'{other}' is not true or false"),
            ));
            false
        }
    }
}
