//! Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; EU GMP Annex 11 §14)
//! as one capability every record type reuses.
//!
//! A signature is an event appended to the signed record's own stream. It names the
//! signer, their printed name and the meaning, and it carries the version and the
//! ledger hash of the record as it was shown to the signer. Because that hash chains
//! over every earlier event of the record, the signature is bound to exactly that
//! content: it cannot be moved to another record, and a record changed since it was
//! shown cannot be signed (the versions differ, and the store refuses the append).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::event::Event;
use crate::identity::{Permission, Principal};

/// What a signature means. New meanings are added here, never renamed: stored
/// signatures keep the name they were made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Performed,
    Verified,
    Reviewed,
    Approved,
    Released,
    Rejected,
}

impl Meaning {
    pub const ALL: [Meaning; 6] = [
        Meaning::Performed,
        Meaning::Verified,
        Meaning::Reviewed,
        Meaning::Approved,
        Meaning::Released,
        Meaning::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Performed => "performed",
            Meaning::Verified => "verified",
            Meaning::Reviewed => "reviewed",
            Meaning::Approved => "approved",
            Meaning::Released => "released",
            Meaning::Rejected => "rejected",
        }
    }

    /// The sentence a signature manifests, e.g. "Approved by".
    pub fn label(self) -> &'static str {
        match self {
            Meaning::Performed => "Performed",
            Meaning::Verified => "Verified",
            Meaning::Reviewed => "Reviewed",
            Meaning::Approved => "Approved",
            Meaning::Released => "Released",
            Meaning::Rejected => "Rejected",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Meaning, FieldError> {
        let wanted = raw.trim().to_lowercase();
        Meaning::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of performed, verified, reviewed, approved, released, rejected",
                )
            })
    }
}

/// The payload of a signature event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSigned {
    /// The signer's username (unique, never reused).
    pub signer: String,
    /// The signer's full name at the time of signing (§11.50(a)(1)).
    pub printed_name: String,
    pub meaning: Meaning,
    /// The record version shown to the signer.
    pub record_version: u64,
    /// The ledger hash (hex) of that version: the chain over the record's content.
    pub record_hash: String,
    /// The part of the record signed, when it is not the whole (a step of a batch
    /// record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A segregation-of-duties rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DutyRule {
    /// Whoever recorded a change to the record may not sign it with this meaning
    /// (no one approves what they authored).
    AuthorMayNot(Meaning),
    /// Whoever signed with `signed` may not also sign with `may_not` (no one
    /// verifies what they performed).
    SignerMayNot { signed: Meaning, may_not: Meaning },
}

/// Which meanings a record type can be signed with, and its duty rules.
#[derive(Clone, Copy, Debug)]
pub struct SignaturePolicy {
    pub meanings: &'static [Meaning],
    pub rules: &'static [DutyRule],
}

/// The rules most record types share.
pub const STANDARD_RULES: &[DutyRule] = &[
    DutyRule::AuthorMayNot(Meaning::Reviewed),
    DutyRule::AuthorMayNot(Meaning::Approved),
    DutyRule::AuthorMayNot(Meaning::Released),
    DutyRule::SignerMayNot {
        signed: Meaning::Performed,
        may_not: Meaning::Verified,
    },
];

/// Master data (sites, products) is reviewed and approved, e.g. at periodic review.
const MASTER_DATA: SignaturePolicy = SignaturePolicy {
    meanings: &[Meaning::Reviewed, Meaning::Approved],
    rules: STANDARD_RULES,
};

/// An exception's closure and its due-date extensions are approved (or rejected) by
/// someone who recorded nothing in it.
const EXCEPTIONS: SignaturePolicy = SignaturePolicy {
    meanings: &[Meaning::Approved, Meaning::Rejected],
    rules: &[
        DutyRule::AuthorMayNot(Meaning::Approved),
        DutyRule::AuthorMayNot(Meaning::Rejected),
    ],
};

/// An MBR version in review is approved (or rejected) by someone who authored none
/// of it (SPEC §2.2).
const MBRS: SignaturePolicy = SignaturePolicy {
    meanings: &[Meaning::Approved, Meaning::Rejected],
    rules: &[
        DutyRule::AuthorMayNot(Meaning::Approved),
        DutyRule::AuthorMayNot(Meaning::Rejected),
    ],
};

/// A batch record: steps are performed and verified (the step is the signature's
/// subject, and the step rules are decided by `EbrState::on_signed`); the record is
/// reviewed and dispositioned by someone who entered nothing in it.
const EBRS: SignaturePolicy = SignaturePolicy {
    meanings: &[
        Meaning::Performed,
        Meaning::Verified,
        Meaning::Reviewed,
        Meaning::Released,
        Meaning::Rejected,
    ],
    rules: &[
        DutyRule::AuthorMayNot(Meaning::Reviewed),
        DutyRule::AuthorMayNot(Meaning::Released),
        DutyRule::AuthorMayNot(Meaning::Rejected),
    ],
};

