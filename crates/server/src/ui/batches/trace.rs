//! The trace page (`/trace?lot=…|batch=…&direction=…`): from one lot or batch,
//! forward to every batch and lot it went into, or backward to everything it was
//! made from. The counts, the drawing (`graph`), then every record reached in
//! tables. Without a start it is the form that asks for one.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use vplant_app::batches::Trace;
use vplant_domain::genealogy::{Direction, Node};

use super::graph::{self, Drawing, NodeSpec};
use super::rows::{BatchRow, LotRow};
use super::{BATCHES, LOTS, Query, TRACE, batch_href, lot_href, lot_status, not_found, trace_href};
use crate::AppState;
use crate::api::batch_reads::{self, trace_request};
use crate::auth::Viewer;
use crate::ui::form::{FieldSpec, FormView, Input};
use crate::ui::page::{Chrome, PageError, render};

static FIELDS: [FieldSpec; 3] = [
    FieldSpec {
        name: "lot",
        label: "Lot",
        hint: "<material>/<lot number>, e.g. SMCC/3.",
        input: Input::Text {
            max: 66,
            upper: false,
        },
    },
    FieldSpec {
        name: "batch",
        label: "Or a batch",
        hint: "<site>/<batch number>, e.g. CMO-SI/7. Give a lot or a batch, not both.",
        input: Input::Text {
            max: 66,
            upper: false,
        },
    },
    FieldSpec {
        name: "direction",
        label: "Direction",
        hint: "",
        input: Input::Select(&[
            ("forward", "Forward: every batch and lot it went into"),
            ("backward", "Backward: everything it was made from"),
        ]),
    },
];

/// A trace as the page shows it.
pub struct Traced {
    /// "Forward from lot SMCC/3".
    pub heading: String,
    pub start_href: String,
    /// The same start, the other way.
    pub reverse_href: String,
    pub reverse_label: &'static str,
    pub batches: Vec<BatchRow>,
    pub lots: Vec<LotRow>,
    /// "3 records at sites outside your scope are not shown."; empty when none is.
    pub hidden: String,
    pub drawing: Drawing,
    pub max_nodes: usize,
}

#[derive(Template)]
#[template(path = "batches/trace.html")]
struct TracePage {
    page: Chrome,
    form: FormView,
    traced: Option<Traced>,
    credit: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut query = Query::read(raw.as_deref(), &FIELDS);
    let start = match trace_request(
        query.value("lot"),
        query.value("batch"),
        query.value("direction"),
    ) {
        Ok((start, direction)) => start.map(|s| (s, direction)),
        Err(errors) => {
            errors.into_iter().for_each(|e| query.refuse(e));
            None
        }
    };
    let mut body = TracePage {
        page: Chrome::new("Trace", BATCHES),
        form: query.form("trace-start", TRACE, &FIELDS, "Trace from", "Trace"),
        traced: None,
        credit: None,
    };
    if let (Some((start, direction)), false) = (start, query.refused()) {
        let (kind, id, back) = match &start {
            Node::Lot(id) => ("lot", id.clone(), ("Lots", LOTS)),
            Node::Batch(id) => ("batch", id.clone(), ("Batch tracker", BATCHES)),
        };
        let (trace, credit) = batch_reads::trace(&state.app, &viewer.scope(), start, direction)
            .await
            .map_err(|e| not_found(e, kind, &id, back))?;
        body.page = Chrome::new(
            format!("Trace {} from {kind} {id}", direction.as_str()),
            back.1,
        )
        .via(back.0, back.1);
        body.traced = Some(traced(trace, kind, &id, direction));
        body.credit = credit;
    }
    body.page = body.page.viewer(&viewer);
    Ok(render(query.status(), &body))
}

fn traced(trace: Trace, kind: &str, id: &str, direction: Direction) -> Traced {
    let (reverse, reverse_label) = match direction {
        Direction::Forward => ("backward", "Trace backward instead"),
        Direction::Backward => ("forward", "Trace forward instead"),
    };
    let start_href = match kind {
        "lot" => lot_href(id),
        _ => batch_href(id),
    };
    let mut nodes = vec![NodeSpec {
        key: trace.start.clone(),
        lot: kind == "lot",
        label: id.to_owned(),
        caption: format!("Start · {}", if kind == "lot" { "lot" } else { "batch" }),
        title: format!("The start: {kind} {id}"),
        href: start_href.clone(),
    }];
    nodes.extend(trace.lots.iter().map(|l| NodeSpec {
        key: Node::Lot(l.id.clone()).key(),
        lot: true,
        label: l.id.clone(),
        caption: format!("Lot · {}", lot_status(&l.status).0),
        title: format!("Lot {} at {}, {}", l.id, l.site, lot_status(&l.status).0),
        href: lot_href(&l.id),
    }));
    nodes.extend(trace.batches.iter().map(|b| NodeSpec {
        key: Node::Batch(b.id.clone()).key(),
        lot: false,
        label: b.id.clone(),
        caption: format!("Batch · {}", b.product),
        title: format!("Batch {} of product {}", b.id, b.product),
        href: batch_href(&b.id),
    }));
    let hidden = match trace.hidden {
        0 => String::new(),
        1 => "1 record at a site outside your scope is not shown.".to_owned(),
        n => format!("{n} records at sites outside your scope are not shown."),
    };
    Traced {
        heading: format!(
            "{} from {kind} {id}",
            if direction == Direction::Forward {
                "Forward"
            } else {
                "Backward"
            }
        ),
        reverse_href: trace_href(kind, id, reverse),
        reverse_label,
        start_href,
        batches: trace.batches.iter().map(BatchRow::new).collect(),
        lots: trace.lots.iter().map(LotRow::new).collect(),
        hidden,
        drawing: graph::draw(&trace.start, direction, nodes, &trace.edges),
        max_nodes: graph::MAX_NODES,
    }
}
