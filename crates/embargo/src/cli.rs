//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Embargo runs a vendor's security update process: vulnerability reports come in, are
/// acknowledged, scored, fixed on every supported release line, released and disclosed.
#[derive(Debug, Parser)]
#[command(name = "embargo", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes. Each is also an environment variable; precedence is
/// command line, then environment, then the config file, then the default.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory for the SQLite file, attachments and keys [default: ./embargo-data]
    #[arg(long, global = true, env = "EMBARGO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, sqlite://… or postgres://… [default: sqlite://<data-dir>/embargo.db]
    #[arg(
        long,
        global = true,
        env = "EMBARGO_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// TOML configuration file; environment variables override its values
    #[arg(long, global = true, env = "EMBARGO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI, the REST API and the background jobs
    Serve(ServeArgs),
    /// Apply database migrations and exit
    Migrate,
    /// Seed demo data (idempotent) and exit
    Demo,
    /// Print the effective configuration (secrets redacted) and exit
    Config,
    /// Take one RFC 5322 message on stdin (for an MTA pipe); prints its tracking id.
    /// Exits 75 (EX_TEMPFAIL) when it could not store the message, so the MTA retries
    Mailgate {
        /// Where the message came from, recorded with it
        #[arg(long, default_value = "mailgate")]
        source: String,
    },
    /// The outbox, received mail and mail templates
    #[command(subcommand)]
    Mail(crate::commands::mail::MailCommand),
    /// The team's OpenPGP key and reporters' keys
    #[command(subcommand)]
    Pgp(crate::commands::pgp::PgpCommand),
    /// Reports as received
    #[command(subcommand)]
    Reports(crate::commands::reports::ReportsCommand),
    /// The work queue and case workflow
    #[command(subcommand)]
    Cases(crate::commands::cases::CasesCommand),
    /// Products, editions, release lines and bundled components
    #[command(subcommand)]
    Catalog(crate::commands::catalog::CatalogCommand),
    /// Release plans: the next patch release of a line, the cases it fixes, shipping it
    #[command(subcommand)]
    Releases(crate::commands::releases::ReleasesCommand),
    /// Public advisories: write, list, publish what is due
    #[command(subcommand)]
    Advisories(crate::commands::advisories::AdvisoriesCommand),
    /// The pre-notification list (e.g. distributors), mailed the advisory under embargo
    #[command(subcommand)]
    Prenotify(crate::commands::prenotify::PrenotifyCommand),
    /// Published advisories as CVE JSON 5, OSV and CSAF 2.0 files
    #[command(subcommand)]
    Export(crate::commands::export::ExportCommand),
    /// Upstream advisories (OSV, CVE JSON 5) from files, directories and zips
    #[command(subcommand)]
    Import(crate::commands::import::ImportCommand),
    /// Reserved CVE ids, assigned to cases on acceptance
    #[command(subcommand)]
    CvePool(crate::commands::advisories::CvePoolCommand),
    /// Admin settings: security.txt fields, the disclosure-policy text, the timeline policy
    #[command(subcommand)]
    Settings(crate::commands::settings::SettingsCommand),
    /// Manage accounts and API tokens
    #[command(subcommand)]
    User(crate::commands::user::UserCommand),
    /// Score and explain CVSS v2, v3.0, v3.1 and v4.0 vectors
    #[command(subcommand)]
    Cvss(crate::commands::cvss::CvssCommand),
}

impl Command {
    pub fn listen_override(&self) -> Option<&str> {
        match self {
            Command::Serve(args) => args.listen.as_deref(),
            _ => None,
        }
    }

    pub fn is_server(&self) -> bool {
        matches!(self, Command::Serve(_))
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "EMBARGO_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Seed the demo data before serving
    #[arg(long)]
    pub demo: bool,
}