/// A material lot is released or rejected by QA, not by whoever registered it.
const LOTS: SignaturePolicy = SignaturePolicy {
    meanings: &[Meaning::Released, Meaning::Rejected],
    rules: &[
        DutyRule::AuthorMayNot(Meaning::Released),
        DutyRule::AuthorMayNot(Meaning::Rejected),
    ],
};

/// What a signature does to its record beyond being there, decided with it and
/// committed with it: an approval closes an exception, a rejection sends it back.
/// `events` is the record's stream before the signature; `today` the signing day.
pub fn consequences(
    record_type: &str,
    events: &[&Event],
    meaning: Meaning,
    today: crate::dates::PartialDate,
) -> Result<Vec<Event>, DomainError> {
    use crate::aggregate::Aggregate;
    match record_type {
        "exception" => {
            let mut state = crate::exception::ExceptionState::default();
            events.iter().for_each(|e| state.apply(e));
            state.on_signed(meaning, today)
        }
        "mbr" => {
            let mut state = crate::mbr::MbrState::default();
            events.iter().for_each(|e| state.apply(e));
            state.on_signed(meaning)
        }
        "lot" => {
            let mut state = crate::lot::LotState::default();
            events.iter().for_each(|e| state.apply(e));
            state.on_signed(meaning)
        }
        _ => Ok(Vec::new()),
    }
}

/// The policy of a record type (the stream prefix, e.g. `site`); `None` when that
/// type cannot be signed. A module that makes a new type signable adds it here.
pub fn policy(record_type: &str) -> Option<&'static SignaturePolicy> {
    match record_type {
        "site" | "product" => Some(&MASTER_DATA),
        "exception" => Some(&EXCEPTIONS),
        "mbr" => Some(&MBRS),
        "ebr" => Some(&EBRS),
        "lot" => Some(&LOTS),
        _ => None,
    }
}

/// One event of the record's stream as the rules need it.
pub struct PastEvent<'a> {
    pub actor: &'a str,
    pub event: &'a Event,
}

/// The record as it stands now.
pub struct SignTarget<'a> {
    /// E.g. "site 'BSL'", for messages.
    pub name: &'a str,
    pub version: u64,
    /// Hex ledger hash of the record's latest event.
    pub hash: &'a str,
    pub events: Vec<PastEvent<'a>>,
}

/// What the signer was shown and chose.
#[derive(Clone, Debug)]
pub struct SignRequest {
    pub meaning: Meaning,
    /// The part of the record signed (a step), if not the whole.
    pub subject: Option<String>,
    pub shown_version: u64,
    pub shown_hash: String,
}

/// Decides a signature, or says which rule refuses it. The password has been checked
/// by the caller; everything else about the signature is decided here.
pub fn decide(
    policy: &SignaturePolicy,
    target: &SignTarget<'_>,
    request: &SignRequest,
    signer: &Principal,
) -> Result<Event, DomainError> {
    let meaning = request.meaning;
    if !policy.meanings.contains(&meaning) {
        let allowed: Vec<&str> = policy.meanings.iter().map(|m| m.as_str()).collect();
        return Err(DomainError::field(
            "meaning",
            format!(
                "{} cannot be signed as {}; choose {}",
                target.name,
                meaning.as_str(),
                allowed.join(" or ")
            ),
        ));
    }
    if !signer.can(Permission::Sign(meaning)) {
        return Err(DomainError::NotAllowed(format!(
            "your roles do not allow signing as {}",
            meaning.as_str()
        )));
    }
    if request.shown_version != target.version || request.shown_hash != target.hash {
        return Err(DomainError::InvalidState(
            if request.shown_version == target.version {
                format!(
                    "the signature was prepared for different content than {} holds; reload the record and sign what it shows",
                    target.name
                )
            } else {
                format!(
                    "{} changed since it was shown to you (you saw version {}, it is now version {}); reload it, review the changes and sign again",
                    target.name, request.shown_version, target.version
                )
            },
        ));
    }
    for rule in policy.rules {
        check_duty(*rule, target, meaning, &signer.username)?;
    }
    Ok(Event::RecordSigned(RecordSigned {
        signer: signer.username.clone(),
        printed_name: signer.full_name.clone(),
        meaning,
        record_version: target.version,
        record_hash: target.hash.to_owned(),
        subject: request.subject.clone(),
    }))
}

