//! Configuration: one typed tree, loaded once here and passed down.
//!
//! Layers, later wins: built-in defaults, the TOML file (`--config`), `EMBARGO_*` environment
//! variables (`EMBARGO_SECTION__KEY` for nested keys), then command-line options. Unknown keys
//! are errors, and every error names the key at fault.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::GlobalArgs;

/// Environment variables with the `EMBARGO_` prefix that are not configuration keys.
const NOT_CONFIG_KEYS: &[&str] = &["config", "log", "test_database_url", "test_db"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Directory for the SQLite file, attachments and keys.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`. Default: `sqlite://<data_dir>/embargo.db`.
    pub database_url: Option<DatabaseUrl>,
    /// Address `embargo serve` listens on.
    pub listen: SocketAddr,
    /// Email address of the first admin account, created on first start.
    pub admin_email: String,
    /// Log format on stderr: `text` or `json`.
    pub log_format: LogFormat,
    /// Timeline policy TOML file; the shipped default policy when unset.
    pub policy_file: Option<PathBuf>,
    /// Connection pool settings.
    pub database: DatabaseSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Largest number of open connections per `embargo serve` process.
    pub max_connections: u32,
    /// Seconds to wait for a connection before the database counts as unreachable.
    pub acquire_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./embargo-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_email: "admin@localhost".to_owned(),
            log_format: LogFormat::Text,
            policy_file: None,
            database: DatabaseSettings {
                max_connections: 10,
                acquire_timeout_secs: 5,
            },
        }
    }
}

impl Config {
    /// The database URL in effect: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.0.clone(),
            None => format!("sqlite://{}", self.data_dir.join("embargo.db").display()),
        }
    }

    pub fn db_options(&self) -> embargo_store::DbOptions {
        embargo_store::DbOptions {
            max_connections: self.database.max_connections,
            acquire_timeout: Duration::from_secs(self.database.acquire_timeout_secs),
        }
    }
}

/// A database URL, checked when the configuration loads. Its `Debug` hides any password.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatabaseUrl(String);

impl TryFrom<String> for DatabaseUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let parsed = url::Url::parse(&s).map_err(|e| format!("not a URL ({e})"))?;
        match parsed.scheme() {
            "sqlite" | "postgres" | "postgresql" => Ok(DatabaseUrl(s)),
            other => Err(format!(
                "unsupported scheme {other:?}: use sqlite://FILE or postgres://HOST/DB"
            )),
        }
    }
}

impl From<DatabaseUrl> for String {
    fn from(u: DatabaseUrl) -> String {
        u.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", embargo_store::redact_url(&self.0))
    }
}

/// Command-line values that override every other layer.
#[derive(Serialize)]
struct Overrides<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<&'a Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<&'a str>,
}

/// Loads the configuration from every layer and checks it.
pub fn load(args: &GlobalArgs, listen: Option<&str>) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = &args.config {
        if !path.is_file() {
            bail!("config {}: no such file", path.display());
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    let figment = figment
        .merge(
            Env::prefixed("EMBARGO_")
                .split("__")
                .ignore(NOT_CONFIG_KEYS),
        )
        .merge(Serialized::defaults(Overrides {
            data_dir: args.data_dir.as_deref(),
            database_url: args.database_url.as_deref(),
            listen,
        }));
    let config: Config = figment.extract().map_err(describe)?;
    if config.database.max_connections == 0 {
        bail!("database.max_connections: must be at least 1");
    }
    Ok(config)
}

/// One line per problem, each naming the key and where its value came from.
fn describe(errors: figment::Error) -> anyhow::Error {
    let lines: Vec<String> = errors
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", e.path.join("."))
            };
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(source) => format!(" (from {} {source})", m.name),
                    None => format!(" (from {})", m.name),
                })
                .unwrap_or_default();
            format!("{key}{}{source}", e.kind)
        })
        .collect();
    anyhow::anyhow!("invalid configuration: {}", lines.join("; "))
}

/// Makes sure the data directory exists and is writable, naming it if not.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("data_dir {}: cannot create it", dir.display()))?;
    let probe = dir.join(".embargo-write-check");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("data_dir {}: not writable", dir.display()))?;
    std::fs::remove_file(&probe)
        .with_context(|| format!("data_dir {}: not writable", dir.display()))?;
    Ok(())
}
