//! One module per subcommand.

pub mod advisories;
pub mod cases;
pub mod catalog;
pub mod cvss;
pub mod demo;
pub mod export;
pub mod import;
pub mod mail;
pub mod mailgate;
pub mod migrate;
pub mod pgp;
pub mod prenotify;
pub mod releases;
pub mod reports;
pub mod serve;
pub mod settings;
pub mod user;

use std::process::ExitCode;

use anyhow::Context;
use embargo_service::{App, Clock};
use embargo_store::{Db, redact_url};

use crate::config::{Config, ensure_data_dir};

/// Opens the database named by the configuration and applies pending migrations.
pub async fn open_app(config: &Config) -> anyhow::Result<App> {
    ensure_data_dir(&config.data_dir)?;
    let url = config.database_url();
    let db = Db::connect_lazy(&url, &config.db_options())
        .with_context(|| format!("database_url {}", redact_url(&url)))?;
    db.migrate()
        .await
        .with_context(|| format!("database_url {}: cannot apply migrations", redact_url(&url)))?;
    let policy = match &config.policy_file {
        None => embargo_domain::Policy::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("policy_file {}: cannot read it", path.display()))?;
            embargo_domain::Policy::parse(&text)
                .with_context(|| format!("policy_file {}", path.display()))?
        }
    };
    let app = App::with_policy(db, Clock::system(), policy)
        .with_mail(config.mail_settings())
        .with_publisher(config.publisher());
    // A policy an admin stored (`embargo settings policy set`, the admin page or the API)
    // replaces the file and the default.
    embargo_service::settings::load_policy(&app)
        .await
        .context("loading the timeline policy stored in the settings")?;
    Ok(app)
}

/// Takes every message waiting in the configured IMAP mailbox into the database (see
/// `embargo_imap::poll_once`); a message is moved out of the mailbox only once stored.
pub async fn poll_imap(
    app: &App,
    cfg: &embargo_imap::ImapConfig,
) -> Result<embargo_imap::PollStats, embargo_imap::ImapError> {
    embargo_imap::poll_once(cfg, |m| imap_store(app.clone(), m)).await
}

/// Stores one message fetched by IMAP, as `embargo mailgate` does.
pub async fn imap_store(app: App, m: embargo_imap::FetchedMail) -> Result<(), String> {
    use sha2::{Digest, Sha256};
    let sha256 = hex::encode(Sha256::digest(&m.raw));
    let size = if m.truncated {
        u64::from(m.size)
    } else {
        m.raw.len() as u64
    };
    embargo_service::mail::inbound::receive_kept(&app, &m.raw, size, &sha256, &m.source_key())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Prints the first admin's one-time password, once, when this call created the account.
pub fn announce_first_admin(
    admin: Option<embargo_service::bootstrap::FirstAdmin>,
    to_stderr: bool,
) {
    use secrecy::ExposeSecret;
    if let Some(admin) = admin {
        let text = format!(
            "Created the first admin account.\n  username: {}\n  password: {}\n\
             This password is shown only now; change it after signing in.",
            admin.username,
            admin.password.expose_secret()
        );
        if to_stderr {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }
}

/// The account an operator command acts as (`--as`, default `admin`). On an empty database the
/// first admin is created here, as `serve` would, and its password shown once on stderr.
pub async fn operator(
    app: &App,
    config: &Config,
    username: &str,
) -> anyhow::Result<embargo_service::accounts::Principal> {
    let admin = embargo_service::bootstrap::ensure_first_admin(app, &config.admin_email)
        .await
        .context("creating the first admin account")?;
    announce_first_admin(admin, true);
    Ok(embargo_service::accounts::operator(app, username).await?)
}

/// `embargo config`: the effective configuration as TOML, database password redacted.
pub fn show_config(config: &Config) -> anyhow::Result<ExitCode> {
    let mut shown = config.clone();
    if let Some(url) = &config.database_url {
        shown.database_url = Some(
            redact_url(&String::from(url.clone()))
                .try_into()
                .map_err(|e: String| anyhow::anyhow!(e))?,
        );
    }
    if let Some(imap) = shown.imap.as_mut() {
        imap.password = "***".to_owned();
    }
    if let Some(url) = &config.smtp_url {
        shown.smtp_url = Some(
            redact_url(url.as_str())
                .try_into()
                .map_err(|e: String| anyhow::anyhow!(e))?,
        );
    }
    print!(
        "{}",
        toml::to_string(&shown).context("printing the configuration")?
    );
    Ok(ExitCode::SUCCESS)
}
