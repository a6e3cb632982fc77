//! `/api/v1/batches`, `/api/v1/lots`, `/api/v1/materials` and `/api/v1/trace`: the
//! batch tracker, lots and their genealogy for integrations. Every read is held to
//! the caller's sites by the use cases (another site's record is "not found"). An
//! answer that shows records from a published data set carries its `credit`, which
//! the data's licence requires wherever the records are shown.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use vplant_app::batches::{BatchView, Trace};
use vplant_domain::FieldError;
use vplant_store::queries::batches::{Batch, BatchFilter, Lot, Material};

use super::audit::{QueryParams, page_size};
use super::batch_reads::{self, code, offset, path_id};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ErrorBody};
use crate::provenance::credit;

/// Batches per answer when the request does not say.
pub const DEFAULT_BATCHES: u32 = 100;
/// Lots per answer when the request does not say.
pub const DEFAULT_LOTS: u32 = 500;
/// The most rows one answer holds; a larger `limit` is cut to it.
pub const MAX_ROWS: u32 = 1000;

/// Which batches to list. Every parameter left out matches everything.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Only batches made at this site (code).
    site: Option<String>,
    /// Only batches of this product (code).
    product: Option<String>,
    /// Only batches in this status: planned, in_production, awaiting_disposition,
    /// released, rejected, on_hold, shipped.
    status: Option<String>,
    /// Only batches whose production start (actual, else planned) is in this month,
    /// `YYYY-MM`.
    month: Option<String>,
    /// The order: start (latest first, the default), start_asc, site, product,
    /// disposition.
    sort: Option<String>,
    /// Batches per answer, 1 to 1000 (default 100); a larger number is cut to 1000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// How many batches to skip (default 0), for the next page.
    #[param(value_type = Option<u64>)]
    offset: Option<String>,
}

/// Which lots to list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// Only lots of this material (code).
    material: Option<String>,
    /// Lots per answer, 1 to 1000 (default 500); a larger number is cut to 1000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// Where a trace starts and which way it goes. Give exactly one of `lot` and `batch`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TraceQuery {
    /// Start at this lot, `<material>/<lot number>`, e.g. `SMCC/3`.
    lot: Option<String>,
    /// Start at this batch, `<site>/<batch number>`, e.g. `CMO-SI/7`.
    batch: Option<String>,
    /// `forward` (default): every batch and lot the start went into;
    /// `backward`: everything it was made from.
    direction: Option<String>,
}

impl BatchQuery {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> BatchQuery {
        BatchQuery {
            site: params.text("site", errors),
            product: params.text("product", errors),
            status: params.text("status", errors),
            month: params.text("month", errors),
            sort: params.text("sort", errors),
            limit: params.text("limit", errors),
            offset: params.text("offset", errors),
        }
    }

    fn filter(self, errors: &mut Vec<FieldError>) -> BatchFilter {
        let limit = page_size(self.limit.as_deref(), DEFAULT_BATCHES, MAX_ROWS)
            .map_err(|e| errors.push(e))
            .unwrap_or(DEFAULT_BATCHES);
        let offset = offset(self.offset.as_deref())
            .map_err(|e| errors.push(e))
            .unwrap_or(0);
        let (status, month, sort) = super::batch_reads::tracker_filters(
            self.status.as_deref(),
            self.month.as_deref(),
            self.sort.as_deref(),
            errors,
        );
        BatchFilter {
            site: code("site", self.site.as_deref(), errors),
            product: code("product", self.product.as_deref(), errors),
            status,
            month,
            sort,
            limit: limit.into(),
            offset,
            scope: None,
        }
    }
}

impl LotQuery {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> LotQuery {
        LotQuery {
            material: params.text("material", errors),
            limit: params.text("limit", errors),
        }
    }

    /// The material and how many lots.
    fn filter(self, errors: &mut Vec<FieldError>) -> (Option<String>, u32) {
        let limit = page_size(self.limit.as_deref(), DEFAULT_LOTS, MAX_ROWS)
            .map_err(|e| errors.push(e))
            .unwrap_or(DEFAULT_LOTS);
        (code("material", self.material.as_deref(), errors), limit)
    }
}

