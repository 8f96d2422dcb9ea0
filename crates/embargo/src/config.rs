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
    /// The URL people reach this server at (links in mails, security.txt). Default: the
    /// listen address over http.
    pub public_url: Option<String>,
    /// Outgoing mail server: `smtp://host:port` or `smtps://host:port`, with optional
    /// `user:password@`. Unset: mails are queued but not sent.
    pub smtp_url: Option<SmtpUrl>,
    /// The security address: where reports arrive and what every mail is from.
    pub mail_from: String,
    /// Mail handling.
    pub mail: MailConfig,
    /// A mailbox to take reports from by IMAP (in addition to `embargo mailgate`).
    pub imap: Option<ImapSettings>,
    /// Who issues the published advisories (CSAF publisher, CVE records).
    pub publisher: PublisherConfig,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublisherConfig {
    /// The publisher's name in exports. Default: the vendor of the catalog's first product.
    pub name: Option<String>,
    /// Your CNA organisation id in CVE Services (a UUID); without it no CVE record is served.
    pub cna_org_id: Option<uuid::Uuid>,
    /// Your CNA short name in CVE Services.
    pub cna_short_name: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapSettings {
    pub host: String,
    /// Default: 993 for `implicit` TLS, 143 otherwise.
    pub port: Option<u16>,
    /// `implicit` (IMAPS), `starttls`, or `plain` (loopback only).
    #[serde(default = "default_imap_tls")]
    pub tls: String,
    pub user: String,
    /// Password or app token. Never logged; `embargo config` shows it as `***`.
    pub password: String,
    #[serde(default = "default_imap_folder")]
    pub folder: String,
    /// Where taken messages are moved [default: Embargo/Processed].
    pub processed_folder: Option<String>,
    /// An extra trust root (PEM), for a server with a private CA.
    pub ca_file: Option<PathBuf>,
    /// Seconds between polls of `embargo serve`.
    #[serde(default = "default_imap_interval")]
    pub poll_interval_secs: u64,
}

fn default_imap_tls() -> String {
    "implicit".to_owned()
}
fn default_imap_folder() -> String {
    "INBOX".to_owned()
}
fn default_imap_interval() -> u64 {
    60
}

impl fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

impl ImapSettings {
    /// The poller's settings; names the key at fault.
    pub fn poller(&self, max_message_bytes: u64) -> anyhow::Result<embargo_imap::ImapConfig> {
        let tls = match self.tls.as_str() {
            "implicit" => embargo_imap::TlsMode::Implicit,
            "starttls" => embargo_imap::TlsMode::StartTls,
            "plain" => embargo_imap::TlsMode::Plain,
            other => bail!("imap.tls {other:?}: use implicit, starttls or plain"),
        };
        let mut cfg = embargo_imap::ImapConfig::new(
            self.host.clone(),
            self.user.clone(),
            secrecy::SecretString::from(self.password.clone()),
        );
        cfg.port = self.port.unwrap_or(match tls {
            embargo_imap::TlsMode::Implicit => 993,
            _ => 143,
        });
        cfg.tls = tls;
        cfg.folder = self.folder.clone();
        if let Some(processed) = &self.processed_folder {
            cfg.processed_folder = processed.clone();
        }
        cfg.ca_file = self.ca_file.clone();
        cfg.max_message_bytes = u32::try_from(max_message_bytes).unwrap_or(u32::MAX);
        Ok(cfg)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// Display name on every mail.
    pub team_name: String,
    /// A received message over this many bytes is stored truncated, with a visible note.
    pub max_message_bytes: u64,
    /// Largest attachment whose bytes are kept with a report.
    pub max_attachment_bytes: u64,
    /// Total attachment bytes kept per report.
    pub max_total_attachment_bytes: u64,
    /// The authserv-id your MTA writes in Authentication-Results; only its verdicts count.
    pub trusted_authserv_id: Option<String>,
    /// Milliseconds between outbox rounds of `embargo serve`.
    pub send_interval_ms: u64,
    /// Milliseconds before a failed mail is tried again; doubled per attempt, up to an hour.
    pub retry_initial_ms: u64,
    /// Milliseconds a sender holds a mail it is sending; after that another sender (or the same
    /// one, restarted) sends it again.
    pub claim_lease_ms: u64,
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
            public_url: None,
            smtp_url: None,
            mail_from: "security@localhost".to_owned(),
            mail: MailConfig {
                team_name: "Security team".to_owned(),
                max_message_bytes: 50 * 1024 * 1024,
                max_attachment_bytes: 10 * 1024 * 1024,
                max_total_attachment_bytes: 25 * 1024 * 1024,
                trusted_authserv_id: None,
                send_interval_ms: 1000,
                retry_initial_ms: 30_000,
                claim_lease_ms: 120_000,
            },
            imap: None,
            publisher: PublisherConfig::default(),
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

    /// The public URL in effect.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The mail settings the service layer works with.
    pub fn mail_settings(&self) -> embargo_service::mail::MailSettings {
        let limits = embargo_mail::Limits {
            max_attachment_bytes: self.mail.max_attachment_bytes,
            max_total_attachment_bytes: self.mail.max_total_attachment_bytes,
            ..embargo_mail::Limits::default()
        };
        embargo_service::mail::MailSettings {
            from: self.mail_from.clone(),
            team_name: self.mail.team_name.clone(),
            limits,
            max_message_bytes: usize::try_from(self.mail.max_message_bytes).unwrap_or(usize::MAX),
            trusted_authserv_id: self.mail.trusted_authserv_id.clone(),
        }
    }

    /// The publisher settings the service layer works with.
    pub fn publisher_settings(&self) -> embargo_service::public::PublisherSettings {
        embargo_service::public::PublisherSettings {
            name: self.publisher.name.clone(),
            cna_org_id: self.publisher.cna_org_id,
            cna_short_name: self.publisher.cna_short_name.clone(),
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

/// An SMTP URL, checked when the configuration loads. Its `Debug` and the printed configuration
/// hide any password.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SmtpUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let parsed = url::Url::parse(&s).map_err(|e| format!("not a URL ({e})"))?;
        match parsed.scheme() {
            "smtp" | "smtps" => {}
            other => {
                return Err(format!(
                    "unsupported scheme {other:?}: use smtp://HOST:PORT or smtps://HOST:PORT"
                ));
            }
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err("no host".to_owned());
        }
        Ok(SmtpUrl(s))
    }
}

impl From<SmtpUrl> for String {
    fn from(u: SmtpUrl) -> String {
        u.0
    }
}

impl fmt::Debug for SmtpUrl {
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
    if let Some(url) = &config.public_url {
        let parsed = url::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("public_url {url:?}: not a URL ({e})"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("public_url {url:?}: use http:// or https://");
        }
    }
    if let Some(imap) = &config.imap {
        imap.poller(config.mail.max_message_bytes)?;
    }
    if config.mail.max_message_bytes < 1024 {
        bail!("mail.max_message_bytes: must be at least 1024");
    }
    config
        .mail_settings()
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
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
