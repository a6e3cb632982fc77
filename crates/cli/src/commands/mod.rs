//! One module per subcommand; `run` dispatches.

mod admin;
mod archive;
mod data;
mod init;
mod mbr;
mod serve;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use vplant_store::{CheckpointPolicy, Location, Store, StoreConfig};

use vplant_app::identity::SecurityPolicy;
use vplant_server::auth::WebConfig;

use crate::args::{Cli, Command, DataArgs, SecurityArgs, ServeArgs};
use crate::keys::KeyDir;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let demo = matches!(cli.command, Command::Demo { .. });
    let data = Data::resolve(&cli.data, demo);
    match cli.command {
        Command::Init {
            admin,
            admin_email,
            no_admin,
        } => init::run(
            &data,
            (!no_admin).then_some((admin.as_str(), admin_email.as_str())),
        ),
        Command::Admin(command) => admin::run(&data, &command),
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
            data: Some(what), ..
        } => self::data::import(&data, &what),
        Command::Import {
            data: None,
            archive: Some(archive),
            public_key,
        } => archive::import(&data, &archive, public_key),
        Command::Import {
            data: None,
            archive: None,
            ..
        } => anyhow::bail!(
            "say what to import: `vplant import --archive <file>` or `vplant import tablet-batches <folder>`"
        ),
        Command::Trace {
            lot,
            batch,
            backward,
            json,
        } => self::data::trace(&data, lot, batch, backward, json),
        Command::Mbr(command) => mbr::run(&data, &command),
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

pub fn security(args: &SecurityArgs) -> SecurityPolicy {
    SecurityPolicy {
        idle_timeout: args.idle_timeout.max(Duration::from_secs(1)),
        absolute_timeout: args.absolute_timeout.max(Duration::from_secs(1)),
        lock_after: args.lock_after,
        ..SecurityPolicy::default()
    }
}

pub fn web(args: &SecurityArgs) -> WebConfig {
    WebConfig {
        public_origin: args
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned()),
        trust_forwarded_for: args.trust_forwarded_for,
        attempts_per_minute: args.attempts_per_minute,
    }
}

pub fn policy(args: &ServeArgs) -> CheckpointPolicy {
    CheckpointPolicy {
        every_events: args.checkpoint_events.max(1),
        every: Duration::from_secs(args.checkpoint_seconds.max(1)),
    }
}
