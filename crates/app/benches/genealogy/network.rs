//! A generated pharmaceutical supply network, deterministic for a given size.
//!
//! Four API contract sites make 25 active ingredients: an API batch consumes a
//! starting-material lot, a reagent lot and a solvent lot, and yields an API lot and
//! a lot of spent solvent. Every ten spent-solvent lots of a site are distilled in a
//! recovery batch into one recovered-solvent lot, which the site's next API batches
//! take instead of fresh solvent seven times out of ten. That loop is what ties the
//! network together: everything made with recovered solvent descends from every
//! earlier batch of its site, which is what makes a recall of an early solvent or
//! starting-material lot reach far.
//!
//! Each API lot goes into 40 drug-product batches (200 products, each on one of 20
//! sites; a product batch also consumes three excipient lots) yielding one bulk lot
//! each, and each bulk lot is packed twice (one of 12 packaging sites, two packaging
//! component lots per run) into finished lots. A raw-material lot (starting
//! material, reagent, fresh solvent, excipient, component) serves 20 batches of its
//! site before the next lot of that material is opened.
//!
//! Per API batch that is about 136 lots, 121 batches and 526 edges: 10,000,000 lots
//! come with about 8.9 million batches and 38.6 million edges.

use std::collections::HashMap;
use std::fmt::Write as _;

const API_SITES: u16 = 4;
const DP_SITES: u16 = 20;
const PACK_SITES: u16 = 12;
const API_PRODUCTS: u16 = 25;
/// Drug products; product `p` is made from API `p % API_PRODUCTS`.
const PRODUCTS: u16 = 200;
const EXCIPIENTS: u16 = 60;
const COMPONENTS: u16 = 40;
const STARTING: u16 = 16;
const REAGENTS: u16 = 10;
const SOLVENTS: u16 = 5;
/// Batches a raw-material lot serves before the next lot of it is opened.
const RAW_USES: u32 = 20;
const DP_PER_API_LOT: u32 = 40;
const PACKS_PER_BULK: u32 = 2;
const SPENT_PER_RECOVERY: usize = 10;
const RECOVERED_USES: u32 = 10;
/// Out of ten API batches, how many take recovered solvent when there is some.
const RECOVERED_SHARE: u64 = 7;

/// A small deterministic generator (xorshift), so every run builds the same network.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Excipient,
    Component,
    Starting,
    Reagent,
    Solvent,
    Spent,
    Recovered,
    Api,
    Bulk,
    Finished,
    ApiBatch,
    Recovery,
    DpBatch,
    PackBatch,
}

/// One lot or batch: what it is, its material (or, for a batch, its product), its
/// number, and the site that holds or made it.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub kind: Kind,
    pub group: u16,
    pub site: u16,
    pub number: u32,
}

impl Node {
    pub fn is_lot(&self) -> bool {
        !matches!(
            self.kind,
            Kind::ApiBatch | Kind::Recovery | Kind::DpBatch | Kind::PackBatch
        )
    }

    /// The material code of a lot, written into `out`.
    fn write_material(&self, out: &mut String) {
        let g = self.group;
        let _ = match self.kind {
            Kind::Excipient => write!(out, "EXC-{g:03}"),
            Kind::Component => write!(out, "PKG-{g:03}"),
            Kind::Starting => write!(out, "SM-{g:02}"),
            Kind::Reagent => write!(out, "RGT-{g:02}"),
            Kind::Solvent => write!(out, "SOLV-{g:02}"),
            Kind::Spent => write!(out, "SPENT-{g}"),
            Kind::Recovered => write!(out, "RSOLV-{g}"),
            Kind::Api => write!(out, "API-{g:02}"),
            Kind::Bulk => write!(out, "BLK-{g:03}"),
            Kind::Finished => write!(out, "FG-{g:03}"),
            Kind::ApiBatch | Kind::Recovery | Kind::DpBatch | Kind::PackBatch => Ok(()),
        };
    }

    /// The site that holds the lot or made the batch, written into `out`.
    fn write_site(&self, out: &mut String) {
        let s = self.site;
        let _ = match self.kind {
            Kind::Starting
            | Kind::Reagent
            | Kind::Solvent
            | Kind::Spent
            | Kind::Recovered
            | Kind::Api
            | Kind::ApiBatch
            | Kind::Recovery => write!(out, "CMO-API-{s}"),
            Kind::Excipient | Kind::Bulk | Kind::DpBatch => write!(out, "CMO-DP-{s:02}"),
            Kind::Component | Kind::Finished | Kind::PackBatch => write!(out, "CMO-PK-{s:02}"),
        };
    }

    /// The lot or batch number (a recovery batch's starts with `R`), written into
    /// `out`.
    fn write_number(&self, out: &mut String) {
        let _ = match self.kind {
            Kind::Recovery => write!(out, "R{:06}", self.number),
            _ => write!(out, "{:07}", self.number),
        };
    }

    pub fn material(&self) -> String {
        let mut out = String::new();
        self.write_material(&mut out);
        out
    }

    pub fn site_code(&self) -> String {
        let mut out = String::new();
        self.write_site(&mut out);
        out
    }

    pub fn number_text(&self) -> String {
        let mut out = String::new();
        self.write_number(&mut out);
        out
    }

    /// The product a batch makes.
    pub fn product(&self) -> String {
        let g = self.group;
        match self.kind {
            Kind::ApiBatch => format!("API-{g:02}"),
            Kind::Recovery => format!("RSOLV-{}", self.site),
            _ => format!("PRD-{g:03}"),
        }
    }

    /// The record id, `<material>/<lot>` or `<site>/<batch>`.
    pub fn id(&self) -> String {
        let mut out = String::new();
        self.write_id(&mut out);
        out
    }

