//! Ed25519 keys for checkpoint signatures, and their text file format.
//!
//! The private key lives in a file outside the database (made by `vplant init`), so
//! that someone who can write to the database alone cannot re-sign a rewritten
//! history. Reading and writing the files is the caller's job; this module only turns
//! text into keys and back.

use std::fmt;

use ring::rand::SecureRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use crate::hash::sha256;

const PRIVATE_HEADER: &str = "# Virtual Plant ledger signing key: Ed25519, PKCS#8, hex.\n\
# Keep this file secret and outside the database. Anyone holding it can sign checkpoints.\n";
const PUBLIC_HEADER: &str = "# Virtual Plant ledger public key: Ed25519, hex.\n\
# Give this file to anyone who verifies the ledger (`vplant verify --public-key`).\n";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key file does not hold an Ed25519 PKCS#8 key in hex: {0}")]
    BadPrivateKey(String),
    #[error("the public key file does not hold a 32-byte Ed25519 key in hex")]
    BadPublicKey,
    #[error("the system random number generator failed; cannot create a key")]
    Random,
}

/// The private half: signs checkpoints.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material, even in debug logs.
        write!(f, "SigningKey(public {})", self.public_key())
    }
}

impl SigningKey {
    pub fn generate(rng: &dyn SecureRandom) -> Result<SigningKey, KeyError> {
        let doc = Ed25519KeyPair::generate_pkcs8(rng).map_err(|_| KeyError::Random)?;
        SigningKey::from_pkcs8(doc.as_ref())
    }

    pub fn from_pkcs8(bytes: &[u8]) -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(bytes)
            .map_err(|e| KeyError::BadPrivateKey(e.to_string()))?;
        Ok(SigningKey {
            pair,
            pkcs8: bytes.to_vec(),
        })
    }

    /// The key file text: a comment header, then the PKCS#8 document in hex.
    pub fn to_file_text(&self) -> String {
        format!("{PRIVATE_HEADER}{}\n", hex::encode(&self.pkcs8))
    }

    pub fn from_file_text(text: &str) -> Result<SigningKey, KeyError> {
        let bytes =
            hex::decode(payload_line(text)).map_err(|e| KeyError::BadPrivateKey(e.to_string()))?;
        SigningKey::from_pkcs8(&bytes)
    }

    pub fn public_key(&self) -> PublicKey {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(out)
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// The public half: verifies checkpoints. Safe to publish.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }

    /// A short, stable name for the key: the first 8 bytes of SHA-256 of the key, hex.
    pub fn key_id(&self) -> String {
        hex::encode(&sha256(&self.0).0[..8])
    }

    pub fn to_file_text(&self) -> String {
        format!("{PUBLIC_HEADER}{}\n", hex::encode(self.0))
    }

    pub fn from_file_text(text: &str) -> Result<PublicKey, KeyError> {
        let bytes = hex::decode(payload_line(text)).map_err(|_| KeyError::BadPublicKey)?;
        let array: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadPublicKey)?;
        Ok(PublicKey(array))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// The first line that is not blank and not a `#` comment.
fn payload_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_file_text() {
        let key = SigningKey::generate(&ring::rand::SystemRandom::new()).unwrap();
        let again = SigningKey::from_file_text(&key.to_file_text()).unwrap();
        assert_eq!(key.public_key(), again.public_key());
        let public = PublicKey::from_file_text(&key.public_key().to_file_text()).unwrap();
        let sig = again.sign(b"checkpoint");
        assert!(public.verify(b"checkpoint", &sig));
        assert!(!public.verify(b"checkpoinT", &sig));
    }
}
