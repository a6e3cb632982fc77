//! One module per subcommand; `run` dispatches.

mod archive;
mod init;
mod serve;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use vplant_store::{CheckpointPolicy, Location, Store, StoreConfig};

use crate::args::{Cli, Command, DataArgs, ServeArgs};
use crate::keys::KeyDir;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let demo = matches!(cli.command, Command::Demo { .. });
    let data = Data::resolve(&cli.data, demo);
    match cli.command {
        Command::Init => init::run(&data),
        Command::Serve(args) => serve::run(&data, &args, false),
        Command::Demo { no_serve, serve } => {
            if no_serve {
                serve::seed_only(&data)
            } else {
                serve::run(&data, &serve, true)
            }
        }
        Command::Verify {
            archive,
            public_key,
            witness,
            no_witness,
        } => verify::run(&data, archive, public_key, witness, no_witness),
        Command::Export { out } => archive::export(&data, &out),
        Command::Import {
            archive,
            public_key,
        } => archive::import(&data, &archive, public_key),
        Command::Rebuild => archive::rebuild(&data),
    }
}

/// Where the database and the key folder are, after defaults.
pub struct Data {
    pub location: Location,
    pub keys: KeyDir,
}

impl Data {
    fn resolve(args: &DataArgs, demo: bool) -> Data {
        let (db, keys) = if demo {
            ("vplant-demo.db", "vplant-demo-keys")
        } else {
            ("vplant.db", "vplant-keys")
        };
        Data {
            location: Location::parse(args.db.as_deref().unwrap_or(db)),
            keys: KeyDir(args.keys.clone().unwrap_or_else(|| PathBuf::from(keys))),
        }
    }

    /// Opens the store for writing, with the signing key and witness file.
    pub fn open_writable(&self, policy: CheckpointPolicy) -> Result<Store> {
        let key = self.keys.signing_key()?;
        let mut config = StoreConfig::new(self.location.clone());
        config.signing_key = Some(Arc::new(key));
        config.witness = Some(self.keys.witness_path());
        config.checkpoints = policy;
        Ok(Store::open(config)?)
    }

    /// Opens the store for reading only (no migrations, no writer).
    pub fn open_read_only(&self) -> Result<Store> {
        let mut config = StoreConfig::new(self.location.clone());
        config.read_only = true;
        Ok(Store::open(config)?)
    }
}

pub fn policy(args: &ServeArgs) -> CheckpointPolicy {
    CheckpointPolicy {
        every_events: args.checkpoint_events.max(1),
        every: Duration::from_secs(args.checkpoint_seconds.max(1)),
    }
}
