//! Merkle tree hash over a run of event hashes, in the shape of RFC 6962 §2.1
//! (Certificate Transparency), so that auditors meet a structure they already know.
//!
//! Leaves are the event hashes themselves: each is already a domain-separated SHA-256
//! of a canonical encoding, and the verifier recomputes every leaf from its event, so
//! a separate leaf prefix would add a hash per event without adding protection.
//! Interior nodes are `SHA-256(0x01 || left || right)`; the split point is the largest
//! power of two below the number of leaves.

use crate::hash::{Hash, sha256};

/// Below this many leaves one core is faster than handing half to another thread.
const PARALLEL_THRESHOLD: usize = 4096;

/// The Merkle root of `leaves` (the SHA-256 of nothing for an empty list).
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    if leaves.len() >= PARALLEL_THRESHOLD {
        let split = split_point(leaves.len());
        let (left, right) = leaves.split_at(split);
        let (l, r) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| root(left));
            let r = root(right);
            // A panic in the helper thread would be a bug in `root`; recompute inline
            // rather than propagate a panic through the verifier.
            (handle.join().unwrap_or_else(|_| root(left)), r)
        });
        node(&l, &r)
    } else {
        root(leaves)
    }
}

fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => sha256(&[]),
        1 => leaves[0],
        n => {
            let (left, right) = leaves.split_at(split_point(n));
            node(&root(left), &root(right))
        }
    }
}

fn split_point(n: usize) -> usize {
    // Largest power of two strictly less than n (n >= 2).
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut bytes = [0u8; 65];
    bytes[0] = 1;
    bytes[1..33].copy_from_slice(&left.0);
    bytes[33..].copy_from_slice(&right.0);
    sha256(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u8) -> Vec<Hash> {
        (0..n).map(|i| sha256(&[i])).collect()
    }

    #[test]
    fn three_leaves_split_two_and_one() {
        let l = leaves(3);
        assert_eq!(merkle_root(&l), node(&node(&l[0], &l[1]), &l[2]));
    }

    #[test]
    fn parallel_and_sequential_roots_agree() {
        let many: Vec<Hash> = (0..10_000u32).map(|i| sha256(&i.to_be_bytes())).collect();
        assert_eq!(merkle_root(&many), root(&many));
    }

    #[test]
    fn changing_any_leaf_changes_the_root() {
        let mut l = leaves(7);
        let before = merkle_root(&l);
        l[5] = sha256(b"other");
        assert_ne!(before, merkle_root(&l));
    }
}
