//! Batches, lots and their genealogy as people read them: the tracker, a batch with
//! its inputs, outputs and results, a lot, and forward and backward traces. Every read
//! takes the viewer's scope; a record at a site outside it is "not found".

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;
use vplant_domain::DomainError;
use vplant_domain::genealogy::{Direction, Node};
use vplant_domain::identity::Scope;
use vplant_store::queries::batches::{Batch, BatchFilter, BatchResult, Lot, Material};
use vplant_store::queries::genealogy::Edge;

use crate::{App, AppError};

/// The sites a scope limits reads to, as the store's filters take them.
pub fn scope_sites(scope: &Scope) -> Option<Vec<String>> {
    match scope {
        Scope::All => None,
        Scope::Sites(sites) => Some(sites.iter().cloned().collect()),
    }
}

/// A link of the genealogy as shown beside a batch or a lot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Link {
    /// `lot` or `batch`.
    pub kind: String,
    pub id: String,
    pub quantity: Option<String>,
    pub unit: Option<String>,
}

/// A batch with what went in, what came out and what was measured.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BatchView {
    pub batch: Batch,
    pub consumed: Vec<Link>,
    pub yielded: Vec<Link>,
    pub results: Vec<BatchResult>,
}

/// A trace from one lot or batch: every lot and batch it reached (forward) or came
/// from (backward), and the edges among them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Trace {
    pub start: String,
    /// `forward` or `backward`.
    pub direction: String,
    pub lots: Vec<Lot>,
    pub batches: Vec<Batch>,
    /// `[source, target]` node keys (`lot:<material>/<lot>`, `batch:<site>/<number>`).
    pub edges: Vec<[String; 2]>,
    /// Records the trace reached at sites outside the viewer's scope; they are
    /// counted, not shown.
    pub hidden: usize,
}

fn not_found(what: &'static str, id: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what,
        id: id.to_owned(),
    })
}

fn link(node: &Node, edge: &Edge) -> Link {
    Link {
        kind: match node {
            Node::Lot(_) => "lot",
            Node::Batch(_) => "batch",
        }
        .to_owned(),
        id: node.id().to_owned(),
        quantity: edge.quantity.clone(),
        unit: edge.unit.clone(),
    }
}

impl App {
    pub async fn materials(&self) -> Result<Vec<Material>, AppError> {
        Ok(self.store.materials().await?)
    }

    /// The tracker rows the scope may see, and how many there are.
    pub async fn batches(
        &self,
        scope: &Scope,
        mut filter: BatchFilter,
    ) -> Result<(Vec<Batch>, u64), AppError> {
        filter.scope = scope_sites(scope);
        Ok(self.store.batches(filter).await?)
    }

    /// The tracker rows the scope may see, counted by `group` (site, product, status
    /// or month).
    pub async fn batch_groups(
        &self,
        scope: &Scope,
        mut filter: BatchFilter,
        group: &str,
    ) -> Result<Vec<vplant_store::queries::batches::BatchGroup>, AppError> {
        filter.scope = scope_sites(scope);
        Ok(self.store.batch_groups(filter, group).await?)
    }

    /// One batch; `NotFound` also when it lies outside `scope`.
    pub async fn batch(&self, scope: &Scope, id: &str) -> Result<BatchView, AppError> {
        let batch = self
            .store
            .batch(id)
            .await?
            .filter(|b| scope.sees(&b.site))
            .ok_or_else(|| not_found("batch", id))?;
        let node = Node::Batch(batch.id.clone());
        let consumed = self
            .store
            .trace_edges_one_step(node.clone(), Direction::Backward)
            .await?
            .iter()
            .map(|e| link(&e.source, e))
            .collect();
        let yielded = self
            .store
            .trace_edges_one_step(node, Direction::Forward)
            .await?
            .iter()
            .map(|e| link(&e.target, e))
            .collect();
        let results = self.store.batch_results(&batch.id).await?;
        Ok(BatchView {
            batch,
            consumed,
            yielded,
            results,
        })
    }