impl TraceQuery {
    fn read(params: &QueryParams, errors: &mut Vec<FieldError>) -> TraceQuery {
        TraceQuery {
            lot: params.text("lot", errors),
            batch: params.text("batch", errors),
            direction: params.text("direction", errors),
        }
    }
}

/// One page of the batch tracker.
#[derive(Serialize, ToSchema)]
pub struct BatchPage {
    /// How many batches match the filter, on every page together.
    pub total: u64,
    /// The batches of this page, latest production start first.
    pub batches: Vec<Batch>,
    /// The credit the licence of a published data set requires; present when a
    /// batch of this page comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// A batch with what went in, what came out and what was measured.
#[derive(Serialize, ToSchema)]
pub struct BatchDetail {
    #[serde(flatten)]
    pub view: BatchView,
    /// The credit the licence of a published data set requires, when the batch
    /// comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// Lots, ordered by material and lot number.
#[derive(Serialize, ToSchema)]
pub struct LotList {
    pub lots: Vec<Lot>,
    /// The credit the licence of a published data set requires, when a lot listed
    /// comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// A lot with the batch that produced it and the batches that consumed it.
#[derive(Serialize, ToSchema)]
pub struct LotDetail {
    pub lot: Lot,
    /// The expiry date has passed (whatever the status says).
    pub expired: bool,
    /// The batch that yielded the lot; absent for a received lot, or when that
    /// batch lies at a site outside your scope.
    pub producer: Option<Batch>,
    /// The batches that consumed the lot, at the sites you may see.
    pub consumers: Vec<Batch>,
    /// The credit the licence of a published data set requires, when a record
    /// shown comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// A forward or backward trace.
#[derive(Serialize, ToSchema)]
pub struct TraceBody {
    #[serde(flatten)]
    pub trace: Trace,
    /// The credit the licence of a published data set requires, when a record
    /// shown (or the start) comes from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// The batch tracker: batches at the sites you may see, latest production start
/// first, one page at a time, with each milestone planned and actual.
#[utoipa::path(get, path = "/api/v1/batches", tag = "batches", operation_id = "batches_list", params(BatchQuery),
    responses(
        (status = 200, body = BatchPage),
        (status = 422, body = ErrorBody, description = "A bad filter or page; every bad parameter is named"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<BatchPage>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let filter = BatchQuery::read(&params, &mut errors).filter(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let (batches, total) = s.app.batches(&viewer.scope(), filter).await?;
    let credit = credit(batches.iter().map(|b| b.provenance.as_deref()));
    Ok(Json(BatchPage {
        total,
        batches,
        credit,
    }))
}

/// One batch: its milestones, the lots it consumed and yielded, and its results.
#[utoipa::path(get, path = "/api/v1/batches/{site}/{number}", tag = "batches", operation_id = "batches_show",
    params(("site" = String, Path), ("number" = String, Path)),
    responses((status = 200, body = BatchDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Json<BatchDetail>, ApiError> {
    let view = s
        .app
        .batch(&viewer.scope(), &path_id(&site, &number))
        .await?;
    let credit = credit([view.batch.provenance.as_deref()]);
    Ok(Json(BatchDetail { view, credit }))
}

/// One time series attached to a batch, every reading as its source wrote it.
#[derive(Serialize, ToSchema)]
pub struct BatchSeries {
    pub source: String,
    pub columns: Vec<String>,
    /// `[time, [value per column]]` per reading, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<(String, Vec<String>)>,
}

/// The time series attached to a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchSeriesList {
    pub batch: String,
    pub series: Vec<BatchSeries>,
    /// The credit the source's licence asks for, when the batch comes from a published
    /// data set.
    pub credit: Option<String>,
}

/// The time series attached to a batch (e.g. tablet-press readings every 10 s).
#[utoipa::path(get, path = "/api/v1/batches/{site}/{number}/series", tag = "batches", operation_id = "batches_series",
    params(("site" = String, Path), ("number" = String, Path)),
    responses((status = 200, body = BatchSeriesList), (status = 404, body = ErrorBody)))]
pub async fn series(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((site, number)): Path<(String, String)>,
) -> Result<Json<BatchSeriesList>, ApiError> {
    let id = path_id(&site, &number);
    let view = s.app.batch(&viewer.scope(), &id).await?;
    let series = s
        .app
        .batch_series(&viewer.scope(), &id)
        .await?
        .into_iter()
        .map(|(source, series)| BatchSeries {
            source,
            columns: series.columns,
            rows: series.rows,
        })
        .collect();
    Ok(Json(BatchSeriesList {
        batch: view.batch.id.clone(),
        series,
        credit: credit([view.batch.provenance.as_deref()]),
    }))
}

/// Lots at the sites you may see, by material and lot number.
#[utoipa::path(get, path = "/api/v1/lots", tag = "batches", operation_id = "lots_list", params(LotQuery),
    responses(
        (status = 200, body = LotList),
        (status = 422, body = ErrorBody, description = "A bad filter; every bad parameter is named"),
    ))]
pub async fn lots(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<LotList>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let (material, limit) = LotQuery::read(&params, &mut errors).filter(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let lots = s.app.lots(&viewer.scope(), material, limit.into()).await?;
    let credit = credit(lots.iter().map(|l| l.provenance.as_deref()));
    Ok(Json(LotList { lots, credit }))
}

/// One lot, with the batch that produced it and the batches that consumed it.
#[utoipa::path(get, path = "/api/v1/lots/{material}/{lot}", tag = "batches", operation_id = "lots_show",
    params(("material" = String, Path), ("lot" = String, Path)),
    responses((status = 200, body = LotDetail), (status = 404, body = ErrorBody)))]
pub async fn lot(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((material, lot)): Path<(String, String)>,
) -> Result<Json<LotDetail>, ApiError> {
    let id = path_id(&material, &lot);
    Ok(Json(
        batch_reads::lot_detail(&s.app, &viewer.scope(), &id).await?,
    ))
}

/// The materials lots are made of.
#[utoipa::path(get, path = "/api/v1/materials", tag = "batches", operation_id = "materials_list",
    responses((status = 200, body = Vec<Material>)))]
pub async fn materials(State(s): State<AppState>) -> Result<Json<Vec<Material>>, ApiError> {
    Ok(Json(s.app.materials().await?))
}

/// Traces the genealogy from a lot or a batch: forward to every batch and lot it
/// went into, or backward to everything it was made from. Records at sites outside
/// your scope are left out and counted in `hidden`.
#[utoipa::path(get, path = "/api/v1/trace", tag = "batches", operation_id = "trace", params(TraceQuery),
    responses(
        (status = 200, body = TraceBody),
        (status = 404, body = ErrorBody, description = "The start record does not exist (or lies outside your scope)"),
        (status = 422, body = ErrorBody, description = "Not exactly one start, or a bad direction; every bad parameter is named"),
    ))]
pub async fn trace(
    State(s): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<TraceBody>, ApiError> {
    let params = QueryParams::parse(raw.as_deref()).map_err(ApiError::invalid)?;
    let mut errors = Vec::new();
    let q = TraceQuery::read(&params, &mut errors);
    let parsed =
        batch_reads::trace_request(q.lot.as_deref(), q.batch.as_deref(), q.direction.as_deref());
    let (start, direction) = match parsed {
        Ok((Some(start), direction)) if errors.is_empty() => (start, direction),
        Ok((None, _)) if errors.is_empty() => {
            return Err(ApiError::invalid(vec![batch_reads::start_required()]));
        }
        Ok(_) => return Err(ApiError::invalid(errors)),
        Err(refused) => {
            errors.extend(refused);
            return Err(ApiError::invalid(errors));
        }
    };
    let (trace, credit) = batch_reads::trace(&s.app, &viewer.scope(), start, direction).await?;
    Ok(Json(TraceBody { trace, credit }))
}
