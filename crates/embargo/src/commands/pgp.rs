//! `embargo pgp`: the team's OpenPGP key and reporters' keys.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use embargo_service::openpgp;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum PgpCommand {
    /// Generate a new team key (Ed25519 + X25519) and make it current
    Generate {
        /// User ID of the key [default: "<team name> <security address>"]
        #[arg(long)]
        user_id: Option<String>,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Import an armored, unprotected secret key as the current team key
    ImportKey {
        file: PathBuf,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
    /// Print the team's public key
    Show,
    /// Record a reporter's public key: mail to them is encrypted from then on
    ReporterKey {
        email: String,
        file: PathBuf,
        #[arg(long = "as", default_value = "admin", value_name = "USER")]
        actor: String,
    },
}

pub async fn run(config: Config, cmd: PgpCommand) -> anyhow::Result<ExitCode> {
    let app = super::open_app(&config).await?;
    match cmd {
        PgpCommand::Generate { user_id, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let fingerprint = openpgp::generate_team_key(&app, &who, user_id.as_deref()).await?;
            println!("{fingerprint}");
        }
        PgpCommand::ImportKey { file, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let armored = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read it", file.display()))?;
            let fingerprint = openpgp::import_team_key(&app, &who, &armored).await?;
            println!("{fingerprint}");
        }
        PgpCommand::Show => match openpgp::team_public_key(&app).await? {
            Some((_, armored)) => print!("{armored}"),
            None => anyhow::bail!("no team key: create one with `embargo pgp generate`"),
        },
        PgpCommand::ReporterKey { email, file, actor } => {
            let who = super::operator(&app, &config, &actor).await?;
            let armored = std::fs::read_to_string(&file)
                .with_context(|| format!("{}: cannot read it", file.display()))?;
            println!(
                "{}",
                openpgp::set_reporter_key(&app, &who, &email, &armored).await?
            );
        }
    }
    app.db.close().await;
    Ok(ExitCode::SUCCESS)
}
