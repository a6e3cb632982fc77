//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "vplant",
    version,
    about = "Virtual Plant: pharma manufacturing operations on a tamper-evident ledger"
)]
pub struct Cli {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// The database: an SQLite file path (default `vplant.db`; `vplant-demo.db` for
    /// `demo`) or a `postgres://user@host/db` URL.
    #[arg(long, global = true, env = "VPLANT_DB")]
    pub db: Option<String>,
    /// Folder with the ledger signing key, its public key and the witness file, kept
    /// outside the database (default `vplant-keys`; `vplant-demo-keys` for `demo`).
    #[arg(long, global = true, env = "VPLANT_KEYS")]
    pub keys: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "VPLANT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seal a checkpoint once this many events are unsealed.
    #[arg(long, env = "VPLANT_CHECKPOINT_EVENTS", default_value_t = 10_000)]
    pub checkpoint_events: u64,
    /// Seal a checkpoint once the oldest unsealed event is this many seconds old.
    #[arg(long, env = "VPLANT_CHECKPOINT_SECONDS", default_value_t = 60)]
    pub checkpoint_seconds: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the signing key (outside the database) and the database schema.
    Init,
    /// Run the web application and API.
    Serve(ServeArgs),
    /// Create (or reuse) ./vplant-demo.db with realistic demo data and serve it.
    Demo {
        /// Seed the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Prove that the ledger is intact: nothing altered, removed, inserted, reordered
    /// or cut off. Works without the server, on a database or an export archive.
    Verify {
        /// Verify this export archive instead of the database.
        #[arg(long)]
        archive: Option<PathBuf>,
        /// The ledger's public key (default: `<keys>/ledger-signing.pub`).
        #[arg(long)]
        public_key: Option<PathBuf>,
        /// A witness file of checkpoints kept outside the database (default:
        /// `<keys>/witness.jsonl` when it exists).
        #[arg(long)]
        witness: Option<PathBuf>,
        /// Do not use the witness file even if one exists.
        #[arg(long)]
        no_witness: bool,
    },
    /// Write the whole ledger to a portable, self-verifying archive.
    Export {
        /// The archive file to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Restore an archive into an empty database (SQLite or PostgreSQL), verifying it.
    Import {
        /// The archive file to read.
        #[arg(long)]
        archive: PathBuf,
        /// The public key the archive must verify with (default: `<keys>/ledger-signing.pub`).
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// Drop the read tables and replay the ledger into them.
    Rebuild,
}
