//! One module per subcommand.

pub mod cvss;
pub mod demo;
pub mod migrate;
pub mod serve;
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
    Ok(App::new(db, Clock::system()))
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
    print!(
        "{}",
        toml::to_string(&shown).context("printing the configuration")?
    );
    Ok(ExitCode::SUCCESS)
}
