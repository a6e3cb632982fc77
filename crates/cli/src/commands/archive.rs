//! `vplant export`, `vplant import` and `vplant rebuild`.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::Data;
use crate::keys::read_public_key;

pub fn export(data: &Data, out: &Path) -> Result<ExitCode> {
    let store = data.open_read_only()?;
    let key = read_public_key(&data.keys.public_path()).ok();
    // Write to a temporary name and rename, so a crash never leaves a half archive
    // under the final name.
    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let footer = vplant_store::archive::export(&store, key.as_ref(), &file)?;
    file.sync_all()?;
    std::fs::rename(&partial, out)?;
    println!(
        "Exported {} events and {} checkpoints from {} to {}.",
        footer.events,
        footer.checkpoints,
        store.location(),
        out.display()
    );
    println!("Check it with: vplant verify --archive {}", out.display());
    Ok(ExitCode::SUCCESS)
}

pub fn import(data: &Data, archive: &Path, public_key: Option<PathBuf>) -> Result<ExitCode> {
    let key_path = public_key.unwrap_or_else(|| data.keys.public_path());
    let key = read_public_key(&key_path)?;
    // Writable without a signing key: import restores rows verbatim and seals nothing.
    let store = vplant_store::Store::open(vplant_store::StoreConfig::new(data.location.clone()))?;
    let file = std::fs::File::open(archive)
        .with_context(|| format!("cannot open the archive {}", archive.display()))?;
    match vplant_store::archive::import(&store, BufReader::new(file), &key)? {
        Ok(summary) => {
            println!(
                "Imported {} events and {} checkpoints into {}; hashes identical to the source, read tables rebuilt.",
                summary.events,
                summary.checkpoints,
                store.location()
            );
            println!(
                "Keep serving it with the same key folder, so that new checkpoints continue the chain."
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => bail!("the archive does not verify, nothing was imported: {failure}"),
    }
}

pub fn rebuild(data: &Data) -> Result<ExitCode> {
    let store = vplant_store::Store::open(vplant_store::StoreConfig::new(data.location.clone()))?;
    let n = store.rebuild()?;
    println!(
        "Rebuilt the read tables of {} from {n} ledger events.",
        store.location()
    );
    Ok(ExitCode::SUCCESS)
}
