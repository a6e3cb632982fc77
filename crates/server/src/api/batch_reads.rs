//! What the batch API (`batches.rs`) and the batch pages (`ui/batches/`) share:
//! reading their query parameters, so that both refuse the same input naming the
//! same field, and the reads that join more than one use case (a lot with the
//! batches on either side of it, a trace with its start record's credit).

use vplant_app::batches::Trace;
use vplant_app::{App, AppError};
use vplant_domain::dates::PartialDate;
use vplant_domain::fields::{Code, Number};
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_domain::{DomainError, FieldError, Timestamp};

use super::batches::LotDetail;
use crate::provenance::credit;

/// A code parameter (`site`, `product`, `material`) as sent, upper-cased as codes
/// are stored; absent means every one.
pub(crate) fn code(name: &str, text: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    Code::parse(name, text?)
        .map(|c| c.as_str().to_owned())
        .map_err(|e| errors.push(e))
        .ok()
}

/// The tracker's own filters: `status` (one of `STATUSES`), `month` (`YYYY-MM`) and
/// `sort` (one of `SORTS`), each checked and named when refused.
pub(crate) fn tracker_filters(
    status: Option<&str>,
    month: Option<&str>,
    sort: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> (Option<String>, Option<String>, Option<String>) {
    use vplant_store::queries::batches::{SORTS, STATUSES};
    let status = status.and_then(|s| {
        let s = s.trim().to_lowercase();
        if STATUSES.iter().any(|(name, _)| *name == s) {
            Some(s)
        } else {
            let names: Vec<&str> = STATUSES.iter().map(|(n, _)| *n).collect();
            errors.push(FieldError::new(
                "status",
                format!("'{s}' is not a status; use one of {}", names.join(", ")),
            ));
            None
        }
    });
    let month = month.and_then(|m| match PartialDate::parse("month", m) {
        Ok(d) if d.day().is_none() => Some(d.to_string()),
        _ => {
            errors.push(FieldError::new(
                "month",
                format!("'{}' is not a month; write YYYY-MM, e.g. 2026-03", m.trim()),
            ));
            None
        }
    });
    let sort = sort.and_then(|s| {
        if SORTS.iter().any(|(name, _, _)| *name == s) {
            Some(s.to_owned())
        } else {
            let names: Vec<&str> = SORTS.iter().map(|(n, _, _)| *n).collect();
            errors.push(FieldError::new(
                "sort",
                format!("'{s}' is not an order; use one of {}", names.join(", ")),
            ));
            None
        }
    });
    (status, month, sort)
}

/// `offset`: how many rows to skip; absent means none.
pub(crate) fn offset(text: Option<&str>) -> Result<u64, FieldError> {
    let Some(text) = text else {
        return Ok(0);
    };
    text.parse().map_err(|_| {
        FieldError::new(
            "offset",
            format!("'{text}' is not a number of rows to skip; use a whole number, 0 or more"),
        )
    })
}

/// `direction`: `forward` (the default) or `backward`.
fn direction(text: Option<&str>) -> Result<Direction, FieldError> {
    match text.map(str::to_lowercase).as_deref() {
        None | Some("forward") => Ok(Direction::Forward),
        Some("backward") => Ok(Direction::Backward),
        Some(other) => Err(FieldError::new(
            "direction",
            format!("'{other}' is not a direction; use forward or backward"),
        )),
    }
}

/// Where a trace starts and which way it goes: exactly one of `lot`
/// (`<material>/<lot number>`) and `batch` (`<site>/<batch number>`), and the
/// direction. The start is `None` when neither is given, which the API refuses and
/// the page answers with an empty form.
pub(crate) fn trace_request(
    lot: Option<&str>,
    batch: Option<&str>,
    direction: Option<&str>,
) -> Result<(Option<Node>, Direction), Vec<FieldError>> {
    let mut errors = Vec::new();
    let direction = self::direction(direction)
        .map_err(|e| errors.push(e))
        .unwrap_or(Direction::Forward);
    let start = start(lot, batch).map_err(|e| errors.push(e)).ok().flatten();
    if errors.is_empty() {
        Ok((start, direction))
    } else {
        Err(errors)
    }
}

fn start(lot: Option<&str>, batch: Option<&str>) -> Result<Option<Node>, FieldError> {
    match (lot, batch) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(FieldError::new(
            "batch",
            "cannot be given together with a lot; trace from one record at a time",
        )),
        (Some(lot), None) => record_id("lot", lot, "<material>/<lot number>, e.g. SMCC/3")
            .map(|id| Some(Node::Lot(id))),
        (None, Some(batch)) => record_id("batch", batch, "<site>/<batch number>, e.g. CMO-SI/7")
            .map(|id| Some(Node::Batch(id))),
    }
}

/// The refusal when no start is given at all.
pub(crate) fn start_required() -> FieldError {
    FieldError::new(
        "lot",
        "is required, or a batch instead: give lot=<material>/<lot number> or batch=<site>/<batch number>",
    )
}

