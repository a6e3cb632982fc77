//! The key folder: signing key, public key and witness file, outside the database.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use vplant_ledger::{Checkpoint, PublicKey, SigningKey};

pub const SIGNING_KEY: &str = "ledger-signing.key";
pub const PUBLIC_KEY: &str = "ledger-signing.pub";
pub const WITNESS: &str = "witness.jsonl";

pub struct KeyDir(pub PathBuf);

impl KeyDir {
    pub fn signing_path(&self) -> PathBuf {
        self.0.join(SIGNING_KEY)
    }

    pub fn public_path(&self) -> PathBuf {
        self.0.join(PUBLIC_KEY)
    }

    pub fn witness_path(&self) -> PathBuf {
        self.0.join(WITNESS)
    }

    pub fn exists(&self) -> bool {
        self.signing_path().exists()
    }

    /// Creates the folder and a new key pair; refuses to overwrite an existing key,
    /// which would orphan every checkpoint signed with it.
    pub fn create(&self) -> Result<PublicKey> {
        if self.exists() {
            bail!(
                "{} already exists; a ledger keeps its key for life, so init will not replace it",
                self.signing_path().display()
            );
        }
        std::fs::create_dir_all(&self.0)
            .with_context(|| format!("cannot create the key folder {}", self.0.display()))?;
        let key = SigningKey::generate(&ring::rand::SystemRandom::new())?;
        write_private(&self.signing_path(), &key.to_file_text())?;
        std::fs::write(self.public_path(), key.public_key().to_file_text())
            .with_context(|| format!("cannot write {}", self.public_path().display()))?;
        Ok(key.public_key())
    }

    pub fn signing_key(&self) -> Result<SigningKey> {
        let path = self.signing_path();
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read the ledger signing key {}; run `vplant init` first (or pass --keys)",
                path.display()
            )
        })?;
        Ok(SigningKey::from_file_text(&text)?)
    }
}

pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the public key {}", path.display()))?;
    Ok(PublicKey::from_file_text(&text)?)
}

/// Reads a witness file. A last line cut off by a crash mid-append is skipped (the
/// database holds that checkpoint too); any other unreadable line is an error.
pub fn read_witness(path: &Path) -> Result<Vec<Checkpoint>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the witness file {}", path.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Checkpoint>(line) {
            Ok(c) => out.push(c),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => {
                eprintln!(
                    "note: the last line of {} is incomplete (interrupted write); it was skipped",
                    path.display()
                );
            }
            Err(e) => bail!(
                "line {} of the witness file {} is not a checkpoint: {e}",
                i + 1,
                path.display()
            ),
        }
    }
    Ok(out)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot create {}", path.display()))
}
