//! How the MES statuses read on a page, each as words and a badge (never colour
//! alone).

/// An MBR version's lifecycle status.
pub fn mbr_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "draft" => ("Draft", "badge-inactive"),
        "in_review" => ("In review", "badge-hold"),
        "approved" => ("Approved", "badge-internal"),
        "effective" => ("Effective", "badge-active"),
        "superseded" => ("Superseded", "badge-inactive"),
        "retired" => ("Retired", "badge-rejected"),
        _ => ("Unknown", "badge-inactive"),
    }
}

/// A batch record's status.
pub fn ebr_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "in_progress" => ("In progress", "badge-internal"),
        "awaiting_review" => ("Awaiting QA review", "badge-hold"),
        "released" => ("Released", "badge-active"),
        "rejected" => ("Rejected", "badge-rejected"),
        _ => ("Unknown", "badge-inactive"),
    }
}

/// A step's status on the sheet.
pub fn step_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "not_started" => ("Not started", "badge-inactive"),
        "timer_running" => ("Timer running", "badge-internal"),
        "awaiting_performed" => ("Awaiting signature", "badge-hold"),
        "awaiting_verification" => ("Awaiting verification", "badge-hold"),
        "done" => ("Done", "badge-active"),
        "skipped" => ("Skipped", "badge-rejected"),
        _ => ("Unknown", "badge-inactive"),
    }
}

/// An equipment unit's status now.
pub fn equipment_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "clean" => ("Clean", "badge-active"),
        "dirty" => ("Dirty", "badge-hold"),
        "in_use" => ("In use", "badge-internal"),
        "maintenance" => ("Maintenance", "badge-rejected"),
        "calibration_due" => ("Calibration due", "badge-rejected"),
        _ => ("Unknown", "badge-inactive"),
    }
}

/// An exception classification.
pub fn classification(c: &str) -> (&'static str, &'static str) {
    match c {
        "critical" => ("Critical", "badge-rejected"),
        "major" => ("Major", "badge-hold"),
        "minor" => ("Minor", "badge-inactive"),
        _ => ("Unclassified", "badge-inactive"),
    }
}

/// What a review item is about.
pub fn review_kind(kind: &str) -> &'static str {
    match kind {
        "exception" => "Exception",
        "correction" => "Correction",
        "out_of_limit" => "Out of limits",
        "late_entry" => "Late entry",
        "skipped" => "Skipped step",
        "refused" => "Refused attempt",
        _ => "Other",
    }
}

/// An excursion, as the operator must read it at once.
pub fn excursion(level: &str) -> &'static str {
    match level {
        "alert" => "Outside the alert limits",
        "action" => "Outside the action limits",
        "spec" => "Outside the specification",
        _ => "Outside limits",
    }
}