/// `<code>/<number>`, the code upper-cased as it is stored.
pub(crate) fn record_id(field: &str, text: &str, shape: &str) -> Result<String, FieldError> {
    let refuse = || FieldError::new(field, format!("'{text}' is not a {field}; write {shape}"));
    let (code, number) = text.split_once('/').ok_or_else(refuse)?;
    let code = Code::parse(field, code).map_err(|_| refuse())?;
    let number = Number::parse(field, number).map_err(|_| refuse())?;
    Ok(format!("{}/{}", code.as_str(), number.as_str()))
}

/// The record id of an address `/…/{code}/{number}`: codes are upper-cased as they
/// are stored, numbers kept as written.
pub(crate) fn path_id(code: &str, number: &str) -> String {
    format!("{}/{number}", code.to_uppercase())
}

/// Whether a lot with this expiry date is expired on the day of `now` (UTC). A lot
/// may be used on its expiry day; an expiry given as a month lasts to its end.
pub(crate) fn expired(expiry: Option<&str>, now: Timestamp) -> bool {
    let Some(expiry) = expiry.and_then(|e| PartialDate::parse("expiry", e).ok()) else {
        return false;
    };
    let stamp = now.to_rfc3339();
    let Ok(today) = PartialDate::parse("today", stamp.get(..10).unwrap_or_default()) else {
        return false;
    };
    match expiry.day() {
        Some(_) => today > expiry,
        None => (today.year(), today.month()) > (expiry.year(), expiry.month()),
    }
}

fn missing(error: &AppError) -> bool {
    matches!(error, AppError::Domain(DomainError::NotFound { .. }))
}

/// A lot the scope sees, with the batch that produced it and the batches that
/// consumed it, as far as the scope sees them.
pub(crate) async fn lot_detail(app: &App, scope: &Scope, id: &str) -> Result<LotDetail, AppError> {
    let lot = app.lot(scope, id).await?;
    let producer = match &lot.produced_by {
        Some(batch) => match app.batch(scope, batch).await {
            Ok(view) => Some(view.batch),
            Err(e) if missing(&e) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let consumers = app.lot_consumers(scope, &lot.id).await?;
    let credit = credit(
        [lot.provenance.as_deref()]
            .into_iter()
            .chain(producer.iter().map(|b| b.provenance.as_deref()))
            .chain(consumers.iter().map(|b| b.provenance.as_deref())),
    );
    Ok(LotDetail {
        expired: expired(lot.expiry.as_deref(), app.store.now()),
        lot,
        producer,
        consumers,
        credit,
    })
}

/// A trace and the credit for the records it shows, its start record included.
pub(crate) async fn trace(
    app: &App,
    scope: &Scope,
    start: Node,
    direction: Direction,
) -> Result<(Trace, Option<String>), AppError> {
    let trace = app.trace(scope, start.clone(), direction).await?;
    let origin = match &start {
        Node::Lot(id) => app.lot(scope, id).await?.provenance,
        Node::Batch(id) => app.batch(scope, id).await?.batch.provenance,
    };
    let credit = credit(
        trace
            .lots
            .iter()
            .map(|l| l.provenance.as_deref())
            .chain(trace.batches.iter().map(|b| b.provenance.as_deref()))
            .chain([origin.as_deref()]),
    );
    Ok((trace, credit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Timestamp {
        let micros = match text {
            "2026-03-31" => 1_774_915_200,
            "2026-04-01" => 1_775_001_600,
            other => panic!("no fixture for {other}"),
        };
        Timestamp::from_micros(micros * 1_000_000)
    }

    #[test]
    fn a_lot_is_expired_after_its_expiry_day_or_month() {
        assert_eq!(day("2026-03-31").to_rfc3339().get(..10), Some("2026-03-31"));
        assert!(!expired(Some("2026-03-31"), day("2026-03-31")));
        assert!(expired(Some("2026-03-31"), day("2026-04-01")));
        assert!(!expired(Some("2026-03"), day("2026-03-31")));
        assert!(expired(Some("2026-03"), day("2026-04-01")));
        assert!(!expired(None, day("2026-04-01")));
    }

    #[test]
    fn a_trace_starts_at_exactly_one_record_named_by_its_field() {
        let forward = Direction::Forward;
        let fields = |r: Result<_, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            trace_request(Some("smcc/3"), None, None),
            Ok((Some(Node::Lot("SMCC/3".into())), forward))
        );
        assert_eq!(
            trace_request(None, Some("CMO-SI/7"), Some("backward")),
            Ok((Some(Node::Batch("CMO-SI/7".into())), Direction::Backward))
        );
        assert_eq!(trace_request(None, None, None), Ok((None, forward)));
        assert_eq!(
            fields(trace_request(Some("a/1"), Some("b/2"), None)),
            ["batch"]
        );
        assert_eq!(fields(trace_request(Some("SMCC"), None, None)), ["lot"]);
        assert_eq!(
            fields(trace_request(None, Some("CMO SI/7"), Some("sideways"))),
            ["direction", "batch"]
        );
    }

    #[test]
    fn a_direction_is_forward_or_backward() {
        assert_eq!(direction(None), Ok(Direction::Forward));
        assert_eq!(direction(Some("Backward")), Ok(Direction::Backward));
        assert_eq!(direction(Some("sideways")).unwrap_err().field, "direction");
    }
}