    fn write_id(&self, out: &mut String) {
        if self.is_lot() {
            self.write_material(out);
        } else {
            self.write_site(out);
        }
        out.push('/');
        self.write_number(out);
    }

    /// The genealogy node key (`lot:…` or `batch:…`), written into `out`.
    pub fn write_key(&self, out: &mut String) {
        out.push_str(if self.is_lot() { "lot:" } else { "batch:" });
        self.write_id(out);
    }
}

/// The generated network: nodes by id, edges as `(source, target)` ids.
#[derive(Default)]
pub struct Network {
    pub nodes: Vec<Node>,
    pub edges: Vec<(u32, u32)>,
    pub lots: usize,
}

#[derive(Default)]
struct Generator {
    net: Network,
    rng: Rng,
    /// The open lot of each raw material at each site, and the uses it has left.
    open: HashMap<(Kind, u16, u16), (u32, u32)>,
    /// The next number of each material's lots and of each site's batches.
    numbers: HashMap<(Kind, u16), u32>,
    spent: Vec<Vec<u32>>,
    recovered: Vec<Option<(u32, u32)>>,
}

impl Default for Rng {
    fn default() -> Rng {
        Rng(0x5eed_9e37_79b9_7f4a)
    }
}

impl Generator {
    fn node(&mut self, kind: Kind, group: u16, site: u16) -> u32 {
        let probe = Node {
            kind,
            group,
            site,
            number: 0,
        };
        // Lots are numbered per material, batches per site.
        let key = if probe.is_lot() { group } else { site };
        let counter = self.numbers.entry((kind, key)).or_insert(0);
        *counter += 1;
        let node = Node {
            number: *counter,
            ..probe
        };
        if node.is_lot() {
            self.net.lots += 1;
        }
        self.net.nodes.push(node);
        (self.net.nodes.len() - 1) as u32
    }

    /// The open lot of a raw material at `site`, opening the next when it is used up.
    fn raw(&mut self, kind: Kind, material: u16, site: u16) -> u32 {
        match self.open.get_mut(&(kind, material, site)) {
            Some((lot, left)) if *left > 0 => {
                *left -= 1;
                *lot
            }
            _ => {
                let lot = self.node(kind, material, site);
                self.open
                    .insert((kind, material, site), (lot, RAW_USES - 1));
                lot
            }
        }
    }

    fn edge(&mut self, source: u32, target: u32) {
        self.net.edges.push((source, target));
    }

    /// One API batch, its solvent recovery, and everything made from its API lot.
    fn api_batch(&mut self) {
        let api = self.rng.below(u64::from(API_PRODUCTS)) as u16;
        let site = api % API_SITES;
        let batch = self.node(Kind::ApiBatch, api, site);
        let starting = self.raw(Kind::Starting, api % STARTING, site);
        self.edge(starting, batch);
        let reagent = self.raw(Kind::Reagent, api % REAGENTS, site);
        self.edge(reagent, batch);
        let recovered = self.recovered[site as usize];
        let solvent = match recovered {
            Some((lot, left)) if self.rng.below(10) < RECOVERED_SHARE => {
                self.recovered[site as usize] = (left > 1).then_some((lot, left - 1));
                lot
            }
            _ => self.raw(Kind::Solvent, api % SOLVENTS, site),
        };
        self.edge(solvent, batch);
        let api_lot = self.node(Kind::Api, api, site);
        self.edge(batch, api_lot);
        let spent = self.node(Kind::Spent, site, site);
        self.edge(batch, spent);
        self.spent[site as usize].push(spent);
        if self.spent[site as usize].len() == SPENT_PER_RECOVERY {
            let recovery = self.node(Kind::Recovery, site, site);
            for lot in std::mem::take(&mut self.spent[site as usize]) {
                self.edge(lot, recovery);
            }
            let lot = self.node(Kind::Recovered, site, site);
            self.edge(recovery, lot);
            self.recovered[site as usize] = Some((lot, RECOVERED_USES));
        }
        for _ in 0..DP_PER_API_LOT {
            let variants = u64::from(PRODUCTS / API_PRODUCTS);
            let product = api + API_PRODUCTS * self.rng.below(variants) as u16;
            let dp_site = product % DP_SITES;
            let dp = self.node(Kind::DpBatch, product, dp_site);
            self.edge(api_lot, dp);
            for k in 0..3 {
                let excipient = self.raw(
                    Kind::Excipient,
                    (product * 7 + k * 13) % EXCIPIENTS,
                    dp_site,
                );
                self.edge(excipient, dp);
            }
            let bulk = self.node(Kind::Bulk, product, dp_site);
            self.edge(dp, bulk);
            let pack_site = product % PACK_SITES;
            for _ in 0..PACKS_PER_BULK {
                let pack = self.node(Kind::PackBatch, product, pack_site);
                self.edge(bulk, pack);
                for c in 0..2 {
                    let component =
                        self.raw(Kind::Component, (product * 3 + c) % COMPONENTS, pack_site);
                    self.edge(component, pack);
                }
                let finished = self.node(Kind::Finished, product, pack_site);
                self.edge(pack, finished);
            }
        }
    }
}

/// A network of at least `lots` lots.
pub fn generate(lots: usize) -> Network {
    let mut g = Generator {
        spent: vec![Vec::new(); API_SITES as usize],
        recovered: vec![None; API_SITES as usize],
        ..Generator::default()
    };
    // Reserve for the sizes the module documentation gives, so that growing the
    // vectors does not double the memory at the end.
    let units = lots / 136 + 1;
    g.net.nodes.reserve(units * 258);
    g.net.edges.reserve(units * 527);
    while g.net.lots < lots {
        g.api_batch();
    }
    g.net
}
