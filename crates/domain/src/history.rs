//! Human-readable history: what an event changed, as a person reads it in an audit
//! trail (field, old value, new value).

use serde::Serialize;

use crate::event::Event;

/// The kinds of record the ledger holds, as (stream id prefix, label for people), in
/// the order an audit trail viewer offers them as a filter.
// A module that adds a stream type adds it here, or its records cannot be filtered.
pub const RECORD_TYPES: &[(&str, &str)] = &[
    ("site", "Sites"),
    ("product", "Products"),
    ("user", "Users"),
    ("session", "Sign-in sessions"),
    ("apitoken", "API tokens"),
    ("signin", "Unknown-user sign-ins"),
    ("material", "Materials"),
    ("lot", "Material lots"),
    ("batch", "Batches"),
    ("exception", "Exceptions"),
    ("action", "Actions (CAPA and follow-ups)"),
    ("kpi", "Recorded KPI figures"),
    ("mbr", "Master batch records"),
    ("ebr", "Executed batch records"),
    ("equipment", "Equipment and its logbook"),
    ("notice", "Overdue notices sent"),
];

/// One changed field of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// `None` when the record was created by this event.
    pub old: Option<String>,
    pub new: String,
}

pub(crate) fn set(field: &str, new: &str) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        old: None,
        new: new.to_owned(),
    }
}

pub(crate) fn change(field: &str, old: &str, new: &str) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        old: Some(old.to_owned()),
        new: new.to_owned(),
    }
}

/// A one-line summary and the field changes of an event.
pub fn describe(event: &Event) -> (String, Vec<FieldChange>) {
    match event {
        Event::SiteRegistered(e) => (
            format!("Site {} registered", e.code),
            vec![
                set("code", &e.code),
                set("name", &e.name),
                set("kind", e.kind.as_str()),
                set("country", &e.country),
                set("active", "yes"),
            ],
        ),
        Event::ProductRegistered(e) => (
            format!("Product {} registered", e.code),
            vec![
                set("code", &e.code),
                set("name", &e.name),
                set("dosage form", &e.dosage_form),
                set("strength", &e.strength),
                set("active", "yes"),
            ],
        ),
        Event::SiteRenamed(r) | Event::ProductRenamed(r) => {
            ("Renamed".to_owned(), vec![change("name", &r.from, &r.to)])
        }
        Event::SiteDeactivated(_) | Event::ProductDeactivated(_) => (
            "Deactivated".to_owned(),
            vec![change("active", "yes", "no")],
        ),
        Event::SiteReactivated(_) | Event::ProductReactivated(_) => (
            "Reactivated".to_owned(),
            vec![change("active", "no", "yes")],
        ),
        Event::NumberTaken(e) => (format!("Number {} taken", e.number), Vec::new()),
        Event::OverdueNoticeSent(e) => (
            format!("Overdue notice e-mailed to {}", e.to),
            vec![
                set("to", &e.email),
                set("actions", &e.actions.join(", ")),
                set("exceptions", &e.exceptions.join(", ")),
            ],
        ),
        Event::KpiResultsRecorded(e) => (
            format!("{} KPI figures recorded for {}", e.results.len(), e.period),
            e.results
                .iter()
                .map(|r| {
                    set(
                        &format!("{} v{} ({})", r.code, r.version, r.scope),
                        r.value.as_deref().unwrap_or("—"),
                    )
                })
                .collect(),
        ),
        other => crate::batch::history::describe(other)
            .or_else(|| crate::exception::history::describe(other))
            .or_else(|| crate::action::history::describe(other))
            .or_else(|| crate::mbr::history::describe(other))
            .or_else(|| crate::ebr::history::describe(other))
            .or_else(|| crate::equipment::describe(other))
            .unwrap_or_else(|| crate::identity::history::describe(other)),
    }
}
