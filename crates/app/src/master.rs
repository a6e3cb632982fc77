//! Master-data resources (sites, products, and later materials, equipment …) as one
//! shape, so that the API, the pages and the CLI handle every resource with the same
//! generic code and each resource only says what is its own.

use std::future::Future;

use serde::Serialize;
use vplant_domain::identity::Scope;
use vplant_domain::master::Change;
use vplant_domain::product::{ProductCommand, ProductState};
use vplant_domain::site::{SiteCommand, SiteState};
use vplant_domain::{Aggregate, DomainError};
use vplant_store::queries::master::{Product, Site};
use vplant_store::{Store, StoreError};

use crate::{App, AppError, HistoryEntry, Request};

/// A master-data resource.
pub trait Master: Send + Sync + 'static {
    type Agg: Aggregate<Command: Send + Sync> + Send + Sync;
    type Record: Serialize + Send + 'static;
    /// Lower-case singular, for sentences: "site".
    const WHAT: &'static str;

    fn list(
        store: &Store,
        include_inactive: bool,
    ) -> impl Future<Output = Result<Vec<Self::Record>, StoreError>> + Send;
    fn get(
        store: &Store,
        code: &str,
    ) -> impl Future<Output = Result<Option<Self::Record>, StoreError>> + Send;
    fn change(change: Change) -> <Self::Agg as Aggregate>::Command;
    /// The site a record belongs to, for site scoping; `None` for records every
    /// reader of master data may see (products are the network's shared catalogue).
    fn site_of(record: &Self::Record) -> Option<&str>;
}

pub struct Sites;
pub struct Products;

impl Master for Sites {
    type Agg = SiteState;
    type Record = Site;
    const WHAT: &'static str = "site";

    fn list(
        store: &Store,
        all: bool,
    ) -> impl Future<Output = Result<Vec<Site>, StoreError>> + Send {
        store.sites(all)
    }

    fn get(
        store: &Store,
        code: &str,
    ) -> impl Future<Output = Result<Option<Site>, StoreError>> + Send {
        store.site(code)
    }

    fn change(change: Change) -> SiteCommand {
        SiteCommand::Change(change)
    }

    fn site_of(site: &Site) -> Option<&str> {
        Some(&site.code)
    }
}

impl Master for Products {
    type Agg = ProductState;
    type Record = Product;
    const WHAT: &'static str = "product";

    fn list(
        store: &Store,
        all: bool,
    ) -> impl Future<Output = Result<Vec<Product>, StoreError>> + Send {
        store.products(all)
    }

    fn get(
        store: &Store,
        code: &str,
    ) -> impl Future<Output = Result<Option<Product>, StoreError>> + Send {
        store.product(code)
    }

    fn change(change: Change) -> ProductCommand {
        ProductCommand::Change(change)
    }

    fn site_of(_: &Product) -> Option<&str> {
        None
    }
}

impl App {
    /// The records `scope` may see, ordered by code.
    pub async fn masters<M: Master>(
        &self,
        scope: &Scope,
        include_inactive: bool,
    ) -> Result<Vec<M::Record>, AppError> {
        let mut records = M::list(&self.store, include_inactive).await?;
        records.retain(|r| M::site_of(r).is_none_or(|site| scope.sees(site)));
        Ok(records)
    }

    /// The record as the read tables hold it, or `NotFound` naming it, also when it
    /// exists at a site outside `scope`: a CMO partner must not learn that another
    /// site's record exists.
    pub async fn master<M: Master>(
        &self,
        scope: &Scope,
        code: &str,
    ) -> Result<M::Record, AppError> {
        M::get(&self.store, code)
            .await?
            .filter(|r| M::site_of(r).is_none_or(|site| scope.sees(site)))
            .ok_or_else(|| not_found::<M>(code))
    }

    /// Applies a rename, deactivation or reactivation and returns the record after it.
    pub async fn change_master<M: Master>(
        &self,
        scope: &Scope,
        code: &str,
        change: Change,
        request: &Request,
    ) -> Result<M::Record, AppError> {
        let code = code.to_uppercase();
        self.master::<M>(scope, &code).await?;
        self.execute::<M::Agg>(&code, M::change(change), request)
            .await?;
        self.master::<M>(scope, &code).await
    }

    /// The record's history, oldest first; `NotFound` when it never existed or lies
    /// outside `scope`.
    pub async fn master_history<M: Master>(
        &self,
        scope: &Scope,
        code: &str,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        self.master::<M>(scope, code).await?;
        let entries = self
            .history(&M::Agg::stream_id(&code.to_uppercase()))
            .await?;
        if entries.is_empty() {
            return Err(not_found::<M>(code));
        }
        Ok(entries)
    }
}

fn not_found<M: Master>(code: &str) -> AppError {
    AppError::Domain(DomainError::NotFound {
        what: M::WHAT,
        id: code.to_uppercase(),
    })
}
