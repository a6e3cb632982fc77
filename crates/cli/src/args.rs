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
    #[command(flatten)]
    pub security: SecurityArgs,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// E-mail notices of overdue actions and exceptions (once a day per person).
#[derive(Args, Debug, Clone)]
pub struct MailArgs {
    /// The mail server, e.g. `smtp://relay.example.com:25` (plain),
    /// `smtp://user:password@mail.example.com:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@mail.example.com` (TLS). Without it no e-mail is sent;
    /// overdue items still show in the application.
    #[arg(long, env = "VPLANT_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender address of notices.
    #[arg(
        long,
        env = "VPLANT_MAIL_FROM",
        default_value = "Virtual Plant <vplant@localhost>"
    )]
    pub mail_from: String,
    /// How often to look for overdue items to notify, e.g. `10m`.
    #[arg(long, env = "VPLANT_NOTICE_EVERY", default_value = "10m", value_parser = humantime::parse_duration)]
    pub notice_every: std::time::Duration,
}

/// Sign-in rules (21 CFR 11.300, EU GMP Annex 11 §12).
#[derive(Args, Debug, Clone)]
pub struct SecurityArgs {
    /// End a session after this long without a request, e.g. `15m`, `90s`.
    #[arg(long, env = "VPLANT_IDLE_TIMEOUT", default_value = "15m", value_parser = humantime::parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// End a session this long after sign-in whatever the activity, e.g. `12h`.
    #[arg(long, env = "VPLANT_ABSOLUTE_TIMEOUT", default_value = "12h", value_parser = humantime::parse_duration)]
    pub absolute_timeout: std::time::Duration,
    /// Lock an account after this many failed sign-ins in a row.
    #[arg(long, env = "VPLANT_LOCK_AFTER", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub lock_after: u32,
    /// The address people use, e.g. `https://vplant.example.com`. With https, cookies
    /// are `Secure`; state-changing requests must come from this origin.
    #[arg(long, env = "VPLANT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Take client addresses from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "VPLANT_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Password checks (sign-in, signing, password change) allowed per client and minute.
    #[arg(long, env = "VPLANT_ATTEMPTS_PER_MINUTE", default_value_t = 20)]
    pub attempts_per_minute: u32,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the signing key (outside the database) and the database schema, and
    /// offer a first administrator with a one-time password.
    Init {
        /// Username of the first administrator (created only when there are no users).
        #[arg(long, default_value = "admin")]
        admin: String,
        /// E-mail address of the first administrator.
        #[arg(long, default_value = "admin@example.com")]
        admin_email: String,
        /// Do not create a first administrator.
        #[arg(long)]
        no_admin: bool,
    },
    /// User administration from the command line (first run, locked-out admins).
    #[command(subcommand)]
    Admin(AdminCommand),
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
    /// Restore an archive into an empty database (SQLite or PostgreSQL), verifying it
    /// (`--archive`), or import data (`vplant import tablet-batches <folder>`).
    #[command(args_conflicts_with_subcommands = true)]
    Import {
        #[command(subcommand)]
        data: Option<ImportCommand>,
        /// The archive file to read.
        #[arg(long)]
        archive: Option<PathBuf>,
        /// The public key the archive must verify with (default: `<keys>/ledger-signing.pub`).
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// Trace a lot forward (every batch and lot it reached) or a lot or batch backward
    /// (every input it came from).
    Trace {
        /// A lot as `<material>/<lot number>`, e.g. `SMCC/12`.
        lot: Option<String>,
        /// Start from a batch instead, as `<site>/<batch number>`.
        #[arg(long, conflicts_with = "lot")]
        batch: Option<String>,
        /// Trace backward, towards the inputs.
        #[arg(long)]
        backward: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Master batch records as files (JSON or YAML, `docs/mbr-format.md`).
    #[command(subcommand)]
    Mbr(MbrCommand),
    /// Drop the read tables and replay the ledger into them.
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum MbrCommand {
    /// Import an MBR file: it revises the open draft of its code, or starts the next
    /// version (the file's name is the recorded reason).
    Import {
        /// The file; `.json` is JSON, anything else YAML.
        file: PathBuf,
    },
    /// Print a version of an MBR as a file.
    Export {
        /// The MBR's code, e.g. MBR-PCM500.
        code: String,
        /// The version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// json or yaml.
        #[arg(long, default_value = "yaml")]
        format: String,
    },
    /// List the versions of every MBR with their status.
    List,
    /// What changed between two versions of an MBR.
    Diff { code: String, from: u32, to: u32 },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create a user; prints a one-time password they must change at first sign-in.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        #[arg(long)]
        email: String,
        /// A role (repeat for several): operator, supervisor, qa_reviewer,
        /// recipe_author, vpt_manager, cmo_partner, director, administrator, auditor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// A site code a CMO partner is bound to (repeat for several).
        #[arg(long = "site")]
        sites: Vec<String>,
    },
    /// Set a one-time password for a user (they must change it at next sign-in).
    ResetPassword {
        #[arg(long)]
        username: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Issue an API token for an integration, acting for `--username` with the
    /// given roles (a subset of theirs); prints the secret once.
    IssueToken {
        #[arg(long)]
        username: String,
        /// What it is for, e.g. "LIMS interface".
        #[arg(long)]
        name: String,
        /// A role the token may use (repeat for several).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Limit the token to a site (repeat for several).
        #[arg(long = "site")]
        sites: Vec<String>,
        /// Days until the token expires (at most 366).
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
    /// Unlock a user locked after failed sign-ins.
    Unlock {
        #[arg(long)]
        username: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Load the public tablet batch history (Žagar & Mihelič 2022, CC BY 4.0) as the
    /// history of one CMO site: products, batches, input lots and genealogy, results.
    TabletBatches {
        /// The data set's folder (Laboratory.csv, Process.csv, Normalization.csv,
        /// process/N.csv).
        folder: PathBuf,
        /// The site to load it into; created as a CMO site when missing.
        #[arg(long, default_value = "CMO-SI")]
        site: String,
    },
}
