//! Builders for the commands and events the tests commit, and the attacker's tool that
//! recomputes hashes after an edit.

use std::collections::HashMap;

use vplant_domain::Event;
use vplant_domain::event::Empty;
use vplant_domain::master::Renamed;
use vplant_domain::product::ProductRegistered;
use vplant_domain::site::{SiteKind, SiteRegistered};
use vplant_ledger::{Hash, LedgerEvent};
use vplant_store::{CommitRequest, Idempotency};

/// The actor every fixture command is attributed to.
pub const ACTOR: &str = "qa.tester";

pub fn site_registered(code: &str, name: &str) -> Event {
    Event::SiteRegistered(SiteRegistered {
        code: code.to_owned(),
        name: name.to_owned(),
        kind: SiteKind::Internal,
        country: "CH".to_owned(),
    })
}

pub fn site_renamed(from: &str, to: &str) -> Event {
    Event::SiteRenamed(Renamed {
        from: from.to_owned(),
        to: to.to_owned(),
    })
}

pub fn site_deactivated() -> Event {
    Event::SiteDeactivated(Empty {})
}

pub fn site_reactivated() -> Event {
    Event::SiteReactivated(Empty {})
}

pub fn product_registered(code: &str, name: &str) -> Event {
    Event::ProductRegistered(ProductRegistered {
        code: code.to_owned(),
        name: name.to_owned(),
        dosage_form: "film-coated tablet".to_owned(),
        strength: "500 mg".to_owned(),
    })
}

pub fn product_renamed(from: &str, to: &str) -> Event {
    Event::ProductRenamed(Renamed {
        from: from.to_owned(),
        to: to.to_owned(),
    })
}

/// A command appending `events` to `stream_id`, decided at `expected_version`.
pub fn request(stream_id: &str, expected_version: u64, events: Vec<Event>) -> CommitRequest {
    CommitRequest {
        stream_id: stream_id.to_owned(),
        expected_version,
        events,
        actor: ACTOR.to_owned(),
        reason: None,
        idempotency: None,
    }
}

/// Registers site `code` (stream `site/CODE`, expected version 0).
pub fn register_site(code: &str, name: &str) -> CommitRequest {
    request(
        &format!("site/{code}"),
        0,
        vec![site_registered(code, name)],
    )
}

/// Registers product `code` (stream `product/CODE`, expected version 0).
pub fn register_product(code: &str, name: &str) -> CommitRequest {
    request(
        &format!("product/{code}"),
        0,
        vec![product_registered(code, name)],
    )
}

/// Adds a reason, as changes to master data carry one.
pub fn because(mut request: CommitRequest, reason: &str) -> CommitRequest {
    request.reason = Some(reason.to_owned());
    request
}

/// Adds an idempotency key whose fingerprint is the hash of `fingerprint`.
pub fn with_key(mut request: CommitRequest, key: &str, fingerprint: &str) -> CommitRequest {
    request.idempotency = Some(Idempotency {
        key: key.to_owned(),
        fingerprint: vplant_ledger::sha256(fingerprint.as_bytes()),
    });
    request
}

/// What an attacker with the ledger code but without the signing key does after
/// editing history: recomputes the previous-hash link and hash of every event from
/// `from_seq` on, so that every per-event check passes again. Returns the rows whose
/// contents changed.
pub fn reseal_from(events: &mut [LedgerEvent], from_seq: u64) -> Vec<LedgerEvent> {
    let mut heads: HashMap<String, Hash> = HashMap::new();
    let mut buf = Vec::new();
    let mut changed = Vec::new();
    for event in events.iter_mut() {
        if event.seq >= from_seq {
            let before = event.clone();
            event.prev_hash = heads.get(&event.stream_id).copied().unwrap_or(Hash::ZERO);
            event.hash = event.computed_hash(&mut buf);
            if *event != before || event.seq == from_seq {
                changed.push(event.clone());
            }
        }
        heads.insert(event.stream_id.clone(), event.hash);
    }
    changed
}