    /// The time series attached to a batch the scope sees, by source.
    pub async fn batch_series(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<Vec<(String, vplant_domain::batch::events::Series)>, AppError> {
        // Only the batch's site is needed to check the scope, not its whole view.
        let batch = self
            .store
            .batch(id)
            .await?
            .filter(|b| scope.sees(&b.site))
            .ok_or_else(|| not_found("batch", id))?;
        self.store
            .batch_series(&batch.id)
            .await?
            .into_iter()
            .map(|(source, _, json)| {
                serde_json::from_str(&json)
                    .map(|series| (source, series))
                    .map_err(|e| {
                        AppError::Store(vplant_store::StoreError::Corrupt(format!(
                            "the series of {id}: {e}"
                        )))
                    })
            })
            .collect()
    }

    /// One lot; `NotFound` also when it lies outside `scope`.
    pub async fn lot(&self, scope: &Scope, id: &str) -> Result<Lot, AppError> {
        self.store
            .lot(id)
            .await?
            .filter(|l| scope.sees(&l.site))
            .ok_or_else(|| not_found("lot", id))
    }

    /// The batches that consumed a lot the scope sees, as far as the scope sees them.
    pub async fn lot_consumers(&self, scope: &Scope, id: &str) -> Result<Vec<Batch>, AppError> {
        let lot = self.lot(scope, id).await?;
        let ids = self
            .store
            .trace_edges_one_step(Node::Lot(lot.id), Direction::Forward)
            .await?
            .into_iter()
            .filter_map(|e| match e.target {
                Node::Batch(id) => Some(id),
                Node::Lot(_) => None,
            })
            .collect();
        let mut batches = self.store.batches_by_id(ids).await?;
        batches.retain(|b| scope.sees(&b.site));
        Ok(batches)
    }

    pub async fn lots(
        &self,
        scope: &Scope,
        material: Option<String>,
        limit: u64,
    ) -> Result<Vec<Lot>, AppError> {
        Ok(self.store.lots(scope_sites(scope), material, limit).await?)
    }

    /// Traces from a lot or a batch the viewer may see. Records at other sites are
    /// left out of what a site-scoped viewer gets, and counted in `hidden`.
    pub async fn trace(
        &self,
        scope: &Scope,
        start: Node,
        direction: Direction,
    ) -> Result<Trace, AppError> {
        match &start {
            Node::Lot(id) => {
                self.lot(scope, id).await?;
            }
            Node::Batch(id) => {
                self.store
                    .batch(id)
                    .await?
                    .filter(|b| scope.sees(&b.site))
                    .ok_or_else(|| not_found("batch", id))?;
            }
        }
        let reached = self.genealogy_reach(&start, direction).await?;
        let count = reached.nodes.len();
        let (lot_ids, batch_ids): (Vec<Node>, Vec<Node>) = reached
            .nodes
            .into_iter()
            .partition(|n| matches!(n, Node::Lot(_)));
        let ids = |nodes: Vec<Node>| nodes.iter().map(|n| n.id().to_owned()).collect();
        let mut lots = self.store.lots_by_id(ids(lot_ids)).await?;
        let mut batches = self.store.batches_by_id(ids(batch_ids)).await?;
        lots.retain(|l| scope.sees(&l.site));
        batches.retain(|b| scope.sees(&b.site));
        let visible: HashSet<String> = lots
            .iter()
            .map(|l| Node::Lot(l.id.clone()).key())
            .chain(batches.iter().map(|b| Node::Batch(b.id.clone()).key()))
            .chain([start.key()])
            .collect();
        let edges = reached
            .edges
            .into_iter()
            .filter(|[s, t]| visible.contains(s) && visible.contains(t))
            .collect();
        Ok(Trace {
            start: start.key(),
            direction: direction.as_str().to_owned(),
            hidden: count - lots.len() - batches.len(),
            lots,
            batches,
            edges,
        })
    }
}
