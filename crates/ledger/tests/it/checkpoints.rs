//! Checkpoints: what their signatures, their own chain, the witness file and the
//! Merkle roots they carry let the verifier catch.

use vplant_ledger::{
    Checkpoint, FailureKind, Hash, SigningKey, UnsignedCheckpoint, merkle_root, sha256,
};

use crate::chain::{Chain, checkpoint_over, public_key};

fn checkpoint_failure(
    result: Result<vplant_ledger::Summary, vplant_ledger::Failure>,
) -> (FailureKind, Option<u64>) {
    let failure = result.expect_err("the damage was not caught");
    assert_eq!(
        failure.stream_id, None,
        "a checkpoint failure names no stream"
    );
    (failure.kind, failure.seq)
}

fn other_key() -> SigningKey {
    SigningKey::generate(&ring::rand::SystemRandom::new()).unwrap()
}

#[test]
fn a_signature_covers_every_field_of_the_statement() {
    let chain = Chain::of(4, 4);
    let signed = chain.checkpoints[0].clone();
    assert!(signed.signature_valid(&public_key()));

    let s = &signed.statement;
    let changed = [
        UnsignedCheckpoint {
            first_seq: 2,
            ..s.clone()
        },
        UnsignedCheckpoint {
            seq: 5,
            ..s.clone()
        },
        UnsignedCheckpoint {
            range_root: Hash([9; 32]),
            ..s.clone()
        },
        UnsignedCheckpoint {
            prev: Hash([9; 32]),
            ..s.clone()
        },
        UnsignedCheckpoint {
            created_at_us: s.created_at_us + 1,
            ..s.clone()
        },
        UnsignedCheckpoint {
            key_id: "0000000000000000".to_owned(),
            ..s.clone()
        },
    ];
    for statement in changed {
        let forged = Checkpoint {
            statement,
            signature: signed.signature.clone(),
        };
        assert!(!forged.signature_valid(&public_key()), "{forged:?}");
    }
}

#[test]
fn an_event_rewritten_with_recomputed_hashes_is_caught_by_the_merkle_root() {
    let mut chain = Chain::of(12, 4);

    chain.event_mut(6).payload = r#"{"n":"rewritten"}"#.to_owned();
    chain.reseal_from(6);

    let mut unsigned = chain.clone();
    unsigned.checkpoints.clear();
    assert!(unsigned.verify().is_ok(), "every hash and link checks out");
    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::RootMismatch, Some(8))
    );
    assert!(chain.verify().unwrap_err().detail.contains("events 5..=8"));
}

#[test]
fn a_forged_signature_is_caught() {
    let mut chain = Chain::of(12, 4);

    chain.checkpoints[1].signature[0] ^= 1;

    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::BadSignature, Some(8))
    );
}

#[test]
fn a_checkpoint_signed_with_another_key_is_caught() {
    let mut chain = Chain::of(8, 4);
    let intruder = other_key();
    let previous = chain.checkpoints[0].clone();
    chain.checkpoints[1] = checkpoint_over(&chain.events, Some(&previous), &intruder);

    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::WrongKey, Some(8))
    );

    // Claiming the ledger key's id does not help: the signature does not verify.
    let statement = UnsignedCheckpoint {
        key_id: public_key().key_id(),
        ..chain.checkpoints[1].statement.clone()
    };
    chain.checkpoints[1] = statement.sign(&intruder);
    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::BadSignature, Some(8))
    );
}

#[test]
fn verifying_with_the_wrong_public_key_is_caught() {
    let chain = Chain::of(8, 4);

    let failure = chain
        .verify_with(&other_key().public_key(), Vec::new(), 8)
        .unwrap_err();

    assert_eq!(
        (failure.kind, failure.seq),
        (FailureKind::WrongKey, Some(4))
    );
}

#[test]
fn a_checkpoint_missing_from_the_middle_is_caught() {
    let mut chain = Chain::of(12, 4);

    chain.checkpoints.remove(1);

    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::CheckpointChainBroken, Some(12))
    );
}

#[test]
fn a_checkpoint_that_does_not_link_to_the_previous_one_is_caught() {
    let mut chain = Chain::of(8, 4);

    // Properly signed, covering the right range, but naming a previous checkpoint
    // that never existed.
    let statement = UnsignedCheckpoint {
        prev: sha256(b"another history"),
        ..chain.checkpoints[1].statement.clone()
    };
    chain.checkpoints[1] = statement.sign(&crate::chain::KEY);

    assert_eq!(
        checkpoint_failure(chain.verify()),
        (FailureKind::CheckpointChainBroken, Some(8))
    );
}

#[test]
fn the_witness_may_repeat_the_database_but_not_contradict_it() {
    let chain = Chain::of(8, 4);

    let summary = chain
        .verify_with(&public_key(), chain.checkpoints.clone(), 8)
        .unwrap();
    assert_eq!((summary.checkpoints, summary.witnessed_checkpoints), (2, 2));

    // A second, validly signed checkpoint for sequence 8 (sealed at another time)
    // means two histories were signed.
    let other = UnsignedCheckpoint {
        created_at_us: chain.checkpoints[1].statement.created_at_us + 1,
        ..chain.checkpoints[1].statement.clone()
    }
    .sign(&crate::chain::KEY);
    let failure = chain
        .verify_with(&public_key(), vec![other], 8)
        .unwrap_err();
    assert_eq!(
        (failure.kind, failure.seq),
        (FailureKind::CheckpointConflict, Some(8))
    );
    assert!(
        failure.detail.contains("database and the witness file"),
        "{failure}"
    );
}

#[test]
fn a_cut_tail_is_caught_by_the_newest_checkpoint() {
    let mut chain = Chain::of(12, 4);
    let witness = chain.checkpoints.clone();

    chain.events.truncate(9);
    let failure = chain.verify().unwrap_err();
    assert_eq!(
        (failure.kind, failure.seq),
        (FailureKind::TailCut, Some(10))
    );
    assert!(
        failure.detail.contains("covers up to sequence 12"),
        "{failure}"
    );

    // With the checkpoint gone from the database too, the witness still knows.
    chain.checkpoints.truncate(2);
    assert!(chain.verify().is_ok());
    let failure = chain.verify_with(&public_key(), witness, 4).unwrap_err();
    assert_eq!(
        (failure.kind, failure.seq),
        (FailureKind::TailCut, Some(10))
    );
    assert!(failure.detail.contains("witness file"), "{failure}");
}

#[test]
fn checkpoints_travel_as_json_lines_unchanged() {
    let chain = Chain::of(4, 4);
    let line = serde_json::to_string(&chain.checkpoints[0]).unwrap();

    let back: Checkpoint = serde_json::from_str(&line).unwrap();

    assert_eq!(back, chain.checkpoints[0]);
    assert!(back.signature_valid(&public_key()));
    assert!(!line.contains('\n'));
}

#[test]
fn the_merkle_root_has_the_rfc_6962_shape() {
    let leaf = |i: u8| sha256(&[i]);
    let node = |l: Hash, r: Hash| {
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(&l.0);
        bytes.extend_from_slice(&r.0);
        sha256(&bytes)
    };
    let l: Vec<Hash> = (0..5).map(leaf).collect();

    assert_eq!(merkle_root(&[]), sha256(b""));
    assert_eq!(merkle_root(&l[..1]), l[0]);
    assert_eq!(merkle_root(&l[..2]), node(l[0], l[1]));
    assert_eq!(
        merkle_root(&l),
        node(node(node(l[0], l[1]), node(l[2], l[3])), l[4])
    );
}
