//! `vplant init`: the signing key (outside the database) and the schema.

use std::process::ExitCode;

use anyhow::{Context, Result};
use vplant_store::CheckpointPolicy;

use super::Data;

pub fn run(data: &Data, admin: Option<(&str, &str)>) -> Result<ExitCode> {
    let public = data.keys.create()?;
    let store = data.open_writable(CheckpointPolicy::default())?;
    println!("Initialised {}.", store.location());
    if let Some((username, email)) = admin {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let app = vplant_app::App::new(store.clone())?;
        runtime.block_on(super::admin::first_admin(&app, username, email))?;
    }
    println!(
        "  signing key   {} (secret: keep it off the database server's backups)",
        data.keys.signing_path().display()
    );
    println!(
        "  public key    {} (key id {})",
        data.keys.public_path().display(),
        public.key_id()
    );
    println!("  witness file  {}", data.keys.witness_path().display());
    println!("Next: `vplant serve`, and `vplant verify` at any time.");
    Ok(ExitCode::SUCCESS)
}

/// Creates the key folder when it does not exist yet (used by `demo`).
pub fn ensure(data: &Data) -> Result<()> {
    if !data.keys.exists() {
        data.keys.create()?;
    }
    Ok(())
}
