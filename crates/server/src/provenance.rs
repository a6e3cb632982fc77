//! The credit a published data set's licence asks for wherever its records are
//! shown. The records from the public tablet data set are licensed CC BY 4.0, which
//! requires attribution; every API answer and every page that shows such a record
//! carries the credit, and both ask this one function for it.

use std::collections::BTreeSet;

use vplant_app::import::tablet_batches;

/// The credit lines of every data set the shown records come from (records carry
/// the data set's key as `provenance`), joined into one text; `None` when no shown
/// record comes from a published data set.
pub fn credit<'a>(provenances: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    let lines: BTreeSet<&'static str> = provenances
        .into_iter()
        .flatten()
        .filter_map(tablet_batches::credit)
        .collect();
    (!lines.is_empty()).then(|| lines.into_iter().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_of_the_data_set_bring_its_credit_once_and_others_none() {
        let key = tablet_batches::DATA_SET;
        assert_eq!(credit([None, None]), None);
        assert_eq!(credit([Some("somewhere-else")]), None);
        let both = credit([Some(key), None, Some(key)]).unwrap();
        assert_eq!(both, tablet_batches::CREDIT);
    }
}