fn check_duty(
    rule: DutyRule,
    target: &SignTarget<'_>,
    meaning: Meaning,
    signer: &str,
) -> Result<(), DomainError> {
    match rule {
        DutyRule::AuthorMayNot(m) if m == meaning => {
            let authored = target
                .events
                .iter()
                .any(|e| e.actor == signer && !e.event.is_signature_or_consequence());
            if authored {
                return Err(DomainError::NotAllowed(format!(
                    "segregation of duties: you recorded changes to {} and cannot sign it as {}; another person must",
                    target.name,
                    meaning.as_str()
                )));
            }
        }
        DutyRule::SignerMayNot { signed, may_not } if may_not == meaning => {
            let signed_before = target.events.iter().any(|e| {
                matches!(e.event, Event::RecordSigned(s) if s.signer == signer && s.meaning == signed)
            });
            if signed_before {
                return Err(DomainError::NotAllowed(format!(
                    "segregation of duties: you signed {} as {} and cannot also sign it as {}; another person must",
                    target.name,
                    signed.as_str(),
                    meaning.as_str()
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Role;
    use crate::site::{SiteKind, SiteRegistered};

    fn person(name: &str, role: Role) -> Principal {
        Principal::new(
            name,
            &format!("{name} Person"),
            [role].into_iter().collect(),
            Default::default(),
        )
    }

    fn registered() -> Event {
        Event::SiteRegistered(SiteRegistered {
            code: "BSL".into(),
            name: "Basel".into(),
            kind: SiteKind::Internal,
            country: "CH".into(),
        })
    }

    fn request(meaning: Meaning, version: u64, hash: &str) -> SignRequest {
        SignRequest {
            meaning,
            shown_version: version,
            shown_hash: hash.into(),
            subject: None,
        }
    }

    #[test]
    fn a_signature_carries_name_meaning_and_the_hash_shown() {
        let event = registered();
        let target = SignTarget {
            name: "site 'BSL'",
            version: 1,
            hash: "aa",
            events: vec![PastEvent {
                actor: "author",
                event: &event,
            }],
        };
        let qa = person("qa", Role::QaReviewer);
        let signed = decide(
            &MASTER_DATA,
            &target,
            &request(Meaning::Approved, 1, "aa"),
            &qa,
        );
        assert_eq!(
            signed.unwrap(),
            Event::RecordSigned(RecordSigned {
                signer: "qa".into(),
                printed_name: "qa Person".into(),
                meaning: Meaning::Approved,
                record_version: 1,
                record_hash: "aa".into(),
                subject: None,
            })
        );
    }

    #[test]
    fn no_one_approves_what_they_authored() {
        let event = registered();
        let target = SignTarget {
            name: "site 'BSL'",
            version: 1,
            hash: "aa",
            events: vec![PastEvent {
                actor: "qa",
                event: &event,
            }],
        };
        let qa = person("qa", Role::QaReviewer);
        let refused = decide(
            &MASTER_DATA,
            &target,
            &request(Meaning::Approved, 1, "aa"),
            &qa,
        );
        assert!(matches!(refused, Err(DomainError::NotAllowed(m)) if m.contains("segregation")));
    }

    #[test]
    fn no_one_verifies_what_they_performed() {
        let policy = SignaturePolicy {
            meanings: &[Meaning::Performed, Meaning::Verified],
            rules: STANDARD_RULES,
        };
        let created = registered();
        let performed = Event::RecordSigned(RecordSigned {
            signer: "sup".into(),
            printed_name: "sup Person".into(),
            meaning: Meaning::Performed,
            record_version: 1,
            record_hash: "aa".into(),
            subject: None,
        });
        let target = SignTarget {
            name: "step 1",
            version: 2,
            hash: "bb",
            events: vec![
                PastEvent {
                    actor: "author",
                    event: &created,
                },
                PastEvent {
                    actor: "sup",
                    event: &performed,
                },
            ],
        };
        let sup = person("sup", Role::Supervisor);
        let refused = decide(&policy, &target, &request(Meaning::Verified, 2, "bb"), &sup);
        assert!(matches!(refused, Err(DomainError::NotAllowed(_))));
        let other = person("other", Role::Supervisor);
        assert!(
            decide(
                &policy,
                &target,
                &request(Meaning::Verified, 2, "bb"),
                &other
            )
            .is_ok()
        );
    }

    #[test]
    fn a_changed_or_different_record_cannot_be_signed() {
        let event = registered();
        let target = SignTarget {
            name: "site 'BSL'",
            version: 3,
            hash: "cc",
            events: vec![PastEvent {
                actor: "author",
                event: &event,
            }],
        };
        let qa = person("qa", Role::QaReviewer);
        let stale = decide(
            &MASTER_DATA,
            &target,
            &request(Meaning::Approved, 2, "bb"),
            &qa,
        );
        assert!(matches!(stale, Err(DomainError::InvalidState(m)) if m.contains("changed since")));
        let moved = decide(
            &MASTER_DATA,
            &target,
            &request(Meaning::Approved, 3, "ff"),
            &qa,
        );
        assert!(
            matches!(moved, Err(DomainError::InvalidState(m)) if m.contains("different content"))
        );
    }

    #[test]
    fn a_role_without_the_meaning_cannot_sign() {
        let event = registered();
        let target = SignTarget {
            name: "site 'BSL'",
            version: 1,
            hash: "aa",
            events: vec![PastEvent {
                actor: "author",
                event: &event,
            }],
        };
        let operator = person("op", Role::Operator);
        let refused = decide(
            &MASTER_DATA,
            &target,
            &request(Meaning::Approved, 1, "aa"),
            &operator,
        );
        assert!(matches!(refused, Err(DomainError::NotAllowed(_))));
    }
}
